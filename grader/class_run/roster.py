"""A class roster: who to grade in one run (--roster), and which slice of it (--shard I/N)."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import pytest

from grader.assessment import STUDENT_ID_PATTERN
from grader.aws import access
from grader.settings import AccountAccess, RosterEntry, Settings

ROSTER_PARAM = "roster_entry"
"""The session fixture parametrized with one RosterEntry per student in a roster run."""
SHARD_PATTERN = re.compile(r"(\d+)/(\d+)")
ACCOUNT_COLUMNS = {
    "profile": access.profile,
    "role_arn": access.role_arn,
    "external_id": access.external_id,
    "account_id": access.account_id,
    "region": access.region,
}
"""The optional columns saying how to enter a student's account, each with the check of its cells."""


def student_settings(settings: Settings, entry: RosterEntry) -> Settings:
    """The run's settings narrowed to one roster student: their id, their code, their account (a
    role is assumed from the run's own credentials; a profile of their own replaces those)."""
    way_in = entry.access
    return replace(
        settings,
        student_id=entry.student_id,
        submission_dir=entry.submission_dir or settings.submission_dir,
        profile=way_in.profile or settings.profile,
        role_arn=way_in.role_arn,
        external_id=way_in.external_id,
        region=way_in.region or settings.region,
    )


def upcoming(run: Settings, entry: RosterEntry | None, count: int) -> tuple[RosterEntry, ...]:
    """The `count` roster students after `entry` (none outside a roster run)."""
    if entry is None or run.roster is None:
        return ()
    after = run.roster.index(entry) + 1
    return run.roster[after : after + count]


def load_roster(path: Path, assume_role_name: str | None = None) -> tuple[RosterEntry, ...]:
    """Read FILE: one id a line, or a CSV whose header has student_id (and optionally submission_dir
    and the account columns: profile, role_arn, external_id, account_id, region).

    Blank lines and lines starting with '#' are ignored. Any malformed line is a one-line
    usage error naming the file and line number (and the column, for a cell that is wrong).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise pytest.UsageError(f"--roster {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise pytest.UsageError(
            f"--roster {path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save it as UTF-8 (CSV UTF-8 in a spreadsheet)"
        ) from None
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise pytest.UsageError(f"--roster {path}: no student in it")
    header = [cell.strip() for cell in next(csv.reader([lines[0][1]]))]
    if "student_id" in header:
        rows = [
            (number, [cell.strip() for cell in row])
            for (number, _), row in zip(lines[1:], csv.reader(line for _, line in lines[1:]), strict=True)
        ]
    else:
        header, rows = ["student_id"], [(number, [line.strip()]) for number, line in lines]
    entries: dict[str, tuple[int, RosterEntry]] = {}
    for number, cells in rows:
        entry = _entry(path, number, cells, header, assume_role_name)
        if entry.student_id in entries:
            raise pytest.UsageError(
                f"{path} line {number}: student {entry.student_id!r} is already on line "
                f"{entries[entry.student_id][0]}"
            )
        entries[entry.student_id] = (number, entry)
    if not entries:
        raise pytest.UsageError(f"--roster {path}: no student in it (only the header)")
    return tuple(entry for _, entry in entries.values())


def _entry(
    path: Path, number: int, cells: list[str], header: list[str], assume_role_name: str | None
) -> RosterEntry:
    where = f"{path} line {number}"
    if len(cells) != len(header):
        raise pytest.UsageError(f"{where}: {len(cells)} fields, expected {len(header)} ({', '.join(header)})")
    row = dict(zip(header, cells, strict=True))
    student_id = row["student_id"]
    if not STUDENT_ID_PATTERN.fullmatch(student_id):
        raise pytest.UsageError(
            f"{where}: invalid student id {student_id!r} (use 1-42 letters, digits, '-' or '_')"
        )
    submission = row.get("submission_dir") or None
    directory = None if submission is None else (path.parent / submission).resolve()
    if directory is not None and not directory.is_dir():
        raise pytest.UsageError(f"{where}: submission_dir {submission} is not a directory")
    return RosterEntry(student_id, directory, _access(where, row, assume_role_name))


def _access(where: str, row: dict[str, str], assume_role_name: str | None) -> AccountAccess:
    """The account columns of one row; each cell checked, and the ways in that exclude each other."""
    cells = {column: row[column] for column in ACCOUNT_COLUMNS if row.get(column)}
    ways = [column for column in ("profile", "role_arn", "account_id") if column in cells]
    if len(ways) > 1:
        raise pytest.UsageError(
            f"{where}, column {ways[1]}: {ways[0]} and {ways[1]} are two ways into the account; give one"
        )
    if "external_id" in cells and "profile" in cells:
        raise pytest.UsageError(
            f"{where}, column external_id: a profile sets its own external_id in the AWS config"
        )
    if "external_id" in cells and not ways:
        raise pytest.UsageError(f"{where}, column external_id: it goes with a role_arn or an account_id")
    if "account_id" in cells and assume_role_name is None:
        raise pytest.UsageError(
            f"{where}, column account_id: give the role to assume there with --assume-role-name NAME"
        )
    for column, cell in cells.items():
        try:
            ACCOUNT_COLUMNS[column](cell)
        except access.AccessError as exc:
            raise pytest.UsageError(f"{where}, column {column}: {exc}") from None
    role = cells.get("role_arn")
    if "account_id" in cells:
        role = access.role_in(cells["account_id"], str(assume_role_name))
    return AccountAccess(cells.get("profile"), role, cells.get("external_id"), cells.get("region"))


def parse_shard(text: str) -> tuple[int, int]:
    """'I/N' -> (I, N), with 1 <= I <= N; anything else is a one-line usage error."""
    match = SHARD_PATTERN.fullmatch(text.strip())
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise pytest.UsageError(f"invalid --shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return int(match[1]), int(match[2])


def shard(entries: tuple[RosterEntry, ...], index: int, count: int) -> tuple[RosterEntry, ...]:
    """The index-th of count slices (1-based), dealt round-robin so slices differ by one at most."""
    return entries[index - 1 :: count]
