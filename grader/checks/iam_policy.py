"""Does a set of IAM policy documents allow an action on a resource? Does a role trust a service?

A deliberately small evaluator for identity policies and trust policies: Allow and Deny statements,
Action / NotAction, Resource / NotResource, Principal, with IAM's `*` and `?` wildcards (actions
match case-insensitively, resources case-sensitively). Conditions cannot be judged without a request
context, so the evaluator gives the student the benefit of the doubt: a conditional Allow counts as
allowing and a conditional Deny does not count as denying.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

STREAM_READ_ACTIONS: tuple[str, ...] = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)
ASSUME_ROLE = "sts:AssumeRole"

Document = dict[str, Any]
Statement = dict[str, Any]


@functools.cache
def _pattern(wildcard: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in wildcard)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(wildcard: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: `*` any run of characters, `?` any one character."""
    return _pattern(wildcard, ignore_case).fullmatch(value) is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document: Document) -> list[Statement]:
    """A document's statements (a single statement may be written without the list)."""
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _matches_action(statement: Statement, action: str) -> bool:
    if "NotAction" in statement:
        return not any(wildcard_match(p, action, True) for p in _as_list(statement["NotAction"]))
    return any(wildcard_match(p, action, True) for p in _as_list(statement.get("Action")))


def _matches_resource(statement: Statement, resource: str) -> bool:
    if "NotResource" in statement:
        return not any(wildcard_match(p, resource) for p in _as_list(statement["NotResource"]))
    if "Resource" not in statement:
        return True  # trust policies name no resource: the role itself
    return any(wildcard_match(p, resource) for p in _as_list(statement["Resource"]))


def _effect(statement: Statement) -> str:
    return str(statement.get("Effect", "")).capitalize()


def allows(documents: Iterable[Document], action: str, resource: str) -> bool:
    """True when some statement allows action on resource and no unconditional statement denies it."""
    allowed = False
    for statement in (s for document in documents for s in statements(document)):
        if not (_matches_action(statement, action) and _matches_resource(statement, resource)):
            continue
        if _effect(statement) == "Deny" and "Condition" not in statement:
            return False
        allowed = allowed or _effect(statement) == "Allow"
    return allowed


def missing_actions(documents: Iterable[Document], actions: Iterable[str], resource: str) -> list[str]:
    """The actions of `actions` that the documents do not allow on resource."""
    documents = list(documents)
    return [action for action in actions if not allows(documents, action, resource)]


def _names_service(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if "*" in _as_list(principal.get("AWS")):
        return True
    return service in _as_list(principal.get("Service"))


def trusts_service(trust_policy: Document, service: str) -> bool:
    """True when the role's trust policy lets `service` (e.g. lambda.amazonaws.com) assume it."""
    trusted = False
    for statement in statements(trust_policy):
        if not (
            _matches_action(statement, ASSUME_ROLE) and _names_service(statement.get("Principal"), service)
        ):
            continue
        if _effect(statement) == "Deny" and "Condition" not in statement:
            return False
        trusted = trusted or _effect(statement) == "Allow"
    return trusted
