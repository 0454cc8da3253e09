"""Task 8: the Lambda stream processor: its deployment (live checks), then its handler (in the sandbox)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from grader.aws import arns
from grader.aws.resources import StudentResources
from grader.aws.views import FunctionView, MappingView, RoleView, TableView
from grader.checks import iam_policy, prerequisites
from grader.failures import RequirementFailed, require
from grader.sandbox import judging, plans
from grader.sandbox.record import Record, Step

pytestmark = pytest.mark.task(8)

RUNTIME = "python3.12"
BATCH_SIZE = 10
HANDLER = re.compile(r"[A-Za-z_]\w*(?:[./][A-Za-z_]\w*)*\.[A-Za-z_]\w*")
LAMBDA_SERVICE = "lambda.amazonaws.com"
MAP_STREAM = (
    "create_event_source_mapping(EventSourceArn=<the table's LatestStreamArn>, FunctionName='{}', "
    f"BatchSize={BATCH_SIZE}, StartingPosition='LATEST')"
)


@pytest.fixture
def function(student: StudentResources) -> FunctionView:
    return prerequisites.function(student)


@pytest.fixture
def execution_role(student: StudentResources, function: FunctionView) -> RoleView:
    return prerequisites.role(student, function)


def _no_mapping(student: StudentResources, function: FunctionView, stream_arn: str) -> RequirementFailed:
    """No mapping reads the current stream: say what the function's mappings read instead."""
    mappings = student.event_source_mappings(FunctionName=function.arn)
    sources = [m.source_arn for m in mappings if m.source_arn]
    old = [s for s in sources if arns.parse(s).stream_table == student.table_name and s != stream_arn]
    if old:
        found = (
            f"the function's mapping reads stream {arns.parse(old[0]).stream_label}, an old stream of "
            f"{student.table_name} (the table was re-created or its stream turned off and on), not its "
            f"current stream {arns.parse(stream_arn).stream_label}"
        )
    elif sources:
        found = f"the function's event source mappings read {', '.join(sources)}, not the table's stream"
    else:
        found = f"no event source mapping feeds the stream of {student.table_name} to {student.function_name}"
    fix = "Delete the stale mapping and create one: " if old else "Create it: "
    return RequirementFailed(
        found, "a mapping from the table's current stream", fix + MAP_STREAM.format(student.function_name)
    )


@pytest.fixture
def mapping(function: FunctionView, table: TableView, student: StudentResources) -> MappingView:
    """The event source mapping from the table's current stream to the function (the best, if several)."""
    stream_arn = prerequisites.stream_arn(table)
    mappings = [
        m
        for m in student.event_source_mappings(EventSourceArn=stream_arn)
        if arns.parse(m.function_arn).name == student.function_name
    ]
    if not mappings:
        raise _no_mapping(student, function, stream_arn)
    return min(
        mappings,
        key=lambda m: (
            m.state != "Enabled",
            m.batch_size != BATCH_SIZE,
            m.starting_position != "LATEST",
        ),
    )


@pytest.mark.points(1)
def test_function_runtime(function: FunctionView) -> None:
    """function process-orders-stream-ID exists with runtime python3.12 and a module.function handler"""
    runtime = function.runtime or "none (container image)"
    require(
        runtime == RUNTIME,
        f"function {function.name} runs {runtime}",
        RUNTIME,
        f"Change it: update_function_configuration(Runtime='{RUNTIME}')",
    )
    handler = function.handler or ""
    require(
        HANDLER.fullmatch(handler) and not handler.rsplit(".", 1)[0].endswith(".py"),
        f"the function's handler is {handler!r}",
        "<module>.<function>, e.g. lambda_function.lambda_handler (no .py)",
        "Set it: update_function_configuration(Handler='lambda_function.lambda_handler')",
    )


