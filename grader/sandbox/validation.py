"""Checking a request at the sandbox's boundary, as DynamoDB does, before the emulator sees it.

The request is walked against its operation's input shape in botocore's service model (types,
required members, lengths, enums), then against what DynamoDB itself rejects and moto lets through
(an empty or duplicated set, a number that is not one, more than one type in a value) and against the
limits that bound what one request may cost the emulator: an expression of at most 4 KB, an item of
at most 400 KB, values nested at most 32 deep, at most ATTRIBUTE_CAP values in one request. The
first problem found is the student's ValidationException (or SerializationException, for a value
of the wrong JSON type).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from decimal import Context, Decimal, InvalidOperation
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from grader.sandbox import expressions

EXPRESSION_CAP = 4096
"""Bytes of one expression string (DynamoDB's own limit)."""
ITEM_CAP = 400 * 1024
"""Bytes of one item, names and values (DynamoDB's own limit)."""
DEPTH_CAP = 32
"""Levels of nested lists and maps in one value (DynamoDB's own limit)."""
ATTRIBUTE_CAP = 2000
"""Typed values in one request. DynamoDB bounds them only through the item size, but moto's item code
is quadratic in them (4,000 attributes in one item kept it busy for 15 s); an order has ten."""
NUMBER_DIGITS = 38
SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}
Refusal = tuple[str, str]


class Invalid(Exception):
    """A request DynamoDB would refuse: its error code and message."""

    def __init__(self, message: str, code: str = "ValidationException") -> None:
        super().__init__(message)
        self.code = code


@functools.cache
def service_model(service: str) -> ServiceModel:
    """The service's model, loaded once per process (the gateway loads it when it starts)."""
    return botocore.session.get_session().get_service_model(service)


def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


def refusal(service: str, operation: str, params: dict[str, Any]) -> Refusal | None:
    """Why DynamoDB (or the sandbox's bounds) would refuse this request, or None."""
    shape = operation_model(service, operation).input_shape
    try:
        if shape is not None:
            _Walk().shape(shape, params, shape.name)
        for name in expressions.EXPRESSION_PARAMS:
            expression = params.get(name)
            if isinstance(expression, str) and (size := len(expression.encode())) > EXPRESSION_CAP:
                raise Invalid(
                    f"Invalid {name}: Expression size has exceeded the maximum allowed size; "
                    f"expression size: {size}"
                )
        for item in _items(params):
            if (size := item_size(item)) > ITEM_CAP:
                raise Invalid(f"Item size has exceeded the maximum allowed size ({size} > {ITEM_CAP} bytes)")
    except Invalid as invalid:
        return invalid.code, str(invalid)
    if service == "dynamodb" and (message := expressions.reserved_word_error(params)):
        return "ValidationException", message
    return None


