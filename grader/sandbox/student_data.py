"""Judging what the student's code made: whatever the judging cannot read is the student's failure.

A code check reads a sandbox record: the requests the student's code sent, the items it wrote, what
it returned and printed. All of it is student-made, so it may hold anything the judging code does not
expect (an N that is not a number, an expression that is not a string, a set moto keeps and DynamoDB
refuses). An exception raised while a check judges it is turned into the student's failure here, in
one place, instead of a try/except per check; only the grader's own faults stay "not graded".
"""

from __future__ import annotations

import botocore.exceptions as boto_errors
import pytest

from grader.failures import GraderError, RequirementFailed
from grader.sandbox.record import Record

GRADER_FAULTS = (
    GraderError,
    boto_errors.BotoCoreError,
    boto_errors.ClientError,
    NameError,
    ImportError,
    AssertionError,
)
"""Exceptions no student-made value can cause: the grader's trouble (or a bug: a failed assert is a check's
own invariant, never a reading of the student's values), never the student's."""
DETAIL_CAP = 200


def judged_file(item: pytest.Function) -> str | None:
    """The submission file whose sandbox record the check is given (None: it judges no record)."""
    return next((value.file for value in item.funcargs.values() if isinstance(value, Record)), None)


def students_failure(file: str, exc: Exception) -> RequirementFailed | None:
    """The student's failure an exception raised while judging the file's record stands for (None
    when it is the grader's own fault)."""
    if isinstance(exc, (RequirementFailed, *GRADER_FAULTS)):
        return None
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return RequirementFailed(
        f"{file} made values the grader cannot read ({detail[:DETAIL_CAP]})",
        "values of DynamoDB's types (an N holds a number written as a string, a set distinct values of "
        "its type, an expression is a string) and return values as the task describes",
        "Pass boto3 plain Python values (numbers as Decimal) and return the items boto3 gives you",
    )
