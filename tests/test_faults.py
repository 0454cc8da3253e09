"""Faults of the target are retried, or become grading errors naming their cause: never failures."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from grader.assessment import table_name
from grader.aws import session as aws
from grader.failures import (
    ACCESS_DENIED_CODES,
    GRADING_INCOMPLETE,
    IAM_ACTION_KEY,
    THROTTLING_CODES,
    CheckTimedOut,
    describe_grader_error,
)
from tests import harness
from tests.faultproxy import Faults, fault_proxy

# Timeout: full grading runs through a faulty proxy, on a loaded 2-core machine
pytestmark = [pytest.mark.long, pytest.mark.timeout(600)]

TASK1 = "tests_assessment/test_task01_table.py"
TASK9 = "tests_assessment/test_task09_batch_operations.py"
SOLUTION = f"--submission-dir={harness.PROJECT_ROOT / 'solution'}"


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> str:
    """A reference deployment these tests only read."""
    student_id = harness.new_student_id("fault")
    harness.deploy_reference(moto_endpoint, student_id)
    return student_id


@pytest.fixture(scope="module")
def clean_grade(
    moto_endpoint: str, deployed: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The grade of that deployment with nothing in the way."""
    run = harness.grade_on(moto_endpoint, deployed, tmp_path_factory.mktemp("clean"), SOLUTION)
    assert run.grade is not None, run.output
    return run.grade


def _live_checks(run: harness.GraderRun, listing: Path) -> set[tuple[int, str]]:
    """The checks of that run that need the account (listed by tests/selftest_plugin.py)."""
    live = {(task, name) for task, name in json.loads(listing.read_text())}
    graded = {(t["task"], c["name"]) for t in run.grade["tasks"] for c in t["checks"]} if run.grade else set()
    assert live and live <= graded, (live, graded)
    return live


def _grade_unreachable(tmp_path: Path, *args: str) -> harness.GraderRun:
    """Grade a target that cannot be graded; assert what every such run must show."""
    listing = tmp_path / "live.json"
    environment = harness.clean_env(SELFTEST_LIVE_CHECKS=str(listing))
    run = harness.run_grader(tmp_path, *args, SOLUTION, "-p", "tests.selftest_plugin", env=environment)
    assert run.grade is not None, run.output
    assert run.exit_code == GRADING_INCOMPLETE, run.output
    assert run.grade["complete"] is False
    live = _live_checks(run, listing)
    statuses = {(t["task"], c["name"]): c for t in run.grade["tasks"] for c in t["checks"]}
    assert all(statuses[check]["status"] == "error" for check in live), run.not_passed()
    causes = {statuses[check]["message"] for check in live}
    assert len(causes) == 1, causes
    cause = causes.pop()
    assert run.output.count(cause) == 1, run.output  # said once, not once per check
    assert f"grading incomplete, cause 1: {cause}" in run.output
    assert "Traceback" not in run.output and "raise " not in run.output, run.output
    return run


def _message(run: harness.GraderRun) -> str:
    return next(c["message"] for t in run.grade["tasks"] for c in t["checks"] if c["status"] == "error")


# --- retried faults --------------------------------------------------------------------------------
TRANSIENT = {
    "throttled": Faults(throttle_fraction=0.3),
    "503": Faults(failing="503", failing_fraction=0.3),
    "reset": Faults(failing="reset", failing_fraction=0.3),
}


@pytest.mark.parametrize("kind", TRANSIENT)
def test_thirty_percent_transient_faults_give_exactly_the_clean_grade(
    kind: str, moto_endpoint: str, deployed: str, clean_grade: dict[str, Any], tmp_path: Path
) -> None:
    with fault_proxy(moto_endpoint, TRANSIENT[kind]) as proxy:
        run = harness.grade_on(proxy.endpoint_url, deployed, tmp_path, SOLUTION)
    assert proxy.actions(kind), "the proxy injected no fault: the test proves nothing"
    assert run.grade == clean_grade, run.output


