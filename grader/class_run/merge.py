"""grader-merge: join the grade folders of roster shards (--shard I/N) into one class summary."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from grader.assessment import STUDENT_ID_PATTERN
from grader.reports import class_summary, github, terminal


def merge(shards: list[Path], out: Path) -> list[dict[str, Any]]:
    """Copy every shard's student folders into out and write the class summary of those students (not
    of folders an earlier merge left in out); return their grades, by id.

    A student graded in two shards is an error (the shards were not slices of one roster), and so is
    a student id that --student-id would refuse (it names a folder under out, so it must stay one) or
    one whose grade.json is not in the folder of that name.
    """
    owner: dict[str, Path] = {}
    grades: list[dict[str, Any]] = []
    for shard in shards:
        for grade in class_summary.load_grades(shard):
            student = grade.get("student_id")
            if not isinstance(student, str) or not STUDENT_ID_PATTERN.fullmatch(student):
                raise ValueError(
                    f"{shard}: invalid student id {student!r} in a grade.json "
                    "(use 1-42 letters, digits, '-' or '_'): not a grade folder of this grader"
                )
            if student in owner:
                raise ValueError(f"student {student} is in both {owner[student]} and {shard}")
            if not (shard / student / class_summary.GRADE_NAME).is_file():
                raise ValueError(f"{shard}: the grade of {student} is not in a folder named {student}")
            owner[student] = shard
            grades.append(grade)
    out.mkdir(parents=True, exist_ok=True)
    for student, shard in owner.items():
        if (shard / student).resolve() != (out / student).resolve():
            shutil.copytree(shard / student, out / student, dirs_exist_ok=True)
    grades.sort(key=lambda grade: grade["student_id"])
    class_summary.write_class(grades, out)
    github.append_class_summary(grades)
    return grades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grader-merge", description=__doc__)
    parser.add_argument("shards", nargs="+", type=Path, help="grade folders of the shards (--grades-dir)")
    parser.add_argument("--out", type=Path, required=True, help="folder of the merged class summary")
    args = parser.parse_args(argv)
    missing = [str(shard) for shard in args.shards if not shard.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    try:
        students = merge(args.shards, args.out)
    except ValueError as exc:
        parser.error(str(exc))
    print("most missed checks:", *terminal.render_missed(students), sep="\n")
    print(f"{len(students)} students: {args.out / class_summary.CSV_NAME}, {class_summary.HTML_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
