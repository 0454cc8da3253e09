"""docker-compose.yml for LocalStack, checked statically (no Docker engine needed)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests import harness

COMPOSE = harness.PROJECT_ROOT / "docker-compose.yml"
LAST_TOKENLESS = (4, 14, 0)
"""localstack/localstack:latest needs LOCALSTACK_AUTH_TOKEN since 2026.03.0 (March 2026)."""
SERVICES = {"dynamodb", "dynamodbstreams", "lambda", "iam", "sts", "cloudwatch", "sns"}
"""What the assessment and the grader use: table, streams, function and role, alarms and topic."""


@pytest.fixture(scope="module")
def localstack() -> dict[str, Any]:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    (service,) = [s for s in services.values() if s["image"].startswith("localstack/localstack")]
    return service


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def test_image_pinned_to_a_release_that_starts_without_a_token(localstack: dict[str, Any]) -> None:
    image, _, tag = localstack["image"].partition(":")
    assert image == "localstack/localstack"
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", tag)
    assert match, f"pin an exact version, not {tag or 'latest'!r}"
    version = tuple(int(part or 0) for part in match.groups())
    assert version[0] < 2026, "calendar-versioned releases (2026.03.0 on) need an auth token"
    assert version <= LAST_TOKENLESS, f"{tag} is newer than the last token-free release"
    assert version[0] >= 4, "too old for the assessment's services"


def test_auth_token_passed_through_when_set(localstack: dict[str, Any]) -> None:
    token = environment(localstack)["LOCALSTACK_AUTH_TOKEN"]
    assert re.fullmatch(r"\$\{LOCALSTACK_AUTH_TOKEN(:?-)?\}", token), token  # empty when unset


def test_runs_the_services_the_assessment_uses(localstack: dict[str, Any]) -> None:
    services = {name.strip() for name in environment(localstack)["SERVICES"].split(",")}
    assert services >= SERVICES, SERVICES - services


def test_edge_port_4566_published(localstack: dict[str, Any]) -> None:
    assert any(str(port).rsplit(":", 1) == ["4566", "4566"] or str(port).endswith(":4566:4566")
               for port in localstack["ports"])  # fmt: skip


def test_health_check_asks_localstack(localstack: dict[str, Any]) -> None:
    check = localstack["healthcheck"]
    command = " ".join(check["test"]) if isinstance(check["test"], list) else check["test"]
    assert "localhost:4566/_localstack/health" in command
    assert int(check["retries"]) >= 3 and check["interval"]
