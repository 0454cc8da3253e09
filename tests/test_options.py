"""Options: one table, command line > environment > ini file > default, one-line usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import options
from grader.aws.emulator import LOCALSTACK_ENDPOINT

pytest_plugins = ["pytester"]


def resolved(pytester: pytest.Pytester, *args: str, ini: str = "") -> dict[str, object]:
    """The grader's settings as a grading run would resolve them (collected, not run)."""
    pytester.makeini(f"[pytest]\n{ini}")
    config = pytester.parseconfigure(*args)
    return {o.dest: options.resolve(config, o) for o in options.OPTIONS}




def test_precedence_cli_over_env_over_ini(pytester: pytest.Pytester,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeconftest('pytest_plugins = ["grader.plugin"]')
    ini = "student_id = from-ini\ntarget = localstack\nregion = eu-west-1"
    assert resolved(pytester, ini=ini)["student_id"] == "from-ini"
    monkeypatch.setenv("STUDENT_ID", "from-env")
    monkeypatch.setenv("GRADER_TARGET", "moto")
    values = resolved(pytester, ini=ini)
    assert (values["student_id"], values["target"], values["region"]) == (
        "from-env", "moto", "eu-west-1")
    values = resolved(pytester, "--student-id=from-cli", ini=ini)
    assert values["student_id"] == "from-cli"


def test_defaults(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRADER_TARGET", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeconftest('pytest_plugins = ["grader.plugin"]')
    values = resolved(pytester)
    assert (values["target"], values["grade_json"], values["deploy_solution"]) == (
        "aws", "grade.json", False)


@pytest.mark.parametrize("student_id", ["a", "Alice_B-2", "x" * 42])
def test_valid_student_ids(student_id: str) -> None:
    assert options.validate_student_id(student_id) == student_id


@pytest.mark.parametrize("student_id", ["", "a b", "a/b", "ä", "x" * 43, "a.b", "a\n"])
def test_invalid_student_ids(student_id: str) -> None:
    with pytest.raises(pytest.UsageError) as raised:
        options.validate_student_id(student_id)
    assert "\n" not in str(raised.value).replace(repr(student_id), "")


def test_localstack_endpoint_default_and_solution_dir(pytester: pytest.Pytester,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("SUBMISSION_DIR", raising=False)
    pytester.makeconftest('pytest_plugins = ["grader.plugin"]')
    pytester.makeini("[pytest]")
    config = pytester.parseconfigure("--student-id=a", "--target=localstack", "--deploy-solution")
    settings = options.load_settings(config, tmp_path)
    assert settings.endpoint_url == LOCALSTACK_ENDPOINT
    assert settings.submission_dir == tmp_path


def test_deploying_to_real_aws_needs_explicit_consent(pytester: pytest.Pytester,
                                                     tmp_path: Path) -> None:
    pytester.makeconftest('pytest_plugins = ["grader.plugin"]')
    pytester.makeini("[pytest]")
    config = pytester.parseconfigure("--student-id=a", "--target=aws", "--deploy-solution")
    with pytest.raises(pytest.UsageError, match="--i-mean-real-aws"):
        options.load_settings(config, tmp_path)
