"""Print what the sandbox costs per submission file, in each isolation mode that works here.

    .venv/bin/python -m bench.sandbox_overhead [--runs N]

For each mode: the wall time of running a file that does nothing (seed the run's table, start the
contained process, warm boto3, one step, read the table, tear down), and of the reference
query_gsi.py; beside them the floor, a bare `python -I -c "import boto3"`. Figures, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.sandbox import isolation, runner
from grader.sandbox.plans import QUERY_GSI
from tests import harness


def _median(action: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        action()  # type: ignore[operator]
        times.append(time.monotonic() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    runs = parser.parse_args().runs
    floor = _median(lambda: subprocess.run([sys.executable, "-I", "-c", "import boto3"], check=True), runs)
    print(f"floor: python -I -c 'import boto3': {floor:.2f} s")
    reference = (harness.PROJECT_ROOT / "solution" / QUERY_GSI.file).read_text()
    with tempfile.TemporaryDirectory() as folder:
        for mode in isolation.MODES:
            reason = isolation.probe(mode)
            if reason is not None:
                print(f"{mode}: unavailable ({reason})")
                continue
            config = runner.SandboxConfig(Path(folder), "orders-bench", "bench", "us-east-1", 20, mode)
            timings = {}
            for name, source in (("no-op file", "pass\n"), ("reference query_gsi.py", reference)):
                (Path(folder) / QUERY_GSI.file).write_text(source)
                runner.run(QUERY_GSI, config)  # warm the emulator and the probe once
                timings[name] = _median(lambda config=config: runner.run(QUERY_GSI, config), runs)
            print(f"{mode}: " + "; ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))


if __name__ == "__main__":
    main()
