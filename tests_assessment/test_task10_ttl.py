"""Task 10: Time to live (checks not written yet: the task is graded as an error)."""

import pytest

pytestmark = pytest.mark.task(10)


@pytest.mark.points(8)
def test_not_implemented() -> None:
    """checks of this task are not implemented yet"""
    raise NotImplementedError("the checks of task 10 are not implemented yet")
