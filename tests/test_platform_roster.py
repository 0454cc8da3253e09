"""A whole class: roster parsing, shards, and a roster run equal to one run per student."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from grader.assessment import TASKS
from grader.class_run import merge
from grader.class_run.roster import load_roster, parse_shard, shard
from grader.reports import class_summary
from grader.settings import RosterEntry
from tests import harness

SOLUTION = harness.PROJECT_ROOT / "solution"
MODULES = ("tests_assessment/test_task01_table.py", "tests_assessment/test_task13_read_patterns.py")
"""A roster run grades like any run; two tasks (deployment checks, code checks) keep these runs short."""
pytestmark = [pytest.mark.long, pytest.mark.timeout(600)]
PROGRESS = re.compile(
    r"^\[ *(\d+)/(\d+)\] (\S+) +(\S+)/100 (incomplete|          ) +\d+\.\d s   "
    r"(about \d+ (?:s|min) left|done in \d+ s)$",
    re.MULTILINE,
)
"""A roster run's line as a student is done: position/total, id, score, incomplete, seconds, time left."""


def write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# parsing ---------------------------------------------------------------------------------------
def test_plain_roster_one_id_a_line(tmp_path: Path) -> None:
    roster = write(tmp_path, "# section A\nalice\n\n  bob \ncarol_3\n", "roster.txt")
    assert load_roster(roster) == (RosterEntry("alice"), RosterEntry("bob"), RosterEntry("carol_3"))


def test_csv_roster_with_submission_dirs(tmp_path: Path) -> None:
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    roster = write(tmp_path, "name,student_id,submission_dir\nAlice A,alice,subs/alice\nBob B,bob,\n")
    assert load_roster(roster) == (
        RosterEntry("alice", (tmp_path / "subs" / "alice").resolve()),
        RosterEntry("bob", None),
    )


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("alice\nbad id\n", 2, "invalid student id 'bad id'"),
        ("alice\n" + "x" * 43 + "\n", 2, "invalid student id"),
        ("student_id,submission_dir\nalice,.\nbob\n", 3, "1 fields, expected 2"),
        ("student_id\nalice\n# dup below\nalice\n", 4, "already on line 2"),
        ("student_id,submission_dir\nalice,nowhere\n", 2, "submission_dir nowhere is not a directory"),
    ],
)
def test_malformed_line_is_a_usage_error_naming_it(tmp_path: Path, text: str, line: int, says: str) -> None:
    roster = write(tmp_path, text)
    with pytest.raises(pytest.UsageError) as error:
        load_roster(roster)
    assert f"{roster} line {line}: " in str(error.value) and says in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("text", ["", "# nobody\n\n", "student_id,submission_dir\n"])
def test_empty_roster_is_a_usage_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(pytest.UsageError, match="no student"):
        load_roster(write(tmp_path, text))


@pytest.mark.parametrize(("text", "expected"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 4/4", (4, 4))])
def test_shard_spec(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/4", "5/4", "1", "1/0", "a/b", "1/2/3", "-1/2"])
def test_bad_shard_spec_is_a_usage_error(text: str) -> None:
    with pytest.raises(pytest.UsageError, match="expected I/N"):
        parse_shard(text)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 10])
def test_shards_partition_the_roster(count: int) -> None:
    roster = tuple(RosterEntry(f"s{n}") for n in range(7))
    slices = [shard(roster, index, count) for index in range(1, count + 1)]
    assert sorted((entry for part in slices for entry in part), key=str) == list(roster)
    assert max(map(len, slices)) - min(map(len, slices)) <= 1


# through the real entry point --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--roster={roster}"], "line 3: invalid student id 'not valid'"),
        (["--roster={roster}", "--shard=3/2"], "invalid --shard '3/2'"),
        (["--student-id=alice", "--shard=1/2"], "--shard slices a roster"),
        (["--roster={roster}", "--classroom50"], "--classroom50 reports one student's grade"),
    ],
)
def test_usage_errors_exit_4_in_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    roster = write(tmp_path, "alice\nbob\nnot valid\n")
    run = harness.run_grader(tmp_path, "--target=moto", *(arg.format(roster=roster) for arg in args))
    assert run.exit_code == 4, run.output
    assert says in run.output
    assert "Traceback" not in run.output


