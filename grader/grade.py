"""Checks, tasks and the grade: outcomes, points and totals. Pure data, no pytest, no boto3."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from grader.assessment import ASSESSMENT, TASKS, TaskInfo

CheckStatus = Literal["passed", "failed", "error"]
TaskStatus = Literal["passed", "partial", "failed", "error"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check (one test of the grading suite)."""

    task: int
    name: str
    status: CheckStatus
    max_points: float
    message: str = ""
    order: tuple[int, str] = (0, "")

    @property
    def points(self) -> float:
        return self.max_points if self.status == "passed" else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
        }

    def to_json(self) -> dict[str, Any]:
        """Every field, for carrying a result between processes (xdist workers, roster runs)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**{**data, "order": tuple(data["order"])})


@dataclass(frozen=True)
class TaskGrade:
    info: TaskInfo
    checks: tuple[CheckResult, ...]

    @property
    def score(self) -> float:
        return round(sum(check.points for check in self.checks), 2)

    @property
    def misweighted(self) -> bool:
        """The checks' points are not whole or do not add up to the task's weight: a grader defect.

        Whole points keep every platform's integer score equal to this grade, with no rounding.
        """
        weights = [check.max_points for check in self.checks]
        return not all(float(w).is_integer() for w in weights) or sum(weights) != self.info.points

    @property
    def status(self) -> TaskStatus:
        if not self.checks or self.misweighted or any(c.status == "error" for c in self.checks):
            return "error"
        if self.score == self.info.points:
            return "passed"
        return "failed" if self.score == 0 else "partial"

    @property
    def problem(self) -> str:
        """Why the task could not be graded, when it could not."""
        if not self.checks:
            return "no check of this task ran"
        if self.misweighted:
            return "grader defect: the task's check points are not whole or do not add up to its weight"
        return next((c.message for c in self.checks if c.status == "error"), "")

    def feedback(self, causes: list[str]) -> list[tuple[CheckStatus, str]]:
        """What a student reads under the task: failed checks grouped by message, and checks
        that could not be graded counted by cause (numbered as in causes, said once elsewhere)."""
        failed = [check for check in self.checks if check.status == "failed"]
        lines: list[tuple[CheckStatus, str]] = []
        for message in dict.fromkeys(check.message for check in failed):
            names = [check.name for check in failed if check.message == message]
            lines.append(("failed", f"{names[0] if len(names) == 1 else f'{len(names)} checks'}: {message}"))
        not_graded = [check.message for check in self.checks if check.status == "error"]
        if self.status == "error" and not not_graded:
            not_graded = [self.problem]
        for cause in dict.fromkeys(not_graded):
            count = not_graded.count(cause)
            lines.append(
                ("error", f"{count} check{'s' * (count > 1)} not graded (cause {causes.index(cause) + 1})")
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        data = {
            "task": self.info.number,
            "title": self.info.title,
            "score": self.score,
            "max_score": float(self.info.points),
            "status": self.status,
            "checks": [check.to_dict() for check in self.checks],
        }
        if self.problem:
            data["problem"] = self.problem
        return data


@dataclass(frozen=True)
class Grade:
    student_id: str
    target: str
    tasks: tuple[TaskGrade, ...] = field(default_factory=tuple)
    isolation: str = "none"
    """How the student's code was contained: namespaces, uid or none (grader.sandbox.isolation)."""

    @property
    def score(self) -> float:
        return round(sum(task.score for task in self.tasks), 2)

    @property
    def max_score(self) -> float:
        return float(sum(task.info.points for task in self.tasks))

    @property
    def complete(self) -> bool:
        return all(task.status != "error" for task in self.tasks)

    @property
    def all_passed(self) -> bool:
        return all(task.status == "passed" for task in self.tasks)

    def causes(self) -> list[str]:
        """Distinct reasons grading was incomplete, each said once, most frequent first."""
        return incomplete_causes(
            (task.status, task.problem, [c.message for c in task.checks if c.status == "error"])
            for task in self.tasks
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessment": ASSESSMENT,
            "student_id": self.student_id,
            "target": self.target,
            "isolation": self.isolation,
            "complete": self.complete,
            "score": self.score,
            "max_score": self.max_score,
            "tasks": [task.to_dict() for task in self.tasks],
        }


def incomplete_causes(tasks: Iterable[tuple[str, str, list[str]]]) -> list[str]:
    """Distinct reasons grading was incomplete, most frequent first, from each task's (status, problem,
    messages of its checks not graded): a grade's, or a grade.json document's alike."""
    counts: dict[str, int] = {}
    for status, problem, reasons in tasks:
        for reason in reasons or ([problem] if status == "error" else []):
            counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts, key=lambda cause: -counts[cause])


def build_grade(
    student_id: str,
    target: str,
    results: Iterable[CheckResult],
    tasks: Iterable[TaskInfo] = TASKS,
    isolation: str = "none",
) -> Grade:
    """Group check results by task, in a stable order whatever order they ran in."""
    by_task: dict[int, list[CheckResult]] = {}
    for result in results:
        by_task.setdefault(result.task, []).append(result)
    return Grade(
        student_id,
        target,
        tuple(
            TaskGrade(info, tuple(sorted(by_task.get(info.number, []), key=lambda c: c.order)))
            for info in tasks
        ),
        isolation,
    )
