"""The student's resources as the grader sees them: each looked up once per session, then cached.

Every method returns plain data (or None when the resource does not exist); the checks decide
what is right. Errors other than "not found" propagate and become grading errors.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from grader.assessment import function_name, table_name
from grader.aws import Account

NOT_FOUND_CODES = {"ResourceNotFoundException", "NoSuchEntity", "NotFound", "NotFoundException"}


def _not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES


def _policy_document(document: str | dict[str, Any]) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded on AWS and as JSON or dicts on emulators."""
    if isinstance(document, dict):
        return document
    return json.loads(unquote(document))


class StudentResources:
    """Cached, read-only lookups of one student's resources."""

    def __init__(self, account: Account, student_id: str) -> None:
        self.account = account
        self.student_id = student_id
        self.table_name = table_name(student_id)
        self.function_name = function_name(student_id)

    # DynamoDB -----------------------------------------------------------------------------------
    @functools.cached_property
    def table(self) -> dict[str, Any] | None:
        try:
            return self.account.client("dynamodb").describe_table(TableName=self.table_name)["Table"]
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise

    @functools.cached_property
    def tags(self) -> dict[str, str]:
        client = self.account.client("dynamodb")
        arn = self.table["TableArn"]
        tags: dict[str, str] = {}
        kwargs: dict[str, str] = {}
        while True:
            page = client.list_tags_of_resource(ResourceArn=arn, **kwargs)
            tags.update({tag["Key"]: tag["Value"] for tag in page.get("Tags", [])})
            if not page.get("NextToken"):
                return tags
            kwargs = {"NextToken": page["NextToken"]}

    @functools.cached_property
    def ttl(self) -> dict[str, Any]:
        client = self.account.client("dynamodb")
        return client.describe_time_to_live(TableName=self.table_name)["TimeToLiveDescription"]

    @functools.cached_property
    def items(self) -> list[dict[str, Any]]:
        """Every item of the table in DynamoDB's typed form, over every scan page."""
        paginator = self.account.client("dynamodb").get_paginator("scan")
        return [
            item for page in paginator.paginate(TableName=self.table_name) for item in page.get("Items", [])
        ]

    def query(self, **params: Any) -> list[dict[str, Any]]:
        """A Query on the student's table, every page, items in the order DynamoDB returned."""
        paginator = self.account.client("dynamodb").get_paginator("query")
        return [
            item
            for page in paginator.paginate(TableName=self.table_name, **params)
            for item in page.get("Items", [])
        ]

    @functools.cache  # noqa: B019 - cached for the session, like every lookup here
    def stream(self, stream_arn: str) -> dict[str, Any] | None:
        try:
            client = self.account.client("dynamodbstreams")
            return client.describe_stream(StreamArn=stream_arn)["StreamDescription"]
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise

    # Lambda -------------------------------------------------------------------------------------
    @functools.cached_property
    def function(self) -> dict[str, Any] | None:
        """The function's configuration, or None."""
        try:
            client = self.account.client("lambda")
            configuration = client.get_function_configuration(FunctionName=self.function_name)
            configuration.pop("ResponseMetadata", None)
            return configuration
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise

    @functools.cache  # noqa: B019
    def event_source_mappings(self, stream_arn: str) -> list[dict[str, Any]]:
        """Mappings from this stream (listed by stream ARN: emulators miss some by function)."""
        paginator = self.account.client("lambda").get_paginator("list_event_source_mappings")
        return [
            mapping
            for page in paginator.paginate(EventSourceArn=stream_arn)
            for mapping in page.get("EventSourceMappings", [])
        ]

    @functools.cache  # noqa: B019
    def function_event_source_mappings(self, function_arn: str) -> list[dict[str, Any]]:
        """Mappings into the function from any source (listed by its ARN, which emulators honour)."""
        paginator = self.account.client("lambda").get_paginator("list_event_source_mappings")
        return [
            mapping
            for page in paginator.paginate(FunctionName=function_arn)
            for mapping in page.get("EventSourceMappings", [])
        ]

    # IAM ----------------------------------------------------------------------------------------
    @functools.cache  # noqa: B019
    def role(self, role_name: str) -> dict[str, Any] | None:
        try:
            role = self.account.client("iam").get_role(RoleName=role_name)["Role"]
        except ClientError as exc:
            if _not_found(exc):
                return None
            raise
        role["AssumeRolePolicyDocument"] = _policy_document(role["AssumeRolePolicyDocument"])
        return role

    @functools.cache  # noqa: B019
    def role_policies(self, role_name: str) -> list[tuple[str, dict[str, Any]]]:
        """(name or ARN, document) of every policy attached to or inline in the role."""
        iam = self.account.client("iam")
        documents: list[tuple[str, dict[str, Any]]] = []
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                document = iam.get_policy_version(PolicyArn=arn, VersionId=version)
                documents.append((arn, _policy_document(document["PolicyVersion"]["Document"])))
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
            for name in page["PolicyNames"]:
                inline = iam.get_role_policy(RoleName=role_name, PolicyName=name)
                documents.append((name, _policy_document(inline["PolicyDocument"])))
        return documents

    # CloudWatch and SNS ------------------------------------------------------------------------
    @functools.cached_property
    def all_metric_alarms(self) -> list[dict[str, Any]]:
        """Every metric alarm in the region (whose are the student's is the checks' business)."""
        paginator = self.account.client("cloudwatch").get_paginator("describe_alarms")
        return [
            alarm
            for page in paginator.paginate(AlarmTypes=["MetricAlarm"])
            for alarm in page.get("MetricAlarms", [])
        ]

    @functools.cache  # noqa: B019
    def topic_exists(self, topic_arn: str) -> bool:
        try:
            self.account.client("sns").get_topic_attributes(TopicArn=topic_arn)
        except ClientError as exc:
            if _not_found(exc):
                return False
            raise
        return True