class Class:
    """Three students on one emulator: full reference, one mistake, and nothing deployed."""

    def __init__(self, endpoint: str, workdir: Path) -> None:
        self.endpoint = endpoint
        self.ids = [
            harness.new_student_id("full"),
            harness.new_student_id("tag"),
            harness.new_student_id("none"),
        ]
        harness.deploy_reference(endpoint, self.ids[0])
        broken = harness.deploy_reference(endpoint, self.ids[1])
        table_arn = broken.client("dynamodb").describe_table(TableName=f"orders-{self.ids[1]}")["Table"][
            "TableArn"
        ]
        broken.client("dynamodb").untag_resource(ResourceArn=table_arn, TagKeys=["Environment"])
        self.empty = workdir / "empty-submission"
        self.empty.mkdir()
        self.dirs = {self.ids[0]: SOLUTION, self.ids[1]: SOLUTION, self.ids[2]: self.empty}
        self.roster = workdir / "roster.csv"
        self.roster.write_text(
            "student_id,submission_dir\n" + "".join(f"{sid},{path}\n" for sid, path in self.dirs.items())
        )

    def grade(self, workdir: Path, *args: str) -> harness.GraderRun:
        endpoint = f"--endpoint-url={self.endpoint}"
        return harness.run_grader(workdir, "--target=localstack", endpoint, *args, *MODULES)