# --- faults that last: every live check errors, one cause, no traceback, quickly --------------------
@pytest.mark.parametrize(("mode", "cause"), [("503", "HTTP 503"), ("reset", "could not reach")])
def test_all_calls_failing_makes_every_live_check_an_error(
    mode: str, cause: str, moto_endpoint: str, deployed: str, tmp_path: Path
) -> None:
    with fault_proxy(moto_endpoint, Faults(failing=mode)) as proxy:
        run = _grade_unreachable(
            tmp_path,
            f"--student-id={deployed}",
            "--target=localstack",
            f"--endpoint-url={proxy.endpoint_url}",
        )
    assert cause in _message(run)
    assert len(proxy.calls) <= 4, "only the session's probe should try (1 attempt, 3 retries), then give up"


def test_unreachable_endpoint_is_named(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    run = _grade_unreachable(
        tmp_path, "--student-id=alice", "--target=localstack", f"--endpoint-url=http://127.0.0.1:{port}"
    )
    assert "could not reach the AWS endpoint" in _message(run)


def test_no_credentials_is_named(tmp_path: Path) -> None:
    run = _grade_unreachable(tmp_path, "--student-id=alice", "--target=aws")
    assert "found no AWS credentials" in _message(run)


def _assert_only_tag_checks_error(run: harness.GraderRun, phrase: str) -> None:
    """Of task 1, exactly the tag checks (which list the tags) errored, each message carrying phrase."""
    assert run.grade is not None, run.output
    tag_checks = {(1, c["name"]) for c in run.task(1)["checks"] if c["name"].startswith("tag ")}
    task1_not_passed = {key: status for key, status in run.not_passed().items() if key[0] == 1}
    assert tag_checks and task1_not_passed == dict.fromkeys(tag_checks, "error")
    for task, name in tag_checks:
        assert phrase in run.check(task, name)["message"]


def test_access_denied_names_the_missing_permission_and_spares_other_checks(
    moto_endpoint: str, deployed: str, clean_grade: dict[str, Any], tmp_path: Path
) -> None:
    with fault_proxy(moto_endpoint, Faults(deny_actions={"dynamodb:ListTagsOfResource"})) as proxy:
        run = harness.grade_on(proxy.endpoint_url, deployed, tmp_path, SOLUTION)
    _assert_only_tag_checks_error(run, "not allowed to call dynamodb:ListTagsOfResource")
    assert run.grade["tasks"][1:] == clean_grade["tasks"][1:]
    assert run.exit_code == GRADING_INCOMPLETE


def test_check_over_its_time_limit_is_an_error_not_a_hang(
    moto_endpoint: str, deployed: str, tmp_path: Path
) -> None:
    """The slow checks error with one line each: no stack dump of the grader's threads (task 9's
    sandbox runs first so that there are threads to dump). The tag checks wait for the tags read ahead
    (or made again after a check's limit cut it): the read outlasts the limits of all three (3 x 3 s)."""
    slow = Faults(delay_actions={"dynamodb:ListTagsOfResource": 12})
    with fault_proxy(moto_endpoint, slow) as proxy:
        run = harness.grade_on(proxy.endpoint_url, deployed, tmp_path, SOLUTION, "--timeout=3", TASK9, TASK1)
    _assert_only_tag_checks_error(run, "did not finish within its time limit of 3 s")
    assert run.exit_code == GRADING_INCOMPLETE
    assert "Timeout" not in run.output and 'File "' not in run.output, run.output


def test_throttling_past_retries_names_the_operation(
    moto_endpoint: str, deployed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, with fewer retries than the grader's 8 so that giving up is quick."""
    monkeypatch.setattr(aws, "TABLE_CLIENT_CONFIG", Config(retries={"mode": "standard", "max_attempts": 2}))
    with fault_proxy(moto_endpoint, Faults(throttle_actions={"dynamodb:DescribeTable"})) as proxy:
        account = aws.Account(harness.emulator_session(), proxy.endpoint_url)
        with pytest.raises(ClientError) as throttled:
            account.client("dynamodb").describe_table(TableName=table_name(deployed))
    assert [c.fault for c in proxy.calls] == ["throttled"] * 3  # the first attempt and 2 retries
    assert throttled.value.response["Error"][IAM_ACTION_KEY] == "dynamodb:DescribeTable"
    assert describe_grader_error(throttled.value).startswith(
        "AWS kept throttling dynamodb:DescribeTable after 3 attempts (ThrottlingException)"
    )


def test_throttled_probe_is_retried_patiently(moto_endpoint: str) -> None:
    """Throttling means the endpoint is up: the session's first call must not give up after 3 tries."""
    with fault_proxy(moto_endpoint, Faults(throttle_first={"sts:GetCallerIdentity": 4})) as proxy:
        assert aws.Account(harness.emulator_session(), proxy.endpoint_url).caller_identity()["Account"]
    assert [c.fault for c in proxy.calls] == ["throttled"] * 4 + [None]


# --- messages, one per cause ----------------------------------------------------------------------
def _client_error(code: str, message: str = "", status: int = 400, attempts: int = 0) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": message, IAM_ACTION_KEY: "cloudwatch:DescribeAlarms"},
        "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": attempts},
    }
    return ClientError(response, "DescribeAlarms")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            _client_error(
                "AccessDeniedException",
                "User: arn:aws:sts::1:assumed-role/g/s is not authorized "
                "to perform: dynamodb:DescribeTable on resource: x",
            ),
            "not allowed to call dynamodb:DescribeTable (AccessDeniedException)",
        ),
        (
            _client_error("AccessDenied", "no identity-based policy allows the iam:GetRole action"),
            "not allowed to call iam:GetRole (AccessDenied)",
        ),
        (_client_error("AccessDeniedException"), "not allowed to call cloudwatch:DescribeAlarms"),
        (_client_error("ExpiredTokenException"), "rejected the grader's credentials (ExpiredTokenException)"),
        (
            _client_error("Throttling", attempts=7),
            "kept throttling cloudwatch:DescribeAlarms after 8",
        ),
        (_client_error("ServiceUnavailable", status=503, attempts=7), "with HTTP 503 after 8 attempts"),
        (_client_error("ValidationError", "bad"), "AWS refused cloudwatch:DescribeAlarms for the grader"),
        (CheckTimedOut(120.0), "time limit of 120 s"),
        (KeyError("TableArn"), "grader bug: KeyError"),
    ],
)
def test_each_cause_has_its_one_line_message(error: BaseException, expected: str) -> None:
    message = describe_grader_error(error)
    assert expected in message and "\n" not in message


