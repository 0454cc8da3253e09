"""The grader's options: one table, resolved command line > environment > ini file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from grader.assessment import STUDENT_ID_PATTERN, TITLE
from grader.aws import access
from grader.aws.emulator import localstack_endpoint
from grader.class_run.roster import load_roster, parse_shard, shard
from grader.settings import DEFAULT_REGION, RosterEntry, Settings, StudentIdError

if TYPE_CHECKING:
    from grader.reports.hooks import Requested

TARGETS = ("aws", "localstack", "moto")
ISOLATION_CHOICES = ("auto", "namespaces", "uid", "none")

HELP_STUDENT_ID = "student to grade; their table is orders-ID (env STUDENT_ID)."
HELP_TARGET = "where the student's resources live: aws (default), localstack or moto (env GRADER_TARGET)."
HELP_ENDPOINT = "explicit AWS endpoint, e.g. an emulator (env AWS_ENDPOINT_URL)."
HELP_REGION = f"AWS region (env AWS_REGION / AWS_DEFAULT_REGION; default {DEFAULT_REGION})."
HELP_PROFILE = "AWS profile of the grading credentials (env AWS_PROFILE)."
HELP_SUBMISSION = "directory holding the student's code (env SUBMISSION_DIR; default: current directory)."
HELP_DEPLOY = "deploy the reference solution from solution/ for this student before grading."
HELP_REAL_AWS = "allow --deploy-solution against real AWS (it creates billable resources)."
HELP_GRADE_JSON = "where to write the machine-readable grade (default grade.json)."
HELP_EXIT_ZERO = (
    "exit 0 whenever grading completed, whatever the score (for pipelines reading the grade file)."
)
HELP_ISOLATION = (
    "how student code is contained: auto (default: the strongest available), namespaces (bubblewrap), "
    "uid (root: an unprivileged uid) or none (env GRADER_ISOLATION)."
)
HELP_UNSAFE = (
    "let --roster and platform modes run other people's code with isolation none: it can then read "
    "your files and credentials and change any grade. Never on a machine holding secrets."
)
HELP_SANDBOX_TIMEOUT = (
    "seconds each submission file may run in the sandbox (default 20; env GRADER_SANDBOX_TIMEOUT)."
)
HELP_ROSTER = (
    "grade every student in FILE (one id a line, or a CSV with student_id and optional "
    "submission_dir columns) in one run (env GRADER_ROSTER)."
)
HELP_SHARD = "with --roster, grade only the I-th of N slices of the roster, e.g. 2/4 (env GRADER_SHARD)."
HELP_ROLE_ARN = (
    "grade one student in an account of their own: assume this role from the grader's credentials "
    "(env GRADER_ROLE_ARN)."
)
HELP_EXTERNAL_ID = (
    "the external id the role's trust policy asks for, with --role-arn (env GRADER_EXTERNAL_ID)."
)
HELP_ASSUME_ROLE_NAME = (
    "with a roster's account_id column: assume the role of this name in each such account "
    "(env GRADER_ASSUME_ROLE_NAME)."
)
HELP_GRADES_DIR = "with --roster, where each student's grade and the class summary go (default grades)."


@dataclass(frozen=True)
class Option:
    """One grader option: its flag, environment variables and ini key."""

    dest: str
    flag: str
    help: str
    env: tuple[str, ...] = ()
    default: str | bool | None = None
    is_flag: bool = False
    metavar: str | None = None


OPTIONS: tuple[Option, ...] = (
    Option("student_id", "--student-id", HELP_STUDENT_ID, ("STUDENT_ID",), metavar="ID"),
    Option("target", "--target", HELP_TARGET, ("GRADER_TARGET",), "aws", metavar="TARGET"),
    Option("endpoint_url", "--endpoint-url", HELP_ENDPOINT, ("AWS_ENDPOINT_URL",), metavar="URL"),
    Option("region", "--region", HELP_REGION, ("AWS_REGION", "AWS_DEFAULT_REGION"), metavar="R"),
    Option("profile", "--profile", HELP_PROFILE, ("AWS_PROFILE",), metavar="P"),
    Option("submission_dir", "--submission-dir", HELP_SUBMISSION, ("SUBMISSION_DIR",), metavar="DIR"),
    Option("deploy_solution", "--deploy-solution", HELP_DEPLOY, default=False, is_flag=True),
    Option("real_aws_ok", "--i-mean-real-aws", HELP_REAL_AWS, default=False, is_flag=True),
    Option("grade_json", "--grade-json", HELP_GRADE_JSON, (), "grade.json", metavar="PATH"),
    Option("exit_zero", "--exit-zero-when-graded", HELP_EXIT_ZERO, default=False, is_flag=True),
    Option("sandbox_timeout", "--sandbox-timeout", HELP_SANDBOX_TIMEOUT, ("GRADER_SANDBOX_TIMEOUT",), "20"),
    Option("isolation", "--isolation", HELP_ISOLATION, ("GRADER_ISOLATION",), "auto", metavar="MODE"),
    Option("unsafe_no_isolation", "--unsafe-no-isolation", HELP_UNSAFE, default=False, is_flag=True),
    Option("roster", "--roster", HELP_ROSTER, ("GRADER_ROSTER",), metavar="FILE"),
    Option("shard", "--shard", HELP_SHARD, ("GRADER_SHARD",), metavar="I/N"),
    Option("grades_dir", "--grades-dir", HELP_GRADES_DIR, (), "grades", metavar="DIR"),
    Option("role_arn", "--role-arn", HELP_ROLE_ARN, ("GRADER_ROLE_ARN",), metavar="ARN"),
    Option("external_id", "--external-id", HELP_EXTERNAL_ID, ("GRADER_EXTERNAL_ID",), metavar="X"),
    Option(
        "assume_role_name",
        "--assume-role-name",
        HELP_ASSUME_ROLE_NAME,
        ("GRADER_ASSUME_ROLE_NAME",),
        metavar="NAME",
    ),
)
"""The core options; each platform output format declares its own (grader/reports/formats.py)."""


def add_options(parser: pytest.Parser) -> None:
    """Register every core option in the 'grader' group, and its ini key."""
    for option in OPTIONS:
        add_option(parser, option)


def add_option(parser: pytest.Parser, option: Option) -> None:
    """Register one option in the 'grader' group, and its ini key (formats declare theirs with it)."""
    group = parser.getgroup("grader", f"{TITLE} grader")
    if option.is_flag:
        group.addoption(option.flag, dest=option.dest, action="store_true", default=None, help=option.help)
    else:
        group.addoption(option.flag, dest=option.dest, default=None, metavar=option.metavar, help=option.help)
    parser.addini(option.dest, option.help, type="bool" if option.is_flag else "string", default=None)


def resolve(config: pytest.Config, option: Option) -> str | bool | None:
    """The option's value: command line, then environment, then ini file, then default."""
    value = config.getoption(option.dest)
    if value is not None:
        return value
    for name in option.env:
        if os.environ.get(name):
            return _truthy(os.environ[name]) if option.is_flag else os.environ[name]
    value = config.getini(option.dest)
    if value not in (None, ""):
        return value
    return option.default