def _items(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole items a write carries (PutItem's Item, BatchWriteItem's PutRequests)."""
    items = [params["Item"]] if isinstance(params.get("Item"), dict) else []
    for requests in (params.get("RequestItems") or {}).values():
        for request in requests if isinstance(requests, list) else []:
            put = request.get("PutRequest") if isinstance(request, dict) else None
            if isinstance(put, dict) and isinstance(put.get("Item"), dict):
                items.append(put["Item"])
    return items


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it, near enough: names in UTF-8 plus their values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((tag, raw),) = value.items()
    if tag == "M":
        return 3 + sum(len(name.encode()) + 1 + _value_size(member) for name, member in raw.items())
    if tag == "L":
        return 3 + sum(1 + _value_size(member) for member in raw)
    if tag in ("BOOL", "NULL"):
        return 1
    return sum(len(str(member).encode()) for member in (raw if tag in SET_NAMES else [raw]))


class _Walk:
    """One request's walk: the values seen so far, and how deep the walk is in AttributeValues."""

    def __init__(self) -> None:
        self.values = 0
        self.depth = 0

    def shape(self, shape: Shape, value: Any, where: str) -> None:
        check = getattr(self, f"_{shape.type_name}", None)
        if check is not None:
            check(shape, value, where)

    def _structure(self, shape: Shape, value: Any, where: str) -> None:
        _expect(value, dict, "structure", where)
        missing = [name for name in shape.required_members if name not in value]  # type: ignore[attr-defined]
        if missing:
            raise Invalid(
                f"1 validation error detected: Value null at '{missing[0]}' failed to satisfy "
                "constraint: Member must not be null"
            )
        if shape.name == "AttributeValue":
            return self._attribute_value(shape, value, where)
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if name in value and value[name] is not None:
                self.shape(member, value[name], f"{where}.{name}")
        return None

    def _attribute_value(self, shape: Shape, value: dict[str, Any], where: str) -> None:
        self.values += 1
        if self.values > ATTRIBUTE_CAP:
            raise Invalid(f"the sandbox takes at most {ATTRIBUTE_CAP} attribute values in one request")
        tags = [tag for tag in value if tag in shape.members]  # type: ignore[attr-defined]
        if len(tags) != 1 or len(value) != 1:
            kind = "is empty" if not tags else "has more than one datatypes set"
            raise Invalid(
                f"Supplied AttributeValue {kind}, must contain exactly one of the supported "
                f"datatypes (at {where})"
            )
        tag = tags[0]
        raw = value[tag]
        if tag in ("M", "L"):
            self.depth += 1
            if self.depth > DEPTH_CAP:
                raise Invalid(f"Nesting Levels have exceeded supported limits (at most {DEPTH_CAP} deep)")
            self.shape(shape.members[tag], raw, f"{where}.{tag}")  # type: ignore[attr-defined]
            self.depth -= 1
            return
        self.shape(shape.members[tag], raw, f"{where}.{tag}")  # type: ignore[attr-defined]
        if tag == "NULL" and raw is not True:
            raise Invalid(
                "One or more parameter values were invalid: Null attribute value types must have "
                "the value of true"
            )
        if tag == "N":
            _number(raw)
        if tag in SET_NAMES:
            _set(tag, raw)

    def _list(self, shape: Shape, value: Any, where: str) -> None:
        _expect(value, list, "list", where)
        _length(shape, len(value), where)
        for index, member in enumerate(value):
            self.shape(shape.member, member, f"{where}[{index}]")  # type: ignore[attr-defined]

    def _map(self, shape: Shape, value: Any, where: str) -> None:
        _expect(value, dict, "map", where)
        _length(shape, len(value), where)
        for key, member in value.items():
            self.shape(shape.key, key, f"{where} key")  # type: ignore[attr-defined]
            self.shape(shape.value, member, f"{where}.{key[:40]}")  # type: ignore[attr-defined]

    def _string(self, shape: Shape, value: Any, where: str) -> None:
        _expect(value, str, "string", where)
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate (JSON's \ud800): not text DynamoDB can take
            raise Invalid(f"the string at '{where}' is not valid Unicode", "SerializationException") from None
        _length(shape, len(value), where)
        if shape.enum and value not in shape.enum:
            allowed = ", ".join(shape.enum)
            raise Invalid(
                f"1 validation error detected: Value '{value[:40]}' at '{where}' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{allowed}]"
            )

    def _blob(self, shape: Shape, value: Any, where: str) -> None:
        _expect(value, str, "base64 string", where)
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid(f"Base64 encoded value at {where} is not valid", "SerializationException") from None

    def _boolean(self, shape: Shape, value: Any, where: str) -> None:
        _expect(value, bool, "boolean", where)

    def _integer(self, shape: Shape, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(
                f"NUMBER_VALUE cannot be converted to an integer at {where}", "SerializationException"
            )
        _length(shape, value, where, "value")

    _long = _integer

    def _double(self, shape: Shape, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"a number is expected at {where}", "SerializationException")

    def _timestamp(self, shape: Shape, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise Invalid(f"a timestamp is expected at {where}", "SerializationException")


def _expect(value: Any, kind: type, name: str, where: str) -> None:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        found = type(value).__name__ if value is not None else "null"
        raise Invalid(
            f"Unexpected value type at {where}: expected a {name}, found {found}", "SerializationException"
        )


def _length(shape: Shape, size: int, where: str, what: str = "length") -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        bound = (
            f"greater than or equal to {low}"
            if low is not None and size < low
            else f"less than or equal to {high}"
        )
        raise Invalid(
            f"1 validation error detected: Value at '{where}' failed to satisfy constraint: "
            f"Member must have {what} {bound}"
        )


def _number(raw: str) -> Decimal:
    """The number a DynamoDB N carries, normalized; DynamoDB's refusal for one it cannot store."""
    try:
        number = Decimal(raw) if raw and raw.strip() == raw and "_" not in raw else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise Invalid(f"A value provided cannot be converted into a number: {json.dumps(raw[:40])}")
    if number and not -130 <= number.adjusted() <= 125:
        raise Invalid(
            "Number overflow. Attempting to store a number with magnitude outside the supported range"
        )
    if len("".join(map(str, number.as_tuple().digits)).strip("0")) > NUMBER_DIGITS:
        raise Invalid(f"Attempting to store more than {NUMBER_DIGITS} significant digits in a Number")
    return number.normalize(Context(prec=NUMBER_DIGITS + 2))


def _set(tag: str, members: list[Any]) -> None:
    """DynamoDB's refusals of a set moto stores: empty, or holding a member twice."""
    if not members:
        raise Invalid(f"One or more parameter values were invalid: An {SET_NAMES[tag]} set  may not be empty")
    seen = {_number(m) for m in members} if tag == "NS" else set(members)
    if len(seen) != len(members):
        raise Invalid(
            f"One or more parameter values were invalid: Input collection contains duplicates ({tag})"
        )
