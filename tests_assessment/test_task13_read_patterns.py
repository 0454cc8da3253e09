"""Task 13: Read consistency patterns (checks not written yet: the task is graded as an error)."""

import pytest

pytestmark = pytest.mark.task(13)


@pytest.mark.points(4)
def test_not_implemented() -> None:
    """checks of this task are not implemented yet"""
    raise NotImplementedError("the checks of task 13 are not implemented yet")
