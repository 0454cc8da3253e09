"""What the student's code made, read at the boundary and judged, without AWS: depth and size bounds,
the compiler's limits, which exceptions are the student's, capped messages, reads the record holds."""

from __future__ import annotations

import decimal
import json
import os
import struct
import threading
import time
from pathlib import Path

import pytest

from grader.aws import views
from grader.failures import GraderError, RequirementFailed
from grader.reports.text import MESSAGE_CAP, capped
from grader.sandbox import compile_check, judging, runner, student_data
from grader.sandbox.record import Call, Step


def test_capped_messages_say_what_was_left_out() -> None:
    assert capped("short") == "short"
    text = capped("x" * 50_000)
    assert len(text) <= MESSAGE_CAP and text.endswith(f"[... {50_000 - MESSAGE_CAP + 40} more characters]")


@pytest.mark.parametrize(("value", "depth"), [([], 1), ({"a": [1, {"b": []}]}, 4), ([[[["x"]]]], 4)])
def test_within_depth(value: object, depth: int) -> None:
    assert runner.within_depth(value, depth)
    assert not runner.within_depth(value, depth - 1)


def _channel_with(body: bytes, folder: Path) -> runner.Channel:
    """A channel reading one frame from a file (select finds a file always readable)."""
    path = folder / "frames"
    path.write_bytes(struct.pack(">I", len(body)) + body)
    return runner.Channel(os.open(path, os.O_RDONLY))


@pytest.mark.parametrize("levels", [runner.FRAME_DEPTH + 1, 100_000])
def test_a_message_nested_too_deep_is_garbage(levels: int, tmp_path: Path) -> None:
    channel = _channel_with(b'{"step": 0, "report": ' + b"[" * levels + b"]" * levels + b"}", tmp_path)
    with pytest.raises(ValueError, match=f"nested more than {runner.FRAME_DEPTH} levels"):
        channel.next(time.monotonic() + 5)


def test_an_honest_report_at_the_sandbox_own_depth_is_read(tmp_path: Path) -> None:
    result: object = "..."
    for _ in range(21):  # inside.jsonable keeps 21 levels of a return value
        result = [result]
    channel = _channel_with(json.dumps({"step": 1, "report": {"result": result}}).encode(), tmp_path)
    assert channel.next(time.monotonic() + 5)["report"]["result"] == result


@pytest.mark.parametrize(
    ("source", "says"),
    [
        (b"def f(:\n", "line 1: "),
        (b"x = 1\0", "null bytes"),
        (b"x = " + b"-" * 100_000 + b"1", "nested too deeply for Python's compiler (MemoryError)"),
        (b"x = a" + b".b" * 200_000, "nested too deeply for Python's compiler (RecursionError)"),
    ],
)
def test_what_python_cannot_compile_is_the_sources_fault(source: bytes, says: str) -> None:
    assert says in (compile_check.problem(source, "query_gsi.py") or "")
    assert compile_check.problem(b"print('ok')\n", "query_gsi.py") is None
    assert compile_check.problem(b"print('ok')\n" * 10_000, "query_gsi.py") is None, "a large honest file"


def test_a_source_built_to_compile_slowly_never_stalls_the_grader(monkeypatch: pytest.MonkeyPatch) -> None:
    """f-string fields make Python's compiler slow (300 KB: 7 s), holding the interpreter lock: compiled
    in the grader's process, every thread of it (a classmate's requests, their channel) would stop."""
    monkeypatch.setattr(compile_check, "COMPILE_LIMIT", 1.0)
    gaps: list[float] = []
    done = threading.Event()

    def heartbeat() -> None:
        last = time.monotonic()
        while not done.wait(0.01):
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    thread = threading.Thread(target=heartbeat)
    thread.start()
    try:
        says = compile_check.problem(b"x = f'" + b"{1}" * 100_000 + b"'\n", "query_gsi.py")
    finally:
        done.set()
        thread.join()
    assert says == "Python takes more than 1 s to compile it"
    assert max(gaps) < 0.5, f"the grader stood still {max(gaps):.1f} s"


@pytest.mark.parametrize(
    "exc", [decimal.InvalidOperation(), TypeError("expected string"), AttributeError("x"), RecursionError()]
)
def test_an_exception_judging_student_data_is_the_students_failure(exc: Exception) -> None:
    failure = student_data.students_failure("batch_operations.py", exc)
    assert failure is not None and failure.message.startswith(
        f"batch_operations.py made values the grader cannot read ({type(exc).__name__}"
    )


@pytest.mark.parametrize(
    "exc",
    [
        GraderError("sandbox"),
        NameError("typo"),
        ImportError("x"),
        RequirementFailed("already"),
        AssertionError("a check's own invariant"),
    ],
)
def test_the_graders_own_faults_stay_its_own(exc: Exception) -> None:
    assert student_data.students_failure("batch_operations.py", exc) is None


def test_read_keys_come_from_the_record_only() -> None:
    read = Call("dynamodb", "BatchGetItem", {}, returned=({"customer_id": "C1", "order_id": "O1"},))
    failed = Call("dynamodb", "GetItem", {}, error="ResourceNotFoundException",
                  returned=({"customer_id": "C2", "order_id": "O2"},))  # fmt: skip
    step = Step("batch get", 0, None, [{"customer_id": "C3", "order_id": "O3"}], "", 0, (read, failed), ())
    assert judging.read_keys(step) == {("C1", "O1")}


def test_a_value_dynamodb_refuses_stays_typed_in_a_plain_item() -> None:
    item = {"n": {"N": "2"}, "words": {"NS": ["x"]}, "letters": {"L": [{"N": "zz"}]}, "s": {"S": "a"}}
    assert views.plain_item(item) == {
        "n": decimal.Decimal("2"),
        "words": {"NS": ["x"]},
        "letters": {"L": [{"N": "zz"}]},
        "s": "a",
    }
    assert views.dynamodb_type(views.plain_item(item)["words"]) == "M"  # never a valid number or set
