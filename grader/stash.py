"""Keys under which a grading run keeps its state on the pytest config."""

from __future__ import annotations

import pytest

from grader.settings import Settings

SETTINGS_KEY = pytest.StashKey[Settings]()
ENDPOINT_KEY = pytest.StashKey["str | None"]()
