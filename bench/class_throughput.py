"""Print what grading a class costs: a roster of N correct students on one embedded emulator.

    .venv/bin/python -m bench.class_throughput [--sizes 10 100 1000] [--parallel 2]

Deploys the reference solution for N students on one moto server, then grades them all in one
`--roster` run (the reference files as every student's submission), serially and with -n, through
the self-tests' recording proxy. For each N it prints the wall time, the time per student, the
peak memory of the grader's process tree (the grader, its sandbox emulator, the sandboxes; sampled,
not the emulator holding the class's deployments), AWS calls per student, and the floor: the same
reads made with bare boto3 (bench/floor.py) in a fresh interpreter. Figures, not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests import harness
from tests.faultproxy import fault_proxy

SOLUTION = harness.PROJECT_ROOT / "solution"


def _tree_rss_mb(root: int) -> float:
    """The resident memory of a process and all its descendants now, in MB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            status = (stat.parent / "status").read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree) / 1024


def _run_sampling(command: list[str]) -> tuple[int, float]:
    """Run the grader; its exit code and the peak memory of its process tree (sampled every 0.2 s)."""
    process = subprocess.Popen(command, cwd=harness.PROJECT_ROOT, env=harness.clean_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_rss_mb(process.pid))
        time.sleep(0.2)
    return process.returncode, peak


def grade_class(endpoint: str, students: list[str], workers: int) -> tuple[float, float, int, bool]:
    """Grade the roster once: wall seconds, peak RSS of the grader's process tree (MB: the grader, its
    sandbox emulator and the sandboxes), AWS calls, every grade full and complete."""
    with fault_proxy(endpoint) as proxy, tempfile.TemporaryDirectory() as folder:
        roster = Path(folder, "roster.csv")
        roster.write_text("student_id,submission_dir\n" + "".join(f"{s},{SOLUTION}\n" for s in students))
        command = [sys.executable, "-m", "pytest", f"--roster={roster}", "--target=localstack",
                   f"--endpoint-url={proxy.endpoint_url}", f"--grades-dir={folder}/grades", "-q",
                   "-p", "no:cacheprovider", *(["-n", str(workers)] if workers else [])]  # fmt: skip
        started = time.monotonic()
        code, peak = _run_sampling(command)
        wall = time.monotonic() - started
        summary = Path(folder, "grades", "class-summary.csv").read_text() if code == 0 else ""
        return wall, peak, len(proxy.calls), summary.count(",100") >= len(students)


def _deploy(endpoint: str, student_id: str, attempts: int = 3) -> None:
    """Deploy the reference for a student; moto's server is not thread-safe everywhere, and the
    deployment is idempotent, so a failed attempt is simply made again."""
    for attempt in range(attempts):
        try:
            harness.deploy_reference(endpoint, student_id)
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def floor(endpoint: str, students: list[str]) -> float:
    started = time.monotonic()
    arguments = [f"--student-id={s}" for s in students]
    subprocess.run([sys.executable, "-m", "bench.floor", f"--endpoint-url={endpoint}", *arguments],
                   cwd=harness.PROJECT_ROOT, env=harness.clean_env(), check=True)  # fmt: skip
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--parallel", type=int, default=2, help="-n for the parallel run (0: skip it)")
    arguments = parser.parse_args()
    emulator = harness.start_emulator()
    deployed: list[str] = []
    print("| students | serial wall (per student) | -n wall | peak RSS serial (grader tree) "
          "| calls/student | floor | serial / floor | all 100/100 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    try:
        for size in sorted(arguments.sizes):
            missing = [harness.new_student_id("class") for _ in range(size - len(deployed))]
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda s: _deploy(emulator.endpoint_url, s), missing))
            deployed += missing
            students = deployed[:size]
            wall, rss, calls, full = grade_class(emulator.endpoint_url, students, 0)
            parallel = (
                f"{grade_class(emulator.endpoint_url, students, arguments.parallel)[0]:.1f} s"
                if arguments.parallel
                else "-"
            )
            bare = floor(emulator.endpoint_url, students)
            print(f"| {size} | {wall:.1f} s ({wall / size:.2f} s) | {parallel} | {rss:.0f} MB | "
                  f"{calls / size:.1f} | {bare:.1f} s | {wall / bare:.1f}x | {full} |",
                  flush=True)  # fmt: skip
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