def resolve_path(config: pytest.Config, option: Option) -> Path | None:
    """The option's value as a path, or None when it is not given."""
    value = resolve(config, option)
    return None if value is None else Path(str(value))


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def validate_student_id(student_id: str | None) -> str:
    """Return the id when it is valid, else raise a one-line StudentIdError."""
    if not student_id:
        raise StudentIdError(
            "--student-id is required (letters, digits, '-' or '_', 1-42 "
            "characters), e.g. pytest --student-id=alice",
            None,
        )
    if not STUDENT_ID_PATTERN.fullmatch(student_id):
        raise StudentIdError(
            f"invalid --student-id {student_id!r}: use 1-42 letters, digits, '-' or '_' "
            "(it becomes part of the table name orders-ID)",
            student_id,
        )
    return student_id


def validate_endpoint(url: str | None) -> str | None:
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise pytest.UsageError(f"invalid --endpoint-url {url!r}: expected http(s)://host[:port]")
    return url


def validate_choice(flag: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise pytest.UsageError(f"invalid {flag} {value!r}: choose one of {', '.join(choices)}")
    return value


def validate_sandbox_timeout(value: str | bool | None) -> float:
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 90:  # within the per-check timeout of pytest.ini (120 s)
        raise pytest.UsageError(
            f"invalid --sandbox-timeout {value!r}: expected seconds, more than 0 and at most 90"
        )
    return seconds


def load_settings(config: pytest.Config, solution_dir: Path, formats: Sequence[Requested] = ()) -> Settings:
    """Resolve and validate every option; raise pytest.UsageError on bad input.

    formats: the output formats asked for; each writes one student's grade (refused with --roster),
    and some imply --exit-zero-when-graded.
    """
    values = {option.dest: resolve(config, option) for option in OPTIONS}
    if values["roster"] is not None and formats:
        raise pytest.UsageError(
            f"{formats[0].flag} reports one student's grade: it cannot be used with --roster"
        )
    role_arn, external_id, assume_role_name = validate_access(values)
    roster = load_class(values, assume_role_name)
    student_id = "" if roster is not None else validate_student_id(values["student_id"])
    target = str(values["target"])
    if target not in TARGETS:
        raise pytest.UsageError(f"invalid --target {target!r}: choose one of {', '.join(TARGETS)}")
    endpoint = validate_endpoint(values["endpoint_url"])
    if target == "localstack" and endpoint is None:
        try:
            endpoint = localstack_endpoint()
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    deploy = bool(values["deploy_solution"])
    if deploy and target == "aws" and not values["real_aws_ok"]:
        raise pytest.UsageError(
            "--deploy-solution creates resources; against --target=aws it also needs --i-mean-real-aws"
        )
    submission = values["submission_dir"] or (solution_dir if deploy else ".")
    submission_dir = Path(submission).resolve()
    if not submission_dir.is_dir():
        raise pytest.UsageError(f"--submission-dir {submission} is not a directory")
    return Settings(
        student_id=student_id,
        target=target,
        endpoint_url=endpoint,
        region=values["region"],
        profile=values["profile"] if target == "aws" else None,  # an emulator's are its test keys
        submission_dir=submission_dir,
        deploy_solution=deploy,
        real_aws_ok=bool(values["real_aws_ok"]),
        grade_json=Path(str(values["grade_json"])),
        exit_zero=bool(values["exit_zero"]) or any(output.exit_zero_when_graded for output in formats),
        sandbox_timeout=validate_sandbox_timeout(values["sandbox_timeout"]),
        isolation=validate_choice("--isolation", str(values["isolation"]), ISOLATION_CHOICES),
        unsafe_no_isolation=bool(values["unsafe_no_isolation"]),
        roster=roster,
        grades_dir=Path(str(values["grades_dir"])),
        role_arn=role_arn,
        external_id=external_id,
        assume_role_name=assume_role_name,
    )


def validate_access(values: dict[str, str | bool | None]) -> tuple[str | None, str | None, str | None]:
    """--role-arn, --external-id and --assume-role-name, checked: (role ARN, external id, role name)."""
    role_arn, external_id, role_name = (
        None if values[name] in (None, "") else str(values[name])
        for name in ("role_arn", "external_id", "assume_role_name")
    )
    if role_arn is not None and values["roster"] is not None:
        raise pytest.UsageError("--role-arn grades one student: in a roster, give each a role_arn column")
    if role_name is not None and values["roster"] is None:
        raise pytest.UsageError(
            "--assume-role-name goes with a roster's account_id column: it needs --roster"
        )
    if external_id is not None and role_arn is None and values["roster"] is None:
        raise pytest.UsageError("--external-id goes with --role-arn")
    if external_id is not None and values["roster"] is not None:
        raise pytest.UsageError(
            "--external-id is one student's: in a roster, give each an external_id column"
        )
    given = (("--role-arn", role_arn, access.role_arn), ("--external-id", external_id, access.external_id))
    for flag, value, check in (*given, ("--assume-role-name", role_name, access.role_name)):
        if value is not None:
            try:
                check(value)
            except access.AccessError as exc:
                raise pytest.UsageError(f"invalid {flag}: {exc}") from None
    return role_arn, external_id, role_name


def load_class(
    values: dict[str, str | bool | None], assume_role_name: str | None = None
) -> tuple[RosterEntry, ...] | None:
    """The roster's students in this shard, or None without --roster (one student is graded)."""
    if values["roster"] is None:
        if values["shard"] is not None:
            raise pytest.UsageError("--shard slices a roster: it needs --roster FILE")
        return None
    slice_of = None if values["shard"] is None else parse_shard(str(values["shard"]))
    entries = load_roster(Path(str(values["roster"])), assume_role_name)
    return entries if slice_of is None else shard(entries, *slice_of)
