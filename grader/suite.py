"""Where the grading suite is, and whether this process is an xdist worker: the plugin, the collection
check and xdist's scheduling all ask, so it lives below all three."""

import pytest

from grader.aws.deployment import PROJECT_ROOT

GRADING_SUITE = PROJECT_ROOT / "tests_assessment"
"""The task modules: the run grades when it collects this folder."""


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")
