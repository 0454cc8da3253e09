"""A class in many AWS accounts, on moto (whose STS hands out keys that act in the assumed role's account):
each student graded from their own account by every way in, region-wide reads kept per account, and an
account the grader cannot enter failing only that student, with one cause."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, CredentialRetrievalError, ProfileNotFound

from grader.aws.entry import entry_failure
from grader.aws.resources import StudentResources
from grader.aws.session import GRADER_ACTIONS, Account
from grader.class_run.roster import student_settings
from grader.failures import ReadOnlyViolation
from grader.fixtures import ACCOUNTS_KEY, KEPT_ALONE, enter
from grader.reports import class_summary, not_graded
from grader.settings import AccountAccess, RosterEntry, Settings
from grader.stash import ENDPOINT_KEY, SETTINGS_KEY
from solution.deploy import Deployment
from tests import harness
from tests.faultproxy import Faults, fault_proxy

pytestmark = [pytest.mark.long, pytest.mark.timeout(900)]

SOLUTION = harness.PROJECT_ROOT / "solution"
TEMPLATE = harness.PROJECT_ROOT / "policy" / "student-grader-role.yaml"
ROLE_NAME = "grader-readonly"
"""The role name every account_id student's template makes (--assume-role-name)."""
INSTRUCTOR = "123456789012"
"""moto's default account: the run's own (its test keys act there)."""
TASK1 = "tests_assessment/test_task01_table.py"


def new_account() -> str:
    """An account id no other test of this moto server uses."""
    return str(random.randrange(10**11, 10**12))


def role(account: str, name: str = ROLE_NAME) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def assumed(endpoint: str, role_arn: str, region: str = "us-east-1") -> tuple[boto3.Session, dict[str, Any]]:
    """A session acting in the role's account, and its temporary keys, from moto's STS."""
    sts = harness.emulator_session().client("sts", endpoint_url=endpoint)
    keys = sts.assume_role(RoleArn=role_arn, RoleSessionName="selftest")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"], region_name=region,
    )  # fmt: skip
    return session, keys


def deploy_role(endpoint: str, account: str, student_id: str, name: str = ROLE_NAME) -> str:
    """policy/student-grader-role.yaml deployed in the account, as its student would: the role's ARN."""
    session, _ = assumed(endpoint, role(account, "admin"))
    cloudformation = session.client("cloudformation", endpoint_url=endpoint)
    cloudformation.create_stack(
        StackName=f"grader-role-{student_id}", TemplateBody=TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[
            {"ParameterKey": "InstructorAccountId", "ParameterValue": INSTRUCTOR},
            {"ParameterKey": "StudentId", "ParameterValue": student_id},
            {"ParameterKey": "RoleName", "ParameterValue": name},
        ],
    )  # fmt: skip
    (stack,) = cloudformation.describe_stacks(StackName=f"grader-role-{student_id}")["Stacks"]
    return next(output["OutputValue"] for output in stack["Outputs"] if output["OutputKey"] == "RoleArn")


def deploy_in(endpoint: str, account: str, student_id: str, region: str = "us-east-1") -> None:
    """The reference solution deployed for the student in that account and region."""
    session, _ = assumed(endpoint, role(account, "admin"), region)
    Deployment(session, student_id, endpoint).deploy()


