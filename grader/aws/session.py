"""AWS access for the checks: one boto3 session per process, retrying clients, a read-only guard.

Every client made from the grading session (the checks', the probe's, any other) carries the guard:
an operation that is not one of the reads the grader needs is refused before it is signed or
sent. The reference deployment (``--deploy-solution``) is the only writer and makes its own
session with ``make_session``.

Credentials are not a read of the account: a profile's credentials are resolved, and refreshed, on a
botocore session of their own that the guard is never registered on, so the calls a credential
provider makes to get them (sts:AssumeRole for ``role_arn`` + ``source_profile``,
AssumeRoleWithWebIdentity, SSO's GetRoleCredentials) go through, and nothing else is ever sent from it.
A student's role (``--role-arn``, a roster's ``role_arn`` or ``account_id``) is assumed the same way,
from the run's own credentials: sts:AssumeRole is the only call made with those in such a class.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import ClientError
from botocore.loaders import Loader, create_loader

from grader.failures import IAM_ACTION_KEY, THROTTLING_CODES, ReadOnlyViolation
from grader.settings import DEFAULT_REGION, Settings

T = TypeVar("T")

CLIENT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=32,  # a few students' reads made at once share a client
)
"""Adaptive retries slow a whole client down once it is throttled: right for an account's own rate
limits (CloudWatch, IAM), which every student read through it shares."""
TABLE_CLIENT_CONFIG = CLIENT_CONFIG.merge(Config(retries={"mode": "standard", "max_attempts": 8}))
"""DynamoDB throttles one table: a student's own (1 read unit, say). Under adaptive retries the shared
client's limiter would slow every classmate read through that account; standard retries back off per
call, so only that student's reads wait."""
PER_TABLE_THROTTLING = frozenset({"dynamodb", "dynamodbstreams"})
# The first call of a session only proves the endpoint and credentials: fail fast.
PROBE_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)

EMULATOR_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}

GRADER_ACTIONS = frozenset(
    {
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTagsOfResource",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:DescribeStream",
        "lambda:GetFunctionConfiguration",
        "lambda:ListEventSourceMappings",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "cloudwatch:DescribeAlarms",
        "sns:GetTopicAttributes",
        "sts:GetCallerIdentity",
    }
)
"""The only actions the grading session sends: every other one (writes, Invoke, AssumeRole,
GetSessionToken, lambda:GetFunction with its code download URL, ...) is refused before it is signed."""

IAM_PREFIXES = {"monitoring": "cloudwatch"}
"""IAM action prefixes that differ from the service's signing name (CloudWatch signs as monitoring;
DynamoDB Streams signs as dynamodb, which is already its IAM prefix)."""


def iam_action(signing_name: str, operation: str) -> str:
    """The IAM action that authorises an operation, e.g. ``cloudwatch:DescribeAlarms``."""
    return f"{IAM_PREFIXES.get(signing_name, signing_name)}:{operation}"


def current_check() -> str:
    """The check running now, from the variable pytest sets while a test runs."""
    running = os.environ.get("PYTEST_CURRENT_TEST", "")
    return running.rsplit(" (", 1)[0] or "no check (outside a test)"


def _action_of(model: Any) -> str:
    return iam_action(model.service_model.signing_name, model.name)


def _refuse_others(model: Any, **_: Any) -> None:
    if _action_of(model) not in GRADER_ACTIONS:
        raise ReadOnlyViolation(
            f"the grader refused to call {_action_of(model)} from {current_check()}: "
            "grading makes only the reads it needs and never changes the account"
        )


def _name_action_in_errors(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    """Label a failed call's error with its IAM action, so an AccessDenied can name the permission."""
    if http_response is not None and http_response.status_code >= 300:
        parsed.setdefault("Error", {})[IAM_ACTION_KEY] = _action_of(model)


class CredentialSource(botocore.session.Session):
    """A botocore session used only to resolve and refresh credentials, never guarded: a profile's (or
    the default chain's, or an emulator's test keys), and the STS client of a role assumed from them.
    The clients its credential providers make go to the run's endpoint when it has one (an emulator's
    STS hands out the keys of the account it emulates)."""

    def __init__(self, profile: str | None, endpoint_url: str | None) -> None:
        super().__init__(profile=profile)
        self._endpoint_url = endpoint_url

    def create_client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if self._endpoint_url is not None:
            kwargs.setdefault("endpoint_url", self._endpoint_url)
        return super().create_client(service_name, *args, **kwargs)


class ResolvedApart(CredentialProvider):
    """The credentials of a CredentialSource, resolved and refreshed there."""

    METHOD = "grader-resolved-apart"

    def __init__(self, source: CredentialSource) -> None:
        super().__init__()
        self._source = source

    def load(self) -> Credentials | None:
        return self._source.get_credentials()


class AssumedRole(CredentialProvider):
    """A role's credentials, assumed from a CredentialSource's by botocore's own fetcher (on an STS client
    of that source, made for nothing else) and refreshed by botocore before they expire."""

    METHOD = "grader-assume-role"

    def __init__(
        self, source: CredentialSource, role_arn: str, external_id: str | None, student: str
    ) -> None:
        super().__init__()
        self._source = source
        self._role_arn = role_arn
        self._extra_args = {"RoleSessionName": f"grader-{student}"}
        if external_id is not None:
            self._extra_args["ExternalId"] = external_id

    def load(self) -> Credentials | None:
        source_credentials = self._source.get_credentials()
        if source_credentials is None:  # no credentials to assume it with: botocore says so
            return None
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=self._source.create_client,
            source_credentials=source_credentials,
            role_arn=self._role_arn,
            extra_args=self._extra_args,
        )
        return DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method=self.METHOD)


