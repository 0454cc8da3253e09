"""Where each student's resources are: a roster's account columns and --role-arn, checked before any call."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import options
from grader.class_run.roster import load_roster, student_settings
from grader.settings import AccountAccess, RosterEntry, Settings

pytest_plugins = ["pytester"]

ROLE = "arn:aws:iam::210987654321:role/GraderReadOnly"
HEADER = "student_id,profile,role_arn,external_id,account_id,region\n"


def roster(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + rows)
    return path


def test_every_way_into_an_account(tmp_path: Path) -> None:
    path = roster(
        tmp_path,
        "own,,,,,\n"
        "keys,learner-lab-keys,,,,\n"
        f"role,,{ROLE},role,,\n"
        "member,,,,123456789012,\n"
        "west,,,,,eu-west-2\n",
    )
    entries = load_roster(path, assume_role_name="OrgGrader")
    assert [entry.access for entry in entries] == [
        AccountAccess(),
        AccountAccess(profile="learner-lab-keys"),
        AccountAccess(role_arn=ROLE, external_id="role"),
        AccountAccess(role_arn="arn:aws:iam::123456789012:role/OrgGrader"),
        AccountAccess(region="eu-west-2"),
    ]


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        (",,arn:aws:iam::123456789012:user/bob,,,", "role_arn", "is not an IAM role ARN"),
        (",,arn:aws:iam::12345:role/R,,,", "role_arn", "is not an IAM role ARN"),
        (",,,,1234567890123,", "account_id", "is not an AWS account id (12 digits)"),
        (",,,,,us-middle-9", "region", "is not an AWS region name"),
        (f",p,{ROLE},,,", "role_arn", "profile and role_arn are two ways into the account"),
        (f",,{ROLE},,123456789012,", "account_id", "role_arn and account_id are two ways"),
        (",,,x1,,", "external_id", "goes with a role_arn or an account_id"),
        (",p,,x1,,", "external_id", "a profile sets its own external_id"),
        (f",,{ROLE},x,,", "external_id", "is not an external id"),
        (",bad\tname,,,,", "profile", "is not a profile name"),
        (",,,,١٢٣٤٥٦٧٨٩٠١٢,", "account_id", "is not an AWS account id (12 digits)"),
        (",,arn:aws:iam::123456789012:role/rôle,,,", "role_arn", "is not an IAM role ARN"),
    ],
)
def test_a_malformed_cell_names_file_line_and_column(
    tmp_path: Path, row: str, column: str, says: str
) -> None:
    path = roster(tmp_path, "fine,,,,,\nbob" + row + "\n")
    with pytest.raises(pytest.UsageError) as error:
        load_roster(path, assume_role_name="OrgGrader")
    assert f"{path} line 3, column {column}: " in str(error.value), error.value
    assert says in str(error.value)


def test_an_account_id_needs_the_role_name(tmp_path: Path) -> None:
    path = roster(tmp_path, "bob,,,,123456789012,\n")
    with pytest.raises(pytest.UsageError, match=r"line 2, column account_id: .*--assume-role-name"):
        load_roster(path)


def test_a_student_narrows_the_run_to_their_account(tmp_path: Path) -> None:
    run = Settings("", "aws", None, "us-east-1", "instructor", tmp_path, False, False, Path("g"), False)
    by_role = student_settings(run, RosterEntry("a", access=AccountAccess(role_arn=ROLE, external_id="a")))
    assert (by_role.profile, by_role.role_arn, by_role.external_id, by_role.region) == (
        "instructor",
        ROLE,
        "a",
        "us-east-1",
    ), "a role is assumed from the run's own credentials"
    by_profile = student_settings(
        run, RosterEntry("b", access=AccountAccess(profile="b-keys", region="eu-west-1"))
    )
    assert (by_profile.profile, by_profile.role_arn, by_profile.region) == ("b-keys", None, "eu-west-1")
    own = student_settings(run, RosterEntry("c"))
    assert (own.profile, own.role_arn, own.region) == ("instructor", None, "us-east-1")


def load(pytester: pytest.Pytester, tmp_path: Path, *args: str) -> Settings:
    pytester.makeconftest('pytest_plugins = ["grader.plugin"]')
    pytester.makeini("[pytest]")
    return options.load_settings(pytester.parseconfigure(*args), tmp_path)


def test_one_student_through_a_role(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load(pytester, tmp_path, "--student-id=a", f"--role-arn={ROLE}", "--external-id=a1")
    assert (settings.role_arn, settings.external_id) == (ROLE, "a1")
    monkeypatch.setenv("GRADER_ROLE_ARN", ROLE)
    monkeypatch.setenv("GRADER_EXTERNAL_ID", "from-env")
    assert load(pytester, tmp_path, "--student-id=a").external_id == "from-env"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("--student-id=a", "--role-arn=arn:aws:iam::1:role/x"),
            "invalid --role-arn: .* is not an IAM role ARN",
        ),
        (("--student-id=a", "--external-id=x1"), "--external-id goes with --role-arn"),
        (("--student-id=a", "--assume-role-name=R"), "--assume-role-name .* needs --roster"),
        (("--roster=r.csv", f"--role-arn={ROLE}"), "--role-arn grades one student"),
    ],
)
def test_a_wrong_way_in_is_a_usage_error(
    pytester: pytest.Pytester, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    with pytest.raises(pytest.UsageError, match=says):
        load(pytester, tmp_path, *args)
