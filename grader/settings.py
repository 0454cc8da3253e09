"""The settings of a grading run as plain values, and the roster student they may be narrowed to.

The home of names that options, the roster, the reports and the AWS layer all use: it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class AccountAccess:
    """How the grader enters one student's AWS account; an empty field means the run's own.

    profile: a named profile of the AWS config, resolved by boto3 (keys, a role it assumes, SSO ...);
    role_arn (+ external_id): a role assumed from the run's own credentials; region: where to read.
    """

    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster, where their code is (None: the run's --submission-dir), and how the
    grader enters their account (empty: the run's own credentials and region)."""

    student_id: str
    submission_dir: Path | None = None
    access: AccountAccess = AccountAccess()

    def __str__(self) -> str:
        return self.student_id


@dataclass(frozen=True)
class Settings:
    """The resolved, validated settings of one grading run."""

    student_id: str
    target: str
    endpoint_url: str | None
    region: str | None
    profile: str | None
    submission_dir: Path
    deploy_solution: bool
    real_aws_ok: bool
    grade_json: Path
    exit_zero: bool
    sandbox_timeout: float = 20.0
    isolation: str = "auto"
    """Requested as an option; once the plugin has probed the machine, the mode in use."""
    unsafe_no_isolation: bool = False
    roster: tuple[RosterEntry, ...] | None = None
    """The students of a roster run (this shard's slice); None when grading one student."""
    grades_dir: Path = Path("grades")
    role_arn: str | None = None
    """A role in the student's own account, assumed from the run's credentials (--role-arn, or a
    roster's role_arn / account_id column)."""
    external_id: str | None = None
    assume_role_name: str | None = None
    """With a roster's account_id column: the role of that name in each such account."""


class StudentIdError(pytest.UsageError):
    """The student id is missing or does not match STUDENT_ID_PATTERN (a one-line usage error)."""

    def __init__(self, message: str, found: str | None) -> None:
        super().__init__(message)
        self.found = found
        """The rejected id, or None when there was none."""