@functools.cache
def _models(data_path: str | None) -> Loader:
    """botocore's loader of service models, one for the run: every way in (a class in many accounts has
    one per student) would otherwise parse the models again, about 19 MB an account."""
    return create_loader(data_path)


def _sharing_models(session: botocore.session.Session) -> botocore.session.Session:
    session.register_component("data_loader", _models(session.get_config_variable("data_path")))
    return session


def make_session(settings: Settings, endpoint_url: str | None) -> boto3.Session:
    """The boto3 session of one way into an account (see the module's docstring).

    Its credentials: on AWS the profile's or the default chain's; on an emulator its test keys, unless
    a student's profile is given; then, with a role ARN, that role assumed from them. Either way they
    are resolved apart, on a CredentialSource.
    """
    source = _sharing_models(CredentialSource(settings.profile, endpoint_url))
    region = settings.region
    if settings.target == "aws" or settings.profile is not None:
        region = region or source.get_config_variable("region")
    else:
        source.set_credentials(
            EMULATOR_CREDENTIALS["aws_access_key_id"], EMULATOR_CREDENTIALS["aws_secret_access_key"]
        )
    region = region or DEFAULT_REGION
    source.set_config_variable("region", region)  # the credential providers' STS, in the student's region
    provider: CredentialProvider = ResolvedApart(source)
    if settings.role_arn is not None:
        provider = AssumedRole(source, settings.role_arn, settings.external_id, settings.student_id)
    core = _sharing_models(botocore.session.Session(profile=settings.profile))
    core.register_component("credential_provider", CredentialResolver([provider]))
    return boto3.Session(botocore_session=core, region_name=region)


def guard_session(session: boto3.Session) -> boto3.Session:
    """Let clients later made from the session send only GRADER_ACTIONS (and name actions in errors)."""
    session.events.register("before-call", _refuse_others)
    session.events.register("after-call", _name_action_in_errors)
    return session


class Account:
    """Read-only clients on one account (one way in), one per service, made once per process."""

    def __init__(self, session: boto3.Session, endpoint_url: str | None) -> None:
        self.session = guard_session(session)
        self.endpoint_url = endpoint_url
        self.region = session.region_name
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._shared: dict[str, Any] = {}
        self._shared_lock = threading.Lock()

    def shared(self, key: str, read: Callable[[], T]) -> T:
        """A region-wide answer, the same for every student (all alarms, an AWS managed policy): read
        once per run, however many students share this Account."""
        with self._shared_lock:  # a student's reads may be made ahead, in another thread
            if key not in self._shared:
                self._shared[key] = read()
            return self._shared[key]

    def client(self, service: str) -> Any:
        """The account's client of a service, made once (it lives, and is freed, with the Account)."""
        with self._clients_lock:
            if service not in self._clients:
                config = TABLE_CLIENT_CONFIG if service in PER_TABLE_THROTTLING else CLIENT_CONFIG
                self._clients[service] = self.session.client(
                    service, endpoint_url=self.endpoint_url, config=config
                )
            return self._clients[service]

    def caller_identity(self) -> dict[str, Any]:
        """Prove credentials and endpoint work (STS GetCallerIdentity needs no permission).

        An endpoint that is down fails within seconds; one that throttles is up, so the probe
        is then repeated with the checks' patient retries rather than failing the session.
        """
        try:
            return self._sts(PROBE_CONFIG).get_caller_identity()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in THROTTLING_CODES:
                raise
        return self._sts(CLIENT_CONFIG).get_caller_identity()

    def _sts(self, config: Config) -> Any:
        return self.session.client("sts", endpoint_url=self.endpoint_url, config=config)
