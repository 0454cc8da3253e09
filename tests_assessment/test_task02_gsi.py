"""Task 2: the global secondary index StatusDateIndex: keys, projection ALL, ACTIVE."""

from __future__ import annotations

import pytest

from grader import states
from grader.assessment import GSI, GSI_NAME
from grader.aws.views import IndexView, TableView, describe_keys
from grader.checks import prerequisites
from grader.failures import require

pytestmark = pytest.mark.task(2)

RECREATE = (
    "Delete the index (update_table with GlobalSecondaryIndexUpdates=[{{'Delete': ...}}]) and create it "
    "again with {}"
)


@pytest.fixture
def gsi(table: TableView) -> IndexView:
    """The StatusDateIndex entry of the table; a missing index fails every check of the task."""
    return prerequisites.index(table, GSI)


@pytest.mark.points(2)
def test_gsi_exists(gsi: IndexView) -> None:
    """GSI StatusDateIndex exists"""


@pytest.mark.points(2)
def test_gsi_keys(gsi: IndexView) -> None:
    """GSI key is HASH status (S) + RANGE order_date (S)"""
    expected = describe_keys(GSI.keys)
    require(
        gsi.keys == GSI.keys,
        f"GSI {GSI_NAME} is keyed {describe_keys(gsi.keys)}",
        expected,
        RECREATE.format(expected),
    )


@pytest.mark.points(2)
def test_gsi_projects_all(gsi: IndexView) -> None:
    """GSI projects ALL attributes"""
    projection = gsi.projection or "none"
    require(
        projection == "ALL",
        f"GSI {GSI_NAME} projects {projection}",
        "ALL",
        RECREATE.format("Projection={'ProjectionType': 'ALL'}"),
    )


@pytest.mark.points(2)
def test_gsi_active(gsi: IndexView) -> None:
    """GSI is ACTIVE"""
    states.require_built(GSI_NAME, gsi.status, gsi.backfilling)  # CREATING: not graded, never failed
    status = gsi.status or "unknown"
    require(
        status == "ACTIVE",
        f"GSI {GSI_NAME} is {status}",
        "ACTIVE",
        "Create the index again (update_table with GlobalSecondaryIndexUpdates=[{'Create': ...}])",
    )
