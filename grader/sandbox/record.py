"""What the student's code did in the sandbox, as the checks read it.

The calls come from the gateway's record and the table from the grader's own reads, both outside the
sandbox; each step's result, output and ending from the student's process. Requests and table items
are in DynamoDB's wire form (typed values); `expressions.plain` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from grader.assessment import KEY_ATTRIBUTES, key_of
from grader.failures import GraderError, RequirementFailed
from grader.sandbox import expressions

TABLE_FIX = "Use the table name orders-{id} (or os.environ['ORDERS_TABLE']) in every call"


@dataclass(frozen=True)
class Call:
    """One AWS call: what was asked, and the error code when it failed."""

    service: str
    operation: str
    params: dict[str, Any]
    error: str | None = None
    returned: tuple[dict[str, Any], ...] = ()
    """The keys of the items a read returned."""
    region: str | None = None
    """The region the call was signed for."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def tables(self) -> list[str]:
        """The tables this call names (TableName, or the keys of RequestItems)."""
        names = [self.params["TableName"]] if isinstance(self.params.get("TableName"), str) else []
        request_items = self.params.get("RequestItems")
        if isinstance(request_items, dict):
            names.extend(request_items)
        return names

    def key(self) -> dict[str, Any]:
        """The plain key of a single-item call (GetItem, UpdateItem, PutItem's item keys)."""
        source = self.params.get("Key") or self.params.get("Item") or {}
        return {k: expressions.plain(source[k]) for k in KEY_ATTRIBUTES if k in source}


@dataclass(frozen=True)
class Unlogged:
    """A logging call of the student's that Lambda would not log: its level is below its logger's."""

    level: str
    logger: str
    """The logger whose level stopped it (the root logger's name is 'root')."""
    threshold: str
    message: str

    def note(self) -> str:
        """'logged at INFO, but the root logger's level is WARNING, as in Lambda: ...', for a message."""
        whose = "the root logger's" if self.logger == "root" else f"logger {self.logger!r}'s"
        return (
            f"logged at {self.level}, but {whose} level is {self.threshold}, as in Lambda: "
            f"{self.message[:80]!r} never reaches CloudWatch Logs"
        )


@dataclass(frozen=True)
class Step:
    name: str
    exit_status: int | None
    exception: str | None
    result: Any
    stdout: str
    stdout_dropped: int
    calls: tuple[Call, ...]
    table: tuple[dict[str, Any], ...]
    unlogged: tuple[Unlogged, ...] = ()
    """A Lambda handler's logging calls below their logger's level (Lambda would drop them)."""

    @property
    def finished(self) -> bool:
        """Ended normally (or by sys.exit(0)), without an exception."""
        return self.exception is None and self.exit_status == 0

    def calls_of(self, operation: str) -> list[Call]:
        return [call for call in self.calls if call.service == "dynamodb" and call.operation == operation]

    def item(self, customer: str, order: str) -> dict[str, Any] | None:
        """The plain item with this key in the table after the step."""
        for item in self.table:
            plain = expressions.plain(item)
            if key_of(plain) == (customer, order):
                return plain
        return None

    def ending(self) -> str:
        """How the step ended, for a message: '' when it finished normally."""
        if self.exception:
            return f"it raised {self.exception}"
        if self.exit_status:
            return f"it exited with status {self.exit_status}"
        return ""

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]


def calls_from_json(calls: list[dict[str, Any]]) -> tuple[Call, ...]:
    """The gateway's recorded calls as Call objects."""
    return tuple(
        Call(c["service"], c["operation"], c["params"], c["error"], tuple(c["returned"]), c["region"])
        for c in calls
    )


UNLOGGED_CAP = 20
"""Log notes kept per step, each field cut to 200 characters."""


def unlogged_from_json(notes: Any) -> tuple[Unlogged, ...]:
    """A step report's log notes (the student's process sent them): ValueError when malformed."""
    names = [field.name for field in fields(Unlogged)]
    if not isinstance(notes, list) or not all(
        isinstance(note, dict) and all(isinstance(note.get(name), str) for name in names) for note in notes
    ):
        raise ValueError("a step report with malformed log notes")
    return tuple(Unlogged(**{name: note[name][:200] for name in names}) for note in notes[:UNLOGGED_CAP])