# --- the instrument: the proxy names every protocol's operation and speaks its errors -------------
PROTOCOL_SAMPLES = [  # (service, method, arguments, the IAM action the proxy must record)
    ("dynamodb", "list_tables", {}, "dynamodb:ListTables"),  # JSON
    ("dynamodbstreams", "list_streams", {}, "dynamodb:ListStreams"),  # JSON, signing as dynamodb
    ("cloudwatch", "describe_alarms", {}, "cloudwatch:DescribeAlarms"),  # Smithy RPC v2 CBOR
    ("lambda", "list_event_source_mappings", {}, "lambda:ListEventSourceMappings"),  # REST JSON
    ("lambda", "get_function_configuration", {"FunctionName": "f"}, "lambda:GetFunctionConfiguration"),
    ("iam", "list_roles", {}, "iam:ListRoles"),  # query
    ("sns", "list_topics", {}, "sns:ListTopics"),
]


@pytest.mark.parametrize(("service", "method", "arguments", "action"), PROTOCOL_SAMPLES)
def test_proxy_records_and_faults_every_protocol(
    service: str, method: str, arguments: dict[str, Any], action: str, moto_endpoint: str
) -> None:
    once = Config(retries={"mode": "standard", "total_max_attempts": 1})
    faults = Faults()
    with fault_proxy(moto_endpoint, faults) as proxy:
        call = getattr(
            harness.emulator_session().client(service, endpoint_url=proxy.endpoint_url, config=once), method
        )
        try:
            call(**arguments)
        except ClientError as exc:  # not found is an answer too: what matters is what was recorded
            assert exc.response["Error"]["Code"] not in THROTTLING_CODES | ACCESS_DENIED_CODES
        faults.throttle_actions.add(action)
        with pytest.raises(ClientError) as throttled:
            call(**arguments)
        faults.deny_actions.add(action)
        with pytest.raises(ClientError) as denied:
            call(**arguments)
    assert [(c.action, c.fault) for c in proxy.calls] == [
        (action, None),
        (action, "throttled"),
        (action, "denied"),
    ]
    assert throttled.value.response["Error"]["Code"] in THROTTLING_CODES
    assert denied.value.response["Error"]["Code"] in ACCESS_DENIED_CODES
