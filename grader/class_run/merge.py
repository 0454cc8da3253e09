"""grader-merge: join the grade folders of roster shards (--shard I/N) into one class summary."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from grader.assessment import STUDENT_ID_PATTERN
from grader.reports import class_summary, github, terminal


def merge(shards: list[Path], out: Path) -> list[str]:
    """Copy every shard's student folders into out and write the class summary; return the ids.

    A student graded in two shards is an error (the shards were not slices of one roster), and so is
    a student id that --student-id would refuse: it names a folder under out, so it must stay one.
    """
    owner: dict[str, Path] = {}
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
            owner[student] = shard
    out.mkdir(parents=True, exist_ok=True)
    for student, shard in owner.items():
        if (shard / student).resolve() != (out / student).resolve():
            shutil.copytree(shard / student, out / student, dirs_exist_ok=True)
    grades = class_summary.load_grades(out)
    class_summary.write_class(grades, out)
    github.append_class_summary(grades)
    return sorted(owner)


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
    print("most missed checks:", *terminal.render_missed(class_summary.load_grades(args.out)), sep="\n")
    print(f"{len(students)} students: {args.out / class_summary.CSV_NAME}, {class_summary.HTML_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
