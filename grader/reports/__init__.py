"""Renderings of a grade: grade.json, the terminal table, the HTML summary, and the platform formats.

Each platform format is one self-contained plugin module: it declares its own option and writes from
the grade in the hooks of grader/reports/hooks.py. FORMATS is the one list of them; adding a format
touches its module, this list and its test, never grader/plugin.py or grader/options.py.
"""

from grader.reports import classroom, classroom50, github, grade_json, gradescope, html, terminal

FORMATS = (gradescope, classroom, classroom50, github)
"""The platform output formats, registered as plugins by grader/plugin.py."""

__all__ = ["FORMATS", "grade_json", "html", "terminal"]
