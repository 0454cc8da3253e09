"""Renderings of a grade: grade.json, the terminal table, the HTML summary."""

from grader.reports import grade_json, html, terminal

__all__ = ["grade_json", "html", "terminal"]
