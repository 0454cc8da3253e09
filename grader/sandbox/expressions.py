"""Reading DynamoDB expressions the way DynamoDB does: placeholders, reserved words, attributes, values.

Pure functions over the request parameters the student's code sent (DynamoDB's wire form, where
values are typed: {"S": "pending"}). The sandbox uses them to reject what DynamoDB rejects and the
checks use them to judge what a query or a condition asked for.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

EXPRESSION_PARAMS = (
    "KeyConditionExpression",
    "FilterExpression",
    "ConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
)
SYNTAX_WORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"}
"""Reserved words that are the expression grammar's own (never attribute names)."""
TOKEN = re.compile(r"([#:]?[A-Za-z_][A-Za-z0-9_]*)(?=(\s*\()?)")
"""A word, and whether a function's parenthesis follows it (looked at once: linear in the expression)."""


@functools.cache
def reserved_words() -> frozenset[str]:
    """DynamoDB's reserved words, upper case: the list moto ships, read from its data file (importing
    moto's DynamoDB package would cost the grader ~100 MB and a tenth of a second)."""
    spec = importlib.util.find_spec("moto")
    assert spec is not None and spec.origin is not None, "moto is a dependency of the grader"
    words = Path(spec.origin).with_name("dynamodb").joinpath("parsing", "reserved_keywords.txt").read_text()
    return frozenset(word.upper() for word in words.split())


def _attribute_tokens(expression: str) -> list[str]:
    """The raw words of an expression that name attributes (not placeholders, functions, grammar)."""
    found = []
    for match in TOKEN.finditer(expression):
        word, call = match.groups()
        if word[0] in "#:" or word.upper() in SYNTAX_WORDS or call:
            continue  # a placeholder, the grammar, or a function: attribute_exists(...), size(...)
        found.append(word)
    return found


def raw_reserved_words(expression: str) -> list[str]:
    """Reserved words used as attribute names without a #placeholder (DynamoDB rejects them)."""
    return [word for word in _attribute_tokens(expression) if word.upper() in reserved_words()]


def reserved_word_error(params: dict[str, Any]) -> str | None:
    """DynamoDB's ValidationException message for the first raw reserved word, if any."""
    for name in EXPRESSION_PARAMS:
        expression = params.get(name)
        if isinstance(expression, str) and (words := raw_reserved_words(expression)):
            return f"Invalid {name}: Attribute name is a reserved keyword; reserved keyword: {words[0]}"
    return None


def resolve(expression: str, names: dict[str, str] | None) -> str:
    """The expression with each #placeholder replaced by the attribute name it stands for."""
    names = names or {}
    return re.sub(r"#[A-Za-z0-9_]+", lambda m: names.get(m.group(), m.group()), expression)


def attributes(params: dict[str, Any], expression_param: str) -> list[str]:
    """The attribute names an expression of a request uses, placeholders resolved."""
    expression = params.get(expression_param) or ""
    return _attribute_tokens(resolve(expression, params.get("ExpressionAttributeNames")))


def values(params: dict[str, Any], expression_param: str) -> list[Any]:
    """The plain values of the :placeholders an expression of a request uses."""
    expression = params.get(expression_param) or ""
    given = params.get("ExpressionAttributeValues") or {}
    return [plain(given[p]) for p in re.findall(r":[A-Za-z0-9_]+", expression) if p in given]


def function_arguments(params: dict[str, Any], expression_param: str, function: str) -> list[str]:
    """The attribute names passed to function(...) in an expression, e.g. attribute_not_exists."""
    expression = resolve(params.get(expression_param) or "", params.get("ExpressionAttributeNames"))
    pattern = rf"\b{function}\s*\(\s*([A-Za-z0-9_.]+)\s*\)"
    return re.findall(pattern, expression, flags=re.IGNORECASE)


TYPE_TAGS = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


def plain(value: Any) -> Any:
    """A DynamoDB value as plain Python, whether typed ({"S": "x"}) or already deserialized."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TYPE_TAGS:
        tag, raw = next(iter(value.items()))
        if tag == "N":
            return Decimal(raw)
        if tag == "NS":
            return {Decimal(n) for n in raw}
        if tag == "M":
            return {k: plain(v) for k, v in raw.items()}
        if tag == "L":
            return [plain(v) for v in raw]
        if tag == "NULL":
            return None
        return raw
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
