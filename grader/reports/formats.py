"""The platform output formats: one list, registered as plugins by grader/plugin.py."""

from grader.reports import classroom, classroom50, github, gradescope

FORMATS = (gradescope, classroom, classroom50, github)
"""Adding a format touches its module, this list and its test, never grader/plugin.py or grader/options.py."""
