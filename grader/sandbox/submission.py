"""A student's submission as the sandbox takes it: the six files and the helper modules beside them.

Every entry is hostile until proven a regular file of sensible size: it is checked without following
links or opening anything but a regular file, and whatever is wrong with it is recorded as the
reason it was not taken ("is a directory"), never raised. The bytes pass into the
sandbox unchanged.
"""

from __future__ import annotations

import contextlib
import keyword
import os
import stat
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from grader.sandbox.plans import PLANS
from grader.sandbox.record import Record

FILE_CAP = 1 << 20
"""Bytes of one submission file or helper module."""
HELPER_LIMIT = 20
"""Helper modules copied beside the six files (the first, by name)."""
SUBMISSION_FILES = tuple(plan.file for plan in PLANS)
NOT_A_FILE = {
    stat.S_IFDIR: "a directory",
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


class Refused(Exception):
    """Why an entry of the submission was not taken, completing '<name> ...' ('is a directory')."""


@dataclass(frozen=True)
class Submission:
    files: dict[str, bytes]
    """What goes into the sandbox: the six files present, and the helper modules copied."""
    refused: dict[str, str]
    """Entries not taken, with the reason."""

    def explain(self, record: Record) -> Record:
        """The record, where a step failed importing a helper that was not copied, saying why not."""

        def explained(text: str | None) -> str | None:
            for name, reason in self.refused.items():
                module = name.removesuffix(".py")
                if text and f"No module named '{module}'" in text:
                    return f"{text} ({name} was not copied into the sandbox: it {reason})"
            return text

        steps = tuple(replace(step, exception=explained(step.exception)) for step in record.steps)
        problem = record.problem and {**record.problem, "detail": explained(record.problem["detail"]) or ""}
        return replace(record, steps=steps, problem=problem)


def _unreadable(exc: OSError) -> Refused:
    return Refused(f"cannot be read ({exc.strerror or type(exc).__name__})")


def read_file(folder: Path, name: str) -> bytes:
    """The bytes of folder/name when it is a regular file of at most FILE_CAP bytes; else Refused.
    FileNotFoundError when there is no such entry. Nothing but a regular file is ever opened."""
    path = folder / name
    too_large = Refused(f"is larger than {FILE_CAP >> 20} MiB")
    try:
        kind = stat.S_IFMT(os.lstat(path).st_mode)
        if kind != stat.S_IFREG:
            raise Refused(f"is {NOT_A_FILE.get(kind, 'not a regular file')}")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _unreadable(exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced since it was looked at
            raise Refused("is not a regular file")
        if info.st_size > FILE_CAP:
            raise too_large
        content = b""
        while len(content) <= FILE_CAP and (chunk := os.read(fd, FILE_CAP + 1 - len(content))):
            content += chunk
    except OSError as exc:
        raise _unreadable(exc) from None
    finally:
        os.close(fd)
    if len(content) > FILE_CAP:  # it grew while it was read
        raise too_large
    return content


def importable(name: str) -> bool:
    """A top-level file Python can import by name: `orders_common.py`, `común.py` (identifiers hold no
    path separator, so the name stays in the sandbox's submission folder)."""
    module = name.removesuffix(".py")
    return name.endswith(".py") and module.isidentifier() and not keyword.iskeyword(module)


def helper_names(folder: Path) -> list[str]:
    """The importable top-level .py entries of the folder besides the six files, by name."""
    names: list[str] = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        names = [entry.name for entry in entries if importable(entry.name)]
    return sorted(name for name in names if name not in SUBMISSION_FILES)


def read(folder: Path) -> Submission:
    """The submission in folder: each entry taken, or refused with its reason (never raises OSError).
    Helpers count against HELPER_LIMIT only when taken; each is copied under the name Python's import
    looks for (NFKC: a Mac writes 'común.py' decomposed)."""
    files: dict[str, bytes] = {}
    refused: dict[str, str] = {}
    helpers = 0
    for name in (*SUBMISSION_FILES, *helper_names(folder)):
        helper = name not in SUBMISSION_FILES
        if helper and helpers == HELPER_LIMIT:
            refused[name] = f"is beyond the first {HELPER_LIMIT} helper modules by name"
            continue
        try:
            content = read_file(folder, name)
        except FileNotFoundError:
            continue
        except Refused as reason:
            refused[name] = str(reason)
            continue
        files[unicodedata.normalize("NFKC", name) if helper else name] = content
        helpers += helper
    return Submission(files, refused)
