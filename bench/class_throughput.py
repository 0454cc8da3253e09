"""Print what grading a class costs: a roster of N correct students on one embedded emulator.

    .venv/bin/python -m bench.class_throughput [--sizes 10 100 1000] [--parallel 2] [--parallel-up-to 100]
                                               [--latency-ms 0 50 150]

Deploys the reference solution for N students on one moto server, then grades them all in one
`--roster` run (the reference files as every student's submission), serially and with -n (for the
sizes up to --parallel-up-to). For each N it prints the wall time, the time per student, the memory
of the grader's process tree (the grader, its sandbox emulator, the sandboxes: not the emulator
holding the class's deployments) as PSS, which splits pages the warm sandboxes share between them,
its peak over the first and over the second half of the run (equal when memory is flat), AWS calls
per student (counted once, through the self-tests' recording proxy, on the smallest class: the timed
runs talk to the emulator directly), and the floor: the same reads made with bare boto3, one after
another (bench/floor.py) in a fresh interpreter. With --latency-ms, each size is graded (and its floor
read) once per latency through bench/latency_proxy.py, and "vs 0 ms" compares the serial wall with
that of the 0 ms row through the same proxy. Figures, not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from bench import floor
from bench.latency_proxy import latency_proxy
from tests import harness
from tests.faultproxy import fault_proxy

SOLUTION = harness.PROJECT_ROOT / "solution"


def _tree_pss_mb(root: int) -> float:
    """The proportional memory (PSS) of a process and all its descendants now, in MB (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += int(rollup.split("\nPss:")[1].split()[0]) if "\nPss:" in rollup else 0
    return total / 1024


def _run_sampling(command: list[str]) -> tuple[int, float, float]:
    """Run the grader; its exit code and the peak PSS of its process tree over the first and over the
    second half of the run (sampled every 0.2 s)."""
    process = subprocess.Popen(command, cwd=harness.PROJECT_ROOT, env=harness.clean_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    samples: list[float] = []
    while process.poll() is None:
        samples.append(_tree_pss_mb(process.pid))
        time.sleep(0.2)
    half = len(samples) // 2
    return process.returncode, max(samples[:half], default=0.0), max(samples[half:], default=0.0)


def _grading_command(endpoint: str, folder: str, students: list[str], *extra: str) -> list[str]:
    """The grader on a roster of the students (each submitting the reference files) in folder."""
    roster = Path(folder, "roster.csv")
    roster.write_text("student_id,submission_dir\n" + "".join(f"{s},{SOLUTION}\n" for s in students))
    return [sys.executable, "-m", "pytest", f"--roster={roster}", "--target=localstack",
            f"--endpoint-url={endpoint}", f"--grades-dir={folder}/grades", "-q", "-p", "no:cacheprovider",
            *extra]  # fmt: skip


def grade_class(endpoint: str, students: list[str], workers: int) -> tuple[float, float, float, bool]:
    """Grade the roster once: wall seconds, peak PSS of the grader's process tree in each half of the
    run (MB), every grade full and complete."""
    with tempfile.TemporaryDirectory() as folder:
        command = _grading_command(endpoint, folder, students, *(["-n", str(workers)] if workers else []))
        started = time.monotonic()
        code, first, second = _run_sampling(command)
        wall = time.monotonic() - started
        summary = Path(folder, "grades", "class-summary.csv").read_text() if code == 0 else ""
        return wall, first, second, summary.count(",100") >= len(students)


def calls_per_student(endpoint: str, students: list[str]) -> float:
    """AWS calls per student, counted by the recording proxy over one serial roster run."""
    with fault_proxy(endpoint) as proxy, tempfile.TemporaryDirectory() as folder:
        command = _grading_command(proxy.endpoint_url, folder, students)
        subprocess.run(command, cwd=harness.PROJECT_ROOT, env=harness.clean_env(), capture_output=True)
        return len(proxy.calls) / len(students)


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


def _endpoint(emulator: str, latency_ms: float | None) -> AbstractContextManager[str]:
    """The emulator itself (None), or a proxy in front of it answering each call after latency_ms."""
    return nullcontext(emulator) if latency_ms is None else latency_proxy(emulator, latency_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--parallel", type=int, default=2, help="-n for the parallel run (0: skip it)")
    parser.add_argument("--parallel-up-to", type=int, default=100, help="largest class graded with -n too")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[None], metavar="MS",
                        help="grade (and read the floor) through bench/latency_proxy.py answering each "
                        "call after MS; one row per latency (default: straight to the emulator)")  # fmt: skip
    arguments = parser.parse_args()
    emulator = harness.start_emulator()
    deployed: list[str] = []
    print("| students | latency | serial wall (per student) | vs 0 ms | -n wall | peak PSS of the grader "
          "tree, 1st / 2nd half | calls/student | floor | serial / floor | all 100/100 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    try:
        for size in sorted(arguments.sizes):
            missing = [harness.new_student_id("class") for _ in range(size - len(deployed))]
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda s: _deploy(emulator.endpoint_url, s), missing))
            deployed += missing
            students = deployed[:size]
            calls = calls_per_student(emulator.endpoint_url, students[:10])
            unlatent: float | None = None
            for latency in arguments.latency_ms:
                with _endpoint(emulator.endpoint_url, latency) as endpoint:
                    wall, first, second, full = grade_class(endpoint, students, 0)
                    parallel = "-"
                    if arguments.parallel and size <= arguments.parallel_up_to:
                        parallel = f"{grade_class(endpoint, students, arguments.parallel)[0]:.1f} s"
                    bare = floor.timed(endpoint, students)
                unlatent = wall if latency == 0 else unlatent
                ratio = f"{wall / unlatent:.2f}x" if unlatent else "-"
                shown = "direct" if latency is None else f"{latency:g} ms"
                memory = f"{first:.0f} / {second:.0f} MB"
                serial = f"{wall:.1f} s ({wall / size:.2f} s)"
                print(f"| {size} | {shown} | {serial} | {ratio} | {parallel} | {memory} | {calls:.1f} "
                      f"| {bare:.1f} s | {wall / bare:.1f}x | {full} |", flush=True)  # fmt: skip
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