@pytest.mark.points(1)
def test_role_trusts_lambda(execution_role: RoleView) -> None:
    """execution role trusts lambda.amazonaws.com"""
    trust = execution_role.trust_policy
    principals = [s.get("Principal") for s in iam_policy.statements(trust)]
    require(
        iam_policy.trusts_service(trust, LAMBDA_SERVICE),
        f"role {execution_role.name} lets {principals or 'nobody'} assume it",
        f"a trust policy allowing sts:AssumeRole to Service {LAMBDA_SERVICE}",
        "Edit the role's trust relationship: update_assume_role_policy(...) with that statement",
    )


@pytest.mark.points(1)
def test_role_can_read_stream(
    execution_role: RoleView, table: TableView, student: StudentResources
) -> None:
    """execution role can read the table's stream"""
    stream_arn = table.latest_stream_arn or f"{table.arn}/stream/1970-01-01T00:00:00.000"
    policies = student.role_policies(execution_role.name)
    documents = [document for _, document in policies]
    missing = iam_policy.missing_actions(documents, iam_policy.STREAM_READ_ACTIONS, stream_arn)
    names = ", ".join(arns.parse(name).name or name for name, _ in policies) or "none"
    require(
        not missing,
        f"role {execution_role.name} (policies: {names}) is not allowed {', '.join(missing)} "
        f"on {arns.parse(stream_arn).resource}",
        "stream read access",
        "Attach the managed policy AWSLambdaDynamoDBExecutionRole, or allow those actions on "
        f"{table.arn}/stream/*",
    )


@pytest.mark.points(1)
def test_mapping_from_current_stream(mapping: MappingView) -> None:
    """an Enabled event source mapping feeds the table's current stream to the function"""
    state = mapping.state or "unknown"
    require(
        state == "Enabled",
        f"the mapping from the stream is {state}",
        "Enabled",
        f"Enable it: update_event_source_mapping(UUID='{mapping.uuid}', Enabled=True)",
    )


@pytest.mark.points(1)
def test_mapping_batch_size(mapping: MappingView) -> None:
    """the mapping's batch size is 10"""
    require(
        mapping.batch_size == BATCH_SIZE,
        f"the mapping's batch size is {mapping.batch_size}",
        str(BATCH_SIZE),
        f"Change it: update_event_source_mapping(UUID='{mapping.uuid}', BatchSize={BATCH_SIZE})",
    )


@pytest.mark.points(1)
def test_mapping_starts_at_latest(mapping: MappingView) -> None:
    """the mapping's starting position is LATEST"""
    position = mapping.starting_position or "not reported"
    require(
        position == "LATEST",
        f"the mapping starts at {position}",
        "LATEST",
        "The starting position cannot change: delete the mapping and create it again with "
        "StartingPosition='LATEST'",
    )


# Handler behaviour: the checks that take lambda_function_run run the student's code in the sandbox.
HANDLER_FIX = "Run lambda_handler yourself on a sample stream event and fix the error it shows"
LOOP = "Loop over every record of event['Records'], not only the first"
PRINT_EACH = "Print a line for each record that needs one, as the INSERT and MODIFY checks describe"


def _handled(run: Record, event: str) -> Step:
    """The handler's step for one event; it must have returned normally."""
    step = run.step(event)
    require(
        step.finished,
        f"lambda_handler crashed on {event}{judging.stopped(step)}",
        "it to process the record and return",
        HANDLER_FIX,
    )
    return step


def _new(record: dict[str, Any], attribute: str) -> str:
    return judging.image(record, "NewImage")[attribute]


def _old(record: dict[str, Any], attribute: str) -> str:
    return judging.image(record, "OldImage")[attribute]


def _new_order_words(record: dict[str, Any]) -> list[str]:
    return [_new(record, name) for name in ("order_id", "customer_id", "status")]


def _new_order_line(step: Step, record: dict[str, Any]) -> str | None:
    return judging.printed_line(step, *_new_order_words(record))


def _change_line(step: Step, record: dict[str, Any]) -> str | None:
    return judging.change_line(step, _new(record, "order_id"), _old(record, "status"), _new(record, "status"))


