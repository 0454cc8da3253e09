"""Why the grader could not enter a student's own account, said once for that student: the role it may
not assume, the profile that does not exist or whose keys AWS refuses, and what to do about it."""

from __future__ import annotations

import botocore.exceptions as boto_errors

from grader.failures import CREDENTIAL_CODES, CREDENTIALS_UNOBTAINABLE, NO_CREDENTIALS, GraderError
from grader.settings import RosterEntry, Settings

ROLE_TEMPLATE = "policy/student-grader-role.yaml"
ASSUME_POLICY = "policy/grader-assume-roles.json"


class AccountEntryError(GraderError):
    """The grader could not get into one student's account: that student is not graded, nobody else."""


def own_way_in(settings: Settings, entry: RosterEntry | None) -> bool:
    """True when the student is graded in an account of their own: a role, or a roster's profile cell."""
    return settings.role_arn is not None or (entry is not None and entry.access.profile is not None)


def own_profile(settings: Settings, entry: RosterEntry | None) -> str | None:
    """The student's own profile (a roster's profile cell, or the run's --profile for one student)."""
    if entry is not None:
        return entry.access.profile
    return settings.profile


def entry_failure(
    settings: Settings, entry: RosterEntry | None, exc: BaseException
) -> AccountEntryError | None:
    """The one cause naming the student, their way in and the fix, when exc says the grader could not
    enter their own account (None: another trouble, described as usual)."""
    student = settings.student_id
    code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, boto_errors.ClientError) else ""
    if settings.role_arn is not None and (
        isinstance(exc, boto_errors.ClientError) and exc.operation_name == "AssumeRole"
    ):
        return AccountEntryError(
            f"could not enter the account of student {student}: AWS refused to let the grader assume "
            f"{settings.role_arn} ({code}): the role must exist and trust the grader's account with "
            f"external id {settings.external_id or '(none given)'} ({ROLE_TEMPLATE}), and the grader's "
            f"principal needs sts:AssumeRole on it ({ASSUME_POLICY}); fix the roster or the role, then "
            "grade the student again"
        )
    profile = own_profile(settings, entry)
    if profile is None:
        return None
    where = f"could not enter the account of student {student} through profile {profile}"
    if isinstance(exc, boto_errors.ProfileNotFound):
        return AccountEntryError(
            f"{where}: there is no such profile in the AWS config; add it (aws configure --profile "
            f"{profile}) or correct the roster's profile cell, then grade the student again"
        )
    if code in CREDENTIAL_CODES:
        return AccountEntryError(
            f"{where}: AWS refused its keys ({code}); temporary keys (a Learner Lab's last about 4 hours) "
            "must be collected again into the profile, then grade the student again"
        )
    if isinstance(exc, boto_errors.ClientError) and exc.operation_name == "AssumeRole":
        return AccountEntryError(
            f"{where}: AWS refused the role the profile assumes ({code}); check its role_arn, "
            f"external_id and the role's trust ({ROLE_TEMPLATE}), then grade the student again"
        )
    if isinstance(exc, NO_CREDENTIALS + CREDENTIALS_UNOBTAINABLE):
        return AccountEntryError(
            f"{where}: it gives no usable credentials ({exc}); complete the profile, then grade the "
            "student again"
        )
    return None
