"""Can Python compile a submission file? Asked in the grader's process for a small source, and in a
child process of its own (this file, run by path, standard library only) for a larger one: a source
built to compile slowly (300 KB of f-string fields takes Python 7 s, 1 MiB over a minute) would hold
the grader's interpreter lock meanwhile, and every classmate's request waiting on the grader with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

COMPILED_HERE = 16 << 10
"""Bytes of source compiled in the grader's process (a few milliseconds at most)."""
COMPILE_LIMIT = 10.0
"""Seconds a larger source may take to compile in its child process; longer is the source's fault."""


def problem(source: bytes, file: str) -> str | None:
    """Where Python cannot compile the source ('line 3: invalid syntax'), or None when it can. The
    compiler's own limits (MemoryError, RecursionError on expressions nested thousands deep) are the
    source's fault as much as a syntax error is."""
    if len(source) > COMPILED_HERE:
        return _in_child(source, file)
    try:
        compile(source, file, "exec")
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # null bytes
        return str(exc)
    except (MemoryError, RecursionError) as exc:
        return f"an expression nested too deeply for Python's compiler ({type(exc).__name__})"
    return None


def _in_child(source: bytes, file: str) -> str | None:
    command = [sys.executable, "-I", "-S", str(Path(__file__).resolve()), file]
    try:
        done = subprocess.run(command, input=source, capture_output=True, timeout=COMPILE_LIMIT, check=False)
    except subprocess.TimeoutExpired:
        return f"Python takes more than {COMPILE_LIMIT:g} s to compile it"
    if done.returncode != 0:  # the compiler itself died (out of memory, say)
        return f"Python's compiler could not take it (exit status {done.returncode})"
    return json.loads(done.stdout)


if __name__ == "__main__":
    COMPILED_HERE = sys.maxsize  # here, in the child: compile it
    print(json.dumps(problem(sys.stdin.buffer.read(), sys.argv[1])))
