"""Task 3: the local secondary index CustomerAmountIndex: keys (total_amount a number), projection ALL."""

from __future__ import annotations

from typing import Any

import pytest

from grader import prerequisites, schema
from grader.assessment import LSI, LSI_NAME
from grader.failures import require

pytestmark = pytest.mark.task(3)

EXPECTED_KEYS = list(LSI.keys)
RECREATE = "An LSI cannot change after the table is created: recreate the table with the LSI and {}"


@pytest.fixture
def lsi(table: dict[str, Any]) -> dict[str, Any]:
    """The CustomerAmountIndex entry of the table; a missing index fails every check of the task."""
    return prerequisites.index(table, LSI)


@pytest.mark.points(2)
def test_lsi_exists(lsi: dict[str, Any]) -> None:
    """LSI CustomerAmountIndex exists"""


@pytest.mark.points(3)
def test_lsi_keys(lsi: dict[str, Any], table: dict[str, Any]) -> None:
    """LSI key is HASH customer_id (S) + RANGE total_amount (N)"""
    found = schema.keys(lsi["KeySchema"], table)
    expected = schema.describe(EXPECTED_KEYS)
    require(
        found == EXPECTED_KEYS,
        f"LSI {LSI_NAME} is keyed {schema.describe(found)}",
        expected,
        RECREATE.format(f"key {expected} (AttributeDefinitions: total_amount type 'N')"),
    )


@pytest.mark.points(3)
def test_lsi_projects_all(lsi: dict[str, Any]) -> None:
    """LSI projects ALL attributes"""
    projection = lsi.get("Projection", {}).get("ProjectionType", "none")
    require(
        projection == "ALL",
        f"LSI {LSI_NAME} projects {projection}",
        "ALL",
        RECREATE.format("Projection={'ProjectionType': 'ALL'}"),
    )
