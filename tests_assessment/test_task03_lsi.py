"""Task 3: the local secondary index CustomerAmountIndex: keys (total_amount a number), projection ALL."""

from __future__ import annotations

import pytest

from grader.assessment import LSI, LSI_NAME
from grader.aws.views import IndexView, TableView, describe_keys
from grader.checks import prerequisites
from grader.failures import require

pytestmark = pytest.mark.task(3)

RECREATE = "An LSI cannot change after the table is created: recreate the table with the LSI and {}"


@pytest.fixture
def lsi(table: TableView) -> IndexView:
    """The CustomerAmountIndex entry of the table; a missing index fails every check of the task."""
    return prerequisites.index(table, LSI)


@pytest.mark.points(2)
def test_lsi_exists(lsi: IndexView) -> None:
    """LSI CustomerAmountIndex exists"""


@pytest.mark.points(3)
def test_lsi_keys(lsi: IndexView) -> None:
    """LSI key is HASH customer_id (S) + RANGE total_amount (N)"""
    expected = describe_keys(LSI.keys)
    require(
        lsi.keys == LSI.keys,
        f"LSI {LSI_NAME} is keyed {describe_keys(lsi.keys)}",
        expected,
        RECREATE.format(f"key {expected} (AttributeDefinitions: total_amount type 'N')"),
    )


@pytest.mark.points(3)
def test_lsi_projects_all(lsi: IndexView) -> None:
    """LSI projects ALL attributes"""
    projection = lsi.projection or "none"
    require(
        projection == "ALL",
        f"LSI {LSI_NAME} projects {projection}",
        "ALL",
        RECREATE.format("Projection={'ProjectionType': 'ALL'}"),
    )
