"""Task 8: the Lambda stream processor: its deployment, then its handler's behaviour."""

import pytest

pytestmark = pytest.mark.task(8)


@pytest.mark.points(7)
def test_deployment_not_implemented() -> None:
    """deployment checks of this task are not implemented yet"""
    raise NotImplementedError("the deployment checks of task 8 are not implemented yet")


# --- handler behaviour (task 8, 5 points): the checks below run the student's code in the sandbox ---


@pytest.mark.points(5)
def test_handler_not_implemented() -> None:
    """handler checks of this task are not implemented yet"""
    raise NotImplementedError("the handler checks of task 8 are not implemented yet")
