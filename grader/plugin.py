"""The grader's pytest hooks: options, set-up of a grading run, outcomes, reports, exit code."""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader.assessment import TITLE
from grader.aws import deployment
from grader.aws.emulator import EmbeddedMoto
from grader.class_run import class_memory, roster_loop
from grader.class_run.class_grades import ClassGrades, Row
from grader.class_run.roster import ROSTER_PARAM, student_settings
from grader.failures import GRADING_INCOMPLETE
from grader.grade import CheckResult, Grade, build_grade
from grader.options import add_options, load_settings
from grader.outcomes import check_result, task_number
from grader.reports import class_summary, github, grade_json, hooks, html, not_graded, terminal
from grader.reports.files import make_way
from grader.reports.formats import FORMATS
from grader.reports.progress import RosterProgress
from grader.reports.text import for_terminal
from grader.sandbox import student_data
from grader.sandbox.policy import ISOLATION_INPUT, SKIPPED_KEY, isolation_header, sandbox_isolation
from grader.settings import RosterEntry, Settings, StudentIdError
from grader.stash import ENDPOINT_KEY, SETTINGS_KEY
from grader.suite import GRADING_SUITE, is_xdist_worker

RESULT_PROPERTY = "grader_check"
STUDENT_PROPERTY = "grader_student"
ENDPOINT_INPUT = "grader_endpoint_url"
DEFAULT_REPORT_CHARS = "fE"
NOT_GRADED = "not graded"
"""pytest's outcome word for a check that errored: not listed one by one like pytest's errors."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)
    for output_format in FORMATS:
        pluginmanager.register(output_format, output_format.__name__)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def is_grading_run(config: pytest.Config) -> bool:
    """True when the run collects the grading suite (not, say, the grader's own self-tests)."""
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == GRADING_SUITE or GRADING_SUITE in path.parents or path in GRADING_SUITE.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the assessment task a check grades.")
    config.addinivalue_line("markers", "points(value): what a check is worth when it passes.")
    if not is_grading_run(config):
        return
    try:
        formats = config.hook.pytest_grader_requested(config=config)
        settings = load_settings(config, deployment.PROJECT_ROOT / "solution", formats)
    except StudentIdError as error:
        if not is_xdist_worker(config):
            config.hook.pytest_grader_rejected(config=config, error=error)
        raise
    settings = replace(settings, isolation=sandbox_isolation(config, settings))
    config.stash[SETTINGS_KEY] = settings
    if config.pluginmanager.has_plugin("subtests"):  # the grading suite has none, and pytest 9.2's
        config.pluginmanager.unregister(name="subtests")  # keeps an entry for every check's report
    if config.option.reportchars == DEFAULT_REPORT_CHARS:  # the grade table says it better
        config.option.reportchars = "N"
    if config.option.tbstyle == "auto":  # a check's message stands in for its traceback
        # pytest would render it (parsing the source of every frame, botocore's too) only to be replaced;
        # a roster run prints none at all (each student's page has the messages)
        config.option.tbstyle = "no" if settings.roster is not None else "native"
    if not is_xdist_worker(config) and hasattr(config.option, "htmlpath"):  # pytest-html is active
        if settings.roster is None:  # a roster's students each get their page in the grades folder
            config.option.htmlpath = config.option.htmlpath or "report.html"
        config.option.self_contained_html = True  # one file to hand to a student, whatever --html says
    config.pluginmanager.register(GradingRun(config, settings), "grader-run")


class GradingRun:
    """Hooks active only while grading a student."""

    graded = True
    """False when the run ended in a usage error (the suite's points are wrong): no grade to show."""
    by_student = False
    """True when xdist schedules the roster by student (grader.class_run.student_scheduling)."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.results: dict[str, CheckResult] = {}
        self.class_grades: ClassGrades | None = None
        self.class_rows: list[Row] = []
        if settings.roster is not None:
            with_html = bool(getattr(config.option, "htmlpath", None))  # its class page shows every check
            progress = None
            if not is_xdist_worker(config):  # a line as each student is done
                progress = RosterProgress(config, [entry.student_id for entry in settings.roster])
                config.pluginmanager.register(progress, "grader-progress")
            self.class_grades = ClassGrades(
                settings.target, settings.isolation, settings.grades_dir, with_html,
                on_written=progress.student_done if progress else None,
            )  # fmt: skip
            self.class_grades.streaming = getattr(config.option, "dist", "no") == "no"  # with -n: see below
        self.started = time.monotonic()
        self.emulator: EmbeddedMoto | None = None
        endpoint = settings.endpoint_url
        if is_xdist_worker(config):
            endpoint = config.workerinput.get(ENDPOINT_INPUT, endpoint)  # type: ignore[attr-defined]
        elif not config.option.collectonly:  # listing the checks needs no emulator and no deployment
            if settings.target == "moto":
                self.emulator = EmbeddedMoto()
                endpoint = self.emulator.start()
            if settings.deploy_solution:
                for student in self.students_settings:
                    deployment.deploy_reference(student, endpoint)
        config.stash[ENDPOINT_KEY] = endpoint

    @property
    def grade(self) -> Grade:
        settings = self.settings
        results = self.results.values()
        return build_grade(settings.student_id, settings.target, results, isolation=settings.isolation)

    # a roster run: every check once per student -------------------------------------------------
    @property
    def students_settings(self) -> list[Settings]:
        if self.settings.roster is None:
            return [self.settings]
        return [student_settings(self.settings, entry) for entry in self.settings.roster]

    @property
    def one_at_a_time(self) -> bool:
        """A roster graded here one student after another (class_run.roster_loop), not parametrized whole."""
        return self.settings.roster is not None and roster_loop.one_at_a_time(self.config)

    @pytest.hookimpl(tryfirst=True)  # the student leads each check's parameter ids
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if self.settings.roster is not None and ROSTER_PARAM in metafunc.fixturenames:
            students = self.settings.roster[:1] if self.one_at_a_time else self.settings.roster
            metafunc.parametrize(ROSTER_PARAM, students, indirect=True, scope="session", ids=str)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.settings.roster == ():  # an empty shard of a small class: nothing to grade
            config.hook.pytest_deselected(items=list(items))
            items.clear()
        if self.settings.roster and not self.one_at_a_time:  # each student's checks in a row
            position = {entry: number for number, entry in enumerate(self.settings.roster)}
            items.sort(key=lambda item: position.get(_roster_entry(item), -1))

    def pytest_report_collectionfinish(self, items: list[pytest.Item]) -> str | None:
        if not self.one_at_a_time or not items:
            return None
        students = len(self.settings.roster or ())
        return f"grading {students} student{'s' * (students != 1)}, one at a time: {len(items)} checks each"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        if not self.one_at_a_time:
            return None
        progress = class_memory.count_progress(self.config)

        def done() -> None:
            assert self.class_grades is not None
            self.class_grades.close("")  # their grade, and their progress line, now
            progress.next_student()
            class_memory.forget_earlier_setups(session)

        roster_loop.run(session, self.settings.roster or (), done=done)
        return True

    # xdist: workers share the controller's emulator --------------------------------------------
    @pytest.hookimpl(optionalhook=True, tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        """With -n, a roster student's checks run on one worker, and so do one student's checks of
        their files: the student's code runs once."""
        if config.option.dist not in ("load", "loadgroup"):
            return None
        from grader.class_run import student_scheduling as scheduling  # xdist's, imported only with -n

        if self.settings.roster is None:
            return scheduling.GradingScheduling(config, log, scheduling.code_unit(scheduling.code_files()))
        self.by_student = True
        students = (entry.student_id for entry in self.settings.roster)
        return scheduling.GradingScheduling(config, log, scheduling.roster_unit(students))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """Grades are written as students finish only when each student's checks run in a row on one
        worker: scheduled by student, and every check naming one (not so when a student id equals a
        check's parameter, or with another --dist); else they are written at the end."""
        from grader.class_run.student_scheduling import all_placed

        students = frozenset(entry.student_id for entry in self.settings.roster or ())
        if self.class_grades is not None:
            self.class_grades.streaming = self.by_student and all_placed(ids, students)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[ENDPOINT_INPUT] = self.config.stash[ENDPOINT_KEY]
        node.workerinput[ISOLATION_INPUT] = self.settings.isolation

    def pytest_report_header(self) -> list[str]:
        return isolation_header(self.settings.isolation, self.config.stash.get(SKIPPED_KEY, []))

    # outcomes -------------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Generator[None, object, object]:
        """A check judging a sandbox record: what the judging cannot read is the student's failure."""
        file = student_data.judged_file(pyfuncitem)
        try:
            return (yield)
        except Exception as exc:
            failure = student_data.students_failure(file, exc) if file is not None else None
            if failure is None:
                raise
            raise failure from exc

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        report: pytest.TestReport = yield
        if task_number(item) is None:
            return report
        if report.when == "call" or not report.passed:
            result = check_result(item, call, report)
            report.user_properties.append((RESULT_PROPERTY, result.to_json()))
            if (entry := _roster_entry(item)) is not None:
                report.user_properties.append((STUDENT_PROPERTY, entry.student_id))
            if result.message:
                report.longrepr = for_terminal(result.message)  # pytest prints it
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, str] | None:
        result = _result_of(report)
        if result is None or (report.when == "teardown" and result.status == "passed"):
            return None
        if result.status == "error":  # its cause is said once, in the grade summary
            return NOT_GRADED, "E", "NOT GRADED"
        if result.status == "failed":
            return "failed", "F", "FAILED"
        return None

    @pytest.hookimpl(wrapper=True)  # what follows the yield runs after the terminal's and the formats'
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None, None, None]:
        yield
        result = _result_of(report)
        if is_xdist_worker(self.config):  # the controller grades
            return
        if self.class_grades is None:
            if result is not None and (report.nodeid not in self.results or result.status != "passed"):
                self.results[report.nodeid] = result
            return
        if result is not None:
            worker = getattr(report, "node", None)  # xdist's controller: the worker that ran it
            worker_id = worker.workerinput["workerid"] if worker is not None else ""
            student = dict(report.user_properties)[STUDENT_PROPERTY]
            self.class_grades.add(worker_id, student, report.nodeid, result)
        if class_memory.counts_only(self.config):  # a class's reports would pile up in the terminal
            class_memory.let_go(self.config, report)

    # reports and exit code (on the controller only) --------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.graded = exitstatus != pytest.ExitCode.USAGE_ERROR  # e.g. the suite's points are wrong
        if is_xdist_worker(self.config) or not self.graded:
            return
        html_path = getattr(self.config.option, "htmlpath", None)
        if html_path:  # pytest-html writes it next (trylast) by opening the path: clear what is there
            make_way(Path(os.path.expandvars(html_path)).expanduser())
        if self.settings.roster is not None:
            self.finish_class(session, exitstatus)
            return
        grade = self.grade
        grade_json.write(grade, self.settings.grade_json)
        elapsed = time.monotonic() - self.started
        self.config.hook.pytest_grader_graded(config=self.config, grade=grade, elapsed=elapsed)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = exit_code(grade.complete, grade.all_passed, self.settings.exit_zero)

    def finish_class(self, session: pytest.Session, exitstatus: int) -> None:
        """The grades not yet written, the class summary, one exit code for the class."""
        assert self.class_grades is not None and self.settings.roster is not None
        rows = self.class_rows = self.class_grades.finish(self.settings.roster)
        class_summary.write_class(rows, self.settings.grades_dir)
        github.append_class_summary(rows)
        if not rows and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK
        elif exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            exit_zero = self.settings.exit_zero
            codes = [exit_code(row["complete"], _all_passed(row), exit_zero) for row in rows]
            incomplete = GRADING_INCOMPLETE in codes
            session.exitstatus = GRADING_INCOMPLETE if incomplete else max(codes, default=pytest.ExitCode.OK)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if is_xdist_worker(self.config) or not self.graded:
            return
        if self.settings.roster is not None:
            terminalreporter.section("class grades")
            for line in [
                *terminal.render_class(self.class_rows),
                *not_graded.terminal_lines(self.class_rows),
            ]:
                terminalreporter.write_line(line)
            terminalreporter.section("most missed checks")
            for line in terminal.render_missed(self.class_rows):
                terminalreporter.write_line(line)
            summary = self.settings.grades_dir / class_summary.CSV_NAME
            terminalreporter.write_line(f"class summary: {summary} ({class_summary.HTML_NAME} beside it)")
            return
        terminalreporter.section("grade")
        for line in terminal.render(self.grade):
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"grade file: {self.settings.grade_json}")

    def pytest_unconfigure(self) -> None:
        if self.emulator is not None:
            self.emulator.stop()

    # pytest-html ---------------------------------------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        """Title the report; empty pytest-html's environment table, which may hold local paths and CI
        variables (the run details at the bottom say what matters)."""
        report.title = f"{TITLE} grade: {self.settings.student_id or 'class roster'}"
        report.set_data("environment", {})

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str]) -> None:
        grades = [self.grade] if self.class_grades is None else list(self.class_grades.grades.values())
        prefix.append(html.report_prefix(grades, time.monotonic() - self.started))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[1:1] = html.CHECK_HEADERS

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        result = _result_of(report)
        cells[1:1] = html.check_cells(result)
        if result is not None:
            cells[0] = html.result_cell(result)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """A check's log would repeat its message, which the grade card says once: drop it."""
        if _result_of(report) is not None:
            data.clear()
        else:
            data[:] = html.instructor_log(data, deployment.PROJECT_ROOT)


def _roster_entry(item: pytest.Item) -> RosterEntry | None:
    """The roster student a check grades (None outside a roster run)."""
    entry = getattr(getattr(item, "callspec", None), "params", {}).get(ROSTER_PARAM)
    return entry if isinstance(entry, RosterEntry) else None


def _result_of(report: pytest.TestReport) -> CheckResult | None:
    for name, value in report.user_properties:
        if name == RESULT_PROPERTY:
            return CheckResult.from_json(value)
    return None


def _all_passed(row: Row) -> bool:
    return all(task["status"] == "passed" for task in row["tasks"])


def exit_code(complete: bool, all_passed: bool, exit_zero_when_graded: bool) -> int:
    """0 all passed, 1 some failed, GRADING_INCOMPLETE when a check could not be graded."""
    if not complete:
        return GRADING_INCOMPLETE
    if all_passed or exit_zero_when_graded:
        return pytest.ExitCode.OK
    return pytest.ExitCode.TESTS_FAILED
