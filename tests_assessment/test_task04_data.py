"""Task 4: Sample order data (checks not written yet: the task is graded as an error)."""

import pytest

pytestmark = pytest.mark.task(4)


@pytest.mark.points(8)
def test_not_implemented() -> None:
    """checks of this task are not implemented yet"""
    raise NotImplementedError("the checks of task 4 are not implemented yet")
