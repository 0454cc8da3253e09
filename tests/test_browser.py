"""The HTML report and the class page, opened in headless Chromium: the grade summary renders.

Screenshots go to artifacts/browser/ (kept by CI as test artifacts). Chromium is Debian's
`chromium` package; `make test` installs it first when missing (the `browser` target).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.reports import class_summary
from grader.tasks import TASKS
from tests import harness

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--virtual-time-budget=5000", "--window-size=1280,1800",
]  # fmt: skip
ARTIFACTS = harness.PROJECT_ROOT / "artifacts" / "browser"
TASK_MODULE = "tests_assessment/test_task01_table.py"  # one task keeps the runs short; all 13 still render

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (run `make browser`)")


class Dom(HTMLParser):
    """The rendered DOM: text by element id, and table rows as lists of (class, text) cells."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self.rows: list[tuple[str, list[str]]] = []
        self._open_ids: list[tuple[str, int]] = []
        self._depth = 0
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._depth += 1
        if attributes.get("id"):
            self._open_ids.append((attributes["id"] or "", self._depth))
            self.by_id[attributes["id"] or ""] = ""
        if tag == "tr":
            self.rows.append((attributes.get("class") or "", []))
        elif tag in ("td", "th") and self.rows:
            self._cell = self.rows[-1][1]
            self._cell.append("")

    def handle_endtag(self, tag: str) -> None:
        self._open_ids = [(name, depth) for name, depth in self._open_ids if depth < self._depth]
        self._depth -= 1
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        for name, _ in self._open_ids:
            self.by_id[name] += data
        if self._cell is not None:
            self._cell[-1] += data


def render(page: Path, profile: Path, screenshot: str) -> Dom:
    """Open the page in Chromium: its DOM after scripts ran, and a screenshot in artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = page.resolve().as_uri()
    base = [str(CHROMIUM), *FLAGS]
    dump = subprocess.run([*base, f"--user-data-dir={profile}-dom", "--dump-dom", url],
                          capture_output=True, text=True, timeout=180, check=True)  # fmt: skip
    shot = ARTIFACTS / screenshot
    shot.unlink(missing_ok=True)
    subprocess.run([*base, f"--user-data-dir={profile}-shot", f"--screenshot={shot}", url],
                   capture_output=True, timeout=180, check=True)  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    return Dom(dump.stdout)


def test_report_renders_the_grade_summary(moto_endpoint: str, tmp_path: Path) -> None:
    student_id = harness.new_student_id("browser")
    harness.deploy_reference(moto_endpoint, student_id)
    run = harness.grade_on(moto_endpoint, student_id, tmp_path, TASK_MODULE)
    assert run.grade is not None, run.output
    dom = render(tmp_path / "report.html", tmp_path / "profile", "report.png")
    assert dom.by_id["grade-student"] == student_id
    assert dom.by_id["grade-total"] == f"{run.grade['score']:g}/{run.grade['max_score']:g}"
    rows = [cells for kind, cells in dom.rows if kind == "task-row"]
    assert [(int(cells[0]), cells[1]) for cells in rows] == [(t.number, t.title) for t in TASKS]
    assert [cells[2] for cells in rows] == [f"{t['score']:g}/{t['max_score']:g}" for t in run.grade["tasks"]]


def test_class_page_renders_every_student(moto_endpoint: str, tmp_path: Path) -> None:
    students = [harness.new_student_id("browser"), harness.new_student_id("absent")]
    harness.deploy_reference(moto_endpoint, students[0])
    roster = tmp_path / "roster.txt"
    roster.write_text("\n".join(students) + "\n")
    grades = tmp_path / "grades"
    run = harness.run_grader(
        tmp_path, f"--roster={roster}", "--target=localstack", f"--endpoint-url={moto_endpoint}",
        f"--grades-dir={grades}", TASK_MODULE,
    )  # fmt: skip
    assert (grades / class_summary.HTML_NAME).exists(), run.output
    dom = render(grades / class_summary.HTML_NAME, tmp_path / "profile", "class-summary.png")
    header, *rows = [cells for _, cells in dom.rows]
    assert header[2:-1] == [f"T{t.number} /{t.points:g}" for t in TASKS]
    assert dom.by_id["class-count"] == "2"
    for cells in rows:
        grade = json.loads((grades / cells[0] / class_summary.GRADE_NAME).read_text())
        assert cells[1] == f"{grade['score']:g}/{grade['max_score']:g}"
        assert cells[2:-1] == [f"{t['score']:g}" for t in grade["tasks"]]
    assert sorted(cells[0] for cells in rows) == sorted(students)
    sorted_page = tmp_path / "sorted.html"  # the page as a teacher leaves it after clicking "Total"
    sorted_page.write_text(
        (grades / class_summary.HTML_NAME)
        .read_text()
        .replace(
            "</body>", "<script>document.querySelectorAll('#class-summary th')[1].click()</script></body>"
        )
    )
    by_total = [cells for _, cells in render(sorted_page, tmp_path / "p3", "class-sorted.png").rows][1:]
    totals = [float(cells[1].split("/")[0]) for cells in by_total]
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[-1]
    student_page = render(grades / students[0] / class_summary.REPORT_NAME, tmp_path / "p2", "student.png")
    assert student_page.by_id["grade-student"] == students[0]
    assert len([1 for kind, _ in student_page.rows if kind == "task-row"]) == len(TASKS)