@pytest.fixture(scope="module")
def klass(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Class:
    return Class(moto_endpoint, tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="module")
def whole_run(klass: Class, tmp_path_factory: pytest.TempPathFactory) -> tuple[harness.GraderRun, Path]:
    """The class graded with -n 2 (the other runs are serial: one student, shards)."""
    workdir = tmp_path_factory.mktemp("whole")
    grades = workdir / "grades"
    return klass.grade(workdir, f"--roster={klass.roster}", f"--grades-dir={grades}", "-n", "2", "-v"), grades


def read_grade(grades: Path, student: str) -> dict:
    return json.loads((grades / student / class_summary.GRADE_NAME).read_text())


def assert_progress(output: str, grades: Path, students: list[str]) -> list[str]:
    """One line per student, numbered 1..N of N in the order printed, each with the score and state of
    the student's grade file, the last saying how long the run took; the students in printed order."""
    lines = PROGRESS.findall(output)
    assert [(int(position), int(total)) for position, total, *_ in lines] == [
        (number, len(students)) for number in range(1, len(students) + 1)
    ], output
    assert sorted(line[2] for line in lines) == sorted(students), output
    for _, _, student, score, state, left in lines:
        grade = read_grade(grades, student)
        assert (float(score), state == "incomplete") == (grade["score"], not grade["complete"]), output
        assert left.startswith("done in") == (student == lines[-1][2]), output
    return [line[2] for line in lines]


def assert_no_dots(output: str) -> None:
    """pytest's screen of dots per task module, with its percentages, is not printed."""
    assert not re.search(r"^tests_assessment/\S+\.py ", output, re.MULTILINE), output
    assert "%]" not in output, output


def test_roster_run_equals_one_run_per_student(klass: Class, whole_run, tmp_path: Path) -> None:
    run, grades = whole_run
    for student in klass.ids:
        single = klass.grade(
            tmp_path / student, f"--student-id={student}", f"--submission-dir={klass.dirs[student]}"
        )
        assert single.grade is not None, single.output
        assert read_grade(grades, student) == single.grade, student
        assert not PROGRESS.search(single.output), "a single student's run prints as it always did"
        assert re.search(r"^tests_assessment/test_task01_table\.py [.F]+", single.output, re.MULTILINE)
    scores = [read_grade(grades, student)["score"] for student in klass.ids]
    assert scores[0] > scores[1] > scores[2], (scores, run.output)  # the three students differ
    assert read_grade(grades, klass.ids[1])["tasks"][0]["status"] == "partial"


def test_a_serial_roster_grades_as_the_parallel_one(klass: Class, whole_run, tmp_path: Path) -> None:
    """Serially, the next student's reads are made ahead, each grade is written as its student
    finishes and (without --html) no passing check's report is kept; with -n and --html none of that
    happens. The grades are the same, and the summary line still counts every check."""
    _, grades = whole_run
    run = harness.run_grader(
        tmp_path, "--target=localstack", f"--endpoint-url={klass.endpoint}", f"--roster={klass.roster}",
        f"--grades-dir={tmp_path / 'grades'}", *MODULES, html=False,
    )  # fmt: skip
    for student in klass.ids:
        assert read_grade(tmp_path / "grades", student) == read_grade(grades, student), run.output
    passed = sum(
        check["status"] == "passed"
        for student in klass.ids
        for task in read_grade(grades, student)["tasks"]
        for check in task["checks"]
    )
    assert f" {passed} passed" in run.output, "a roster run lets reports go, yet counts every one"
    assert assert_progress(run.output, tmp_path / "grades", klass.ids) == klass.ids, "graded in roster order"
    assert_no_dots(run.output)


def test_a_parallel_roster_prints_a_line_per_student(klass: Class, tmp_path: Path) -> None:
    """With -n, as each student is done on their worker (-v: see the next test)."""
    grades = tmp_path / "grades"
    run = klass.grade(tmp_path, f"--roster={klass.roster}", f"--grades-dir={grades}", "-n", "2")
    assert_progress(run.output, grades, klass.ids)
    assert_no_dots(run.output)


def test_with_n_each_students_checks_run_on_one_worker(klass: Class, whole_run) -> None:
    """Else a student's code runs once per worker and their reads are made again (xdist's loadgroup
    no longer groups with pytest 9.2)."""
    run, _ = whole_run
    workers: dict[str, set[str]] = {}
    line = re.compile(r"^\[(gw\d+)\] \[\s*\d+%\] [A-Z ]+ \S+?\[([^\]-]+)[\]-]", re.MULTILINE)
    for worker, student in line.findall(run.output):
        workers.setdefault(student, set()).add(worker)
    assert set(workers) == set(klass.ids), run.output
    assert all(len(used) == 1 for used in workers.values()), workers
    assert_progress(run.output, whole_run[1], klass.ids)  # -v keeps pytest's lines, and adds the students'


def test_roster_exit_code_is_the_worst_student(klass: Class, whole_run) -> None:
    run, grades = whole_run
    students = [read_grade(grades, student) for student in klass.ids]
    expected = 6 if not all(grade["complete"] for grade in students) else 1
    assert run.exit_code == expected, run.output


def test_class_summary_csv_matches_grade_files(klass: Class, whole_run) -> None:
    _, grades = whole_run
    with (grades / class_summary.CSV_NAME).open() as summary:
        rows = list(csv.DictReader(summary))
    checks = {f"T{t['task']}: {c['name']}": c["status"] for t in read_grade(grades, klass.ids[0])["tasks"]
              for c in t["checks"]}  # fmt: skip
    assert list(rows[0]) == [
        "student_id",
        "score",
        "max_score",
        *(f"task_{t.number}" for t in TASKS),
        "complete",
        *checks,
    ]
    assert [row["student_id"] for row in rows] == sorted(klass.ids)
    for row in rows:
        grade = read_grade(grades, row["student_id"])
        outcomes = {f"T{t['task']}: {c['name']}": c["status"] for t in grade["tasks"] for c in t["checks"]}
        assert {column: row[column] for column in checks} == {
            column: {"error": "not graded"}.get(status, status) for column, status in outcomes.items()
        }
        assert float(row["score"]) == grade["score"] == sum(float(row[f"task_{t.number}"]) for t in TASKS)
        assert [float(row[f"task_{t['task']}"]) for t in grade["tasks"]] == [
            t["score"] for t in grade["tasks"]
        ]
        assert row["complete"] == str(grade["complete"])


def test_class_page_links_every_student_report(klass: Class, whole_run) -> None:
    _, grades = whole_run
    page = (grades / class_summary.HTML_NAME).read_text()
    for student in klass.ids:
        grade = read_grade(grades, student)
        assert f"href='{student}/report.html'" in page
        assert f"{grade['score']:g}/{grade['max_score']:g}" in page
        report = (grades / student / class_summary.REPORT_NAME).read_text()
        assert f"<span id='grade-student'>{student}</span>" in report


def most_missed_lines(output: str) -> list[str]:
    """The lines under a roster run's "most missed checks" heading (or grader-merge's)."""
    section = re.split(r"^=* most missed checks =*$|^most missed checks:$", output, flags=re.MULTILINE)[1]
    return section.split("\nclass summary: ")[0].split("\n3 students: ")[0].strip("\n").splitlines()


def test_shards_merged_equal_the_whole_run(
    klass: Class, whole_run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole_output, whole = whole_run
    shards = []
    for index in (1, 2):
        out = tmp_path / f"shard{index}"
        run = klass.grade(
            out, f"--roster={klass.roster}", f"--shard={index}/2", f"--grades-dir={out / 'grades'}"
        )
        assert (out / "grades" / class_summary.CSV_NAME).exists(), run.output
        assert_progress(run.output, out / "grades", klass.ids[index - 1 :: 2])  # the shard's own count
        shards.append(out / "grades")
    ghost = json.loads(next(shards[0].glob("*/grade.json")).read_text()) | {"student_id": "ghost"}
    (tmp_path / "merged" / "ghost").mkdir(parents=True)  # left by an earlier merge: not this class's
    (tmp_path / "merged" / "ghost" / "grade.json").write_text(json.dumps(ghost))
    assert merge.main([*map(str, shards), "--out", str(tmp_path / "merged")]) == 0
    merged_missed = most_missed_lines(capsys.readouterr().out)
    assert merged_missed == most_missed_lines(whole_output.output) and len(merged_missed) >= 3, merged_missed
    merged = tmp_path / "merged"
    assert (merged / class_summary.CSV_NAME).read_text() == (whole / class_summary.CSV_NAME).read_text()
    assert (merged / class_summary.HTML_NAME).read_text() == (whole / class_summary.HTML_NAME).read_text()
    for student in klass.ids:
        assert read_grade(merged, student) == read_grade(whole, student)


def test_empty_shard_grades_nobody_and_exits_0(klass: Class, tmp_path: Path) -> None:
    run = klass.grade(tmp_path, f"--roster={klass.roster}", "--shard=4/4", f"--grades-dir={tmp_path / 'g'}")
    assert run.exit_code == 0, run.output
    assert (tmp_path / "g" / class_summary.CSV_NAME).read_text().count("\n") == 1  # the header only


def test_merge_refuses_a_student_in_two_shards(tmp_path: Path) -> None:
    for shard_dir in ("a", "b"):
        (tmp_path / shard_dir / "alice").mkdir(parents=True)
        (tmp_path / shard_dir / "alice" / "grade.json").write_text(json.dumps({"student_id": "alice"}))
    with pytest.raises(ValueError, match="alice is in both"):
        merge.merge([tmp_path / "a", tmp_path / "b"], tmp_path / "out")


def test_merge_refuses_a_grade_in_a_folder_not_named_for_its_student(tmp_path: Path) -> None:
    (tmp_path / "a" / "x").mkdir(parents=True)
    (tmp_path / "a" / "x" / "grade.json").write_text(json.dumps({"student_id": "zed"}))
    with pytest.raises(ValueError, match="the grade of zed is not in a folder named zed"):
        merge.merge([tmp_path / "a"], tmp_path / "out")


def test_demo_roster_deploys_the_solution_for_every_student(tmp_path: Path) -> None:
    roster = write(tmp_path, "demo1\ndemo2\n", "roster.txt")
    run = harness.run_grader(
        tmp_path, f"--roster={roster}", "--target=moto", "--deploy-solution",
        f"--grades-dir={tmp_path / 'g'}", MODULES[0],
    )  # fmt: skip
    for student in ("demo1", "demo2"):
        grade = read_grade(tmp_path / "g", student)
        assert grade["tasks"][0]["status"] == "passed", run.output
        assert {check["status"] for check in grade["tasks"][0]["checks"]} == {"passed"}
