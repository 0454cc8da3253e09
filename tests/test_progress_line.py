"""A roster run's line per student: position of total, id, score, incomplete, seconds, time left."""

from __future__ import annotations

from grader.reports.progress import progress_line, time_left


def row(student: str, score: float, complete: bool = True) -> dict[str, object]:
    return {"student_id": student, "score": score, "max_score": 100.0, "complete": complete}


def test_a_line_says_who_how_it_went_and_how_long_is_left() -> None:
    line = progress_line(37, 100, 5, row("c0037", 96), 0.61, time_left(38.2))
    assert line == "[ 37/100] c0037  96/100              0.6 s   about 38 s left"


def test_an_incomplete_grade_says_so_and_columns_stay_aligned() -> None:
    complete = progress_line(1, 9, 7, row("amy", 100), 12.34, time_left(100))
    incomplete = progress_line(2, 9, 7, row("bernard", 7.5, complete=False), 0.0, time_left(3))
    assert complete == "[1/9] amy     100/100             12.3 s   about 2 min left"
    assert incomplete == "[2/9] bernard 7.5/100 incomplete   0.0 s   about 3 s left"
    assert complete.index(" s ") == incomplete.index(" s ")


def test_a_hostile_id_is_one_printable_line() -> None:
    assert "\x1b" not in progress_line(1, 1, 3, row("a\x1b[2Jb", 0), 0, "done in 1 s")
