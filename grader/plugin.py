"""The grader's pytest hooks: options, set-up of a grading run, outcomes, reports, exit code."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader import deployment, reports
from grader.assessment import TITLE
from grader.emulator import EmbeddedMoto
from grader.failures import GRADING_INCOMPLETE
from grader.grade import CheckResult, Grade, build_grade
from grader.options import Settings, StudentIdError, add_options, load_settings
from grader.outcomes import check_result, task_number
from grader.reports import class_summary, github, hooks
from grader.reports.text import for_terminal
from grader.roster import ROSTER_PARAM, RosterEntry, student_settings
from grader.sandbox.policy import ISOLATION_INPUT, SKIPPED_KEY, isolation_header, sandbox_isolation
from grader.stash import ENDPOINT_KEY, SETTINGS_KEY

RESULT_PROPERTY = "grader_check"
STUDENT_PROPERTY = "grader_student"
ENDPOINT_INPUT = "grader_endpoint_url"
DEFAULT_REPORT_CHARS = "fE"
NOT_GRADED = "not graded"
"""pytest's outcome word for a check that errored: not listed one by one like pytest's errors."""
GRADING_SUITE = deployment.PROJECT_ROOT / "tests_assessment"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)
    for output_format in reports.FORMATS:
        pluginmanager.register(output_format, output_format.__name__)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


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
    if config.option.reportchars == DEFAULT_REPORT_CHARS:  # the grade table says it better
        config.option.reportchars = "N"
    if not is_xdist_worker(config) and hasattr(config.option, "htmlpath"):  # pytest-html is active
        if settings.roster is None:  # a roster's students each get their page in the grades folder
            config.option.htmlpath = config.option.htmlpath or "report.html"
        config.option.self_contained_html = True  # one file to hand to a student, whatever --html says
    if settings.roster is not None and getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"  # with -n, each student's checks stay on one worker
    config.pluginmanager.register(GradingRun(config, settings), "grader-run")


class GradingRun:
    """Hooks active only while grading a student."""

    graded = True
    """False when the run ended in a usage error (the suite's points are wrong): no grade to show."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.results: dict[str, CheckResult] = {}
        self.student_of: dict[str, str] = {}
        """In a roster run, the student each result (by node id) belongs to."""
        self.started = time.monotonic()
        self.emulator: EmbeddedMoto | None = None
        endpoint = settings.endpoint_url
        if is_xdist_worker(config):
            endpoint = config.workerinput.get(ENDPOINT_INPUT, endpoint)  # type: ignore[attr-defined]
        else:
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

    def class_grades(self) -> list[Grade]:
        """One grade per roster student, in roster order."""
        by_student: dict[str, list[CheckResult]] = {}
        for nodeid, result in self.results.items():
            by_student.setdefault(self.student_of.get(nodeid, ""), []).append(result)
        return [
            build_grade(
                entry.student_id,
                self.settings.target,
                by_student.get(entry.student_id, []),
                isolation=self.settings.isolation,
            )
            for entry in self.settings.roster or ()
        ]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if self.settings.roster is not None and ROSTER_PARAM in metafunc.fixturenames:
            metafunc.parametrize(ROSTER_PARAM, self.settings.roster, indirect=True, scope="session", ids=str)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.settings.roster == ():  # an empty shard of a small class: nothing to grade
            config.hook.pytest_deselected(items=list(items))
            items.clear()
        for item in items:  # one group per student: xdist's loadgroup keeps it on one worker
            entry = getattr(getattr(item, "callspec", None), "params", {}).get(ROSTER_PARAM)
            if isinstance(entry, RosterEntry):
                item.add_marker(pytest.mark.xdist_group(entry.student_id))

    # xdist: workers share the controller's emulator --------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[ENDPOINT_INPUT] = self.config.stash[ENDPOINT_KEY]
        node.workerinput[ISOLATION_INPUT] = self.settings.isolation

    def pytest_report_header(self) -> list[str]:
        return isolation_header(self.settings.isolation, self.config.stash.get(SKIPPED_KEY, []))

    # outcomes -------------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        report: pytest.TestReport = yield
        if task_number(item) is None:
            return report
        if report.when == "call" or not report.passed:
            result = check_result(item, call, report)
            report.user_properties.append((RESULT_PROPERTY, result.to_json()))
            entry = getattr(getattr(item, "callspec", None), "params", {}).get(ROSTER_PARAM)
            if isinstance(entry, RosterEntry):
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

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        result = _result_of(report)
        if result is not None and (report.nodeid not in self.results or result.status != "passed"):
            self.results[report.nodeid] = result
            student = dict(report.user_properties).get(STUDENT_PROPERTY)
            if student is not None:
                self.student_of[report.nodeid] = student

    # reports and exit code (on the controller only) --------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.graded = exitstatus != pytest.ExitCode.USAGE_ERROR  # e.g. the suite's points are wrong
        if is_xdist_worker(self.config) or not self.graded:
            return
        if self.settings.roster is not None:
            self.finish_class(session, exitstatus)
            return
        grade = self.grade
        reports.grade_json.write(grade, self.settings.grade_json)
        elapsed = time.monotonic() - self.started
        self.config.hook.pytest_grader_graded(config=self.config, grade=grade, elapsed=elapsed)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = exit_code(grade, self.settings.exit_zero)

    def finish_class(self, session: pytest.Session, exitstatus: int) -> None:
        """Each student's grade.json and page, the class summary, one exit code for the class."""
        grades = self.class_grades()
        for grade in grades:
            class_summary.write_student(grade, self.settings.grades_dir)
        class_summary.write_class([grade.to_dict() for grade in grades], self.settings.grades_dir)
        github.append_class_summary([grade.to_dict() for grade in grades])
        if not grades and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK
        elif exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            codes = [exit_code(grade, self.settings.exit_zero) for grade in grades]
            incomplete = GRADING_INCOMPLETE in codes
            session.exitstatus = GRADING_INCOMPLETE if incomplete else max(codes, default=pytest.ExitCode.OK)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if is_xdist_worker(self.config) or not self.graded:
            return
        if self.settings.roster is not None:
            terminalreporter.section("class grades")
            for line in reports.terminal.render_class(self.class_grades()):
                terminalreporter.write_line(line)
            summary = self.settings.grades_dir / class_summary.CSV_NAME
            terminalreporter.write_line(f"class summary: {summary} ({class_summary.HTML_NAME} beside it)")
            return
        terminalreporter.section("grade")
        for line in reports.terminal.render(self.grade):
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
        grades = [self.grade] if self.settings.roster is None else self.class_grades()
        prefix.append(reports.html.report_prefix(grades, time.monotonic() - self.started))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[1:1] = reports.html.CHECK_HEADERS

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        result = _result_of(report)
        cells[1:1] = reports.html.check_cells(result)
        if result is not None:
            cells[0] = reports.html.result_cell(result)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """A check's log would repeat its message, which the grade card says once: drop it."""
        if _result_of(report) is not None:
            data.clear()
        else:
            data[:] = reports.html.instructor_log(data, deployment.PROJECT_ROOT)


def _result_of(report: pytest.TestReport) -> CheckResult | None:
    for name, value in report.user_properties:
        if name == RESULT_PROPERTY:
            return CheckResult.from_json(value)
    return None


def exit_code(grade: Grade, exit_zero_when_graded: bool) -> int:
    """0 all passed, 1 some failed, GRADING_INCOMPLETE when a check could not be graded."""
    if not grade.complete:
        return GRADING_INCOMPLETE
    if grade.all_passed or exit_zero_when_graded:
        return pytest.ExitCode.OK
    return pytest.ExitCode.TESTS_FAILED
