"""The two ways a check can end badly: the student's requirement failed, or grading could not be done."""

from __future__ import annotations

import re
import traceback

import botocore.exceptions as boto_errors


class RequirementFailed(Exception):
    """A requirement of the assessment does not hold for the student's work.

    The message a student reads: what was found, what was expected, how to fix it.
    """

    def __init__(self, found: str, expected: str = "", fix: str = "") -> None:
        self.found, self.expected, self.fix = found, expected, fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = self.found
        if self.expected:
            text += f"; expected {self.expected}"
        text = text.rstrip(".") + "."
        if self.fix:
            text += f" {self.fix.rstrip('.')}."
        return text

    def __repr__(self) -> str:
        return f"RequirementFailed({self.message!r})"


def require(condition: object, found: str, expected: str = "", fix: str = "") -> None:
    """Raise RequirementFailed unless the condition holds."""
    if not condition:
        raise RequirementFailed(found, expected, fix)


GRADING_INCOMPLETE = 6
"""Exit code when grading could not be completed (0: all passed, 1: some checks failed, 4: usage error)."""


class GraderError(Exception):
    """Grading itself could not be done (credentials, network, permissions, ...)."""


class ReadOnlyViolation(GraderError):
    """A check tried to call a mutating AWS operation; it was refused before sending."""


class CheckTimedOut(BaseException):
    """A check ran past the per-check time limit (grader/timeouts.py raises it).

    A BaseException, like pytest's own outcomes, so that no ``except Exception`` in boto3 or in a
    check can swallow it.
    """

    def __init__(self, limit: float) -> None:
        super().__init__(
            f"the check did not finish within its time limit of {limit:g} s: the target answered "
            "too slowly; grade again (or raise the limit with --timeout)"
        )


IAM_ACTION_KEY = "GraderIamAction"
"""Key under which the grader's clients label a failed call's error with its IAM action."""

ACCESS_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
CREDENTIAL_CODES = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "AuthFailure",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
}
THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
}
DENIED_ACTION = re.compile(r"(?:perform:|allows the) ([a-z0-9-]+:[A-Za-z0-9*]+)")
POLICY_FILE = "policy/grader-readonly.json"
NO_CREDENTIALS = (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError)
CREDENTIALS_UNOBTAINABLE = (boto_errors.CredentialRetrievalError, boto_errors.TokenRetrievalError)
UNREACHABLE = (boto_errors.ConnectionError, boto_errors.HTTPClientError)
"""Connection refused or reset, DNS failure, connect and read time-outs (after botocore's retries)."""


def _denied_action(exc: boto_errors.ClientError) -> str:
    """The permission an AccessDenied is about: as AWS names it, else as the grader labelled it."""
    error = exc.response.get("Error", {})
    named = DENIED_ACTION.search(error.get("Message", ""))
    return named.group(1) if named else error.get(IAM_ACTION_KEY, exc.operation_name)


def _describe_client_error(exc: boto_errors.ClientError) -> str:
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    action = error.get(IAM_ACTION_KEY, exc.operation_name)
    metadata = exc.response.get("ResponseMetadata", {})
    attempts = metadata.get("RetryAttempts", 0) + 1
    status = metadata.get("HTTPStatusCode", 0)
    if code in ACCESS_DENIED_CODES:
        return (
            f"the grader is not allowed to call {_denied_action(exc)} ({code}): grant the grading "
            f"role that permission (the policy in {POLICY_FILE} has every one the grader needs)"
        )
    if code in CREDENTIAL_CODES:
        return f"AWS rejected the grader's credentials ({code}): refresh or replace them, then grade again"
    if code in THROTTLING_CODES:
        return (
            f"AWS kept throttling {action} after {attempts} attempts ({code}): grade again later "
            "or with fewer parallel workers"
        )
    if status >= 500:
        return (
            f"AWS kept failing {action} with HTTP {status} after {attempts} attempts ({code}): "
            "the service is unavailable, grade again later"
        )
    return f"AWS refused {action} for the grader: {code}: {error.get('Message', '')}"


def describe_grader_error(exc: BaseException) -> str:
    """One line naming why grading could not be done, for the report and the terminal."""
    if isinstance(exc, GraderError):
        return str(exc)
    if isinstance(exc, CheckTimedOut):
        return str(exc)
    if isinstance(exc, NO_CREDENTIALS):
        return (
            "the grader found no AWS credentials: configure a profile (--profile) or "
            "environment credentials for the grading role"
        )
    if isinstance(exc, boto_errors.ProfileNotFound):
        return f"the grader's AWS profile does not exist: {exc}"
    if isinstance(exc, CREDENTIALS_UNOBTAINABLE):
        return f"the grader could not obtain AWS credentials: {exc}"
    if isinstance(exc, UNREACHABLE):
        return f"the grader could not reach the AWS endpoint after retries: {exc}"
    if isinstance(exc, boto_errors.ClientError):
        return _describe_client_error(exc)
    if isinstance(exc, boto_errors.BotoCoreError):
        return f"the grader's AWS client failed: {exc}"
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {frame[0].filename.rsplit('/', 1)[-1]}:{frame[0].lineno}" if frame else ""
    return f"grader bug: {type(exc).__name__}: {exc}{where}"
