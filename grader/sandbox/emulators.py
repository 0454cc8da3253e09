"""Which emulator process serves which student: one at a time each, handed on only when idle and empty.

A student's sandbox takes an emulator when its first file is about to run and gives it back when the
sandbox closes. An emulator given back is handed to a later student only when nothing of the last
one is left in it: none of their requests running, every account they used emptied, never timed
out. Otherwise it is stopped. So no two students ever share an emulator at once, and what one
student's requests cost it ends with that student; the next one saves moto's start (about half a
second of a core and 70 MB while it starts) without inheriting anything.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from grader.sandbox import isolation
from grader.sandbox.backend import Backend

IDLE_CAP = 3
"""Idle emulators kept for later students (a serial roster holds a student and the next two)."""
_IDLE: list[Backend] = []
_IDLE_LOCK = threading.Lock()


def _take() -> Backend:
    """An idle emulator, or a new one in a folder of its own."""
    with _IDLE_LOCK:
        while _IDLE:
            backend = _IDLE.pop()
            if backend.idle():
                return backend
            _stop(backend)
    folder = tempfile.mkdtemp(prefix="emulator-", dir=isolation.scratch_root() / "private")
    return Backend(Path(folder))


def _give_back(backend: Backend) -> None:
    """Keep the emulator for a later student when it holds nothing of this one; else stop it."""
    with _IDLE_LOCK:
        if backend.idle() and len(_IDLE) < IDLE_CAP:
            _IDLE.append(backend)
            return
    _stop(backend)


def _stop(backend: Backend) -> None:
    backend.close()
    shutil.rmtree(backend.socket_path.parent, ignore_errors=True)


@atexit.register
def _stop_idle() -> None:
    with _IDLE_LOCK:
        while _IDLE:
            _stop(_IDLE.pop())


class Emulator:
    """A student's emulator: taken ahead of need, replaced once spoiled, given back with the sandbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._backend: Backend | None = None
        self.taken = 0
        """Emulators this student has had so far."""

    def get(self) -> Backend:
        """The student's emulator (its process starting); another one when the last was spoiled."""
        with self._lock:
            if self._backend is not None and self._backend.spoiled:
                _stop(self._backend)
                self._backend = None
            if self._backend is None:
                self._backend = _take()
                self.taken += 1
            self._backend.start()
            return self._backend

    def release(self, account: str) -> None:
        """Empty an account of the student's emulator (a spoiled one is stopped, not emptied)."""
        with self._lock:
            if self._backend is not None and not self._backend.spoiled:
                self._backend.release(account)

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                _give_back(self._backend)
                self._backend = None
