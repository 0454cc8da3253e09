"""The ways into a student's account as written by an instructor (a roster's cells, --role-arn): each
value checked before any call, so a typo is a usage error naming where it was, not a failed grade."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import botocore.session

ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}", re.ASCII)
ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
"""IAM's character sets are ASCII: without re.ASCII, \\d takes Arabic-Indic digits, \\w accented letters."""
PROFILE = re.compile(r"[\w+=,.@:/ -]{1,128}")
"""A profile is the name of a section of the AWS config: any letters, 'profé' included."""


class AccessError(ValueError):
    """A value that cannot say how to enter an account; its message says what was expected."""


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows."""
    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("sts", partition, allow_non_regional=False)
    )


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    """A check that returns a value matching `pattern` and refuses any other as not being `what`."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise AccessError(f"{value!r} is not {what}")
        return value

    return check


role_arn = _matching(ROLE_ARN, "an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
account_id = _matching(ACCOUNT_ID, "an AWS account id (12 digits)")
role_name = _matching(ROLE_NAME, "an IAM role name (1-64 letters, digits and +=,.@_-)")
external_id = _matching(EXTERNAL_ID, "an external id (2-1224 letters, digits and +=,.@:/-_)")
profile = _matching(PROFILE, "a profile name of the AWS config")


def role_in(account: str, name: str) -> str:
    """The ARN of the role `name` in `account` (both checked already)."""
    return f"arn:aws:iam::{account}:role/{name}"


def region(value: str) -> str:
    if value not in known_regions():
        raise AccessError(f"{value!r} is not an AWS region name (e.g. us-east-1, eu-west-2)")
    return value
