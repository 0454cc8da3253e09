"""The student's resources as the grader sees them: each looked up once per student, then kept.

Every lookup returns a view of grader/aws/views.py or plain values (None when the resource does not
exist); the checks decide what is right. Errors other than "not found" propagate and become grading
errors. What is kept belongs to the instance (one per student), so a student's answers are freed with
their StudentResources.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from grader.assessment import function_name, table_name
from grader.aws.session import Account
from grader.aws.views import (
    AlarmView,
    FunctionView,
    Item,
    MappingView,
    RoleView,
    TableView,
    TtlView,
    plain_item,
    policy_document,
)
from grader.states import require_built, settled

AWS_MANAGED = "arn:aws:iam::aws:policy/"
"""AWS managed policies are the same for every student: their documents are read once per run."""
NOT_FOUND_CODES = {"ResourceNotFoundException", "NoSuchEntity", "NotFound", "NotFoundException"}
T = TypeVar("T")


def _not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES


def _or_none(read: Callable[[], T]) -> T | None:
    """What read returns, or None when AWS says the resource does not exist."""
    try:
        return read()
    except ClientError as exc:
        if _not_found(exc):
            return None
        raise


def _paginate(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """The entries under key of every page of the operation."""
    pages = client.get_paginator(operation).paginate(**params)
    return [entry for page in pages for entry in page.get(key, [])]


AT_ONCE = 16
"""The most reads at_once makes at the same time: a student's hundred inline policies or distinct
statuses are read sixteen at a time, not in a hundred threads."""


def at_once(*reads: Callable[[], Any]) -> list[Future[Any]]:
    """The reads made at the same time (at most AT_ONCE), each in a thread of its own; their futures,
    once every read is done. Reading their results in order meets the first failure in that order, as
    reading one after the other would (round trips overlap: the wait is the slowest read's, not the sum)."""
    with ThreadPoolExecutor(max_workers=min(max(len(reads), 1), AT_ONCE), thread_name_prefix="read") as pool:
        return [pool.submit(read) for read in reads]


def _kept(read: Callable[[StudentResources], T]) -> property:
    """A property read once per student (through StudentResources._once)."""
    return property(functools.wraps(read)(lambda self: self._once(read.__get__(self))))


class StudentResources:
    """Read-only lookups of one student's resources, each made once."""

    def __init__(self, account: Account, student_id: str) -> None:
        self.account = account
        self.student_id = student_id
        self.table_name = table_name(student_id)
        self.function_name = function_name(student_id)
        self._kept: dict[Hashable, Future[Any]] = {}
        self._lock = threading.Lock()

    def _once(self, read: Callable[..., T], *args: Hashable) -> T:
        """read(*args), made the first time it is asked for and kept for this student.

        The student's reads may be made ahead in another thread (grader/class_run/prefetch.py): a read under
        way there is waited for, never made twice, and one that failed there is made again here.
        """
        key = (read.__name__, *args)
        while True:
            with self._lock:
                pending, mine = self._kept.get(key), key not in self._kept
                if pending is None:
                    pending = self._kept[key] = Future()
            if mine:
                try:
                    pending.set_result(read(*args))
                except BaseException as exc:  # not kept: whoever asks next reads again
                    with self._lock:
                        del self._kept[key]
                    pending.set_exception(exc)
                    raise
                return pending.result()
            try:
                return pending.result()
            except BaseException as exc:
                if not (pending.done() and pending.exception() is exc):
                    raise  # this thread was interrupted while waiting (a check's time limit)

    # DynamoDB -----------------------------------------------------------------------------------
    @_kept
    def table(self) -> TableView | None:
        client = self.account.client("dynamodb")
        table = _or_none(lambda: client.describe_table(TableName=self.table_name)["Table"])
        return None if table is None else TableView.from_aws(table)

    @_kept
    def tags(self) -> dict[str, str]:
        assert self.table is not None, "tags are read of an existing table"
        client = self.account.client("dynamodb")
        tags = _paginate(client, "list_tags_of_resource", "Tags", ResourceArn=self.table.arn)
        return {tag["Key"]: tag["Value"] for tag in tags}

    @_kept
    def ttl(self) -> TtlView:
        client = self.account.client("dynamodb")
        return TtlView.from_aws(
            client.describe_time_to_live(TableName=self.table_name)["TimeToLiveDescription"]
        )

    @_kept
    def items(self) -> list[Item]:
        """Every item of the table in plain values, over every scan page (not graded while AWS is still
        creating the table)."""
        if self.table is not None:
            require_built(self.table_name, self.table.status)
        client = self.account.client("dynamodb")
        return [plain_item(item) for item in _paginate(client, "scan", "Items", TableName=self.table_name)]

    def query_index(self, index: str, attribute: str, value: str, descending: bool = False) -> list[Item]:
        """The items whose `attribute` (the index's string partition key) is `value`, from the index,
        every page, in the order DynamoDB returned them (sort key descending when asked), in plain values."""
        return self._once(self._query_index, index, attribute, value, descending)

    def _query_index(self, index: str, attribute: str, value: str, descending: bool) -> list[Item]:
        client = self.account.client("dynamodb")
        found = _paginate(
            client,
            "query",
            "Items",
            TableName=self.table_name,
            IndexName=index,
            KeyConditionExpression="#key = :value",
            ExpressionAttributeNames={"#key": attribute},  # a placeholder: `status` is a reserved word
            ExpressionAttributeValues={":value": {"S": value}},
            ScanIndexForward=not descending,
        )
        return [plain_item(item) for item in found]

    def stream_status(self, stream_arn: str) -> str | None:
        """The stream's StreamStatus (ENABLED, DISABLED ...; ENABLING reads as ENABLED), or None when there
        is no such stream."""
        return self._once(self._stream_status, stream_arn)

    def _stream_status(self, stream_arn: str) -> str | None:
        client = self.account.client("dynamodbstreams")
        stream = _or_none(lambda: client.describe_stream(StreamArn=stream_arn)["StreamDescription"])
        return None if stream is None else settled(stream["StreamStatus"])

    # Lambda -------------------------------------------------------------------------------------
    @_kept
    def function(self) -> FunctionView | None:
        client = self.account.client("lambda")
        configuration = _or_none(lambda: client.get_function_configuration(FunctionName=self.function_name))
        return None if configuration is None else FunctionView.from_aws(configuration)

    def event_source_mappings(self, **by: str) -> list[MappingView]:
        """Mappings by EventSourceArn= (from a stream: emulators miss some listed by function) or by
        FunctionName= (into a function, by its ARN, from any source)."""
        return self._once(self._mappings, *sorted(by.items()))

    def _mappings(self, *by: tuple[str, str]) -> list[MappingView]:
        client = self.account.client("lambda")
        mappings = _paginate(client, "list_event_source_mappings", "EventSourceMappings", **dict(by))
        return [MappingView.from_aws(mapping) for mapping in mappings]

    # IAM ----------------------------------------------------------------------------------------
    def role(self, role_name: str) -> RoleView | None:
        return self._once(self._role, role_name)

    def _role(self, role_name: str) -> RoleView | None:
        role = _or_none(lambda: self.account.client("iam").get_role(RoleName=role_name)["Role"])
        return None if role is None else RoleView.from_aws(role)

    def role_policies(self, role_name: str) -> list[tuple[str, dict[str, Any]]]:
        """(name or ARN, document) of every policy attached to or inline in the role."""
        return self._once(self._role_policies, role_name)

    def _role_policies(self, role_name: str) -> list[tuple[str, dict[str, Any]]]:
        iam = self.account.client("iam")
        attached, inline = at_once(
            lambda: _paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role_name),
            lambda: _paginate(iam, "list_role_policies", "PolicyNames", RoleName=role_name),
        )
        arns = [policy["PolicyArn"] for policy in attached.result()]
        names = [] if inline.exception() else inline.result()
        documents = at_once(
            *(functools.partial(self._attached_policy, arn) for arn in arns),
            *(functools.partial(self._inline_policy, role_name, name) for name in names),
        )
        found = [(arn, document.result()) for arn, document in zip(arns, documents[: len(arns)], strict=True)]
        inline.result()  # its failure comes after the attached policies' ones, as read one after the other
        inlined = zip(names, documents[len(arns) :], strict=True)
        return found + [(name, document.result()) for name, document in inlined]

    def _attached_policy(self, arn: str) -> dict[str, Any]:
        read = functools.partial(self._managed_policy, arn)
        return self.account.shared(arn, read) if arn.startswith(AWS_MANAGED) else read()

    def _inline_policy(self, role_name: str, name: str) -> dict[str, Any]:
        inline = self.account.client("iam").get_role_policy(RoleName=role_name, PolicyName=name)
        return policy_document(inline["PolicyDocument"])

    def _managed_policy(self, arn: str) -> dict[str, Any]:
        iam = self.account.client("iam")
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)
        return policy_document(document["PolicyVersion"]["Document"])

    # CloudWatch and SNS ------------------------------------------------------------------------
    @property
    def all_metric_alarms(self) -> list[AlarmView]:
        """Every metric alarm in the region (whose are the student's is the checks' business), read
        once per run: a class's students share the answer."""
        return self.account.shared("metric alarms", self._metric_alarms)

    def _metric_alarms(self) -> list[AlarmView]:
        client = self.account.client("cloudwatch")
        alarms = _paginate(client, "describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])
        return [AlarmView.from_aws(alarm) for alarm in alarms]

    def topic_exists(self, topic_arn: str) -> bool:
        return self._once(self._topic_exists, topic_arn)

    def _topic_exists(self, topic_arn: str) -> bool:
        client = self.account.client("sns")
        return _or_none(lambda: client.get_topic_attributes(TopicArn=topic_arn)) is not None
