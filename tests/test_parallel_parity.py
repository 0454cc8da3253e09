"""Serial, -n 2 and -n 4 runs write byte-identical grade files, for a correct and a broken deployment;
with -n the checks of the student's files run on one worker (each file runs once)."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from grader.class_run.student_scheduling import code_files
from solution.deploy import Deployment
from tests import harness
from tests.faultproxy import Faults, fault_proxy

# Timeout: three full grading runs per test, on a loaded 2-core machine
pytestmark = [pytest.mark.long, pytest.mark.timeout(600)]

WORKERS = ("0", "2", "4")


def break_several_tasks(deployment: Deployment) -> None:
    """Mistakes across tasks, so failure messages (with their lists of names) are compared too."""
    ddb, names = deployment.client("dynamodb"), deployment.names
    table = ddb.describe_table(TableName=names["table"])["Table"]
    ddb.untag_resource(ResourceArn=table["TableArn"], TagKeys=["Application"])
    keys = sorted(
        (item["customer_id"]["S"], item["order_id"]["S"])
        for item in ddb.scan(TableName=names["table"])["Items"]
    )
    for customer, order in keys[:8]:  # 12 complete orders left: task 4 fails, naming the bad ones
        ddb.delete_item(
            TableName=names["table"], Key={"customer_id": {"S": customer}, "order_id": {"S": order}}
        )
    for order in range(3):
        ddb.put_item(
            TableName=names["table"],
            Item={
                "customer_id": {"S": f"CUST9{order}"},
                "order_id": {"S": f"ORD9{order}"},
                "order_date": {"S": "2024-01-15T10:00:00Z"},
                "status": {"S": "lost"},
                "total_amount": {"S": "12.50"},
                "quantity": {"N": "1"},
            },
        )
    deployment.client("cloudwatch").delete_alarms(AlarmNames=[names["gsi_alarm"]])
    lam = deployment.client("lambda")
    for mapping in lam.list_event_source_mappings(EventSourceArn=table["LatestStreamArn"])[
        "EventSourceMappings"
    ]:
        lam.update_event_source_mapping(UUID=mapping["UUID"], BatchSize=100)


def _workers_of_code_checks(output: str) -> dict[str, set[str]]:
    """Verbose xdist output -> the workers that ran each code task module's checks."""
    line = re.compile(r"^\[(gw\d+)\] \[\s*\d+%\] [A-Z ]+ tests_assessment/(test_\w+\.py)::", re.MULTILINE)
    workers: dict[str, set[str]] = {}
    for worker, module in line.findall(output):
        if module in code_files():
            workers.setdefault(module, set()).add(worker)
    return workers


def _differences(serial: bytes, other: bytes, label: str) -> str:
    """The lines of the grade file that differ, to say which check a run graded differently."""
    diff = difflib.unified_diff(
        serial.decode().splitlines(), other.decode().splitlines(), "serial", label, lineterm=""
    )
    return "\n".join(diff)


@pytest.mark.parametrize("broken", [False, True], ids=["reference", "broken"])
def test_grade_file_is_the_same_however_many_workers(
    broken: bool, moto_endpoint: str, tmp_path: Path
) -> None:
    student_id = harness.new_student_id("par")
    deployment = harness.deploy_reference(moto_endpoint, student_id)
    if broken:
        break_several_tasks(deployment)
    solution = f"--submission-dir={harness.PROJECT_ROOT / 'solution'}"
    grades: dict[str, bytes] = {}
    for workers in WORKERS:
        (tmp_path / workers).mkdir()
        run = harness.grade_on(moto_endpoint, student_id, tmp_path / workers, solution, "-n", workers, "-v")
        assert run.grade is not None, run.output
        grades[workers] = (tmp_path / workers / "grade.json").read_bytes()
        if workers != "0":
            used = _workers_of_code_checks(run.output)
            assert set(used) == code_files() and len(set().union(*used.values())) == 1, used
    serial = grades["0"]
    for workers, grade in grades.items():
        assert grade == serial, _differences(serial, grade, f"-n {workers}")
    not_passed = harness.GraderRun(0, "", json.loads(serial), tmp_path).not_passed()
    if broken:
        assert {task for task, _ in not_passed} >= {1, 4, 8, 11}, not_passed
    else:
        assert not any(status == "failed" for status in not_passed.values()), not_passed


def test_grade_file_is_the_same_at_network_latency(moto_endpoint: str, tmp_path: Path) -> None:
    """A broken deployment graded straight and through a proxy answering each call 40 ms late: the reads
    made at once then finish in another order, and race the checks that ask for them; the grade file
    is the same byte for byte."""
    student_id = harness.new_student_id("lat")
    break_several_tasks(harness.deploy_reference(moto_endpoint, student_id))
    solution = f"--submission-dir={harness.PROJECT_ROOT / 'solution'}"
    grades: dict[str, bytes] = {}
    with fault_proxy(moto_endpoint, Faults(latency=0.04)) as proxy:
        for name, endpoint in (("straight", moto_endpoint), ("40 ms", proxy.endpoint_url)):
            (tmp_path / name).mkdir()
            run = harness.grade_on(endpoint, student_id, tmp_path / name, solution)
            assert run.grade is not None, run.output
            grades[name] = (tmp_path / name / "grade.json").read_bytes()
    assert grades["40 ms"] == grades["straight"], _differences(grades["straight"], grades["40 ms"], "40 ms")
