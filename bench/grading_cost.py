"""Print what grading the reference deployment costs: AWS calls made to the account, and wall time.

    .venv/bin/python -m bench.grading_cost [--runs N]

Deploys the reference solution on an embedded moto server, then grades it through the self-tests'
recording proxy, serially and with -n 2, N times each (the median wall time is printed), and times
the floor (bench/floor.py: the same reads with bare boto3, in a fresh interpreter) as many times.
Figures, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import floor
from tests import harness
from tests.faultproxy import fault_proxy

MODES = {"serial": ("-n", "0"), "-n 2": ("-n", "2")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="gradings per mode (default 3)")
    runs = parser.parse_args().runs
    emulator = harness.start_emulator()
    try:
        student_id = harness.new_student_id("bench")
        harness.deploy_reference(emulator.endpoint_url, student_id)
        solution = f"--submission-dir={harness.PROJECT_ROOT / 'solution'}"
        medians: dict[str, float] = {}
        for mode, args in MODES.items():
            times: list[float] = []
            for _ in range(runs):
                with fault_proxy(emulator.endpoint_url) as proxy, tempfile.TemporaryDirectory() as tmp:
                    started = time.monotonic()
                    run = harness.grade_on(proxy.endpoint_url, student_id, Path(tmp), solution, *args)
                    times.append(time.monotonic() - started)
                    score = run.grade["score"] if run.grade else None
                calls = Counter(call.action for call in proxy.calls)
            print(
                f"{mode}: {sum(calls.values())} AWS calls, {len(calls)} distinct actions; score {score}; "
                f"wall time median {statistics.median(times):.1f} s (runs: "
                + ", ".join(f"{t:.1f}" for t in times)
                + ")"
            )
            for action, count in sorted(calls.items()):
                print(f"    {count:3d}  {action}")
            medians[mode] = statistics.median(times)
        bare = statistics.median(floor.timed(emulator.endpoint_url, [student_id]) for _ in range(runs))
        print(f"floor: {bare:.1f} s (median); serial / floor {medians['serial'] / bare:.1f}x")
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
