"""Renderings of a grade: grade.json, the terminal table, the HTML summary, and the platform formats.

Each platform format is one self-contained plugin module: it declares its own option and writes from
the grade in the hooks of grader/reports/hooks.py. grader/reports/formats.py lists them.
"""
