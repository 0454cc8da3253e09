"""What a submission file can see and do inside each isolation mode, and how the run's isolation is chosen."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from grader.sandbox import isolation, runner
from grader.sandbox.plans import QUERY_GSI, QUERY_LSI
from grader.sandbox.policy import isolation_header
from grader.sandbox.record import Record
from tests import harness

TABLE = "orders-probe"
ROOT_MODES = [m for m in ("namespaces", "uid") if isolation.probe(m) is None]


def run(folder: Path, source: str, mode: str, student_id: str = "probe", timeout: float = 20) -> Record:
    (folder / QUERY_GSI.file).write_text(textwrap.dedent(source))
    config = runner.SandboxConfig(folder, TABLE, student_id, "us-east-1", timeout, mode)  # type: ignore[arg-type]
    return runner.run(QUERY_GSI, config)


def _processes_with(marker: str) -> list[str]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"STUDENT_ID={marker}".encode() in environ.read_bytes().split(b"\0"):
                found.append(environ.parent.name)
        except OSError:
            continue
    return found


def test_ci_isolates_with_namespaces() -> None:
    """CI runs where namespaces work: a machine that lost them must fail here, not degrade silently."""
    if not os.environ.get("CI"):
        pytest.skip("outside CI a developer's machine may lack namespaces (the grader then says so)")
    assert isolation.choose("auto") == ("namespaces", [])


@pytest.mark.skipif(isolation.probe("namespaces") is not None, reason="namespaces unavailable here")
def test_the_namespace_sandbox_holds_the_submission_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "query_lsi.py").write_text("print('another file of the submission')\n")
    (tmp_path / "notes.txt").write_text("not a submission file\n")
    source = f"""
        import os, socket
        print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
        print("uid", os.getuid(), "host", socket.gethostname())
        print("cwd", sorted(os.listdir(".")))
        project = {str(harness.PROJECT_ROOT)!r}
        print("project", *(os.path.exists(f"{{project}}/{{name}}") for name in ("solution", "grader")))
        print("secrets", os.path.exists("/root/.aws"), os.path.exists("/etc/shadow"))
        print("home", sorted(os.listdir(os.path.expanduser("~"))))
        print("net", sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]))
        try:
            open("/usr/lib/planted", "w")
        except OSError as exc:
            print("usr", exc.errno)
        """
    stdout = run(tmp_path, source, "namespaces").step("run").stdout
    lines = dict(line.split(" ", 1) for line in stdout.splitlines())
    assert len(eval(lines["pids"])) <= 4, lines["pids"]  # bwrap's init, the warm process, the student's
    assert lines["uid"] == "65534 host sandbox"
    assert lines["cwd"] == "['query_gsi.py', 'query_lsi.py']"
    assert lines["project"] == "False False" and lines["secrets"] == "False False" and lines["home"] == "[]"
    assert lines["net"] == "['lo']" and lines["usr"] == "30"  # EROFS


@pytest.mark.parametrize("mode", ROOT_MODES)
def test_a_daemon_does_not_outlive_its_run(mode: str, tmp_path: Path) -> None:
    marker = harness.new_student_id("daemon")
    source = """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(60)
            os._exit(0)
        print("started")
        """
    record = run(tmp_path, source, mode, student_id=marker)
    assert record.step("run").stdout == "started\n"
    assert _processes_with(marker) == []


@pytest.mark.skipif(os.geteuid() != 0 or isolation.probe("uid") is not None, reason="uid mode needs root")
def test_uid_mode_runs_as_its_own_user_and_hides_the_project(tmp_path: Path) -> None:
    source = f"""
        import os
        print(os.getuid(), os.path.exists({str(harness.PROJECT_ROOT / "solution")!r}))
        for path in ("/root/.aws", {str(harness.PROJECT_ROOT / "grader")!r}):
            print(os.path.exists(path))
        """
    uid, solution, *hidden = run(tmp_path, source, "uid").step("run").stdout.split()
    assert int(uid) in isolation.UID_RANGE and solution == "False" and hidden == ["False", "False"]


@pytest.mark.skipif(isolation.probe("namespaces") is not None, reason="namespaces unavailable here")
def test_a_fork_bomb_is_bounded(tmp_path: Path) -> None:
    source = """
        import os, time
        count = 0
        try:
            for _ in range(10_000):
                if os.fork() == 0:
                    time.sleep(20)
                    os._exit(0)
                count += 1
        except OSError as exc:
            print("stopped", count, exc.errno)
        """
    stdout = run(tmp_path, source, "namespaces").step("run").stdout
    stopped, count, errno = stdout.split()
    assert stopped == "stopped" and int(count) < runner.LIMITS["RLIMIT_NPROC"] and errno == "11"  # EAGAIN


TO_EVERY_FD = (
    "import os, time\nfor fd in range(3, 64):\n    try:\n        os.write(fd, {data})\n"
    "    except OSError:\n        pass\ntime.sleep(5)\n"
)


@pytest.mark.parametrize(
    ("source", "kind", "phrase"),
    [
        (TO_EVERY_FD.format(data="b'\\x00\\x00\\x00\\x07garbage'"), "garbage", "7 bytes that are not JSON"),
        (TO_EVERY_FD.format(data="(1 << 30).to_bytes(4, 'big')"), "oversize", "at most 1048576"),
        ("import os\nos.closerange(0, 1024)\nos._exit(3)\n", "died", "run"),
    ],
    ids=["garbage", "oversize", "closed-channel"],
)
def test_what_the_process_sends_wrongly_is_its_failure(
    source: str, kind: str, phrase: str, tmp_path: Path
) -> None:
    mode = isolation.choose("auto")[0]
    record = run(tmp_path, source, mode, timeout=8)
    assert record.problem is not None and record.problem["kind"] == kind, record.problem
    assert phrase in record.problem["detail"]


def test_the_header_warns_when_isolation_is_weaker() -> None:
    assert isolation_header("namespaces", []) == ["student code isolation: namespaces (bubblewrap)"]
    (line,) = isolation_header("none", ["namespaces: bubblewrap (bwrap) is not installed"])
    assert line.startswith("WARNING: student code isolation: none") and "bwrap" in line


def test_isolation_choice_is_checked(tmp_path: Path) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text("alice\n")
    bogus = harness.run_grader(tmp_path, "--student-id=a", "--target=moto", "--isolation=bogus", "--co")
    assert bogus.exit_code == 4 and "invalid --isolation 'bogus'" in bogus.output
    grades = f"--grades-dir={tmp_path / 'grades'}"
    roster_none = (f"--roster={roster}", grades, "--target=moto", "--isolation=none", "--co")
    refused = harness.run_grader(tmp_path, *roster_none)
    assert refused.exit_code == 4 and "--roster grades other people's code" in refused.output
    assert "--unsafe-no-isolation" in refused.output
    accepted = harness.run_grader(tmp_path, *roster_none, "--unsafe-no-isolation")
    assert accepted.exit_code != 4 and "tests collected" in accepted.output, accepted.output


@pytest.mark.parametrize("mode", ROOT_MODES)
def test_nothing_of_one_file_reaches_the_next(mode: str, tmp_path: Path) -> None:
    """A student's files share a warm sandbox: between them, processes, writes and connections end."""
    (tmp_path / QUERY_GSI.file).write_text(
        textwrap.dedent(
            """
            import os, time, boto3
            open("left-behind.txt", "w").write("x")
            open("query_lsi.py", "w").write("print('rewritten by query_gsi.py')")
            if os.fork() == 0:
                os.setsid()
                client = boto3.client("dynamodb")
                while True:  # keeps writing, through its own connection, long after its run
                    item = {"customer_id": {"S": "D"}, "order_id": {"S": "D"}}
                    client.put_item(TableName="orders-probe", Item=item)
                    time.sleep(0.05)
            time.sleep(0.3)
            """
        )
    )
    (tmp_path / QUERY_LSI.file).write_text("import os\nprint(sorted(os.listdir('.')))\n")
    config = runner.SandboxConfig(tmp_path, TABLE, "probe", "us-east-1", 20, mode)  # type: ignore[arg-type]
    with runner.SandboxPool(config) as pool:
        first, second = pool.run(QUERY_GSI), pool.run(QUERY_LSI)
    assert first.problem is None and any(c.operation == "PutItem" for c in first.step("run").calls)
    step = second.step("run")
    assert step.calls == () and step.stdout == "['query_gsi.py', 'query_lsi.py']\n", step.stdout
    assert not any(item["customer_id"] == {"S": "D"} for item in step.table)


