"""The ways into a student's account as written by an instructor (a roster's cells, --role-arn): each
value checked before any call, so a typo is a usage error naming where it was, not a failed grade."""

from __future__ import annotations

import re
from functools import cache

import botocore.session

ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}")
ACCOUNT_ID = re.compile(r"\d{12}")
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
PROFILE = re.compile(r"[\w+=,.@:/ -]{1,128}")


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


def role_arn(value: str) -> str:
    if not ROLE_ARN.fullmatch(value):
        raise AccessError(f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    return value


def account_id(value: str) -> str:
    if not ACCOUNT_ID.fullmatch(value):
        raise AccessError(f"{value!r} is not an AWS account id (12 digits)")
    return value


def role_in(account: str, name: str) -> str:
    """The ARN of the role `name` in `account` (both checked already)."""
    return f"arn:aws:iam::{account}:role/{name}"


def role_name(value: str) -> str:
    if not ROLE_NAME.fullmatch(value):
        raise AccessError(f"{value!r} is not an IAM role name (1-64 letters, digits and +=,.@_-)")
    return value


def external_id(value: str) -> str:
    if not EXTERNAL_ID.fullmatch(value):
        raise AccessError(f"{value!r} is not an external id (2-1224 letters, digits and +=,.@:/-_)")
    return value


def region(value: str) -> str:
    if value not in known_regions():
        raise AccessError(f"{value!r} is not an AWS region name (e.g. us-east-1, eu-west-2)")
    return value


def profile(value: str) -> str:
    if not PROFILE.fullmatch(value):
        raise AccessError(f"{value!r} is not a profile name of the AWS config")
    return value
