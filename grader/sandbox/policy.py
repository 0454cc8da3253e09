"""Which isolation a grading run gives the student's code: probed once, refused where unsafe."""

from __future__ import annotations

import pytest

from grader.sandbox import isolation
from grader.settings import Settings

ISOLATION_INPUT = "grader_isolation"
OTHER_PEOPLES_CODE = ("roster", "classroom50", "gradescope_json")
"""Options under which the grader runs code that is not the person's at the keyboard."""


def grades_other_peoples_code(config: pytest.Config, settings: Settings) -> str | None:
    """The flag of the option that makes this run grade other people's code, if any."""
    if settings.roster is not None:
        return "--roster"
    for dest in OTHER_PEOPLES_CODE[1:]:
        if getattr(config.option, dest, None):
            return "--" + dest.replace("_", "-")
    return None


def sandbox_isolation(config: pytest.Config, settings: Settings) -> str:
    """The isolation this run uses: probed once on the controller, handed to xdist workers.

    A mode asked for that does not work here, or no isolation where other people's code is
    graded (unless --unsafe-no-isolation), is a usage error.
    """
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and ISOLATION_INPUT in workerinput:
        return str(workerinput[ISOLATION_INPUT])
    try:
        mode, skipped = isolation.choose(settings.isolation)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    others = grades_other_peoples_code(config, settings)
    if mode == "none" and others and not settings.unsafe_no_isolation:
        why = "; ".join(skipped) or "--isolation none"
        raise pytest.UsageError(
            f"{others} grades other people's code, and it would run without isolation here ({why}). "
            "Install bubblewrap (or run as root), or accept the risk with --unsafe-no-isolation"
        )
    config.stash[SKIPPED_KEY] = skipped
    return mode


SKIPPED_KEY = pytest.StashKey[list[str]]()


def isolation_header(mode: str, skipped: list[str]) -> list[str]:
    """The terminal header's line about isolation; a warning when it is weaker than namespaces."""
    if mode == "namespaces":
        return ["student code isolation: namespaces (bubblewrap)"]
    reasons = f" ({'; '.join(skipped)})" if skipped else ""
    what = "none: fit for your own code only"
    if mode == "uid":
        what = "an unprivileged uid, network not cut off, /tmp shared with the host"
        if not isolation.private_mounts_work():
            what += ", and so are home folders, /dev/shm and SysV IPC (no private mount namespace)"
    return [f"WARNING: student code isolation: {mode}: {what}{reasons}"]
