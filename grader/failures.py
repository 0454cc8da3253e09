"""The two ways a check can end badly: the student's requirement failed, or grading could not be done."""

from __future__ import annotations

import traceback

import botocore.exceptions


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


class GraderError(Exception):
    """Grading itself could not be done (credentials, network, permissions, ...)."""


class ReadOnlyViolation(GraderError):
    """A check tried to call a mutating AWS operation; it was refused before sending."""


ACCESS_DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "AuthFailure",
}
THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestThrottledException",
}


def describe_grader_error(exc: BaseException) -> str:
    """One line naming why grading could not be done, for the report and the terminal."""
    if isinstance(exc, GraderError):
        return str(exc)
    if isinstance(exc, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return (
            "the grader found no AWS credentials: configure a profile (--profile) or "
            "environment credentials for the grading role"
        )
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"the grader's AWS profile does not exist: {exc}"
    if isinstance(
        exc,
        (
            botocore.exceptions.EndpointConnectionError,
            botocore.exceptions.ConnectionClosedError,
            botocore.exceptions.ConnectTimeoutError,
            botocore.exceptions.ReadTimeoutError,
        ),
    ):
        return f"the grader could not reach AWS: {exc}"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        operation = exc.operation_name
        if code in ACCESS_DENIED_CODES:
            return (
                f"the grader is not allowed to call {operation} ({code}): give the grading "
                "role the policy in policy/grader-readonly.json"
            )
        if code in THROTTLING_CODES:
            return f"AWS kept throttling {operation} after retries ({code}); run the grader again"
        return f"AWS refused {operation} for the grader: {code}: {error.get('Message', '')}"
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"the grader's AWS client failed: {exc}"
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {frame[0].filename.rsplit('/', 1)[-1]}:{frame[0].lineno}" if frame else ""
    return f"grader bug: {type(exc).__name__}: {exc}{where}"
