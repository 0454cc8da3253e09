"""AWS access for the checks: one boto3 session per process, retrying clients, a read-only guard."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

from grader.failures import ReadOnlyViolation
from grader.options import DEFAULT_REGION, Settings

CLIENT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=5,
    read_timeout=30,
)
# The first call of a session only proves the endpoint and credentials: fail fast.
PROBE_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)

EMULATOR_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}

READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Query", "Scan")


def is_read_operation(operation: str) -> bool:
    """True for operations that only read (DescribeTable, ListTags..., Query, Scan, ...)."""
    return operation.startswith(READ_PREFIXES)


def _refuse_writes(model: Any, **_: Any) -> None:
    if not is_read_operation(model.name):
        raise ReadOnlyViolation(
            f"the grader refused to call {model.service_model.service_name}:{model.name}: "
            "grading is read-only"
        )


def make_session(settings: Settings, endpoint_url: str | None) -> boto3.Session:
    """The boto3 session for the target: emulators get test credentials, AWS the default chain."""
    if settings.target == "aws":
        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        if session.region_name is None:
            session = boto3.Session(profile_name=settings.profile, region_name=DEFAULT_REGION)
        return session
    return boto3.Session(region_name=settings.region or DEFAULT_REGION, **EMULATOR_CREDENTIALS)


class Account:
    """Read-only clients on the target account, one per service, made once per process."""

    def __init__(self, session: boto3.Session, endpoint_url: str | None) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.region = session.region_name

    @functools.cache  # noqa: B019 - one Account per session; clients live as long as it does
    def client(self, service: str) -> Any:
        client = self.session.client(service, endpoint_url=self.endpoint_url, config=CLIENT_CONFIG)
        client.meta.events.register("before-call.*.*", _refuse_writes)
        return client

    def caller_identity(self) -> dict[str, Any]:
        """Prove credentials and endpoint work (STS GetCallerIdentity needs no permission)."""
        sts = self.session.client("sts", endpoint_url=self.endpoint_url, config=PROBE_CONFIG)
        return sts.get_caller_identity()
