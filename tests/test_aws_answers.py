"""Real AWS answers (tests/aws_answers.py) through the views and the checks: every documented field
parses, and the verdicts follow SPEC's rules, "Transitional states" above all: a resource settling into
the asked configuration counts as done, one moving away fails, and a read through something AWS is still
building is not graded."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from grader import states
from grader.assessment import GSI, LSI, TABLE_KEYS
from grader.aws.views import AlarmView, FunctionView, IndexView, MappingView, TableView
from grader.checks import alarms
from grader.failures import GraderError, RequirementFailed, describe_grader_error
from tests import aws_answers as aws
from tests_assessment import test_task01_table as task1
from tests_assessment import test_task02_gsi as task2
from tests_assessment import test_task05_gsi_query as task5
from tests_assessment import test_task06_lsi_query as task6
from tests_assessment import test_task07_streams as task7
from tests_assessment import test_task08_lambda as task8
from tests_assessment import test_task10_ttl as task10

STILL_BUILDING = "AWS is still building StatusDateIndex: grade again in a few minutes"
ORDERS = [
    {"customer_id": "CUST001", "order_id": f"ORD000{n}", "status": status, "order_date": f"2026-11-0{n}",
     "total_amount": Decimal(10 * n)}
    for n, status in ((1, "pending"), (2, "shipped"), (3, "pending"))
]  # fmt: skip


class Student:
    """The StudentResources surface the checks read, answering as AWS answered (tests/aws_answers.py)."""

    table_name = aws.TABLE_NAME

    def __init__(self, ttl: str = "ENABLED", stream: str = "ENABLED") -> None:
        self.items = ORDERS
        read = aws.resources(
            describe_time_to_live=aws.time_to_live(ttl), describe_stream=aws.describe_stream(stream)
        )
        self.ttl, self.stream_status = read.ttl, read.stream_status

    def query_index(self, index: str, attribute: str, value: str, descending: bool = False) -> list[Any]:
        key = "total_amount" if index == LSI.name else "order_date"
        found = [item for item in ORDERS if item[attribute] == value]
        return sorted(found, key=lambda item: item[key], reverse=descending)


def passes(check: Callable[..., None], *args: Any) -> bool:
    """The check passes (True) or fails the student (False); any other outcome propagates."""
    try:
        check(*args)
    except RequirementFailed:
        return False
    return True


def test_describe_table_with_todays_fields() -> None:
    table = TableView.from_aws(aws.DESCRIBE_TABLE["Table"])
    assert (table.name, table.arn, table.status, table.keys) == (
        aws.TABLE_NAME,
        aws.TABLE_ARN,
        "ACTIVE",
        TABLE_KEYS,
    )
    assert (table.billing_mode, table.table_class) == ("PAY_PER_REQUEST", "STANDARD")
    assert (table.stream_enabled, table.stream_view_type, table.latest_stream_arn) == (
        True, "NEW_AND_OLD_IMAGES", aws.STREAM_ARN)  # fmt: skip
    assert table.gsis == (IndexView("StatusDateIndex", GSI.keys, "ALL", "ACTIVE"),)
    assert table.lsis == (IndexView("CustomerAmountIndex", LSI.keys, "ALL", None),)
    task1_checks = (
        task1.test_table_exists_and_is_active,
        task1.test_composite_key,
        task1.test_on_demand_billing,
    )
    for check in (*task1_checks, task1.test_standard_table_class):
        check(table)
    for check in (task2.test_gsi_keys, task2.test_gsi_projects_all, task2.test_gsi_active):
        check(table.gsis[0])
    task5.test_each_status_comes_back_by_date(table, Student())  # type: ignore[arg-type]
    task6.test_customer_orders_come_back_by_descending_amount(table, Student())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "status, active",
    [("ACTIVE", True), ("UPDATING", True), ("CREATING", False), ("DELETING", False), ("ARCHIVED", False)],
)
def test_a_table_updating_counts_as_active(status: str, active: bool) -> None:
    table = TableView.from_aws(aws.table(status))
    assert passes(task1.test_table_exists_and_is_active, table) is active
    assert table.status == ("ACTIVE" if active else status)


def test_a_gsi_being_added_is_not_graded_through_and_not_blamed_on_task_2() -> None:
    """A GSI added later: the table is UPDATING, the index CREATING and backfilling."""
    table = TableView.from_aws(aws.table("UPDATING", "CREATING", backfilling=True))
    assert table.gsis[0].backfilling and table.gsis[0].status == "CREATING"
    assert passes(task1.test_table_exists_and_is_active, table)
    with pytest.raises(states.StillBuilding) as raised:
        task5.test_each_status_comes_back_by_date(table, Student())  # type: ignore[arg-type]
    assert isinstance(raised.value, GraderError), "not graded: never the student's failure"
    assert describe_grader_error(raised.value) == STILL_BUILDING
    assert "Task 2" not in str(raised.value)
    task6.test_customer_orders_come_back_by_descending_amount(table, Student())  # type: ignore[arg-type]
    table = TableView.from_aws(aws.table("UPDATING", "CREATING", backfilling=False))
    with pytest.raises(states.StillBuilding, match=STILL_BUILDING):
        task5.test_each_status_comes_back_by_date(table, Student())  # type: ignore[arg-type]


@pytest.mark.parametrize("status, graded", [("UPDATING", True), ("DELETING", False)])
def test_a_gsi_updating_is_queried_and_one_deleting_fails(status: str, graded: bool) -> None:
    table = TableView.from_aws(aws.table("ACTIVE", status))
    assert passes(task5.test_each_status_comes_back_by_date, table, Student()) is graded
    assert passes(task2.test_gsi_active, table.gsis[0]) is graded


@pytest.mark.parametrize(
    "status, enabled", [("ENABLED", True), ("ENABLING", True), ("DISABLING", False), ("DISABLED", False)]
)
def test_ttl_enabling_counts_as_enabled(status: str, enabled: bool) -> None:
    table = TableView.from_aws(aws.table())
    student = Student(ttl=status)
    assert passes(task10.test_ttl_enabled_on_expiry_date, table, student) is enabled
    assert student.ttl.attribute == (None if status == "DISABLED" else "expiry_date")


@pytest.mark.parametrize(
    "status, enabled", [("ENABLED", True), ("ENABLING", True), ("DISABLING", False), ("DISABLED", False)]
)
def test_a_stream_enabling_counts_as_enabled(status: str, enabled: bool) -> None:
    table = TableView.from_aws(aws.table())
    assert passes(task7.test_stream_status_enabled, table, Student(stream=status)) is enabled


def test_a_function_pending_is_graded_on_its_configuration() -> None:
    function = FunctionView.from_aws(aws.GET_FUNCTION_PENDING["Configuration"])
    assert (function.name, function.arn, function.role_arn) == (
        aws.FUNCTION_NAME,
        aws.FUNCTION_ARN,
        aws.ROLE_ARN,
    )
    assert (function.runtime, function.handler) == ("python3.12", "lambda_function.lambda_handler")
    task8.test_function_runtime(function)


@pytest.mark.parametrize("state", aws.MAPPING_STATES)
def test_event_source_mapping_in_each_state(state: str) -> None:
    mapping = MappingView.from_aws(aws.event_source_mapping(state))
    assert (mapping.source_arn, mapping.function_arn, mapping.batch_size, mapping.starting_position) == (
        aws.STREAM_ARN, aws.FUNCTION_ARN, 10, "LATEST")  # fmt: skip
    settling = state in ("Creating", "Enabling", "Enabled", "Updating")
    assert mapping.state == ("Enabled" if settling else state)
    assert passes(task8.test_mapping_from_current_stream, mapping) is settling
    task8.test_mapping_batch_size(mapping)
    task8.test_mapping_starts_at_latest(mapping)


ALARM_ANSWERS = {
    "metric math, in ALARM": [
        aws.metric_math_alarm("orders-alice-read-throttling", "ReadThrottleEvents", "ALARM", 5.0),
        aws.metric_math_alarm("orders-alice-write-throttling", "WriteThrottleEvents", "ALARM", 5.0),
        aws.metric_math_alarm("orders-alice-gsi-throttling", "ReadThrottleEvents", "ALARM", 10.0, gsi=True),
    ],
    "single metric, INSUFFICIENT_DATA": [
        aws.metric_alarm("orders-alice-read-throttling", "ReadThrottleEvents", "INSUFFICIENT_DATA", 5.0),
        aws.metric_alarm("orders-alice-write-throttling", "WriteThrottleEvents", "INSUFFICIENT_DATA", 5.0),
        aws.metric_alarm(
            "orders-alice-gsi-throttling", "ReadThrottleEvents", "INSUFFICIENT_DATA", 10.0, gsi=True
        ),
    ],
}


@pytest.mark.parametrize("answers", ALARM_ANSWERS.values(), ids=ALARM_ANSWERS.keys())
def test_alarms_are_judged_on_their_configuration_whatever_their_state(answers: list[dict[str, Any]]) -> None:
    """A metric-math alarm (Metrics, no MetricName) reads as the metric it queries; ALARM or
    INSUFFICIENT_DATA (no traffic yet) changes nothing."""
    views = [AlarmView.from_aws(answer) for answer in answers]
    assert [(v.namespace, v.metric, v.statistic, v.period) for v in views] == [
        ("AWS/DynamoDB", "ReadThrottleEvents", "Sum", 300),
        ("AWS/DynamoDB", "WriteThrottleEvents", "Sum", 300),
        ("AWS/DynamoDB", "ReadThrottleEvents", "Sum", 300),
    ]
    assert views[2].dimensions == {"TableName": aws.TABLE_NAME, "GlobalSecondaryIndexName": "StatusDateIndex"}
    expression = AlarmView.from_aws(aws.expression_alarm("orders-alice-all-throttling", "ALARM"))
    assert (expression.metric, expression.period) == ("", 0), "an expression is no single metric"
    paired = alarms.assign([expression, *views], aws.TABLE_NAME, lambda arn: arn == aws.TOPIC_ARN)
    assert {key: alarm and alarm.name for key, alarm in paired.items()} == {
        "read": views[0].name, "write": views[1].name, "gsi": views[2].name}  # fmt: skip
    for requirement in alarms.REQUIREMENTS:
        assert requirement.problems(paired[requirement.key], aws.TABLE_NAME) == []  # type: ignore[arg-type]
        assert alarms.action_problem(paired[requirement.key], lambda arn: True) == ""  # type: ignore[arg-type]


def test_items_of_a_table_being_created_are_not_graded() -> None:
    """A check reading the items (tasks 4, 5, 6, 10) waits for AWS to finish creating the table."""
    student = aws.resources(describe_table={"Table": aws.table("CREATING")})
    with pytest.raises(states.StillBuilding, match="AWS is still building orders-alice: grade again"):
        student.items  # noqa: B018 (the property reads)