@dataclass(frozen=True)
class Record:
    file: str
    problem: dict[str, str] | None
    steps: tuple[Step, ...]

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise GraderError(f"the sandbox record of {self.file} has no step {name!r}")

    def all_calls(self) -> list[Call]:
        return [call for step in self.steps for call in step.calls]

    def require_ran(self, table: str, region: str, timeout: float) -> Record:
        """The record, when the file could run as intended; else fail every check of the file alike.

        Missing file, syntax error, failing import, timeout, another table, region or endpoint
        than the sandbox's are the student's; a failure of the sandbox itself is a grading error.
        """
        problem = self.problem or {}
        kind, detail = problem.get("kind"), problem.get("detail", "")
        if kind == "internal":
            raise GraderError(f"the sandbox failed while running {self.file}: {detail.strip()[-300:]}")
        if kind == "missing":
            raise RequirementFailed(
                f"{self.file} is not in the submission directory",
                f"submission/{self.file}",
                "Commit the file, with exactly this name, at the top of your repository",
            )
        if kind == "unreadable":
            raise RequirementFailed(
                f"{self.file} {detail}",
                f"submission/{self.file} as a regular file of at most 1 MiB",
                "Commit the file itself (not a folder, link or special file) at the top of your repository",
            )
        if kind == "syntax":
            raise RequirementFailed(
                f"{self.file} has a syntax error at {detail}",
                "a file Python can run",
                "Fix that line, then run the file yourself before submitting",
            )
        if kind == "timeout":
            raise RequirementFailed(
                f"{self.file} did not finish within {timeout:g} s",
                "it to finish",
                "Remove endless loops and waits (sleep, retry loops) from it",
            )
        if kind == "busy":
            raise RequirementFailed(
                f"{self.file} left requests running in the sandbox's DynamoDB past its time limit "
                f"of {timeout:g} s (after step '{detail}')",
                "every request to finish within the time limit",
                "Wait for each call's answer; do not send many requests at once from threads",
            )
        if kind == "died":
            raise RequirementFailed(
                f"{self.file} ended the Python process during step '{detail}' before reporting",
                "it to return normally",
                "Do not call os._exit(), kill the process or close its file descriptors",
            )
        if kind in ("garbage", "oversize"):
            raise RequirementFailed(
                f"{self.file} sent the grader what it cannot read: {detail}",
                "return values and printed output of a sensible size",
                "Return plain data (a dict or list of orders), print a few lines, and never write "
                "to file descriptors your code did not open",
            )
        self._require_own_table(table)
        self._require_region_and_endpoint(region)
        if kind == "import":
            raise RequirementFailed(
                f"importing {self.file} raised {detail}",
                "a module that imports cleanly",
                "Fix that line; keep example calls under if __name__ == '__main__':",
            )
        return self

    def _require_own_table(self, table: str) -> None:
        used = sorted({name for call in self.all_calls() for name in call.tables() if name != table})
        if used:
            hint = " (the placeholder left in)" if any("STUDENTID" in name.upper() for name in used) else ""
            raise RequirementFailed(
                f"{self.file} used table {', '.join(used)}{hint}",
                f"table {table}",
                TABLE_FIX.format(id=table.removeprefix("orders-")),
            )

    def _require_region_and_endpoint(self, region: str) -> None:
        for step in self.steps:
            if step.exception and "Could not connect to the endpoint URL" in step.exception:
                raise RequirementFailed(
                    f"{self.file} could not reach AWS: {step.exception} (a hard-coded endpoint_url)",
                    "the default AWS endpoint",
                    "Remove endpoint_url from your code; to practise on an emulator, set "
                    "AWS_ENDPOINT_URL in your shell instead",
                )
        for call in self.all_calls():
            if call.service == "dynamodb" and call.region and call.region != region:
                raise RequirementFailed(
                    f"{self.file} calls DynamoDB in region {call.region}",
                    f"region {region}, where the table is",
                    "Do not hard-code region_name; let the AWS configuration choose it",
                )
