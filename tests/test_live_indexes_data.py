"""Tasks 2, 3, 4 both ways on moto: each single mistake fails exactly its checks; valid variants pass."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import seed_orders
from grader.aws.views import IndexView, plain_item
from grader.checks import order_data
from grader.failures import RequirementFailed
from grader.states import StillBuilding
from solution.deploy import Deployment
from solution.orders import expiry_timestamp
from tests import harness
from tests.mutations import (
    Mutation,
    Spec,
    assert_each_fails_exactly,
    delete_orders,
    grade_mutations,
    index_of,
    put_orders,
    recreate_table,
    reference_keys,
    resource_table,
    typed,
)
from tests_assessment import test_task02_gsi as task2

GSI, LSI = "GlobalSecondaryIndexes", "LocalSecondaryIndexes"


def edit_table(edit: Callable[[Spec], None], load: bool = True) -> Callable[[Deployment], None]:
    return lambda d: recreate_table(d, edit, load=load)


def set_index(kind: str, **fields: Any) -> Callable[[Spec], None]:
    return lambda spec: index_of(spec, kind).update(fields)


def define(spec: Spec, name: str, kind: str) -> None:
    spec["AttributeDefinitions"] = [a for a in spec["AttributeDefinitions"] if a["AttributeName"] != name]
    spec["AttributeDefinitions"].append({"AttributeName": name, "AttributeType": kind})


def gsi_sorted_by_created_at(spec: Spec) -> None:
    define(spec, "created_at", "S")
    index_of(spec, GSI)["KeySchema"][1]["AttributeName"] = "created_at"
    spec["AttributeDefinitions"] = [
        a for a in spec["AttributeDefinitions"] if a["AttributeName"] != "order_date"
    ]


def drop_index(kind: str, *attributes: str) -> Callable[[Spec], None]:
    def edit(spec: Spec) -> None:
        spec[kind] = []
        spec["AttributeDefinitions"] = [
            a for a in spec["AttributeDefinitions"] if a["AttributeName"] not in attributes
        ]

    return edit


def amount_as_string(spec: Spec) -> None:
    define(spec, "total_amount", "S")


def rewrite_orders(count: int, **changes: Any) -> Callable[[Deployment], None]:
    """Put the first `count` reference orders again with changes (through the client, typed)."""

    def mutate(d: Deployment) -> None:
        ddb = d.client("dynamodb")
        for order in seed_orders()[:count]:
            item = typed(order) | {k: change(order) for k, change in changes.items()}
            ddb.put_item(TableName=d.names["table"], Item=item)

    return mutate


def delete_first(count: int) -> Callable[[Deployment], None]:
    return lambda d: delete_orders(d, reference_keys()[:count])


def one_customer(d: Deployment) -> None:
    delete_orders(d, reference_keys())
    put_orders(d, [order | {"customer_id": "CUST001"} for order in seed_orders()])


ALL_GSI_CHECKS = ["GSI StatusDateIndex exists", "GSI key", "GSI projects", "GSI is ACTIVE"]
ALL_LSI_CHECKS = ["LSI CustomerAmountIndex exists", "LSI key", "LSI projects"]
TABLE_TASKS = (2, 3, 4)
MUTATIONS: dict[str, Mutation] = {
    # id: (mutation, tasks graded, {(task, part of the failing check's name): phrase of its message})
    "gsi-keys-only": (
        edit_table(set_index(GSI, Projection={"ProjectionType": "KEYS_ONLY"})),
        TABLE_TASKS,
        {(2, "GSI projects ALL"): "projects KEYS_ONLY"},
    ),
    "gsi-include": (
        edit_table(
            set_index(GSI, Projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total_amount"]})
        ),
        TABLE_TASKS,
        {(2, "GSI projects ALL"): "projects INCLUDE"},
    ),
    "gsi-sorted-by-created-at": (
        edit_table(gsi_sorted_by_created_at),
        TABLE_TASKS,
        {(2, "GSI key"): "keyed HASH status (S), RANGE created_at (S)"},
    ),
    "gsi-missing": (
        edit_table(drop_index(GSI, "status", "order_date")),
        TABLE_TASKS,
        {(2, name): "has no GSI StatusDateIndex (its GSIs: none)" for name in ALL_GSI_CHECKS},
    ),
    "lsi-amount-as-string": (
        edit_table(amount_as_string, load=False),  # the reference's numeric amounts no longer fit the key
        (3,),
        {(3, "LSI key"): "keyed HASH customer_id (S), RANGE total_amount (S)"},
    ),
    "lsi-keys-only": (
        edit_table(set_index(LSI, Projection={"ProjectionType": "KEYS_ONLY"})),
        TABLE_TASKS,
        {(3, "LSI projects ALL"): "projects KEYS_ONLY"},
    ),
    "lsi-missing": (
        edit_table(drop_index(LSI, "total_amount")),
        TABLE_TASKS,
        {(3, name): "has no LSI CustomerAmountIndex" for name in ALL_LSI_CHECKS},
    ),
    "only-14-orders": (delete_first(6), (4,), {(4, "at least 15"): "14 complete orders"}),
    "iso-timestamps-as-order-date": (
        rewrite_orders(6, order_date=lambda o: {"S": o["created_at"]}),
        (4,),
        {(4, "at least 15"): "6 malformed orders: CUST001/ORD0001 (order_date '"},
    ),
    "quantity-as-string": (
        rewrite_orders(6, quantity=lambda o: {"S": str(o["quantity"])}),
        (4,),
        {(4, "at least 15"): "quantity is a string ('3')"},
    ),
    "one-status": (
        rewrite_orders(20, status=lambda o: {"S": "pending"}),
        (4,),
        {(4, "statuses"): "statuses: pending"},
    ),
    "one-customer": (one_customer, (4,), {(4, "customers"): "customers: CUST001"}),
}


def seed_style_data(endpoint_url: str) -> Callable[[Deployment], None]:
    """Table created through the resource API; 45 large sparse items scanned before 15 orders written
    with batch_writer (Decimal numbers); the TTL snippet upserts the CUST001/ORD0001 it did not find."""

    def mutate(deployment: Deployment) -> None:
        dynamodb = harness.emulator_session().resource("dynamodb", endpoint_url=endpoint_url)
        recreate_table(deployment, load=False, create=dynamodb.create_table)
        table = resource_table(deployment, endpoint_url)
        with table.batch_writer() as batch:
            for i in range(45):
                batch.put_item(Item={"customer_id": f"ANON{i:02d}", "order_id": "X", "notes": "x" * 30_000})
        orders = seed_orders()[1:16]
        orders[0]["customer_id"] = "CUST001"  # the random data put other orders under CUST001, not ORD0001
        with table.batch_writer() as batch:
            for order in orders:
                batch.put_item(Item=order)
        table.update_item(
            Key={"customer_id": "CUST001", "order_id": "ORD0001"},
            UpdateExpression="SET expiry_date = :expiry",
            ExpressionAttributeValues={":expiry": expiry_timestamp()},
        )
        deployment.enable_ttl()
        pages = list(
            deployment.client("dynamodb").get_paginator("scan").paginate(TableName=deployment.names["table"])
        )
        first_page = order_data.survey(map(plain_item, pages[0]["Items"]))
        assert len(pages) > 1 and len(first_page.complete) < 15, "the orders must need the later scan pages"

    return mutate


def sparse_upsert_after_a_short_count(endpoint_url: str) -> Callable[[Deployment], None]:
    """Ten orders left, and a sparse item (keys and expiry_date) that the TTL snippet upserts."""

    def mutate(deployment: Deployment) -> None:
        delete_orders(deployment, reference_keys()[10:])
        resource_table(deployment, endpoint_url).update_item(
            Key={"customer_id": "CUST009", "order_id": "ORD0099"},
            UpdateExpression="SET expiry_date = :expiry",
            ExpressionAttributeValues={":expiry": expiry_timestamp()},
        )

    return mutate


@pytest.mark.long
def test_each_mistake_fails_exactly_its_checks_and_valid_variants_pass(
    moto_endpoint: str, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    """Besides the mistakes: seed-style data over several scan pages passes; sparse upserts are never
    counted against the student, and a short count says they were left out; one message in full, as
    the student reads it."""
    cases: dict[str, Mutation] = {
        **MUTATIONS,
        "seed-style-data-over-several-scan-pages": (seed_style_data(moto_endpoint), (2, 3, 4, 10), {}),
        "short-count-with-a-sparse-upsert": (
            sparse_upsert_after_a_short_count(moto_endpoint),
            (4,),
            {
                (4, "at least 15"): "10 complete orders (1 item with only keys and later tasks' attributes "
                "ignored); expected at least 15"
            },
        ),
    }
    runs = grade_mutations(cases, moto_endpoint, tmp_path)
    assert_each_fails_exactly(cases, runs, subtests)
    with subtests.test("a message in full"):
        message = runs["gsi-keys-only"].check(2, "GSI projects ALL")["message"]
        assert message == (
            "GSI StatusDateIndex projects KEYS_ONLY; expected ALL. Delete the index (update_table with "
            "GlobalSecondaryIndexUpdates=[{'Delete': ...}]) and create it again with "
            "Projection={'ProjectionType': 'ALL'}."
        ), json.dumps(runs["gsi-keys-only"].task(2), indent=1)


def test_a_gsi_still_building_is_not_graded_and_one_deleting_fails() -> None:
    """moto builds indexes at once, so the other way is proven on the description."""

    def gsi(status: str) -> IndexView:
        index = {"IndexName": "StatusDateIndex", "KeySchema": [], "IndexStatus": status}
        return IndexView.from_aws(index, {})

    task2.test_gsi_active(gsi("ACTIVE"))
    with pytest.raises(StillBuilding, match="AWS is still building StatusDateIndex: grade again"):
        task2.test_gsi_active(gsi("CREATING"))
    with pytest.raises(RequirementFailed, match="GSI StatusDateIndex is DELETING; expected ACTIVE"):
        task2.test_gsi_active(gsi("DELETING"))
