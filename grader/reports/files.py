"""The one way the grader writes an output file, whatever already sits at its path.

An output path can land in a student's checkout (Classroom 50 writes result.json there), so the
student may have put anything at it first: a directory, a symlink to a file elsewhere, a FIFO that
blocks the writer, a hard link. Writing through the entry would crash the grader, hang it, or change
a file outside the checkout. Instead the entry is removed (never followed) and the new file is
written beside it and renamed into place, so the grade is always published and nothing else is
touched. Standard library only: autograder.py loads this file before the grader is importable.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path


def planted(path: Path) -> str | None:
    """What sits at path when it is not a regular file ("directory", "symlink", "FIFO", ...), else None."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    kinds = {stat.S_ISREG: None, stat.S_ISDIR: "directory", stat.S_ISLNK: "symlink", stat.S_ISFIFO: "FIFO"}
    return next((name for test, name in kinds.items() if test(mode)), "special file")


def make_way(path: Path) -> str | None:
    """Remove whatever is at path, never following it (for a writer that opens path itself);
    return what planted() saw."""
    kind = planted(path)
    if kind == "directory":
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    return kind


def write_output(path: Path, data: str | bytes) -> str | None:
    """Write data (text as UTF-8) as a new regular file at path, renamed over whatever was there;
    return what planted() saw."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, 0o644)
        kind = planted(path)
        if kind == "directory":  # the one entry a rename cannot replace
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return kind
