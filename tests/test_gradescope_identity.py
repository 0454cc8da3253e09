"""Who a Gradescope submission belongs to (grader/reports/gradescope_identity.py), without running a grade:
Gradescope's roster or the instructor's list decides, and student_id.txt may only repeat it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.reports.gradescope_identity import Refused, identify


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    return folder


def metadata(tmp_path: Path, sid: object, email: str = "Eve@Example.edu") -> Path:
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps({"users": [{"email": email, "id": 7, "name": "Eve", "sid": sid}]}))
    return path


def id_map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "student_ids.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sid_names_the_student(tmp_path: Path, submission: Path) -> None:
    assert identify(metadata(tmp_path, " eve_1 "), None, submission) == "eve_1"
    assert identify(metadata(tmp_path, 20261234), tmp_path / "no-list.csv", submission) == "20261234"


def test_the_instructors_list_decides_by_email_whatever_its_case(tmp_path: Path, submission: Path) -> None:
    listed = id_map(
        tmp_path, "\ufeffemail,name,student_id\n eve@example.EDU ,Eve,eve-gh\nbob@x.org,Bob,bob\n"
    )
    assert identify(metadata(tmp_path, "12345678"), listed, submission) == "eve-gh"


def test_with_a_list_shipped_a_student_it_does_not_name_is_refused(tmp_path: Path, submission: Path) -> None:
    """A SID the student may have typed is not taken beside the list: mallory's SID naming alice's id
    would grade her on alice's table."""
    listed = id_map(tmp_path, "email,student_id\nalice@x.edu,alice-gh\nbob@x.edu,\n")
    for email in ("mallory@x.edu", "bob@x.edu"):
        with pytest.raises(Refused, match="list of student ids does not name"):
            identify(metadata(tmp_path, "alice-gh", email), listed, submission)


@pytest.mark.parametrize(
    "rows", ["a@x.edu,alice\nA@x.edu,mallory\n", "a@x.edu,alice\nb@x.edu,alice\n"], ids=["email", "id"]
)
def test_a_list_naming_an_email_or_an_id_twice_is_refused(
    rows: str, tmp_path: Path, submission: Path
) -> None:
    listed = id_map(tmp_path, "email,student_id\n" + rows)
    with pytest.raises(Refused, match="twice; each email and each id must appear once"):
        identify(metadata(tmp_path, "x", "a@x.edu"), listed, submission)


def test_metadata_nested_past_the_parser_is_refused_not_raised(tmp_path: Path, submission: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(Refused, match="could not be read"):
        identify(deep, None, submission)


def test_a_list_without_its_columns_is_refused_for_the_instructor_to_fix(
    tmp_path: Path, submission: Path
) -> None:
    with pytest.raises(Refused, match="needs the columns email and student_id"):
        identify(metadata(tmp_path, "eve"), id_map(tmp_path, "mail,id\neve@example.edu,eve\n"), submission)


@pytest.mark.parametrize("content", ["eve\n", "\ufeff eve \r\n", "", "\n\n"])
def test_a_student_id_txt_that_repeats_the_id_or_is_empty_is_accepted(
    content: str, tmp_path: Path, submission: Path
) -> None:
    (submission / "student_id.txt").write_text(content, encoding="utf-8")
    assert identify(metadata(tmp_path, "eve"), None, submission) == "eve"


def test_a_student_id_txt_naming_anyone_else_is_refused(tmp_path: Path, submission: Path) -> None:
    (submission / "student_id.txt").write_text("bob\neve\n")
    with pytest.raises(
        Refused, match="names 'bob', but Gradescope's roster \\(your SID\\) says you are 'eve'"
    ):
        identify(metadata(tmp_path, "eve"), None, submission)