def _logs_single_records(run: Record) -> bool:
    """The handler printed the right lines when given one record at a time: a batch loses the rest."""
    return bool(
        _new_order_line(run.step("INSERT"), plans.INSERT)
        and _change_line(run.step("MODIFY with a status change"), plans.STATUS_CHANGE)
    )


@pytest.mark.points(1)
def test_handler_reports_records_processed(lambda_function_run: Record) -> None:
    """lambda_handler returns statusCode 200 and the number of records processed"""
    for event, count in (("INSERT", 1), ("a batch of 3 records", 3)):
        step = _handled(lambda_function_run, event)
        require(
            judging.reports_count(step.result, count),
            f"on {event} lambda_handler returned {judging.show_result(step.result)}",
            f"{{'statusCode': 200, ...}} stating {count} record(s) processed (e.g. in 'body')",
            "Return {'statusCode': 200, 'body': json.dumps(f'Processed {len(event[\"Records\"])} records')}",
        )


@pytest.mark.points(1)
def test_handler_logs_new_orders(lambda_function_run: Record) -> None:
    """on INSERT it prints the new order's id, customer and status"""
    step = _handled(lambda_function_run, "INSERT")
    words = _new_order_words(plans.INSERT)
    note, fix = judging.dropped_log(
        step, "print the order_id, customer_id and status of record['dynamodb']['NewImage']", *words
    )
    require(
        _new_order_line(step, plans.INSERT),
        f"on INSERT of {words[0]} it printed {judging.show_lines(step)}{note}",
        f"a line naming {', '.join(words)}",
        fix,
    )


@pytest.mark.points(1)
def test_handler_logs_status_changes(lambda_function_run: Record) -> None:
    """on MODIFY with a new status it prints the order id with the old and the new status"""
    step = _handled(lambda_function_run, "MODIFY with a status change")
    order = _new(plans.STATUS_CHANGE, "order_id")
    old = _old(plans.STATUS_CHANGE, "status")
    new = _new(plans.STATUS_CHANGE, "status")
    note, fix = judging.dropped_log(
        step, "Compare OldImage and NewImage status; when they differ print both (old first)", order, new
    )
    require(
        _change_line(step, plans.STATUS_CHANGE),
        f"on {order} going from {old} to {new} it printed {judging.show_lines(step)}{note}",
        f"a line naming {order}, then {old}, then {new}",
        fix,
    )


@pytest.mark.points(1)
def test_handler_quiet_without_status_change(lambda_function_run: Record) -> None:
    """on MODIFY keeping the status it prints no status-change line"""
    step = _handled(lambda_function_run, "MODIFY without a status change")
    order = _new(plans.NO_STATUS_CHANGE, "order_id")
    line = judging.change_claim(step, order)
    require(
        line is None,
        f"{order} kept its status, yet the handler printed {line!r}",
        "no status-change line when OldImage and NewImage have the same status",
        "Print the change only when old_status != new_status",
    )


@pytest.mark.points(1)
def test_handler_survives_remove_and_missing_status(lambda_function_run: Record) -> None:
    """it does not crash on REMOVE or on images without status"""
    for event in ("REMOVE", "MODIFY of an item without status"):
        _handled(lambda_function_run, event)


@pytest.mark.points(1)
def test_handler_processes_each_record_of_a_batch(lambda_function_run: Record) -> None:
    """on a batch of records it logs each one that needs it"""
    step = _handled(lambda_function_run, "a batch of 3 records")
    created, changed, _ = plans.BATCH
    problems = []
    if not _new_order_line(step, created):
        problems.append(f"no line naming the new order {', '.join(_new_order_words(created))}")
    if not _change_line(step, changed):
        problems.append(f"no status-change line for {_new(changed, 'order_id')}")
    if not step.lines:
        problems = ["it printed nothing"]
    hint = LOOP if _logs_single_records(lambda_function_run) else PRINT_EACH
    note, fix = judging.dropped_log(step, hint)
    require(
        not problems,
        f"on a batch of 3 records: {'; '.join(problems)}{note}",
        "one line per record that needs one",
        fix,
    )
