"""Reading a student's resources ahead: the checks then find every read made, a read that failed ahead
is made again by its check, only the graded tasks' reads are made, and reading ahead stops with the run."""

from __future__ import annotations

import functools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import pytest

from grader.assessment import GSI_NAME, LSI_NAME, TASKS
from grader.aws.resources import AT_ONCE, StudentResources, at_once
from grader.aws.session import Account
from grader.checks import index_reads
from grader.class_run.prefetch import Prefetch, read_ahead
from tests import harness

EVERY_TASK = frozenset(task.number for task in TASKS)


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> str:
    student_id = harness.new_student_id("ahead")
    harness.deploy_reference(moto_endpoint, student_id)
    return student_id


def counting(account: Account, with_params: bool = False) -> list[str]:
    """The operations the account's clients send from now on, from any thread (clients copy the
    session's handlers when made: these are registered on each client the account has made)."""
    calls: list[str] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append(model.name + (json.dumps(params, sort_keys=True, default=str) if with_params else ""))

    for service in ("dynamodb", "dynamodbstreams", "lambda", "iam", "cloudwatch", "sns"):
        account.client(service).meta.events.register("before-call", record)
    return calls


def what_the_checks_read(student: StudentResources) -> None:
    table, function = student.table, student.function
    assert table is not None and function is not None and table.latest_stream_arn
    student.tags, student.ttl, student.all_metric_alarms  # noqa: B018
    student.stream_status(table.latest_stream_arn)
    student.event_source_mappings(EventSourceArn=table.latest_stream_arn)
    role = student.role(function.role_arn.rsplit("/", 1)[-1])
    assert role is not None
    student.role_policies(role.name)
    for status, _ in index_reads.by_status(student.items):
        student.query_index(GSI_NAME, "status", status)
    busiest = index_reads.busiest_customer(student.items)
    assert busiest is not None
    student.query_index(LSI_NAME, "customer_id", busiest[0], descending=True)


def test_after_reading_ahead_the_checks_make_no_call(moto_endpoint: str, deployed: str) -> None:
    account = Account(harness.emulator_session(), moto_endpoint)
    student = read_ahead(StudentResources(account, deployed), EVERY_TASK, threading.Event())
    calls = counting(account)
    what_the_checks_read(student)
    assert calls == []


def test_a_read_that_failed_ahead_is_made_again_by_its_check(moto_endpoint: str, deployed: str) -> None:
    account = Account(harness.emulator_session(), moto_endpoint)
    ahead = [True]

    def throttled(model: Any, **_: Any) -> None:
        if ahead[0] and model.name == "DescribeTimeToLive":
            raise ConnectionError("throttled while reading ahead")

    account.session.events.register("before-call", throttled)  # clients made from now on carry it
    student = read_ahead(StudentResources(account, deployed), EVERY_TASK, threading.Event())
    ahead[0] = False
    calls = counting(account)
    assert student.ttl.attribute == "expiry_date"
    assert calls == ["DescribeTimeToLive"]


def test_prefetch_hands_over_at_once_and_no_read_is_made_twice(moto_endpoint: str, deployed: str) -> None:
    """The checks may ask while the student is still being read ahead: each read is made once,
    whichever thread asks first."""
    account = Account(harness.emulator_session(), moto_endpoint)
    calls = counting(account, with_params=True)
    prefetch = Prefetch(EVERY_TASK)
    try:
        prefetch.start(account, deployed)
        student = prefetch.take(account, deployed)
        what_the_checks_read(student)
    finally:
        prefetch.close()
    assert len(calls) == len(set(calls)), sorted(calls)
    assert prefetch.take(account, deployed) is not student, "taken once; a student read again is new"


def test_one_read_for_many_askers_and_a_failed_read_is_not_kept() -> None:
    student = StudentResources(Account(harness.emulator_session(), None), "alice")
    started, release, made = threading.Event(), threading.Event(), []

    def slow(name: str) -> str:
        made.append(name)
        started.set()
        release.wait(5)
        return name.upper()

    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(student._once, slow, "x")
        started.wait(5)
        others = [pool.submit(student._once, slow, "x") for _ in range(2)]
        release.set()
        assert [f.result() for f in (first, *others)] == ["X"] * 3
    assert made == ["x"]

    def failing(name: str) -> str:
        made.append(name)
        raise ConnectionError("throttled")

    with pytest.raises(ConnectionError):
        student._once(failing, "y")
    assert student._once(slow, "y") == "Y", "the failed read was made again"


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ({1}, {"DescribeTable", "ListTagsOfResource"}),
        ({11}, {"DescribeAlarms", "GetTopicAttributes"}),
        ({9, 12, 13}, set()),  # code tasks: nothing of the account
    ],
)
def test_only_the_graded_tasks_reads_are_made(
    moto_endpoint: str, deployed: str, tasks: set[int], expected: set[str]
) -> None:
    account = Account(harness.emulator_session(), moto_endpoint)
    calls = counting(account)
    read_ahead(StudentResources(account, deployed), frozenset(tasks), threading.Event())
    assert set(calls) == expected


def test_a_stopped_read_ahead_makes_no_more_reads(moto_endpoint: str, deployed: str) -> None:
    account = Account(harness.emulator_session(), moto_endpoint)
    calls = counting(account)
    stop = threading.Event()
    stop.set()
    read_ahead(StudentResources(account, deployed), EVERY_TASK, stop)
    assert calls == []


