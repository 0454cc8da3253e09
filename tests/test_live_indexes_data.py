"""Tasks 2, 3, 4 both ways on moto: each single mistake fails exactly its checks; valid variants pass."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader import order_data
from grader.assessment import seed_orders
from grader.failures import RequirementFailed
from grader.views import IndexView, plain_item
from solution.deploy import Deployment
from solution.orders import expiry_timestamp
from tests import harness
from tests.mutations import (
    Spec,
    assert_mutation_fails_exactly,
    assert_only_failures,
    delete_orders,
    fresh,
    grade,
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
MUTATIONS: dict[str, tuple[Callable[[Deployment], None], tuple[int, ...], dict[tuple[int, str], str]]] = {
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


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_single_mistake_fails_exactly_its_checks(mutation: str, moto_endpoint: str, tmp_path: Path) -> None:
    assert_mutation_fails_exactly(MUTATIONS[mutation], moto_endpoint, tmp_path)


def test_seed_style_data_over_several_scan_pages_passes(moto_endpoint: str, tmp_path: Path) -> None:
    """Table created through the resource API; 45 large sparse items scanned before 15 orders written
    with batch_writer (Decimal numbers); the TTL snippet upserts the CUST001/ORD0001 it did not find."""
    deployment = fresh(moto_endpoint)
    dynamodb = harness.emulator_session().resource("dynamodb", endpoint_url=moto_endpoint)
    recreate_table(deployment, load=False, create=dynamodb.create_table)
    table = resource_table(deployment, moto_endpoint)
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

    run = grade(moto_endpoint, deployment.student_id, tmp_path, 2, 3, 4, 10)
    assert_only_failures(run, (2, 3, 4, 10), {})


def test_a_gsi_still_building_fails_the_active_check() -> None:
    """moto builds indexes at once, so the other way is proven on the description."""

    def gsi(status: str) -> IndexView:
        index = {"IndexName": "StatusDateIndex", "KeySchema": [], "IndexStatus": status}
        return IndexView.from_aws(index, {})

    task2.test_gsi_active(gsi("ACTIVE"))
    with pytest.raises(RequirementFailed, match="GSI StatusDateIndex is CREATING; expected ACTIVE"):
        task2.test_gsi_active(gsi("CREATING"))


def test_the_messages_read_as_found_expected_fix(moto_endpoint: str, tmp_path: Path) -> None:
    """One message in full, as the student reads it."""
    deployment = fresh(moto_endpoint)
    recreate_table(deployment, set_index(GSI, Projection={"ProjectionType": "KEYS_ONLY"}))
    run = grade(moto_endpoint, deployment.student_id, tmp_path, 2)
    message = run.check(2, "GSI projects ALL")["message"]
    assert message == (
        "GSI StatusDateIndex projects KEYS_ONLY; expected ALL. Delete the index (update_table with "
        "GlobalSecondaryIndexUpdates=[{'Delete': ...}]) and create it again with "
        "Projection={'ProjectionType': 'ALL'}."
    ), json.dumps(run.task(2), indent=1)


def test_a_short_count_says_which_items_were_ignored(moto_endpoint: str, tmp_path: Path) -> None:
    """Sparse upserts are never counted against the student, and the message says they were left out."""
    deployment = fresh(moto_endpoint)
    delete_orders(deployment, reference_keys()[10:])
    table = resource_table(deployment, moto_endpoint)
    table.update_item(
        Key={"customer_id": "CUST009", "order_id": "ORD0099"},
        UpdateExpression="SET expiry_date = :expiry",
        ExpressionAttributeValues={":expiry": expiry_timestamp()},
    )
    run = grade(moto_endpoint, deployment.student_id, tmp_path, 4)
    phrase = (
        "10 complete orders (1 item with only keys and later tasks' attributes ignored); expected at least 15"
    )
    assert_only_failures(run, (4,), {(4, "at least 15"): phrase})
