"""The one output writer (grader/reports/files.py): whatever a checkout planted at an output's path is
replaced, never followed, never blocks the grader, and nothing outside the path changes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.reports.files import make_way, planted, write_output

OUTSIDE = "not the grader's"


def plant_directory(path: Path, outside: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("x")


def plant_symlink_to_file(path: Path, outside: Path) -> None:
    path.symlink_to(outside)


def plant_symlink_to_directory(path: Path, outside: Path) -> None:
    path.symlink_to(outside.parent, target_is_directory=True)


def plant_fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)  # opening it to write would block until someone reads


def plant_hard_link(path: Path, outside: Path) -> None:
    os.link(outside, path)


PLANTS: dict[str, tuple[Callable[[Path, Path], None], str | None]] = {
    "directory": (plant_directory, "directory"),
    "symlink to a file": (plant_symlink_to_file, "symlink"),
    "symlink to a directory": (plant_symlink_to_directory, "symlink"),
    "FIFO": (plant_fifo, "FIFO"),
    "hard link": (plant_hard_link, None),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beyond the output's folder (the checkout) that no write may change."""
    path = tmp_path / "elsewhere" / "outside.txt"
    path.parent.mkdir()
    path.write_text(OUTSIDE)
    return path


@pytest.mark.timeout(20)  # the FIFO: a writer that opens the path would hang here
@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
def test_write_output_replaces_what_was_planted(plant: str, tmp_path: Path, outside: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    path = checkout / "result.json"
    make, kind = PLANTS[plant]
    make(path, outside)
    assert planted(path) == kind
    assert write_output(path, '{"score": 100}\n') == kind
    assert path.is_file() and not path.is_symlink() and path.read_text() == '{"score": 100}\n'
    assert outside.read_text() == OUTSIDE and sorted(p.name for p in outside.parent.iterdir()) == [
        "outside.txt"
    ]
    assert sorted(p.name for p in checkout.iterdir()) == ["result.json"]  # no temporary file left


@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
def test_make_way_removes_without_following(plant: str, tmp_path: Path, outside: Path) -> None:
    """For a writer that opens the path itself (pytest-html's report.html)."""
    path = tmp_path / "report.html"
    make, kind = PLANTS[plant]
    make(path, outside)
    assert make_way(path) == kind
    assert not os.path.lexists(path) and outside.read_text() == OUTSIDE


def test_write_output_makes_its_folder_and_writes_bytes_as_given(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "report.html"
    assert write_output(path, "é".encode()) is None and path.read_bytes() == "é".encode()
    assert make_way(tmp_path / "missing") is None
