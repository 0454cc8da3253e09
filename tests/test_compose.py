"""docker-compose.yml for LocalStack, checked statically (no Docker engine needed)."""

from __future__ import annotations

import copy
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


def localstack(compose: dict[str, Any]) -> dict[str, Any]:
    (service,) = [s for s in compose["services"].values() if s["image"].startswith("localstack/localstack")]
    return service


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def problems(service: dict[str, Any]) -> list[str]:
    """What keeps this LocalStack service from starting token-free and serving the assessment."""
    found = []
    tag = service["image"].partition(":")[2]
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", tag)
    version = tuple(int(part or 0) for part in match.groups()) if match else None
    if version is None:
        found.append(f"image tag {tag or 'latest'!r} is not an exact version")
    elif not (4, 0, 0) <= version <= LAST_TOKENLESS:
        found.append(f"image tag {tag} needs an auth token or is too old")
    env = environment(service)
    if not re.fullmatch(r"\$\{LOCALSTACK_AUTH_TOKEN(:?-)?\}", env.get("LOCALSTACK_AUTH_TOKEN", "")):
        found.append("LOCALSTACK_AUTH_TOKEN is not passed through")
    missing = SERVICES - {name.strip() for name in env.get("SERVICES", "").split(",")}
    if missing:
        found.append(f"services missing: {sorted(missing)}")
    if not any(str(port).endswith("4566:4566") for port in service.get("ports", [])):
        found.append("port 4566 is not published")
    check = service.get("healthcheck", {})
    command = (
        " ".join(check.get("test", [])) if isinstance(check.get("test"), list) else check.get("test", "")
    )
    if "localhost:4566/_localstack/health" not in command or int(check.get("retries", 0)) < 3:
        found.append("no health check on /_localstack/health")
    return found


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_starts_localstack_without_a_token(compose: dict[str, Any]) -> None:
    assert problems(localstack(compose)) == []
    assert localstack(compose)["image"] == "localstack/localstack:4.14.0"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"image": "localstack/localstack:latest"}, "not an exact version"),
        ({"image": "localstack/localstack"}, "not an exact version"),
        ({"image": "localstack/localstack:2026.03.0"}, "needs an auth token"),
        ({"image": "localstack/localstack:4.15.0"}, "needs an auth token"),
        ({"image": "localstack/localstack:3.8.1"}, "too old"),
        (
            {"environment": {"SERVICES": "dynamodb,lambda,iam,sts,cloudwatch,sns,dynamodbstreams"}},
            "TOKEN is not passed",
        ),
        (
            {"environment": {"LOCALSTACK_AUTH_TOKEN": "${LOCALSTACK_AUTH_TOKEN}", "SERVICES": "dynamodb"}},
            "missing",
        ),
        ({"ports": ["4567:4566"]}, "4566 is not published"),
        ({"healthcheck": {"test": ["CMD", "true"], "retries": 5}}, "no health check"),
    ],
)
def test_each_problem_is_caught(compose: dict[str, Any], change: dict[str, Any], problem: str) -> None:
    service = copy.deepcopy(localstack(compose)) | change
    assert any(problem in found for found in problems(service)), problems(service)
