"""The HTML report and the class page, opened in headless Chromium: what a student and an instructor see.

A full, a partial and an incomplete grade are rendered; screenshots of each, and of the class page,
go to artifacts/browser/ (kept by CI as test artifacts). The DOM is read after the page's scripts
ran, together with the text Chromium actually shows (``innerText``: nothing hidden, nothing folded).
Chromium is Debian's `chromium` package; `make test` installs it first when missing (the `packages`
target).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest

from grader.assessment import TASKS
from grader.grade import CheckResult, build_grade
from grader.reports import class_summary, missed_checks, text
from tests import harness
from tests.faultproxy import Faults, fault_proxy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--virtual-time-budget=5000", "--window-size=1280,1800",
]  # fmt: skip
ARTIFACTS = harness.PROJECT_ROOT / "artifacts" / "browser"
SOLUTION = harness.PROJECT_ROOT / "solution"
VISIBLE_TEXT_PROBE = """<script>
window.addEventListener('load', () => {
  const shown = (id) => Object.assign(document.createElement('pre'), {
    id, textContent: document.body.innerText,
  });
  const folded = shown('visible-text');
  document.querySelectorAll('details').forEach((details) => { details.open = true; });
  const unfolded = shown('unfolded-text');
  document.documentElement.append(folded, unfolded);  // outside the body it describes
});
</script>"""
"""Added to a copy of a page: once every script has run, records the text Chromium shows, as the
page opens and with every folded section unfolded."""
HOSTILE = "bad \\ud800 text \\x1b[31mred\\x1b[0m <b>bold</b> \\x07bell"
"""A student's exception message (Python source): a lone surrogate, ANSI colours, markup, a bell."""
HOSTILE_SHOWN = "bad \ufffd text red <b>bold</b> bell"
PYTEST_WORDS = ("Expected failures", "Unexpected passes", "Reruns", "Retried")

pytestmark = [
    pytest.mark.long,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (run `make packages`)"),
    pytest.mark.timeout(600),  # several full grading runs on a loaded 2-core machine
]


@dataclass
class Node:
    """An element of the rendered DOM."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    @property
    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.elements:
            yield from child.walk()

    def find_all(self, tag: str = "", cls: str = "") -> list[Node]:
        return [
            node
            for node in self.walk()
            if (not tag or node.tag == tag) and (not cls or cls in node.attrs.get("class", "").split())
        ]

    def by_id(self, name: str) -> Node:
        (node,) = [node for node in self.walk() if node.attrs.get("id") == name]
        return node

    def cells(self) -> list[str]:
        return [cell.text for cell in self.elements if cell.tag in ("td", "th")]


class TreeBuilder(HTMLParser):
    """The DOM Chromium dumped, as a tree of Nodes."""

    VOID: ClassVar[set[str]] = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(node)
        if tag not in self.VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


@dataclass
class Rendered:
    dom: Node
    visible: str
    """What Chromium shows: the body's innerText (no hidden element, no folded details)."""
    unfolded: str
    """What Chromium shows once every folded section is opened."""

    @property
    def body(self) -> Node:
        (body,) = self.dom.find_all("body")
        return body


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=True)  # fmt: skip


