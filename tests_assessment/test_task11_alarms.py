"""Task 11: three CloudWatch throttling alarms of the student's, each notifying an SNS topic."""

from __future__ import annotations

from typing import Any

import pytest

from grader.assessment import GSI_NAME
from grader.aws.resources import StudentResources
from grader.aws.views import AlarmView
from grader.checks import alarms
from grader.failures import RequirementFailed, require

pytestmark = pytest.mark.task(11)

PUT_ALARM = (
    "put_metric_alarm(Namespace='AWS/DynamoDB', MetricName='{metric}', Dimensions=[{dimensions}], "
    "Statistic='Sum', Period=300, EvaluationPeriods=1, Threshold={n}, "
    "ComparisonOperator='GreaterThanThreshold', AlarmActions=[<SNS topic ARN>])"
)


def _alarm(number: int, key: str, points: pytest.MarkDecorator) -> Any:
    """The parameters of one required alarm's threshold check (key, title, n), with its points."""
    required = alarms.REQUIREMENTS_BY_KEY[key]
    return pytest.param(key, required.title, required.more_than, marks=points, id=f"{number}-{key}")


ALARMS = [
    _alarm(1, "read", pytest.mark.points(2)),
    _alarm(2, "write", pytest.mark.points(2)),
    _alarm(3, "gsi", pytest.mark.points(1)),
]
ACTIONS = [pytest.param(r.key, r.title, id=f"{i}-{r.key}") for i, r in enumerate(alarms.REQUIREMENTS, 1)]


@pytest.fixture
def region_alarms(student: StudentResources) -> list[AlarmView]:
    return student.all_metric_alarms


@pytest.fixture
def own_alarms(region_alarms: list[AlarmView], student: StudentResources) -> list[AlarmView]:
    """The student's metric alarms, never another student's."""
    return [a for a in region_alarms if alarms.belongs_to(a, student.student_id, student.table_name)]


@pytest.fixture
def misdirected_alarms(region_alarms: list[AlarmView], student: StudentResources) -> list[AlarmView]:
    """Alarms named for the student that watch another table."""
    return [a for a in region_alarms if alarms.misdirected(a, student.student_id, student.table_name)]


@pytest.fixture
def pairing(
    own_alarms: list[AlarmView], misdirected_alarms: list[AlarmView], student: StudentResources
) -> dict[str, AlarmView | None]:
    """Each required alarm paired with the student's alarm that meets it best (or None); with no
    alarm of the student's at all, every check fails with that one message."""
    if not own_alarms:
        elsewhere = "; ".join(a.summary() for a in misdirected_alarms[:3])
        raise RequirementFailed(
            f"you have no CloudWatch alarm in region {student.account.region}: none has dimension "
            f"TableName={student.table_name} or your student id in its name"
            + (f" (alarms named for you that watch another table: {elsewhere})" if elsewhere else ""),
            "three alarms: read throttling, write throttling and GSI throttling on " + student.table_name,
            "Create them: "
            + PUT_ALARM.format(
                metric="ReadThrottleEvents",
                dimensions=f"{{'Name': 'TableName', 'Value': '{student.table_name}'}}",
                n=5,
            )
            + ", and likewise for WriteThrottleEvents and for the GSI",
        )
    return alarms.assign(own_alarms, student.table_name, student.topic_exists)


def _paired(
    key: str,
    pairing: dict[str, AlarmView | None],
    own: list[AlarmView],
    misdirected: list[AlarmView],
    table: str,
) -> AlarmView:
    """The alarm paired with the requirement, or the failure naming what was looked for and what exists."""
    alarm = pairing[key]
    if alarm is not None:
        return alarm
    requirement = alarms.REQUIREMENTS_BY_KEY[key]
    metrics = " or ".join(requirement.metrics)
    dimensions = f"{{'Name': 'TableName', 'Value': '{table}'}}"
    if requirement.gsi:
        metrics += f" with GlobalSecondaryIndexName={GSI_NAME}"
        dimensions += f", {{'Name': 'GlobalSecondaryIndexName', 'Value': '{GSI_NAME}'}}"
    unpaired = [a.summary() for a in own if a not in pairing.values()]
    elsewhere = [a.summary() for a in misdirected]
    raise RequirementFailed(
        f"no {requirement.title} alarm of yours watches AWS/DynamoDB {metrics}"
        + (f" (your other alarms: {'; '.join(unpaired[:3])})" if unpaired else "")
        + (
            f" (alarms named for you that watch another table: {'; '.join(elsewhere[:3])})"
            if elsewhere
            else ""
        ),
        f"an alarm with dimension TableName={table} (or your student id in its name)",
        "Create it: "
        + PUT_ALARM.format(metric=requirement.metrics[-1], dimensions=dimensions, n=requirement.more_than),
    )


@pytest.fixture
def alarm(
    key: str,
    pairing: dict[str, AlarmView | None],
    own_alarms: list[AlarmView],
    misdirected_alarms: list[AlarmView],
    student: StudentResources,
) -> AlarmView:
    """The student's alarm for the requirement the check is parametrized with (key)."""
    return _paired(key, pairing, own_alarms, misdirected_alarms, student.table_name)


@pytest.mark.parametrize("key, title, n", ALARMS)
def test_alarm_threshold(
    key: str, title: str, n: int, alarm: AlarmView, student: StudentResources
) -> None:
    """{title} alarm fires on more than {n} in 5 minutes"""
    requirement = alarms.REQUIREMENTS_BY_KEY[key]
    problems = requirement.problems(alarm, student.table_name)
    require(
        not problems,
        f"alarm {alarm.summary()} has {'; '.join(problems)}",
        f"Sum over a 300 s period, 1 evaluation period, GreaterThanThreshold {n}",
        f"Update it with put_metric_alarm(AlarmName='{alarm.name}', ...) and those settings",
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("key, title", ACTIONS)
def test_alarm_notifies_sns(key: str, title: str, alarm: AlarmView, student: StudentResources) -> None:
    """{title} alarm notifies an SNS topic that exists"""
    problem = alarms.action_problem(alarm, student.topic_exists)
    require(
        not problem,
        problem,
        "an existing SNS topic among its AlarmActions",
        f"Create a topic (sns create_topic) and add its ARN to AlarmActions of {alarm.name}",
    )