@dataclass
class Roster:
    """A roster CSV with the account columns, and the AWS config its profiles come from."""

    folder: Path
    rows: list[dict[str, str]] = field(default_factory=list)
    config: list[str] = field(default_factory=list)

    def add(self, student_id: str, **way_in: str) -> str:
        self.rows.append({"student_id": student_id, "submission_dir": str(SOLUTION)} | way_in)
        return student_id

    def profile(self, name: str, **values: str) -> str:
        self.config.append(f"[profile {name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()))
        return name

    def write(self) -> tuple[Path, Path]:
        columns = [
            "student_id",
            "submission_dir",
            "profile",
            "role_arn",
            "external_id",
            "account_id",
            "region",
        ]
        lines = [",".join(columns)] + [
            ",".join(row.get(column, "") for column in columns) for row in self.rows
        ]
        roster, config = self.folder / "roster.csv", self.folder / "aws-config"
        roster.write_text("\n".join(lines) + "\n")
        config.write_text("".join(self.config))
        return roster, config

    def grade(self, endpoint: str, *args: str) -> tuple[harness.GraderRun, dict[str, dict[str, Any]]]:
        """The roster graded in one run (serial: the next student is read ahead) on the emulator."""
        roster, config = self.write()
        grades = self.folder / "grades"
        env = harness.clean_env(AWS_CONFIG_FILE=str(config))
        run = harness.run_grader(
            self.folder, f"--roster={roster}", "--target=localstack", f"--endpoint-url={endpoint}",
            f"--grades-dir={grades}", *args, env=env, html=False, timeout=800,
        )  # fmt: skip
        by_student = {
            row["student_id"]: json.loads((grades / row["student_id"] / class_summary.GRADE_NAME).read_text())
            for row in self.rows
        }
        return run, by_student


def test_every_way_in_grades_each_student_from_their_own_account(moto_endpoint: str, tmp_path: Path) -> None:
    """Item 5 of issue 21: one roster, every way into a student's account; each correct student 100/100,
    read from where they deployed (nothing of theirs is anywhere else), the empty account failed, the
    missing profile not graded; then one student alone by --role-arn."""
    roster = Roster(tmp_path)
    ids = {
        name: harness.new_student_id(name) for name in ("own", "keys", "prof", "role", "acct", "reg", "empty")
    }
    harness.deploy_reference(moto_endpoint, roster.add(ids["own"]))

    keys_account = new_account()  # a Learner Lab: temporary keys in a profile
    deploy_in(moto_endpoint, keys_account, ids["keys"])
    _, keys = assumed(moto_endpoint, role(keys_account, "voclabs"))
    learner = roster.profile(
        f"learner-{ids['keys']}", aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"], aws_session_token=keys["SessionToken"],
    )  # fmt: skip
    roster.add(ids["keys"], profile=learner)

    prof_account = new_account()  # a profile that assumes the student's role from the instructor's keys
    deploy_in(moto_endpoint, prof_account, ids["prof"])
    prof_role = deploy_role(moto_endpoint, prof_account, ids["prof"], f"grader-{ids['prof']}")
    roster.profile("instructor", aws_access_key_id="AKIAINSTRUCTOR000001", aws_secret_access_key="secret")
    via_role = roster.profile(
        f"via-{ids['prof']}", role_arn=prof_role, source_profile="instructor", external_id=ids["prof"]
    )
    roster.add(ids["prof"], profile=via_role)

    role_account = new_account()  # role_arn + external_id
    deploy_in(moto_endpoint, role_account, ids["role"])
    role_arn = deploy_role(moto_endpoint, role_account, ids["role"], f"grader-{ids['role']}")
    roster.add(ids["role"], role_arn=role_arn, external_id=ids["role"])

    org_account = new_account()  # account_id + --assume-role-name
    deploy_in(moto_endpoint, org_account, ids["acct"])
    deploy_role(moto_endpoint, org_account, ids["acct"])
    roster.add(ids["acct"], account_id=org_account, external_id=ids["acct"])

    deploy_in(moto_endpoint, INSTRUCTOR, ids["reg"], region="eu-west-2")  # the run's account, another region
    in_region = tmp_path / "in-region"  # their code names their region: it runs there in the sandbox too
    shutil.copytree(SOLUTION, in_region, ignore=shutil.ignore_patterns("__pycache__"))
    batch = in_region / "batch_operations.py"
    batch.write_text(
        batch.read_text().replace(
            'boto3.resource("dynamodb")', 'boto3.resource("dynamodb", region_name="eu-west-2")'
        )
    )
    roster.add(ids["reg"], region="eu-west-2", submission_dir=str(in_region))

    empty_account = new_account()  # the role is there, the assessment's resources are not
    empty_role = deploy_role(moto_endpoint, empty_account, ids["empty"], f"grader-{ids['empty']}")
    roster.add(ids["empty"], role_arn=empty_role, external_id=ids["empty"])

    missing = roster.add(harness.new_student_id("missing"), profile="nobody-has-this-profile")

    run, grades = roster.grade(moto_endpoint, f"--assume-role-name={ROLE_NAME}")
    for name in ("own", "keys", "prof", "role", "acct", "reg"):
        grade = grades[ids[name]]
        assert (grade["score"], grade["max_score"], grade["complete"]) == (100, 100, True), (name, run.output)
    empty = grades[ids["empty"]]
    assert empty["complete"] and empty["score"] < 50, run.output
    assert "does not exist" in empty["tasks"][0]["checks"][0]["message"]
    not_entered = grades[missing]
    assert not not_entered["complete"]
    assert {check["status"] for task in not_entered["tasks"] for check in task["checks"]} == {"error"}
    (cause,) = {check["message"] for task in not_entered["tasks"] for check in task["checks"]}
    assert missing in cause and "nobody-has-this-profile" in cause and "roster" in cause, cause
    assert run.exit_code == 6, run.output
    assert f"could not be graded (1):\n  {missing}: {cause}" in run.output
    page = (tmp_path / "grades" / class_summary.HTML_NAME).read_text()
    assert f"<li data-student='{missing}'>" in page

    alone = harness.run_grader(
        tmp_path / "alone", f"--student-id={ids['role']}", f"--role-arn={role_arn}",
        f"--external-id={ids['role']}", "--target=localstack", f"--endpoint-url={moto_endpoint}",
        f"--submission-dir={SOLUTION}",
    )  # fmt: skip
    assert alone.grade is not None and (alone.grade["score"], alone.exit_code) == (100, 0), alone.output


def stand_in_config(endpoint: str) -> Any:
    """What enter() reads of pytest's config: its stash, with the run's endpoint."""
    config = SimpleNamespace(stash=pytest.Stash())
    config.stash[ENDPOINT_KEY] = endpoint
    return config


def student_in(student_id: str, endpoint: str, profile: str | None = None, **way_in: Any) -> Settings:
    return Settings(
        student_id=student_id, target="localstack", endpoint_url=endpoint, region=None, profile=profile,
        submission_dir=SOLUTION, deploy_solution=False, real_aws_ok=False, grade_json=Path("grade.json"),
        exit_zero=False, **way_in,
    )  # fmt: skip


def test_region_wide_reads_are_once_per_account_never_shared(moto_endpoint: str) -> None:
    """Two students by one role share an Account (one probe, one read of all alarms); a student by another
    role has their own, and reads their own account's alarms only."""
    first, second = new_account(), new_account()
    for account in (first, second):
        session, _ = assumed(moto_endpoint, role(account, "admin"))
        session.client("cloudwatch", endpoint_url=moto_endpoint).put_metric_alarm(
            AlarmName=f"alarm-of-{account}", MetricName="ThrottledRequests", Namespace="AWS/DynamoDB",
            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
        )  # fmt: skip
    config = stand_in_config(moto_endpoint)
    ann = enter(config, student_in("ann", moto_endpoint, role_arn=role(first), external_id="x1"), None)
    ben = enter(config, student_in("ben", moto_endpoint, role_arn=role(first), external_id="x1"), None)
    cid = enter(config, student_in("cid", moto_endpoint, role_arn=role(second), external_id="x1"), None)
    assert ann is ben and ann is not cid
    models = [account.session._session.get_component("data_loader") for account in (ann, cid)]
    assert models[0] is models[1]  # one parse of botocore's models, not one per account (19 MB each)
    assert ann.caller_identity()["Account"] == first and cid.caller_identity()["Account"] == second
    assert ann.caller_identity()["Arn"].endswith(":assumed-role/grader-readonly/grader-ann")  # the student
    with pytest.raises(ReadOnlyViolation, match="sts:AssumeRole"):  # the role's session keeps the guard
        ann.client("sts").assume_role(RoleArn=role(second), RoleSessionName="check")
    alarms = {
        name: {alarm.name for alarm in StudentResources(account, name).all_metric_alarms}
        for name, account in (("ann", ann), ("cid", cid))
    }
    assert alarms == {"ann": {f"alarm-of-{first}"}, "cid": {f"alarm-of-{second}"}}
    assert StudentResources(ben, "ben").all_metric_alarms is StudentResources(ann, "ann").all_metric_alarms


def test_an_account_not_entered_fails_only_its_student_once(moto_endpoint: str, tmp_path: Path) -> None:
    """A role AWS will not let the grader assume, expired Learner Lab keys, a missing profile: each such
    student not graded with one cause naming them, the way in and the fix, after one try only; the
    student graded after them is complete."""
    roster = Roster(tmp_path)
    denied_role = role(new_account())
    denied = roster.add(harness.new_student_id("denied"), role_arn=denied_role, external_id="x1")
    _, keys = assumed(moto_endpoint, role(new_account(), "voclabs"))
    learner = roster.profile(
        "learner", aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )  # fmt: skip
    expired = roster.add(harness.new_student_id("expired"), profile=learner)
    missing = roster.add(harness.new_student_id("missing"), profile="nobody")
    graded = roster.add(harness.new_student_id("graded"))
    harness.deploy_reference(moto_endpoint, graded)
    faults = Faults(deny_actions={"sts:AssumeRole"}, expired_keys={keys["AccessKeyId"]})
    with fault_proxy(moto_endpoint, faults) as proxy:
        run, grades = roster.grade(proxy.endpoint_url, TASK1)
    says = {
        denied: ("AccessDenied", denied_role, "sts:AssumeRole", "external id x1"),
        expired: ("ExpiredToken", "profile learner", "collected again"),
        missing: ("profile nobody", "no such profile"),
    }
    for student, parts in says.items():
        checks = [check for task in grades[student]["tasks"][:1] for check in task["checks"]]
        assert checks and {check["status"] for check in checks} == {"error"}, run.output
        (cause,) = {check["message"] for check in checks}
        assert student in cause and all(part in cause for part in parts), cause
        (line,) = [line for line in run.output.splitlines() if line.startswith(f"  {student}: ")]
        assert cause in line, run.output
    assert grades[graded]["tasks"][0]["status"] == "passed", run.output
    once = [call.fault for call in proxy.calls if call.fault in ("denied", "expired")]
    assert sorted(once) == ["denied", "expired"], proxy.calls  # no check of theirs tried again


def test_the_graders_own_keys_only_assume_the_role(moto_endpoint: str, tmp_path: Path) -> None:
    """Graded through a role, the student gets full marks; the run's own keys sign sts:AssumeRole and
    nothing else (policy/grader-assume-roles.json), and the role's every call is one of GRADER_ACTIONS."""
    student = harness.new_student_id("own")
    account = new_account()
    deploy_in(moto_endpoint, account, student)
    role_arn = deploy_role(moto_endpoint, account, student, f"grader-{student}")
    with fault_proxy(moto_endpoint) as proxy:
        run = harness.run_grader(
            tmp_path, f"--student-id={student}", f"--role-arn={role_arn}", f"--external-id={student}",
            "--target=localstack", f"--endpoint-url={proxy.endpoint_url}", f"--submission-dir={SOLUTION}",
        )  # fmt: skip
    assert run.grade is not None and run.grade["score"] == 100, run.output
    own = {call.action for call in proxy.calls if call.access_key == "test"}
    assert own == {"sts:AssumeRole"}
    assert {call.action for call in proxy.calls if call.access_key != "test"} <= GRADER_ACTIONS


def test_the_class_summary_lists_who_could_not_be_graded() -> None:
    """From grade.json documents (as grader-merge reads them): a student none of whose checks was graded is
    listed with the cause, once; a student graded in part is not."""
    cause = "could not enter the account of student bob through profile learner-bob: AWS refused its keys"
    bob = {"student_id": "bob", "tasks": [
        {"status": "error", "checks": [{"status": "error", "message": cause}] * 3},
        {"status": "error", "checks": [{"status": "error", "message": cause}]},
    ]}  # fmt: skip
    amy = {"student_id": "amy", "tasks": [
        {"status": "passed", "checks": [{"status": "passed", "message": ""}]},
        {"status": "error", "checks": [{"status": "error", "message": "throttled"}]},
    ]}  # fmt: skip
    assert not_graded.not_graded([amy, bob]) == [("bob", [cause])]
    assert not_graded.terminal_lines([amy, bob]) == ["could not be graded (1):", f"  bob: {cause}"]
    section = "<ul id='not-graded'><li data-student='bob'><a href='bob/report.html'>bob</a>: could not enter"
    assert not_graded.html_section([amy, bob]).startswith(f"<h2>Could not be graded</h2>{section}")
    assert not_graded.html_section([amy]) == "" and not_graded.terminal_lines([amy]) == []


def refused(operation: str, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, operation)


@pytest.mark.parametrize(
    ("access", "error", "says"),
    [
        ({"role_arn": role("210987654321")}, refused("AssumeRole", "AccessDenied"), "AccessDenied"),
        ({"profile": "via-role"}, refused("AssumeRole", "AccessDenied"), "the role the profile assumes"),
        ({"profile": "lab"}, refused("GetCallerIdentity", "ExpiredToken"), "collected again"),
        ({"profile": "gone"}, ProfileNotFound(profile="gone"), "no such profile"),
        ({"profile": "proc"}, CredentialRetrievalError(provider="process", error_msg="1"), "complete the"),
    ],
)
def test_a_way_in_refused_names_the_student_the_way_and_the_fix(
    access: dict[str, str], error: Exception, says: str
) -> None:
    entry = RosterEntry("bob", access=AccountAccess(profile=access.get("profile")))
    settings = student_in("bob", "http://emulator", access.get("profile"), role_arn=access.get("role_arn"))
    failure = entry_failure(settings, entry, error)
    assert failure is not None and says in str(failure), failure
    assert "student bob" in str(failure) and "grade the student again" in str(failure)
    assert (access.get("role_arn") or f"profile {access['profile']}") in str(failure)


def test_the_runs_own_credentials_failing_are_not_one_students() -> None:
    """Without a way in of the student's own, a refusal is the run's: described as usual, for everyone."""
    settings = student_in("bob", "http://emulator")
    assert entry_failure(settings, RosterEntry("bob"), refused("GetCallerIdentity", "ExpiredToken")) is None


def test_a_class_keeps_only_the_accounts_it_still_needs(moto_endpoint: str) -> None:
    """A way in two students share stays entered for the run (its region-wide reads are made once); the
    accounts of one student each are let go once two later ones are entered: memory stays flat."""
    roles = [RosterEntry(f"r{n}", access=AccountAccess(role_arn=role(new_account()))) for n in range(4)]
    roster = (RosterEntry("own1"), *roles[:3], RosterEntry("own2"), roles[3])
    config = stand_in_config(moto_endpoint)
    config.stash[SETTINGS_KEY] = student_in("", moto_endpoint, roster=roster)
    entered = {}
    for entry in roster:
        entered[entry.student_id] = enter(config, student_settings(config.stash[SETTINGS_KEY], entry), entry)
        held = [found for found in config.stash[ACCOUNTS_KEY].values() if isinstance(found, Account)]
        assert len(held) <= 1 + KEPT_ALONE
    assert entered["own1"] is entered["own2"]  # entered once, though three accounts came between
    assert len({id(account) for account in entered.values()}) == 5
