"""Pure helpers of the code and index checks, without AWS: expressions, printed lines, results, order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from grader.assessment import GSI
from grader.aws.views import Item, TableView
from grader.checks import index_reads
from grader.failures import RequirementFailed
from grader.sandbox import expressions, judging
from grader.sandbox.record import Call, Record, Step, calls_from_json
from grader.states import StillBuilding
from tests_assessment import test_task05_gsi_query as task5
from tests_assessment import test_task06_lsi_query as task6


@pytest.mark.parametrize(
    "expression, raw",
    [
        ("status = :s", ["status"]),
        ("#status = :s", []),
        ("customer_id = :c AND begins_with(order_date, :d)", []),
        ("attribute_not_exists(order_id) AND #s IN (:a, :b)", []),
        ("SET #s = :n, quantity = quantity + :one REMOVE expiry_date", []),
        ("SET name = :n", ["name"]),
        ("size(shipping_address) > :n AND items = :i", ["items"]),
        ("order_date BETWEEN :a AND :b", []),
        ("Status = :s", ["Status"]),
    ],
)
def test_raw_reserved_words(expression: str, raw: list[str]) -> None:
    assert expressions.raw_reserved_words(expression) == raw


def test_reserved_word_error_names_the_parameter() -> None:
    params = {"KeyConditionExpression": "#s = :s", "FilterExpression": "status = :x"}
    assert expressions.reserved_word_error(params) == (
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status"
    )
    assert expressions.reserved_word_error({"KeyConditionExpression": "#s = :s"}) is None


def test_attributes_values_and_functions() -> None:
    params = {
        "ConditionExpression": "#n0 = :v0 AND attribute_not_exists( #k )",
        "ExpressionAttributeNames": {"#n0": "status", "#k": "order_id"},
        "ExpressionAttributeValues": {":v0": {"S": "pending"}, ":unused": {"N": "1"}},
    }
    assert expressions.attributes(params, "ConditionExpression") == ["status", "order_id"]
    assert expressions.values(params, "ConditionExpression") == ["pending"]
    assert expressions.function_arguments(params, "ConditionExpression", "attribute_not_exists") == [
        "order_id"
    ]


def test_plain_values() -> None:
    typed = {"M": {"a": {"N": "1.5"}, "b": {"L": [{"S": "x"}, {"NULL": True}]}, "c": {"BOOL": False}}}
    assert expressions.plain(typed) == {"a": Decimal("1.5"), "b": ["x", None], "c": False}
    assert expressions.plain({"customer_id": "CUST001"}) == {"customer_id": "CUST001"}


def _step(lines: str = "", result: Any = None, calls: tuple[Call, ...] = ()) -> Step:
    return Step("s", 0, None, result, lines, 0, calls, ())


@pytest.mark.parametrize(
    "result, count, reported",
    [
        ({"statusCode": 200, "body": '"Processed 3 records"'}, 3, True),
        ({"statusCode": 200, "processed": 3}, 3, True),
        ({"statusCode": "200", "body": "3 done"}, 3, True),
        ({"statusCode": 200, "body": "ok"}, 3, False),
        ({"statusCode": 200, "body": "processed 13 records"}, 3, False),
        ({"statusCode": 500, "body": "3"}, 3, False),
        ("Processed 3", 3, False),
        (None, 1, False),
    ],
)
def test_reports_count(result: Any, count: int, reported: bool) -> None:
    assert judging.reports_count(result, count) is reported


def test_printed_lines_ignore_event_dumps() -> None:
    dump = '{"NewImage": {"order_id": {"S": "ORD1"}, "customer_id": {"S": "C1"}, "status": {"S": "pending"}}}'
    assert judging.printed_line(_step(dump), "ORD1", "C1", "pending") is None
    step = _step(dump + "\nNew order ORD1 for C1 (PENDING)\n")
    assert judging.printed_line(step, "ORD1", "C1", "pending") == "New order ORD1 for C1 (PENDING)"


@pytest.mark.parametrize(
    "line, found",
    [
        ("Order ORD1 status changed: pending → shipped", True),
        ("ORD1: pending -> shipped", True),
        ("ORD1: shipped (was pending)", False),
        ("ORD1 is pending", False),
        ("ORD2: pending -> shipped", False),
    ],
)
def test_change_line_needs_old_before_new(line: str, found: bool) -> None:
    assert (judging.change_line(_step(line), "ORD1", "pending", "shipped") is not None) is found


@pytest.mark.parametrize(
    "line, claims",
    [
        ("Order ORD3 status changed: delivered -> delivered", True),
        ("ORD3 moved from delivered", True),
        ("Order ORD3 modified (status delivered)", False),
        ('{"OldImage": {"order_id": {"S": "ORD3"}}} -> x', False),
    ],
)
def test_change_claim(line: str, claims: bool) -> None:
    assert (judging.change_claim(_step(line), "ORD3") is not None) is claims


def test_requested_keys_of_batch_calls() -> None:
    get = Call(
        "dynamodb",
        "BatchGetItem",
        {"RequestItems": {"t": {"Keys": [{"customer_id": {"S": "C1"}, "order_id": {"S": "O1"}}]}}},
    )
    put = Call(
        "dynamodb",
        "BatchWriteItem",
        {
            "RequestItems": {
                "t": [
                    {
                        "PutRequest": {
                            "Item": {"customer_id": {"S": "C2"}, "order_id": {"S": "O2"}, "x": {"N": "1"}}
                        }
                    },
                    {"DeleteRequest": {"Key": {"customer_id": {"S": "C3"}, "order_id": {"S": "O3"}}}},
                ]
            }
        },
    )
    assert judging.requested_keys(get, "t", "Keys") == {("C1", "O1")}
    assert judging.requested_keys(put, "t", "PutRequest") == {("C2", "O2")}
    assert judging.requested_keys(put, "other", "PutRequest") == set()


def test_calls_summary_and_stop_note() -> None:
    gets = [Call("dynamodb", "GetItem", {}) for _ in range(7)]
    calls = (*gets, Call("dynamodb", "Query", {}, "ValidationException"))
    assert judging.calls_summary(_step(calls=calls)).endswith("GetItem and 2 more")
    assert judging.calls_summary(_step()) == "no AWS call"
    crashed = Step("run", 1, "KeyError: 'x' (line 3 of f.py)", None, "", 0, (), ())
    assert judging.stopped(crashed) == "; it raised KeyError: 'x' (line 3 of f.py)"


def test_record_requires_own_table_and_region() -> None:
    calls = calls_from_json(
        [
            {
                "service": "dynamodb",
                "operation": "GetItem",
                "params": {"TableName": "orders-a"},
                "error": None,
                "returned": [],
                "region": "us-east-1",
            }
        ]
    )
    table = ({"customer_id": {"S": "C"}, "order_id": {"S": "O"}},)
    record = Record("f.py", None, (Step("run", 0, None, None, "hi\n", 0, calls, table),))
    assert record.require_ran("orders-a", "us-east-1", 20) is record
    assert record.step("run").item("C", "O") == {"customer_id": "C", "order_id": "O"}
    with pytest.raises(RequirementFailed, match=r"in region us-east-1; expected region eu-west-1"):
        record.require_ran("orders-a", "eu-west-1", 20)
    with pytest.raises(RequirementFailed, match="used table orders-a; expected table orders-b"):
        record.require_ran("orders-b", "us-east-1", 20)


# Live index reads ---------------------------------------------------------------------------------
def _order(customer: str, order: str, status: str, date: str, amount: str) -> Item:
    return {
        "customer_id": customer,
        "order_id": order,
        "status": status,
        "order_date": date,
        "total_amount": Decimal(amount),
    }


ORDERS = [
    _order("C1", "O1", "pending", "2026-01-02", "10"),
    _order("C1", "O2", "pending", "2026-01-01", "9.5"),
    _order("C1", "O3", "shipped", "2026-01-03", "100"),
    {"customer_id": "C2", "order_id": "O4", "expiry_date": Decimal(1)},
]
DESCRIPTION: dict[str, Any] = {
    "TableName": "orders-a",
    "TableArn": "arn:aws:dynamodb:us-east-1:1:table/orders-a",
    "TableStatus": "ACTIVE",
    "KeySchema": [
        {"AttributeName": "customer_id", "KeyType": "HASH"},
        {"AttributeName": "order_id", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": n, "AttributeType": t}
        for n, t in (
            ("customer_id", "S"),
            ("order_id", "S"),
            ("status", "S"),
            ("order_date", "S"),
            ("total_amount", "N"),
        )
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "StatusDateIndex",
            "IndexStatus": "ACTIVE",
            "KeySchema": [
                {"AttributeName": "status", "KeyType": "HASH"},
                {"AttributeName": "order_date", "KeyType": "RANGE"},
            ],
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "CustomerAmountIndex",
            "KeySchema": [
                {"AttributeName": "customer_id", "KeyType": "HASH"},
                {"AttributeName": "total_amount", "KeyType": "RANGE"},
            ],
        }
    ],
}
TABLE = TableView.from_aws(DESCRIPTION)


class FakeStudent:
    """The StudentResources surface the live index checks use, answering queries from a script."""

    table_name = "orders-a"

    def __init__(self, answers: dict[str, list[dict[str, Any]]]) -> None:
        self.items = ORDERS
        self.answers = answers

    def query_index(self, index: str, attribute: str, value: str, descending: bool = False) -> list[Any]:
        return self.answers[value]


def test_indexed_skips_sparse_items_and_orders() -> None:
    groups = index_reads.indexed(ORDERS, GSI)
    assert {status: len(items) for status, items in groups.items()} == {"pending": 2, "shipped": 1}
    assert index_reads.first_out_of_order(ORDERS[:2], "order_date") == 1
    assert index_reads.first_out_of_order(ORDERS[:2], "total_amount", descending=True) is None
    assert index_reads.first_out_of_order([ORDERS[1], ORDERS[0]], "total_amount", descending=True) == 1


def test_gsi_live_check_both_ways() -> None:
    in_order = {"pending": [ORDERS[1], ORDERS[0]], "shipped": [ORDERS[2]]}
    task5.test_each_status_comes_back_by_date(TABLE, FakeStudent(in_order))  # type: ignore[arg-type]
    with pytest.raises(RequirementFailed, match="out of order_date order at position 1"):
        task5.test_each_status_comes_back_by_date(  # type: ignore[arg-type]
            TABLE, FakeStudent({**in_order, "pending": [ORDERS[0], ORDERS[1]]})
        )
    with pytest.raises(RequirementFailed, match=r"returned 1 of the 2 'pending' orders \(missing O1\)"):
        task5.test_each_status_comes_back_by_date(  # type: ignore[arg-type]
            TABLE, FakeStudent({**in_order, "pending": [ORDERS[1]]})
        )


def test_lsi_live_check_both_ways() -> None:
    descending = [ORDERS[2], ORDERS[0], ORDERS[1]]
    task6.test_customer_orders_come_back_by_descending_amount(TABLE, FakeStudent({"C1": descending}))  # type: ignore[arg-type]
    with pytest.raises(RequirementFailed, match="out of descending total_amount order at position 2"):
        task6.test_customer_orders_come_back_by_descending_amount(  # type: ignore[arg-type]
            TABLE, FakeStudent({"C1": [ORDERS[2], ORDERS[1], ORDERS[0]]})
        )


def test_index_checks_name_the_index_task() -> None:
    wrong_gsi = TableView.from_aws(
        {
            **DESCRIPTION,
            "GlobalSecondaryIndexes": [
                {
                    **DESCRIPTION["GlobalSecondaryIndexes"][0],
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "total_amount", "KeyType": "RANGE"},
                    ],
                }
            ],
        }
    )
    with pytest.raises(RequirementFailed, match=r"keyed HASH status \(S\), RANGE total_amount \(N\).*Task 2"):
        task5.test_each_status_comes_back_by_date(wrong_gsi, FakeStudent({}))  # type: ignore[arg-type]
    no_lsi = TableView.from_aws({**DESCRIPTION, "LocalSecondaryIndexes": []})
    with pytest.raises(RequirementFailed, match=r"has no LSI CustomerAmountIndex.*Task 3"):
        task6.test_customer_orders_come_back_by_descending_amount(no_lsi, FakeStudent({}))  # type: ignore[arg-type]
    deleted = [{**DESCRIPTION["GlobalSecondaryIndexes"][0], "IndexStatus": "DELETING"}]
    deleting = TableView.from_aws({**DESCRIPTION, "GlobalSecondaryIndexes": deleted})
    with pytest.raises(RequirementFailed, match=r"is DELETING; expected ACTIVE \(Task 2\)"):
        task5.test_each_status_comes_back_by_date(deleting, FakeStudent({}))  # type: ignore[arg-type]
    building = [{**DESCRIPTION["GlobalSecondaryIndexes"][0], "IndexStatus": "CREATING"}]
    creating = TableView.from_aws({**DESCRIPTION, "GlobalSecondaryIndexes": building})
    with pytest.raises(StillBuilding, match="AWS is still building StatusDateIndex: grade again"):
        task5.test_each_status_comes_back_by_date(creating, FakeStudent({}))  # type: ignore[arg-type]


def test_show_lines() -> None:
    assert judging.show_lines(_step("")) == "nothing"
    assert judging.show_lines(_step("a\n\nb\nc\nd\n")) == "'a' | 'b' | 'c' (and 1 more lines)"
