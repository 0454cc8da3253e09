"""--deploy-solution: provision the reference solution for the student before grading."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from grader.aws.session import make_session
from grader.failures import GRADING_INCOMPLETE, describe_grader_error
from grader.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def deploy_reference(settings: Settings, endpoint_url: str | None) -> None:
    """Deploy solution/ for the student; a failure stops the run as grading incomplete."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    reference = importlib.import_module("solution.deploy")
    try:
        reference.deploy(make_session(settings, endpoint_url), settings.student_id, endpoint_url=endpoint_url)
    except Exception as exc:  # any failure here is the grader's, never the student's
        pytest.exit(
            f"could not deploy the reference solution: {describe_grader_error(exc)}",
            returncode=GRADING_INCOMPLETE,
        )