@pytest.mark.skipif(isolation.probe("namespaces") is not None, reason="namespaces unavailable here")
def test_a_file_cannot_reach_into_the_warm_process_nor_spoil_the_next_file(tmp_path: Path) -> None:
    """The warm process is not readable by the student's code; killing it costs only that file."""
    (tmp_path / QUERY_GSI.file).write_text(
        textwrap.dedent(
            """
            import os, signal
            for path in (f"/proc/{os.getppid()}/mem", f"/proc/{os.getppid()}/environ"):
                try:
                    open(path, "rb").read(1)
                    print("read", path)
                except OSError as exc:
                    print("refused", exc.errno)
            os.kill(os.getppid(), signal.SIGKILL)
            """
        )
    )
    (tmp_path / QUERY_LSI.file).write_text("print('the next file runs as usual')\n")
    config = runner.SandboxConfig(tmp_path, TABLE, "probe", "us-east-1", 20, "namespaces")
    with runner.SandboxPool(config) as pool:
        first, second = pool.run(QUERY_GSI), pool.run(QUERY_LSI)
    assert first.step("run").stdout == "refused 13\nrefused 13\n"  # EACCES: not dumpable
    assert second.problem is None and second.step("run").stdout == "the next file runs as usual\n"


def test_an_account_used_again_holds_nothing_of_its_last_run(tmp_path: Path) -> None:
    """Tables a file leaves behind, in any region it used, are gone before the student's next file."""
    mode = isolation.choose("auto")[0]
    definition = (
        "KeySchema=[{'AttributeName': 'k', 'KeyType': 'HASH'}], "
        "AttributeDefinitions=[{'AttributeName': 'k', 'AttributeType': 'S'}], BillingMode='PAY_PER_REQUEST'"
    )
    (tmp_path / QUERY_GSI.file).write_text(
        "import boto3\n"
        f"boto3.client('dynamodb').create_table(TableName='planted', {definition})\n"
        f"boto3.client('dynamodb', region_name='eu-west-1').create_table(TableName='left', {definition})\n"
    )
    (tmp_path / QUERY_LSI.file).write_text(
        "import boto3\n"
        "print(boto3.client('dynamodb').list_tables()['TableNames'])\n"
        "print(boto3.client('dynamodb', region_name='eu-west-1').list_tables()['TableNames'])\n"
    )
    config = runner.SandboxConfig(tmp_path, "orders-victim", "victim", "us-east-1", 20, mode)
    with runner.SandboxPool(config) as pool:
        planted = pool.run(QUERY_GSI)
        emulator = pool._sandbox.emulator.get()
        made = emulator.accounts_made
        seen = pool.run(QUERY_LSI)
        assert pool._sandbox.emulator.get() is emulator and emulator.accounts_made == made
    assert [call.error for call in planted.step("run").calls] == [None, None]
    assert seen.problem is None and seen.step("run").stdout == "['orders-victim']\n[]\n"


@pytest.mark.skipif(isolation.probe("namespaces") is not None, reason="namespaces unavailable here")
def test_a_trickle_of_messages_cannot_hold_the_grader(tmp_path: Path) -> None:
    """After its steps, a file that stops the warm process and keeps talking is cut off in seconds."""
    source = """
        import json, os, signal, struct, time
        frame = json.dumps({"exit": 99, "status": 0}).encode()
        if os.fork() == 0:
            while True:  # one harmless message a second, using no CPU: no limit but the grader's stops it
                for fd in range(3, 64):
                    try:
                        os.write(fd, struct.pack(">I", len(frame)) + frame)
                    except OSError:
                        pass
                time.sleep(1)
        os.kill(os.getppid(), signal.SIGSTOP)
        """
    started = time.monotonic()
    record = run(tmp_path, source, "namespaces", timeout=5)
    assert time.monotonic() - started < 15
    assert record.problem is None and record.step("run").finished
