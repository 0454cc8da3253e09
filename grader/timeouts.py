"""The per-check time limit (pytest-timeout's ``timeout``, 120 s in pytest.ini): a check over it
errors with one line instead of hanging.

pytest-timeout's own signal handler prints every thread's stack before failing the test: noise
in a grading report. For the graded checks (items with a task marker) this plugin sets the same
SIGALRM timer through pytest-timeout's hooks but raises ``CheckTimedOut``, which the outcome turns
into an ``error`` naming the limit. Other tests, and other timeout methods, keep pytest-timeout's
behaviour.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

import pytest

from grader.failures import CheckTimedOut
from grader.outcomes import task_number

_TIMED = pytest.StashKey[bool]()
"""Set on an item while this plugin's timer runs for it."""


def _handles(item: pytest.Item, method: str) -> bool:
    return (
        task_number(item) is not None
        and method == "signal"
        and threading.current_thread() is threading.main_thread()
    )


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if not _handles(item, settings.method):
        return None

    def expire(signum: int, frame: Any) -> None:
        raise CheckTimedOut(settings.timeout)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    item.stash[_TIMED] = True
    return True


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool | None:
    if not item.stash.get(_TIMED, False):
        return None
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    item.stash[_TIMED] = False
    return True
