"""Who a Gradescope submission belongs to: Gradescope's own roster, never a file the student wrote.

The id is the one the instructor's list of emails to ids gives the submitter's email, when the
instructor ships that list with the autograder (a CSV with columns email and student_id), else
``users[].sid`` of Gradescope's submission metadata (GRADER_METADATA, default
/autograder/submission_metadata.json). A student_id.txt in the submission may only repeat that id.

gradescope/run_autograder runs ``python -P -m grader.reports.gradescope_identity`` before grading: it prints
the id, or writes results.json with score 0 and why, and exits 4 (a usage error).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from grader.assessment import STUDENT_ID_PATTERN
from grader.reports import gradescope

METADATA_ENV = "GRADER_METADATA"
METADATA = Path("/autograder/submission_metadata.json")
ID_FILE = "student_id.txt"
"""A file earlier versions asked students to upload: accepted only when it names the student."""
MAP_COLUMNS = ("email", "student_id")
ID_RULE = "1-42 letters, digits, '-' or '_', as in your table orders-ID"
REFUSED_EXIT = 4


class Refused(Exception):
    """No usable student id: the message is what the student reads beside their score of 0."""


def identify(metadata: Path, id_map: Path | None, submission: Path) -> str:
    """The student id of this submission, or Refused saying why there is none."""
    user = submitter(load_metadata(metadata))
    email = str(user.get("email") or "").strip()
    listed = id_map is not None and id_map.exists()
    if listed:  # the instructor's list, when shipped, decides alone: a SID may be one the student typed
        student_id = load_id_map(id_map).get(email.casefold(), "")
        if not student_id:
            raise Refused(
                f"Not graded: your instructor's list of student ids does not name {email or 'you'}, so the "
                "grader cannot tell whose AWS work is yours. Ask your instructor to add you, then resubmit."
            )
    else:
        sid = user.get("sid")
        student_id = str(sid).strip() if sid is not None else ""
    source = "your instructor's list of student ids" if listed else "Gradescope's roster (your SID)"
    if not student_id:
        raise Refused(
            f"Not graded: Gradescope's roster has no student ID (SID) for {email or 'you'}, and your "
            "instructor's list of student ids does not name you, so the grader cannot tell whose AWS "
            "work is yours. Ask your instructor to add your student ID, then resubmit."
        )
    if not STUDENT_ID_PATTERN.fullmatch(student_id):
        raise Refused(
            f"Not graded: your student id from {source}, {student_id[:60]!r}, cannot name a table "
            f"({ID_RULE}). Ask your instructor to give you a usable id in their list of student ids."
        )
    claim = conflicting_claim(submission, student_id)
    if claim is not None:
        raise Refused(
            f"Not graded: {ID_FILE} in your submission {claim}, but {source} says you are "
            f"{student_id!r}: you are graded on your own work (table orders-{student_id}) only. "
            f"Delete {ID_FILE} or correct it, then resubmit."
        )
    return student_id


def load_metadata(path: Path) -> dict[str, Any]:
    """Gradescope's submission metadata, or Refused when it cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise Refused(
            f"Not graded: Gradescope's submission metadata ({path}) could not be read "
            f"({type(error).__name__}), so the grader cannot tell who you are. Ask your instructor."
        ) from None
    if not isinstance(document, dict):
        raise Refused(
            f"Not graded: Gradescope's submission metadata ({path}) is malformed. Ask your instructor."
        )
    return document


def submitter(metadata: dict[str, Any]) -> dict[str, Any]:
    """The one user of the submission; a group is refused (each student is graded on their own table)."""
    users = metadata.get("users")
    if not isinstance(users, list) or not users or not all(isinstance(user, dict) for user in users):
        raise Refused("Not graded: Gradescope's submission metadata names no submitter. Ask your instructor.")
    if len(users) > 1:
        raise Refused(
            f"Not graded: this is a group submission of {len(users)} students, but each student is graded "
            "on their own AWS work (their own table orders-ID). Remove the group members, then resubmit."
        )
    return users[0]


def load_id_map(path: Path) -> dict[str, str]:
    """The instructor's list: email (case-insensitive) -> student id."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as rows:
            reader = csv.DictReader(rows)
            if not set(MAP_COLUMNS) <= set(reader.fieldnames or ()):
                raise Refused(
                    f"Not graded: your instructor's list of student ids ({path.name}) needs the columns "
                    f"{' and '.join(MAP_COLUMNS)}. Ask your instructor."
                )
            pairs = [
                ((row["email"] or "").strip().casefold(), (row["student_id"] or "").strip())
                for row in reader
                if row["email"]
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise Refused(
            f"Not graded: your instructor's list of student ids ({path.name}) could not be read "
            f"({type(error).__name__}). Ask your instructor."
        ) from None
    emails, ids = [email for email, _ in pairs], [student_id for _, student_id in pairs if student_id]
    twice = sorted({name for name in emails if emails.count(name) > 1} | {i for i in ids if ids.count(i) > 1})
    if twice:  # two rows for one email, or two students graded on one table
        raise Refused(
            f"Not graded: your instructor's list of student ids ({path.name}) names {', '.join(twice[:3])} "
            "twice; each email and each id must appear once. Ask your instructor."
        )
    return dict(pairs)


def conflicting_claim(submission: Path, student_id: str) -> str | None:
    """How student_id.txt claims someone other than student_id ("names 'bob'"), or None when it is
    absent, empty or names the student. Never followed when it is a link; its text is shown only
    when it is a valid id (a link to the grader's key must not echo the key)."""
    path = submission / ID_FILE
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return "is not a plain file"
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as text:
            head = text.read(200).decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return "cannot be read"
    line = head.splitlines()[0].strip() if head.strip() else ""
    if line in ("", student_id):
        return None
    return f"names {line!r}" if STUDENT_ID_PATTERN.fullmatch(line) else "does not hold a student id"


def main(argv: list[str] | None = None) -> int:
    """Print the submission's student id; else write results.json (score 0 and why) and return 4."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="Gradescope's results.json")
    parser.add_argument("--submission", type=Path, required=True, help="the student's uploaded files")
    parser.add_argument("--id-map", type=Path, help="the instructor's CSV of emails to student ids")
    args = parser.parse_args(argv)
    metadata = Path(os.environ.get(METADATA_ENV) or METADATA)
    try:
        student_id = identify(metadata, args.id_map, args.submission)
    except Refused as refused:
        gradescope.write(gradescope.refusal(str(refused)), args.results)
        print(f"grader: {refused}", file=sys.stderr)
        return REFUSED_EXIT
    print(student_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