def render(page: Path, screenshot: str, before_probe: str = "") -> Rendered:
    """Open the page in Chromium: a screenshot in artifacts/, then the DOM and visible text of a copy
    that records them (before_probe: a script run first, as a teacher's clicks)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = page.parent / f".chromium-{page.stem}"
    shot = ARTIFACTS / screenshot
    shot.unlink(missing_ok=True)
    chromium(profile, f"--screenshot={shot}", page.resolve().as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    probed = page.with_name(f"{page.stem}-probed.html")
    head, end, tail = page.read_text(encoding="utf-8").rpartition("</body>")
    probed.write_text(head + before_probe + VISIBLE_TEXT_PROBE + end + tail, encoding="utf-8")
    dom = parse(chromium(profile, "--dump-dom", probed.resolve().as_uri()).stdout)
    return Rendered(dom, dom.by_id("visible-text").text, dom.by_id("unfolded-text").text)


def grade_report(workdir: Path, student_id: str, endpoint: str, *args: str) -> harness.GraderRun:
    """Grade with `--html PATH` exactly as an instructor types it (no --self-contained-html), the
    report in a folder of its own."""
    command = [sys.executable, "-m", "pytest", f"--student-id={student_id}", "--target=localstack",
               f"--endpoint-url={endpoint}", f"--grade-json={workdir / 'grade.json'}",
               f"--html={workdir / 'out' / 'report.html'}", *args]  # fmt: skip
    done = subprocess.run(command, cwd=harness.PROJECT_ROOT, env=harness.clean_env(), text=True,
                          capture_output=True, timeout=300, check=False)  # fmt: skip
    grade_path = workdir / "grade.json"
    grade = json.loads(grade_path.read_text()) if grade_path.exists() else None
    return harness.GraderRun(done.returncode, done.stdout + done.stderr, grade, workdir)


def checks(grade: dict[str, Any], status: str) -> list[dict[str, Any]]:
    return [check for task in grade["tasks"] for check in task["checks"] if check["status"] == status]


def assert_reads_as_a_grade_card(run: harness.GraderRun, screenshot: str) -> Rendered:
    """What every report must show, grade first, each message once, pytest-html's parts folded away."""
    grade = run.grade
    assert grade is not None, run.output
    page = run.workdir / "out" / "report.html"
    raw = page.read_text(encoding="utf-8")
    assert not (page.parent / "assets").exists() and "<link" not in raw, "the report must be one file"
    shown = render(page, screenshot)

    # the grade comes first: the title, then the card, in the DOM and on screen
    title, report, *_ = [node for node in shown.body.elements if node.tag not in ("template", "script")]
    assert (title.attrs["id"], report.attrs["id"]) == ("title", "grader-report")
    total = f"{grade['score']:g}/{grade['max_score']:g}"
    assert shown.dom.by_id("grade-student").text == grade["student_id"]
    assert shown.dom.by_id("grade-total").text == total
    assert shown.visible.startswith(f"DynamoDB Medium grade: {grade['student_id']}\n"), shown.visible[:300]
    assert shown.visible.split("\n")[1].strip() == f"Grade for {grade['student_id']}: {total}"

    rows = [row.cells() for row in report.find_all("tr", "task-row")]
    assert [(int(cells[0]), cells[1]) for cells in rows] == [(t.number, t.title) for t in TASKS]
    assert [cells[2] for cells in rows] == [f"{t['score']:g}/{t['max_score']:g}" for t in grade["tasks"]]
    labels = {"passed": "passed", "partial": "partial", "failed": "failed", "error": "not graded"}
    assert all(labels[t["status"]] in cells[-1] for t, cells in zip(grade["tasks"], rows, strict=True))
    bars = [
        row.find_all("span", "bar")[0].elements[0].attrs["style"] for row in report.find_all("tr", "task-row")
    ]
    assert [float(re.findall(r"[\d.]+", bar)[0]) for bar in bars] == [
        pytest.approx(100 * t["score"] / t["max_score"], abs=0.1) for t in grade["tasks"]
    ]

    # each failing message and each cause once, in the whole page and on screen
    dom_text = shown.body.text
    said = [text.printable(c["message"]) for c in checks(grade, "failed")] + [
        text.printable(cause) for cause in dict.fromkeys(c["message"] for c in checks(grade, "error"))
    ]
    for message in said:
        assert dom_text.count(message) == shown.visible.count(message) == shown.unfolded.count(message) == 1
    fixes = report.find_all("li", "fix")
    assert len(fixes) == len({c["message"] for c in checks(grade, "failed")})
    for check in checks(grade, "failed"):
        assert sum(check["name"] in fix.text for fix in fixes) >= 1, check["name"]

    # passing checks and run details folded, at the bottom; no pytest word a student cannot read
    passed = checks(grade, "passed")
    if passed:
        assert f"Passing checks ({len(passed)})" in shown.visible
        assert passed[0]["name"] not in shown.visible and passed[0]["name"] in shown.unfolded
    details = shown.dom.by_id("run-details")
    assert report.elements[-1] is details and details.find_all("summary")[0].text in shown.visible
    assert "Isolation of student code" not in shown.visible and "Isolation of student code" in shown.unfolded
    facts = dict(row.cells() for row in details.find_all("table")[0].find_all("tr"))
    assert facts["Target"] == grade["target"] and facts["Isolation of student code"]
    assert facts["Python"] and "pytest-html" in facts["Packages"] and facts["Duration"].endswith(" s")
    assert details.find_all("table")[-1].attrs.get("id") == "results-table"
    assert not [
        node for node in shown.dom.walk() if node.attrs.get("id") in ("environment", "environment-header")
    ]
    assert "Every check as pytest ran it" in shown.unfolded
    assert not [word for word in PYTEST_WORDS if word in shown.unfolded]
    for local in ("[gw0]", "[gw1]", str(harness.PROJECT_ROOT), os.path.expanduser("~") + "/"):
        assert local not in dom_text, local
    return shown


