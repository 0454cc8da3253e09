"""CloudWatch alarms: whose alarm is it, what does it watch, and does it fire on "more than N in 5 minutes".

Pure functions over alarm views (grader/aws/views.py); the only AWS knowledge the task 11 checks need.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from grader.assessment import GSI_NAME
from grader.aws.views import AlarmView

NAMESPACE = "AWS/DynamoDB"
PERIOD = 300


def names_student(alarm_name: str, student_id: str) -> bool:
    """The student id appears in the name as a whole token (no letter or digit on either side).
    (A class's alarms are all read: most names do not hold the id at all, which is quick to see.)"""
    if student_id not in alarm_name:
        return False
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(student_id)}(?![A-Za-z0-9])", alarm_name) is not None


def belongs_to(alarm: AlarmView, student_id: str, table: str) -> bool:
    """An alarm is the student's when its TableName is their table or, with no TableName, it names them."""
    if "TableName" in alarm.dimensions:
        return alarm.dimensions["TableName"] == table
    return names_student(alarm.name, student_id)


def misdirected(alarm: AlarmView, student_id: str, table: str) -> bool:
    """Named for the student but watching another table (a typo in the TableName dimension): not
    theirs, yet worth naming when one of their alarms is missing."""
    table_dimension = alarm.dimensions.get("TableName")
    return table_dimension not in (None, table) and names_student(alarm.name, student_id)


@dataclass(frozen=True)
class Requirement:
    """One alarm the task asks for: which metrics may carry it, and the threshold N of "more than N"."""

    key: str
    title: str
    metrics: tuple[str, ...]
    more_than: int
    gsi: bool = False
    name_hint: str = ""

    def watches(self, alarm: AlarmView) -> bool:
        """The alarm watches this requirement's kind of metric (right or wrong in its details)."""
        has_gsi = "GlobalSecondaryIndexName" in alarm.dimensions
        return alarm.metric in self.metrics and has_gsi == self.gsi

    def problems(self, alarm: AlarmView, table: str) -> list[str]:
        """What keeps the alarm from meeting the requirement (empty when it does), as 'found' phrases."""
        found: list[str] = []
        if alarm.namespace != NAMESPACE:
            found.append(f"namespace {alarm.namespace or 'none'} (expected {NAMESPACE})")
        if alarm.metric != "UserErrors" and alarm.dimensions.get("TableName") != table:
            found.append(f"dimension TableName={alarm.dimensions.get('TableName', 'missing')}")
        if self.gsi and alarm.dimensions.get("GlobalSecondaryIndexName") != GSI_NAME:
            found.append(f"dimension GlobalSecondaryIndexName={alarm.dimensions['GlobalSecondaryIndexName']}")
        found.extend(more_than_problems(alarm, self.more_than))
        return found


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("read", "read-throttling", ("UserErrors", "ReadThrottleEvents"), 5, name_hint="read"),
    Requirement("write", "write-throttling", ("UserErrors", "WriteThrottleEvents"), 5, name_hint="write"),
    Requirement("gsi", "GSI-throttling", ("ReadThrottleEvents",), 10, gsi=True),
)
REQUIREMENTS_BY_KEY = {r.key: r for r in REQUIREMENTS}


def more_than_problems(alarm: AlarmView, n: int) -> list[str]:
    """Why the alarm does not fire on "more than n in 5 minutes": Sum over one 300 s period, > n."""
    found: list[str] = []
    if alarm.statistic != "Sum":
        found.append(f"statistic {alarm.statistic} (expected Sum)")
    if alarm.period != PERIOD:
        found.append(f"period {alarm.period} s (expected {PERIOD})")
    if alarm.evaluation_periods != 1 or (alarm.datapoints_to_alarm or 1) != 1:
        found.append(f"{alarm.evaluation_periods} evaluation period(s) (expected 1)")
    fires_above = {"GreaterThanThreshold": n, "GreaterThanOrEqualToThreshold": n + 1}
    if alarm.comparison not in fires_above or alarm.threshold != fires_above[alarm.comparison]:
        threshold = "none" if alarm.threshold is None else f"{alarm.threshold:g}"
        found.append(
            f"{alarm.comparison or 'no comparison'} {threshold} "
            f"(expected GreaterThanThreshold {n} or GreaterThanOrEqualToThreshold {n + 1})"
        )
    return found


def sns_topics(alarm: AlarmView) -> list[str]:
    """The SNS topics the alarm notifies when it fires."""
    return [arn for arn in alarm.alarm_actions if arn.startswith("arn:") and ":sns:" in arn]


def action_problem(alarm: AlarmView, topic_exists: Callable[[str], bool]) -> str:
    """'' when the alarm notifies an existing SNS topic, else what was found."""
    topics = sns_topics(alarm)
    if not topics:
        actions = ", ".join(alarm.alarm_actions) or "none"
        return f"alarm {alarm.name} has no SNS topic among its alarm actions (found: {actions})"
    if not any(topic_exists(arn) for arn in topics):
        return f"alarm {alarm.name} notifies {', '.join(topics)}, which does not exist"
    if not alarm.actions_enabled:
        return f"alarm {alarm.name} has its actions disabled (ActionsEnabled=false)"
    return ""


def _cost(
    requirement: Requirement, alarm: AlarmView, table: str, topic_exists: Callable[[str], bool]
) -> tuple[int, int]:
    """(problems, 1 when the name does not say which alarm it is, e.g. lacks 'read')."""
    problems = len(requirement.problems(alarm, table)) + bool(action_problem(alarm, topic_exists))
    return problems, int(bool(requirement.name_hint) and requirement.name_hint not in alarm.name.lower())


def assign(
    alarms: Iterable[AlarmView], table: str, topic_exists: Callable[[str], bool]
) -> dict[str, AlarmView | None]:
    """Pair each requirement with a distinct alarm of the student's that watches its metric.

    One alarm never counts twice (a single UserErrors alarm is not both the read and the write
    alarm). The pairing meeting the most requirements wins; then the one leaving fewest unpaired,
    then the one whose alarm names fit ('read', 'write'), then fewest problems. So every correct
    alarm scores, and a shortfall is reported on the alarm the student meant for it.
    """
    alarms = list(alarms)
    costs: dict[tuple[str, str], tuple[int, int]] = {}
    options: list[list[AlarmView | None]] = []
    for requirement in REQUIREMENTS:
        candidates = [a for a in alarms if requirement.watches(a)]
        for alarm in candidates:
            costs[requirement.key, alarm.name] = _cost(requirement, alarm, table, topic_exists)
        candidates.sort(
            key=lambda a, r=requirement: (costs[r.key, a.name][0] > 0, costs[r.key, a.name][::-1])
        )
        options.append([*candidates[:6], None])

    def rank(pairing: tuple[AlarmView | None, ...]) -> tuple[int, int, int, int]:
        paired = [costs[r.key, a.name] for r, a in zip(REQUIREMENTS, pairing, strict=True) if a]
        met = sum(problems == 0 for problems, _ in paired)
        return -met, len(pairing) - len(paired), sum(h for _, h in paired), sum(p for p, _ in paired)

    pairings = [
        pairing
        for pairing in itertools.product(*options)
        if len({a.name for a in pairing if a}) == sum(a is not None for a in pairing)
    ]
    best = min(pairings, key=rank)
    return {r.key: a for r, a in zip(REQUIREMENTS, best, strict=True)}
