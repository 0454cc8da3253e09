"""Registers the grader plugin; nothing else lives here."""

pytest_plugins = [
    "grader.plugin",
    "grader.collection",
    "grader.fixtures",
    "grader.sandbox.fixtures",
    "grader.timeouts",
]