def test_full_grade_in_parallel(moto_endpoint: str, tmp_path: Path) -> None:
    student_id = harness.new_student_id("full")
    harness.deploy_reference(moto_endpoint, student_id)
    run = grade_report(tmp_path, student_id, moto_endpoint, f"--submission-dir={SOLUTION}", "-n", "2")
    assert run.exit_code == 0, run.output
    shown = assert_reads_as_a_grade_card(run, "report-full.png")
    assert "Every check passed" in shown.visible and "What to fix" not in shown.visible


def test_partial_grade_with_a_hostile_message(moto_endpoint: str, tmp_path: Path) -> None:
    """A missing alarm fails two checks with one message; a submission raising hostile text fails task
    9: the report is still written, and shows that text inert, once."""
    deployment = harness.deploy_reference(moto_endpoint, harness.new_student_id("partial"))
    deployment.client("cloudwatch").delete_alarms(AlarmNames=[deployment.names["read_alarm"]])
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTION, submission, ignore=shutil.ignore_patterns("__pycache__"))
    (submission / "batch_operations.py").write_text(
        f"def batch_get_orders(order_keys):\n    raise ValueError('{HOSTILE}')\n\n\n"
        f"def batch_update_status(order_keys, new_status):\n    raise ValueError('{HOSTILE}')\n"
    )
    run = grade_report(tmp_path, deployment.student_id, moto_endpoint, f"--submission-dir={submission}")
    assert run.exit_code == 1, run.output
    shown = assert_reads_as_a_grade_card(run, "report-partial.png")
    alarm_messages = {c["message"] for c in run.task(11)["checks"] if c["status"] == "failed"}
    assert len(alarm_messages) == 1 and len(checks(run.grade, "failed")) > len(
        {c["message"] for c in checks(run.grade, "failed")}
    ), "no two checks share a message: the test would not see a repeated one"
    messages = [node.text for node in shown.dom.find_all(cls="message")]
    assert sum(HOSTILE_SHOWN in message for message in messages) == 2, messages
    assert not [n for node in shown.dom.find_all(cls="message") for n in node.elements], "markup ran"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", shown.body.text)


def test_incomplete_grade_names_its_cause_once(moto_endpoint: str, tmp_path: Path) -> None:
    student_id = harness.new_student_id("incomplete")
    harness.deploy_reference(moto_endpoint, student_id)
    with fault_proxy(moto_endpoint, Faults(deny_actions={"dynamodb:ListTagsOfResource"})) as proxy:
        run = grade_report(tmp_path, student_id, proxy.endpoint_url, f"--submission-dir={SOLUTION}")
    assert run.grade is not None and not run.grade["complete"], run.output
    shown = assert_reads_as_a_grade_card(run, "report-incomplete.png")
    assert "Not graded (not your fault)" in shown.visible and "incomplete" in shown.visible


