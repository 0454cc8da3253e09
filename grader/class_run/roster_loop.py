"""A serial roster run grades one student at a time, holding one student's checks, never the class's.

pytest collects every item before running any: a roster parametrized over the class would hold
every student's checks from the start (about 0.18 MB and 10 ms per student). Instead the suite is
collected for the first student only, and each next student's checks are made from those when their
turn comes: the same test functions, parameters, marks and fixtures, with that student as the
roster parameter, just as pytest's parametrization would have made them. A student's checks are let
go once they have run. With -n (pytest-xdist) every worker must collect the same items, and a
selection by name (-k bob) may name a student, so then the class is parametrized whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

import pytest

from grader.class_run.roster import ROSTER_PARAM
from grader.settings import RosterEntry


def one_at_a_time(config: pytest.Config) -> bool:
    """True when the run's roster is graded here, one student after another: no xdist, not --co, and no
    selection by name (-k, --deselect, a node id with parameters), which may name a student."""
    serial = getattr(config.option, "dist", "no") == "no" and not hasattr(config, "workerinput")
    by_name = config.option.keyword or config.getoption("deselect") or any("[" in arg for arg in config.args)
    return serial and not config.option.collectonly and not by_name


def checks_for(templates: Sequence[pytest.Item], entry: RosterEntry, position: int) -> list[pytest.Item]:
    """The checks of the roster student at `position`, made from the first student's checks (an item
    that grades no student, were there one, runs once, as parametrizing the class would run it)."""
    return [_for_student(template, entry, position) for template in templates if _grades_a_student(template)]


def _grades_a_student(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return isinstance(item, pytest.Function) and callspec is not None and ROSTER_PARAM in callspec.params


def _for_student(template: pytest.Function, entry: RosterEntry, position: int) -> pytest.Function:
    spec = template.callspec
    first = spec.params[ROSTER_PARAM]
    if spec._idlist[0] != str(first):  # the roster is parametrized first (tryfirst), so its id leads
        raise TypeError(f"{template.nodeid}: the roster student is not the first parameter")
    callspec = dataclasses.replace(
        spec,
        params={**spec.params, ROSTER_PARAM: entry},
        indices={**spec.indices, ROSTER_PARAM: position},
        _idlist=[str(entry), *spec._idlist[1:]],
    )
    return pytest.Function.from_parent(
        template.parent,
        name=f"{template.originalname}[{callspec.id}]",
        callspec=callspec,
        fixtureinfo=template._fixtureinfo,
        keywords={callspec.id: True},
        originalname=template.originalname,
    )


def _students(session: pytest.Session, roster: Sequence[RosterEntry]) -> Iterator[list[pytest.Item]]:
    """Each student's checks in turn; the first student's are the collected ones."""
    templates = list(session.items)
    yield templates
    for position in range(1, len(roster)):
        yield checks_for(templates, roster[position], position)


def run(session: pytest.Session, roster: Sequence[RosterEntry], done: Callable[[], None]) -> None:
    """pytest's run loop over the class, calling `done` after each student. A check's next item is the
    one after it, across students, so what a student's checks share (their session fixtures) is set
    up once per student."""
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} error(s) during collection")  # as pytest does
    per_student = sum(map(_grades_a_student, session.items))
    session.testscollected = len(session.items) + per_student * (len(roster) - 1)  # the terminal's progress
    hook = session.config.hook
    students = _students(session, roster)
    current = next(students)
    while current:
        following = next(students, [])
        for index, item in enumerate(current):
            after = current[index + 1] if index + 1 < len(current) else (following or [None])[0]
            hook.pytest_runtest_protocol(item=item, nextitem=after)
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
        done()
        current = following
