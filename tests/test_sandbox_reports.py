"""What a step reports is always something the grader can read: a return value or a write the report
could not carry is the step's own exception (the student's failure, saying what), never a dead process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_sandbox import MODULE, run


@pytest.mark.parametrize(
    ("source", "exception"),
    [
        ("def double(n):\n    return 10 ** 5000\n", "ValueError: Exceeds the limit (4300 digits)"),
        (
            "import sys\ndef double(n):\n    sys.stdout.write(b'x')\n",
            "TypeError: write() argument must be str, not bytes (line 3 of query_gsi.py)",
        ),
    ],
)
def test_what_a_report_cannot_carry_is_the_steps_exception(
    source: str, exception: str, tmp_path: Path
) -> None:
    record = run(tmp_path, source, MODULE, timeout=5)
    assert record.problem is None
    step = record.step("call")
    assert step.exit_status == 1 and (step.exception or "").startswith(exception), step


def test_a_deep_return_value_is_cut_inside(tmp_path: Path) -> None:
    source = "def double(n):\n    value = []\n    for _ in range(100_000):\n        value = [value]\n"
    source += "    return value\n"
    step = run(tmp_path, source, MODULE, timeout=5).step("call")
    assert step.finished and str(step.result).count("[") == 21 and "..." in str(step.result)
