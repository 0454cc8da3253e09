"""Preparing a student's sandbox, graded for real: whatever is wrong with one checkout is that student's
failure with its reason, never an error and never a classmate's; helper modules are copied beside the
six files; source bytes pass unchanged; nothing one file leaves behind reaches the next.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from grader.failures import GraderError
from grader.sandbox import isolation, runner, submission
from grader.sandbox.plans import QUERY_GSI, QUERY_LSI
from tests import harness

SOLUTION = harness.PROJECT_ROOT / "solution"
FILE_CAP, HELPERS = 1 << 20, 20
"""SPEC (The student's code): each file at most 1 MiB; at most 20 helper modules."""
pytestmark = pytest.mark.skipif(
    isolation.probe("namespaces") is not None and not os.environ.get("CI"),
    reason=f"namespaces unavailable here: {isolation.probe('namespaces')} (CI requires them)",
)

HELPED_QUERY = """
from orders_common import TABLE_NAME, orders_in_status
import boto3

état = "pending"
orders = orders_in_status(boto3.resource("dynamodb").Table(TABLE_NAME), état)
print(f"{len(orders)} {état} orders, oldest first:")
for order in orders:
    print(f"  {order['order_id']} → {order['order_date']}")
"""
"""query_gsi.py doing its work through a helper module, with an accented name and the seed's arrow."""

PLANTS = ("/dev/shm/planted", "/var/tmp/planted", "/planted", "/run/planted", "/etc/planted")
IPC = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
KEY, QUEUE = 0x5EED, b"/planted"
"""
PLANT = (
    IPC
    + f"""
libc.shmget(KEY, 4096, 0o1600), libc.semget(KEY, 1, 0o1600), libc.msgget(KEY, 0o1600)
libc.mq_open(QUEUE, os.O_CREAT | os.O_RDWR, 0o600, None)
for path in {PLANTS!r}:
    try:
        open(path, "w").write("x")
    except OSError:
        pass
"""
)
"""Planted by a student's first file (which then does its work): SysV IPC objects, a POSIX message
queue, files outside /tmp and home."""
FIND = (
    IPC
    + f"""
found = [path for path in {PLANTS!r} if os.path.exists(path)]
left = {{"shm": libc.shmget(KEY, 0, 0), "sem": libc.semget(KEY, 0, 0), "msg": libc.msgget(KEY, 0),
        "mqueue": libc.mq_open(QUEUE, os.O_RDWR, 0o600, None)}}
found += [kind for kind, identifier in left.items() if identifier >= 0]
if found:
    raise SystemExit(f"left by the file before: {{found}}")
"""
)
"""The student's next file: it fails if anything of the first one is still there."""


def _checkout(root: Path, name: str, files: dict[str, str | None]) -> Path:
    """The reference submission with files replaced (text) or removed (None, for the caller to put
    something else in their place)."""
    folder = root / name
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__", "deploy.py", "orders.py"))
    for file, text in files.items():
        (folder / file).unlink()
        if text is not None:
            (folder / file).write_text(textwrap.dedent(text))
    return folder


def _class(root: Path) -> dict[str, Path]:
    """Correct classmates around checkouts that go wrong in every way a file can (id prefix -> folder)."""
    names = ("query_gsi.py", "query_lsi.py", "lambda_function.py", "batch_operations.py", "read_patterns.py")
    hostile = _checkout(root, "hostile", dict.fromkeys(names))
    (hostile / "query_gsi.py").write_text("import orders_common\n")
    (hostile / "orders_common.py").mkdir()  # a helper that is not a file
    (hostile / "query_lsi.py").mkdir()
    (hostile / "lambda_function.py").symlink_to(SOLUTION / "lambda_function.py")
    os.mkfifo(hostile / "batch_operations.py")
    large = (SOLUTION / "read_patterns.py").read_text() + "#" * FILE_CAP
    (hostile / "read_patterns.py").write_text(large)
    helped = _checkout(root, "helped", {"query_gsi.py": HELPED_QUERY})
    shutil.copy(SOLUTION / "query_gsi.py", helped / "orders_common.py")
    crowded = _checkout(root, "crowded", {"query_gsi.py": HELPED_QUERY})
    shutil.copy(SOLUTION / "query_gsi.py", crowded / "orders_common.py")
    for number in range(HELPERS + 1):  # by name, all before orders_common
        (crowded / f"aa{number:02}.py").write_text("VALUE = 1\n")
    gsi, lsi = (SOLUTION / "query_gsi.py").read_text(), (SOLUTION / "query_lsi.py").read_text()
    planter = _checkout(root, "planter", {"query_gsi.py": PLANT + gsi, "query_lsi.py": FIND + lsi})
    return {"first": SOLUTION, "hostile": hostile, "helped": helped, "crowded": crowded,
            "planter": planter, "last": SOLUTION}  # fmt: skip


@pytest.fixture(scope="module")
def klass(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The class deployed (every student's account holds the reference): student id -> checkout."""
    folders = _class(tmp_path_factory.mktemp("checkouts"))
    students = {harness.new_student_id(prefix): folder for prefix, folder in folders.items()}
    for student in students:
        harness.deploy_reference(moto_endpoint, student)
    return students


def _messages(grade: dict[str, Any]) -> dict[int, str]:
    """Task number -> the messages of its checks that did not pass."""
    return {task["task"]: " | ".join(c["message"] for c in task["checks"] if c["status"] != "passed")
            for task in grade["tasks"]}  # fmt: skip


FAILED_WITH = {
    5: "orders_common.py was not copied into the sandbox: it is a directory",
    6: "query_lsi.py is a directory; expected submission/query_lsi.py as a regular file",
    8: "lambda_function.py is a symbolic link",
    9: "batch_operations.py is a named pipe (FIFO)",
    13: "read_patterns.py is larger than 1 MiB",
}
"""What the hostile checkout's tasks say (the code check of each; its conditional_writes.py is fine)."""


@pytest.mark.long
@pytest.mark.timeout(600)
@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "n2"])
def test_a_hostile_checkout_costs_only_its_student(
    moto_endpoint: str, klass: dict[str, Path], tmp_path: Path, workers: tuple[str, ...]
) -> None:
    """Serially the next students' sandboxes are prepared inside the current student's checks: a
    checkout whose files are a directory, a link, a FIFO, too large, or import a helper that is a
    directory fails its own code checks with the reason, and every classmate is complete at full marks.
    Helper modules are imported beside the six (at most 20); nothing one file planted (SysV IPC,
    /dev/shm, files outside /tmp and home) reaches the student's next file."""
    runs = harness.grade_class(moto_endpoint, klass, tmp_path, *workers)
    ids = dict(zip(("first", "hostile", "helped", "crowded", "planter", "last"), klass, strict=True))
    output = next(iter(runs.values())).output
    for role in ("first", "helped", "planter", "last"):
        grade = runs[ids[role]].grade
        assert grade is not None, output
        assert (grade["score"], grade["complete"]) == (100, True), (role, runs[ids[role]].not_passed())
    hostile = runs[ids["hostile"]]
    assert hostile.grade is not None and hostile.grade["complete"], (hostile.not_passed(), output)
    messages = _messages(hostile.grade)
    for task, says in FAILED_WITH.items():
        assert says in messages[task], (task, messages[task])
    assert hostile.task(12)["status"] == "passed"
    crowded = runs[ids["crowded"]]
    assert crowded.grade is not None and crowded.grade["complete"], output
    assert set(crowded.not_passed()) == {(5, crowded.check(5, "query_gsi.py")["name"])}, crowded.not_passed()
    assert (
        "orders_common.py was not copied into the sandbox: it is beyond the first 20"
        in _messages(crowded.grade)[5]
    )


def _config(folder: Path, mode: str) -> runner.SandboxConfig:
    return runner.SandboxConfig(folder, "orders-probe", "probe", "us-east-1", 20, mode)  # type: ignore[arg-type]


def test_source_bytes_pass_unchanged(tmp_path: Path) -> None:
    """A UTF-8 identifier runs and the seed's arrow prints as itself (they were decoded as Latin-1)."""
    (tmp_path / QUERY_GSI.file).write_text("café = '→'\nprint(café, 'ok')\n", encoding="utf-8")
    record = runner.run(QUERY_GSI, _config(tmp_path, isolation.choose("auto")[0]))
    assert record.problem is None and record.step("run").stdout == "→ ok\n", record.steps


def test_a_helper_with_a_non_ascii_name_is_imported(tmp_path: Path) -> None:
    """An honest helper module named in Spanish is copied beside the file and imported (it was left out)."""
    (tmp_path / "común.py").write_text("FLECHA = '→'\n", encoding="utf-8")
    (tmp_path / QUERY_GSI.file).write_text("from común import FLECHA\nprint(FLECHA)\n", encoding="utf-8")
    record = runner.run(QUERY_GSI, _config(tmp_path, isolation.choose("auto")[0]))
    assert record.problem is None and record.step("run").stdout == "→\n", record.steps


@pytest.mark.parametrize("mode", [m for m in ("namespaces", "uid") if isolation.probe(m) is None])
def test_nothing_planted_by_one_file_reaches_the_next(mode: str, tmp_path: Path) -> None:
    """SysV IPC objects, POSIX message queues, /dev/shm and files outside /tmp and home: gone (or never
    made) before the student's next file runs in the same warm sandbox."""
    (tmp_path / QUERY_GSI.file).write_text(textwrap.dedent(PLANT))
    (tmp_path / QUERY_LSI.file).write_text(textwrap.dedent(FIND) + "print('clean')\n")
    with runner.SandboxPool(_config(tmp_path, mode)) as pool:
        first, second = pool.run(QUERY_GSI), pool.run(QUERY_LSI)
    assert first.problem is None and first.step("run").finished, first.steps
    assert second.step("run").stdout == "clean\n", second.step("run")


def test_a_failure_preparing_a_sandbox_stays_with_its_student(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever raises while a student's checkout is read (a grader bug) neither escapes the pool,
    which may be built ahead inside another student's checks, nor reaches anyone but that student."""

    def broken(folder: Path) -> None:
        raise RuntimeError(f"cannot prepare {folder.name}")

    monkeypatch.setattr(submission, "read", broken)
    pool = runner.SandboxPool(_config(tmp_path, "none"))  # does not raise
    with pool, pytest.raises(GraderError, match="preparing the sandbox failed: RuntimeError: cannot prepare"):
        pool.record(QUERY_GSI)
