"""grader.checks.alarms without AWS: whose alarm it is, "more than N in 5 minutes", pairing them up."""

from __future__ import annotations

from typing import Any

import pytest

from grader.aws.views import AlarmView
from grader.checks.alarms import (
    action_problem,
    assign,
    belongs_to,
    misdirected,
    more_than_problems,
    names_student,
)

TABLE = "orders-alice"
TOPIC = "arn:aws:sns:us-east-1:123456789012:orders-alarms-alice"
TABLE_DIM = {"Name": "TableName", "Value": TABLE}
GSI_DIM = {"Name": "GlobalSecondaryIndexName", "Value": "StatusDateIndex"}


def described(
    name: str, metric: str = "ReadThrottleEvents", dims: list[dict[str, str]] | None = None, **overrides: Any
) -> dict[str, Any]:
    """A DescribeAlarms entry, correct for "more than 5 in 5 minutes" unless overridden."""
    alarm = {
        "AlarmName": name,
        "Namespace": "AWS/DynamoDB",
        "MetricName": metric,
        "Dimensions": [TABLE_DIM] if dims is None else dims,
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "AlarmActions": [TOPIC],
        "ActionsEnabled": True,
    }
    alarm.update(overrides)
    return alarm


def alarm(
    name: str, metric: str = "ReadThrottleEvents", dims: list[dict[str, str]] | None = None, **overrides: Any
) -> AlarmView:
    return AlarmView.from_aws(described(name, metric, dims, **overrides))


@pytest.mark.parametrize(
    "name, owned",
    [
        ("orders-alice-read-throttling", True),
        ("alice", True),
        ("alice_read", True),
        ("Read throttling (alice)", True),
        ("orders-alice2-read-throttling", False),
        ("malice-read", False),
        ("orders-Alice-read", False),
        ("read-throttling", False),
    ],
)
def test_names_student_as_a_whole_token(name: str, owned: bool) -> None:
    assert names_student(name, "alice") is owned


def test_ids_with_dashes_and_underscores_are_tokens_too() -> None:
    assert names_student("orders-a-b_c-read", "a-b_c")
    assert not names_student("orders-a-b_c2-read", "a-b_c")


def test_the_table_dimension_decides_ownership_before_the_name() -> None:
    assert belongs_to(alarm("anything"), "alice", TABLE)
    assert not belongs_to(
        alarm("orders-alice-read", dims=[{"Name": "TableName", "Value": "orders-bob"}]), "alice", TABLE
    )
    assert not belongs_to(alarm("orders-alice2-read", dims=[]), "alice", TABLE)
    assert belongs_to(alarm("alice-user-errors", "UserErrors", dims=[]), "alice", TABLE)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 6.0},
        {"DatapointsToAlarm": 1},
    ],
)
def test_more_than_5_in_5_minutes(overrides: dict[str, Any]) -> None:
    assert more_than_problems(alarm("a", **overrides), 5) == []


@pytest.mark.parametrize(
    "overrides, phrase",
    [
        ({"Statistic": "Average"}, "statistic Average (expected Sum)"),
        ({"Statistic": None, "ExtendedStatistic": "p99"}, "statistic p99"),
        ({"Period": 60}, "period 60 s (expected 300)"),
        ({"Period": 60, "EvaluationPeriods": 5}, "5 evaluation period(s)"),
        ({"Threshold": 10.0}, "GreaterThanThreshold 10 (expected GreaterThanThreshold 5"),
        (
            {"ComparisonOperator": "GreaterThanOrEqualToThreshold"},
            "GreaterThanOrEqualToThreshold 5 (expected",
        ),
        ({"ComparisonOperator": "LessThanThreshold"}, "LessThanThreshold 5"),
    ],
)
def test_not_more_than_5_in_5_minutes(overrides: dict[str, Any], phrase: str) -> None:
    problems = more_than_problems(alarm("a", **overrides), 5)
    assert any(phrase in p for p in problems), problems


