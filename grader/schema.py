"""Reading key schemas and projections out of a DescribeTable answer."""

from __future__ import annotations

from typing import Any

Key = tuple[str, str, str]
"""(attribute name, HASH or RANGE, attribute type S/N/B)."""


def keys(key_schema: list[dict[str, str]], table: dict[str, Any]) -> list[Key]:
    """The keys of a table or index with their attribute types, HASH first."""
    types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions", [])}
    ordered = sorted(key_schema, key=lambda k: k["KeyType"] != "HASH")
    return [(k["AttributeName"], k["KeyType"], types.get(k["AttributeName"], "?")) for k in ordered]


def describe(found: list[Key]) -> str:
    """'HASH customer_id (S), RANGE order_id (S)'."""
    return ", ".join(f"{key_type} {name} ({attr_type})" for name, key_type, attr_type in found)


def find_index(table: dict[str, Any], kind: str, name: str) -> dict[str, Any] | None:
    """The GlobalSecondaryIndexes / LocalSecondaryIndexes entry called name, if any."""
    return next((index for index in table.get(kind, []) if index["IndexName"] == name), None)
