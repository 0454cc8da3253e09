"""Hygiene at the platform writers: Markdown from student text, paths from grade files, roster bytes."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader.assessment import TASKS
from grader.class_run import merge
from grader.class_run.roster import load_roster
from grader.grade import CheckResult, Grade, build_grade
from grader.reports import classroom50, github
from grader.reports.text import for_markdown
from tests import harness

HOSTILE = "x | y <img src=https://evil.test/p.png> [click](https://evil.test) **bold** `code` @bob\n# Heading"
ESCAPE_OR_PUNCTUATION = re.compile(
    r"\\[" + re.escape(string.punctuation) + "]|[" + re.escape(string.punctuation) + "]"
)


def unescaped_punctuation(text: str) -> list[str]:
    """Punctuation characters of text that no backslash escapes."""
    return [match for match in ESCAPE_OR_PUNCTUATION.findall(text) if not match.startswith("\\")]


def literal(markdown_text: str, student_text: str) -> bool:
    """The student's text is in the Markdown with every punctuation character escaped (so it renders
    literally: no cell break, HTML, link, emphasis, code or heading) and on one line."""
    lines = [line for line in markdown_text.splitlines() if "evil" in line]  # where the text landed
    start = student_text[:2]
    return bool(lines) and all(not unescaped_punctuation(line[line.index(start) :]) for line in lines)


def hostile_grade() -> Grade:
    results = [
        CheckResult(task.number, f"check of task {task.number}", "failed" if task.number == 1 else "passed",
                    task.points, HOSTILE if task.number == 1 else "", (0, f"t{task.number}"))
        for task in TASKS
    ]  # fmt: skip
    return build_grade("alice", "moto", results)


def test_the_literal_check_catches_raw_student_text() -> None:
    raw = f"- Task 1, check: {HOSTILE}"
    assert not literal(raw, HOSTILE)
    assert literal(f"- Task 1, check: {for_markdown(HOSTILE)}", HOSTILE)


def test_plain_text_is_unchanged() -> None:
    assert for_markdown("alice 42 ok") == "alice 42 ok"


def test_step_summary_and_release_body_show_student_text_literally(tmp_path: Path) -> None:
    grade = hostile_grade()
    summary = tmp_path / "summary.md"
    github.append_step_summary(grade, {"GITHUB_STEP_SUMMARY": str(summary)})
    classroom50.write(
        classroom50.result(grade, {}, datetime.now(UTC)), github.markdown(grade), "failure", tmp_path, {}
    )
    for text in (summary.read_text(), (tmp_path / classroom50.BODY_NAME).read_text()):
        assert literal(text, HOSTILE), text
        rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
        assert len(rows) == len(TASKS) and all(len(re.split(r"(?<!\\)\|", row)) == 6 for row in rows)


def write_grade(folder: Path, student_id: str) -> None:
    grade = build_grade(student_id, "moto", []).to_dict()
    folder.mkdir(parents=True)
    (folder / "grade.json").write_text(json.dumps(grade))


@pytest.mark.parametrize("student_id", ["../escaped", "a/b", "", "x" * 43])
def test_merge_refuses_a_student_id_that_is_not_one(student_id: str, tmp_path: Path) -> None:
    shard, out = tmp_path / "shard", tmp_path / "deep" / "out"
    write_grade(shard / "folder", student_id)
    with pytest.raises(SystemExit) as exited:
        merge.main(["--out", str(out), str(shard)])
    assert exited.value.code == 2
    assert not (tmp_path / "deep" / "escaped").exists() and not out.exists()


def test_merge_takes_valid_ids(tmp_path: Path) -> None:
    shard, out = tmp_path / "shard", tmp_path / "out"
    write_grade(shard / "alice_2", "alice_2")
    assert [grade["student_id"] for grade in merge.merge([shard], out)] == ["alice_2"]
    assert (out / "alice_2" / "grade.json").is_file()


def test_a_roster_that_is_not_utf8_is_a_one_line_usage_error(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("student_id,name\nalice,Zoë\n".encode("latin-1"))
    with pytest.raises(pytest.UsageError, match="not UTF-8") as raised:
        load_roster(roster)
    assert "\n" not in str(raised.value)
    run = harness.run_grader(tmp_path, f"--roster={roster}", "--target=moto")
    assert run.exit_code == 4 and "not UTF-8" in run.output, run.output
    assert "INTERNALERROR" not in run.output and "Traceback" not in run.output
    roster.write_bytes("student_id\nalice\n".encode("latin-1"))  # the same file in ASCII reads fine
    assert [entry.student_id for entry in load_roster(roster)] == ["alice"]