def test_a_single_metric_math_alarm_reads_like_a_metric_alarm() -> None:
    math = {
        "AlarmName": "m",
        "EvaluationPeriods": 1,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "AlarmActions": [TOPIC],
        "Metrics": [
            {
                "Id": "m1",
                "ReturnData": True,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/DynamoDB",
                        "MetricName": "WriteThrottleEvents",
                        "Dimensions": [TABLE_DIM],
                    },
                    "Period": 300,
                    "Stat": "Sum",
                },
            }
        ],
    }
    parsed = AlarmView.from_aws(math)
    assert (parsed.metric, parsed.dimensions, parsed.period) == (
        "WriteThrottleEvents",
        {"TableName": TABLE},
        300,
    )
    assert more_than_problems(parsed, 5) == []


def test_action_problems() -> None:
    exists = {TOPIC}.__contains__
    assert action_problem(alarm("a"), exists) == ""
    assert "no SNS topic" in action_problem(alarm("a", AlarmActions=[]), exists)
    assert "does not exist" in action_problem(alarm("a", AlarmActions=[TOPIC + "-gone"]), exists)
    assert "disabled" in action_problem(alarm("a", ActionsEnabled=False), exists)


def paired(*alarms: AlarmView) -> dict[str, str | None]:
    pairing = assign(alarms, TABLE, {TOPIC}.__contains__)
    return {key: a.name if a else None for key, a in pairing.items()}


def test_the_reference_alarms_pair_up() -> None:
    result = paired(
        alarm("w", "WriteThrottleEvents"), alarm("g", dims=[TABLE_DIM, GSI_DIM], Threshold=10.0), alarm("r")
    )
    assert result == {"read": "r", "write": "w", "gsi": "g"}


def test_one_user_errors_alarm_counts_once() -> None:
    assert paired(alarm("alice-errors", "UserErrors", dims=[])) == {
        "read": "alice-errors",
        "write": None,
        "gsi": None,
    }


def test_user_errors_alarms_pair_by_the_word_in_their_names() -> None:
    result = paired(alarm("alice-write", "UserErrors", dims=[]), alarm("alice-read", "UserErrors", dims=[]))
    assert result == {"read": "alice-read", "write": "alice-write", "gsi": None}


def test_the_correct_alarm_wins_over_a_wrong_one() -> None:
    result = paired(alarm("r-avg", Statistic="Average"), alarm("r-ok"), alarm("w", "WriteThrottleEvents"))
    assert result["read"] == "r-ok"


def test_a_correct_alarm_is_never_spent_where_it_fails() -> None:
    """UserErrors fits read or write; a wrong read alarm must not push the good one off its slot."""
    result = paired(
        alarm("read-bad", Period=60), alarm("errors", "UserErrors"), alarm("w", "WriteThrottleEvents")
    )
    assert result == {"read": "errors", "write": "w", "gsi": None}


def test_a_gsi_alarm_is_not_a_table_alarm_and_back() -> None:
    result = paired(alarm("g", dims=[TABLE_DIM, GSI_DIM], Threshold=10.0))
    assert result == {"read": None, "write": None, "gsi": "g"}
    assert paired(alarm("table-level", Threshold=10.0))["gsi"] is None


def test_among_wrong_alarms_the_name_decides_which_is_reported() -> None:
    """The student's read alarm (two mistakes) is reported, not their GSI alarm lacking its index dimension
    (one mistake as a read alarm), which stays free to be named in the GSI alarm's message."""
    read = alarm("orders-alice-read-throttling", Period=60, Statistic="Average")
    gsi_without_index = alarm("orders-alice-gsi-throttling", Threshold=10.0)
    assert paired(read, gsi_without_index, alarm("w", "WriteThrottleEvents"))["read"] == read.name


def test_an_alarm_named_for_the_student_on_another_table_is_misdirected_not_theirs() -> None:
    typo = alarm("orders-alice-write", "WriteThrottleEvents", dims=[{"Name": "TableName", "Value": "orders"}])
    assert not belongs_to(typo, "alice", TABLE) and misdirected(typo, "alice", TABLE)
    assert not misdirected(alarm("orders-alice-read"), "alice", TABLE)  # their own
    assert not misdirected(
        alarm("orders-bob-read", dims=[{"Name": "TableName", "Value": "orders-bob"}]), "alice", TABLE
    )
