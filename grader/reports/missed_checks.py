"""The class's most missed checks: each check's outcome per student, kept compact, and the checks the
most students failed, with their commonest message and who they are.

A student's outcomes travel in their summary row (grader.class_run.class_grades) or are read from
their grade.json (grader-merge): both give the same table. "Not graded" is counted apart, never as a
miss.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.assessment import reference_names, table_tags
from grader.reports.text import for_terminal

Check = tuple[int, str]
"""A check of the class: (task number, check name as in grade.json)."""
CODES = {"passed": "P", "failed": "F", "error": "E"}
WORDS = {"P": "passed", "F": "failed", "E": "not graded"}
"""A check's outcome in the class CSV."""
MESSAGE_LIMIT = 120
"""Characters of a message in the most-missed table: the gist, the student's page has the rest."""
SHOWN = 10
"""How many of the most missed checks the class page and the terminal list."""
PLACEHOLDER = "ID"

_SHARED_CHECKS: dict[tuple[Check, ...], tuple[Check, ...]] = {}
"""One tuple per distinct list of checks, shared by every student who has that list."""


@dataclass(frozen=True)
class Outcomes:
    """A student's outcome of each check: the check list (one object for the class), a letter per
    check (P, F, E), and each failed check's message, shortened, with the student's names made general."""

    checks: tuple[Check, ...]
    codes: str
    messages: tuple[str, ...]

    def by_check(self) -> dict[Check, str]:
        return dict(zip(self.checks, self.codes, strict=True))


def shortened(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def general(message: str, student_id: str) -> str:
    """The message with the student's resource names and id tag in their general form (orders-ID),
    so that the same mistake reads the same for every student."""
    for name, template in _generalised_names(student_id):
        message = message.replace(name, template)
    return message


def _generalised_names(student_id: str) -> list[tuple[str, str]]:
    templates = reference_names(PLACEHOLDER)
    pairs = [(name, templates[role]) for role, name in reference_names(student_id).items()]
    tags = table_tags(PLACEHOLDER)
    pairs += [(f"{key}={value}", f"{key}={tags[key]}") for key, value in table_tags(student_id).items()]
    return sorted(pairs, key=lambda pair: -len(pair[0]))  # the longest first: orders-ID-read-throttling


def outcomes(document: Mapping[str, Any]) -> Outcomes:
    """A summary row's outcomes, or those of a grade.json document (computed from its checks)."""
    if "outcomes" in document:
        return document["outcomes"]
    checks, codes, messages = [], [], []
    for task in document["tasks"]:
        for check in task.get("checks", ()):
            checks.append((task["task"], sys.intern(check["name"])))
            codes.append(CODES[check["status"]])
            if check["status"] == "failed":
                messages.append(sys.intern(shortened(general(check["message"], document["student_id"]))))
    shared = _SHARED_CHECKS.setdefault(tuple(checks), tuple(checks))
    return Outcomes(shared, "".join(codes), tuple(messages))


def check_column(check: Check) -> str:
    """A check's CSV column: one printable line, starting with T (a spreadsheet reads no formula)."""
    return f"T{check[0]}: {for_terminal(check[1])}"


def class_checks(rows: Iterable[Mapping[str, Any]]) -> list[Check]:
    """Every check any student has, by task, in the order they ran."""
    seen: dict[Check, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(outcomes(row).checks))
    return sorted(seen, key=lambda check: check[0])


def csv_cells(row: Mapping[str, Any], checks: Iterable[Check]) -> dict[str, str]:
    """A student's outcome of each check, in words ('' for a check they do not have)."""
    found = outcomes(row).by_check()
    return {check_column(check): WORDS.get(found.get(check, ""), "") for check in checks}


@dataclass
class Missed:
    """A check some students failed."""

    check: Check
    students: list[str] = field(default_factory=list)
    """Who failed it, by student id."""
    graded: int = 0
    """How many students it was graded for (passed or failed)."""
    not_graded: int = 0
    messages: Counter[str] = field(default_factory=Counter)

    @property
    def message(self) -> str:
        """The commonest message (among equals, that of the first student by id)."""
        return self.messages.most_common(1)[0][0] if self.messages else ""


def most_missed(rows: Iterable[Mapping[str, Any]], limit: int = SHOWN) -> list[Missed]:
    """The checks failed by the most students, most first (then by task, in the order they ran); the
    same whatever the order of the rows (a roster's, or grade files by id): taken by student id."""
    tally: dict[Check, Missed] = {}
    for row in sorted(rows, key=lambda row: row["student_id"]):
        found = outcomes(row)
        failed = iter(found.messages)
        for check, code in zip(found.checks, found.codes, strict=True):
            missed = tally.setdefault(check, Missed(check))
            if code == "E":
                missed.not_graded += 1
                continue
            missed.graded += 1
            if code == "F":
                missed.students.append(row["student_id"])
                missed.messages[next(failed)] += 1
    order = {check: number for number, check in enumerate(tally)}
    ranked = sorted(
        (missed for missed in tally.values() if missed.students),
        key=lambda missed: (-len(missed.students), missed.check[0], order[missed.check]),
    )
    return ranked[:limit]