def test_class_page_for_the_instructor(moto_endpoint: str, tmp_path: Path) -> None:
    students = [harness.new_student_id("browser"), harness.new_student_id("absent")]
    harness.deploy_reference(moto_endpoint, students[0])
    roster = tmp_path / "roster.txt"
    roster.write_text("\n".join(students) + "\n")
    grades = tmp_path / "grades"
    run = harness.run_grader(
        tmp_path, f"--roster={roster}", "--target=localstack", f"--endpoint-url={moto_endpoint}",
        f"--grades-dir={grades}", f"--submission-dir={SOLUTION}",
    )  # fmt: skip
    assert (grades / class_summary.HTML_NAME).exists(), run.output
    documents = {s: json.loads((grades / s / class_summary.GRADE_NAME).read_text()) for s in students}
    shown = render(grades / class_summary.HTML_NAME, "class-summary.png")
    assert shown.dom.by_id("class-count").text == "2"

    # the sortable table: one row per student, totals and task scores as in their grade files
    header, *rows = [row.cells() for row in shown.dom.by_id("class-summary").find_all("tr")]
    assert header[2:-1] == [f"T{t.number} /{t.points:g}" for t in TASKS]
    assert sorted(cells[0] for cells in rows) == sorted(students)
    for cells in rows:
        grade = documents[cells[0]]
        assert cells[1] == f"{grade['score']:g}/{grade['max_score']:g}"
        assert cells[2:-1] == [f"{t['score']:g}" for t in grade["tasks"]]

    # the histogram counts each student once, in the bin of their score (bins are percent ranges)
    bins = {node.attrs["data-bin"]: int(node.attrs["data-count"]) for node in shown.dom.find_all(cls="bin")}
    assert list(bins) == [*(f"{low}–{low + 9}" for low in range(0, 100, 10)), "100"]
    for grade in documents.values():
        share = 100 * grade["score"] / grade["max_score"]
        (label,) = [b for b in bins if float(b.split("–")[0]) <= share <= float(b.split("–")[-1]) + 0.99]
        assert bins[label] >= 1, (label, bins)
    assert sum(bins.values()) == 2 and bins["100"] == 1

    # per task: how many students have full marks, part, none, or were not graded
    rates = [row.cells() for row in shown.dom.by_id("task-rates").find_all("tr", "task-rate")]
    for task, cells in zip(TASKS, rates, strict=True):
        statuses = [grade["tasks"][task.number - 1]["status"] for grade in documents.values()]
        counts = [str(statuses.count(status)) for status in class_summary.TASK_OUTCOMES]
        assert (cells[0], cells[2], cells[4:8]) == (
            str(task.number), f"{100 * statuses.count('passed') / 2:.0f}%", counts,
        )  # fmt: skip

    # the most missed checks: those a student failed, each with who failed it, linked to their page
    absent = students[1]
    failed = [(task["task"], check) for task in documents[absent]["tasks"] for check in task["checks"]
              if check["status"] == "failed"]  # fmt: skip
    missed = shown.dom.by_id("most-missed").find_all("tr", "missed")
    assert len(missed) == min(len(failed), missed_checks.SHOWN) > 0, shown.visible
    for row, (task, check) in zip(missed, failed, strict=False):  # all missed by one: by task, as they ran
        message = missed_checks.shortened(missed_checks.general(check["message"], absent))
        assert row.cells() == [str(task), check["name"], "1 of 2 students", "", message, absent]
        (link,) = row.find_all("a")
        assert link.attrs["href"] == f"{absent}/{class_summary.REPORT_NAME}"

    click_total = "<script>document.querySelectorAll('#class-summary th')[1].click()</script>"
    by_total = render(grades / class_summary.HTML_NAME, "class-sorted.png", before_probe=click_total)
    totals = [
        float(row.cells()[1].split("/")[0]) for row in by_total.dom.by_id("class-summary").find_all("tr")[1:]
    ]
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[-1]

    student_page = render(grades / students[0] / class_summary.REPORT_NAME, "student.png")
    assert student_page.dom.by_id("grade-student").text == students[0]
    assert len(student_page.dom.find_all("tr", "task-row")) == len(TASKS)
    assert student_page.visible.startswith(f"Grade for {students[0]}: 100/100")


def test_most_missed_checks_of_a_class(tmp_path: Path) -> None:
    """A class where checks are missed by three, two and one student, and one check could not be graded
    for some: most missed first, "not graded" apart (never a miss), the commonest message (the student's
    names made general), every student linked."""
    names = ["table exists", "billing on demand", "tag StudentID", "stream enabled"]
    failed = {"amy": {0, 1, 2}, "ben": {0, 1}, "cat": {0}, "dan": set(), "eve": set()}
    not_graded = {"dan": {0, 3}, "eve": {3}}
    grades = []
    for student, misses in failed.items():
        statuses = {number: "failed" for number in misses} | dict.fromkeys(
            not_graded.get(student, ()), "error"
        )
        results = []
        for number, name in enumerate(names):
            status = statuses.get(number, "passed")
            wrong = "other mistake" if (student, number) == ("amy", 0) else f"wrong for orders-{student}"
            message = {"failed": wrong, "error": "AccessDenied"}.get(status, "")
            results.append(CheckResult(1, name, status, 2, message, (number, name)))  # type: ignore[arg-type]
        grades.append(build_grade(student, "moto", results))
        class_summary.write_student(grades[-1], tmp_path)
    class_summary.write_class([grade.to_dict() for grade in grades], tmp_path)
    shown = render(tmp_path / class_summary.HTML_NAME, "class-most-missed.png")
    rows = [row.cells() for row in shown.dom.by_id("most-missed").find_all("tr", "missed")]
    assert rows == [
        ["1", "table exists", "3 of 4 students", "1", "wrong for orders-ID", "amy, ben, cat"],
        ["1", "billing on demand", "2 of 5 students", "", "wrong for orders-ID", "amy, ben"],
        ["1", "tag StudentID", "1 of 5 students", "", "wrong for orders-ID", "amy"],
    ], "stream enabled was never failed: not graded for two is no miss"
    links = [a.attrs["href"] for a in shown.dom.by_id("most-missed").find_all("a")]
    assert links == [f"{s}/{class_summary.REPORT_NAME}" for s in ("amy", "ben", "cat", "amy", "ben", "amy")]
    assert "Most missed checks" in shown.visible and "3 of 4 students" in shown.visible
