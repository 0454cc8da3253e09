"""Pytest autograder for an AWS assessment (its title, tasks and points: grader/assessment.py)."""