DEPENDS_ON = {
    "ListTagsOfResource": ("DescribeTable", None),
    "Scan": ("DescribeTable", None),
    "Query": ("Scan", None),
    "DescribeStream": ("DescribeTable", None),
    "ListEventSourceMappings": ("DescribeTable", None),
    "GetRole": ("GetFunctionConfiguration", None),
    "ListAttachedRolePolicies": ("GetRole", None),
    "ListRolePolicies": ("GetRole", None),
    "GetPolicy": ("ListAttachedRolePolicies", None),
    "GetPolicyVersion": ("GetPolicy", "PolicyArn"),
    "GetRolePolicy": ("ListRolePolicies", None),
    "GetTopicAttributes": ("DescribeAlarms", None),
}
"""Each read made ahead, and the read whose answer it needs (of the same parameter, when named)."""


class Timeline:
    """When each call of the account's clients starts and ends, with its parameters, from any thread;
    each is answered `latency` seconds late, as by an endpoint far away."""

    def __init__(self, account: Account, latency: float) -> None:
        self.calls: list[tuple[str, dict[str, Any], float, float]] = []
        self._lock = threading.Lock()

        def given(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["timeline"] = dict(params)

        def start(context: dict[str, Any], **_: Any) -> None:
            context["started"] = time.monotonic()
            time.sleep(latency)

        def end(model: Any, context: dict[str, Any], **_: Any) -> None:
            with self._lock:
                self.calls.append((model.name, context["timeline"], context["started"], time.monotonic()))

        for service in ("dynamodb", "dynamodbstreams", "lambda", "iam", "cloudwatch", "sns"):
            events = account.client(service).meta.events
            events.register("before-parameter-build", given)
            events.register("before-call", start)
            events.register("after-call", end)

    def made(self) -> list[str]:
        """Each call as its operation and parameters."""
        return [name + json.dumps(params, sort_keys=True, default=str) for name, params, *_ in self.calls]

    def most_at_once(self) -> int:
        """The most calls under way at the same time."""
        edges = sorted([(s, 1) for *_, s, _ in self.calls] + [(e, -1) for *_, e in self.calls])
        running = peak = 0
        for _, step in edges:
            running += step
            peak = max(peak, running)
        return peak

    def out_of_order(self) -> list[str]:
        """The calls made before every call whose answer they need had ended."""
        found = []
        for name, params, started, _ in self.calls:
            needed, shared = DEPENDS_ON.get(name, (None, None))
            ends = [
                end
                for other, given, _, end in self.calls
                if other == needed and (shared is None or given.get(shared) == params.get(shared))
            ]
            if needed and (not ends or max(ends) > started):
                found.append(f"{name} {params} started before {needed} ended")
        return found


def test_reads_are_made_at_once_each_once_and_after_what_they_need(moto_endpoint: str) -> None:
    """At 0.25 s a call, reading a student ahead overlaps the reads that do not depend on each other;
    no read is made twice, and none starts before the read whose answer it needs has ended (the role
    carries two attached policies and an inline one, so its policies are read at once too)."""
    student_id = harness.new_student_id("overlap")
    deployment = harness.deploy_reference(moto_endpoint, student_id)
    iam, role = deployment.client("iam"), deployment.names["role"]
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": "*"}]})  # fmt: skip
    own = iam.create_policy(PolicyName=f"{role}-own", PolicyDocument=document)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=own)
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=document)
    account = Account(harness.emulator_session(), moto_endpoint)
    timeline = Timeline(account, latency=0.25)
    started = time.monotonic()
    student = read_ahead(StudentResources(account, student_id), EVERY_TASK, threading.Event())
    wall = time.monotonic() - started
    made = timeline.made()
    assert len(made) == len(set(made)), sorted(made)
    assert timeline.out_of_order() == []
    assert timeline.most_at_once() >= 5, "independent reads overlap"
    assert wall < 0.25 * len(made) / 2, f"{wall:.1f} s for {len(made)} calls of 0.25 s"
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
    assert [name for name, _ in student.role_policies(role)] == [*attached, "inline"], "in the order listed"


def test_at_once_overlaps_a_bounded_number_and_keeps_the_order() -> None:
    """Forty reads (a student's many inline policies) overlap, at most AT_ONCE at a time; results come
    in the order asked, and the first failure in that order is the one met first."""
    lock, running, peak = threading.Lock(), [0], [0]

    def read(number: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        if number in (7, 3):
            raise ValueError(number)
        return number

    futures = at_once(*(functools.partial(read, number) for number in range(40)))
    assert 2 <= peak[0] <= AT_ONCE
    assert [f.result() for f in futures if not f.exception()] == [n for n in range(40) if n not in (7, 3)]
    assert next(f.exception() for f in futures if f.exception()).args == (3,)


def test_a_student_with_thousands_of_statuses_costs_reading_ahead_a_bounded_few(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The statuses are the student's own data: at most AT_ONCE queries are made ahead, and none once
    reading ahead is stopped (2,000 statuses made 2,000 queries, stop or no stop)."""
    from grader.class_run import prefetch

    monkeypatch.setattr(prefetch.index_reads, "require_index_keys", lambda *_: None)
    monkeypatch.setattr(prefetch.prerequisites, "index", lambda *_: None)
    queries: list[str] = []

    class Student:
        student_id, table_name = "many", "orders-many"
        table = type("Table", (), {"stream_enabled": False, "latest_stream_arn": None})()
        items: ClassVar[list[dict[str, str]]] = [
            {"customer_id": "C", "order_id": str(n), "status": f"s{n:04}", "order_date": "2026-01-01"}
            for n in range(2000)
        ]

        def query_index(self, _index: str, _key: str, value: str, **_: Any) -> list[Any]:
            queries.append(value)
            time.sleep(0.02)
            return []

    read_ahead(Student(), frozenset({5}), threading.Event())  # type: ignore[arg-type]
    assert len(queries) == AT_ONCE
    queries.clear()
    stopped = threading.Event()
    stopped.set()
    read_ahead(Student(), frozenset({5}), stopped)  # type: ignore[arg-type]
    assert queries == []
