"""AWS states as the checks grade them (SPEC, "Transitional states"), in one place.

A resource settling into the configuration the student asked for counts as that configuration: the
views (grader/aws/views.py) and the stream lookup (grader/aws/resources.py) read every state through
`settled`, so no check sees ENABLING, UPDATING, Creating, Enabling or Updating. States that move away from it
(DISABLING, Disabled, DELETING ...) stay as they are and fail. A check that reads through something
AWS is still building calls `require_built`: it is not graded until AWS is done.
"""

from __future__ import annotations

from typing import overload

from grader.failures import GraderError

SETTLES_INTO = {
    "ENABLING": "ENABLED",  # time to live, a DynamoDB stream
    "UPDATING": "ACTIVE",  # a table (e.g. while a GSI is added), a GSI
    "Creating": "Enabled",  # a Lambda event source mapping
    "Enabling": "Enabled",
    "Updating": "Enabled",
}
"""A transitional state and the state it counts as."""
BUILDING = frozenset({"CREATING"})
"""States of an index that cannot answer a Query yet (a GSI being created, backfilling or not)."""


class StillBuilding(GraderError):
    """A check has to read through a resource AWS has not finished building: it is not graded."""

    def __init__(self, name: str) -> None:
        super().__init__(f"AWS is still building {name}: grade again in a few minutes")


@overload
def settled(state: str) -> str: ...
@overload
def settled(state: None) -> None: ...
def settled(state: str | None) -> str | None:
    """The state a resource counts as: the one a transitional state settles into, else its own."""
    return SETTLES_INTO.get(state, state) if state else state


def require_built(name: str, state: str | None, backfilling: bool = False) -> None:
    """Raise StillBuilding when the resource (an index) is still being built by AWS."""
    if state in BUILDING or backfilling:
        raise StillBuilding(name)
