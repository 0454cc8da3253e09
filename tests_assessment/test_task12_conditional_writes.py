"""Task 12: Conditional writes (checks not written yet: the task is graded as an error)."""

import pytest

pytestmark = pytest.mark.task(12)


@pytest.mark.points(6)
def test_not_implemented() -> None:
    """checks of this task are not implemented yet"""
    raise NotImplementedError("the checks of task 12 are not implemented yet")
