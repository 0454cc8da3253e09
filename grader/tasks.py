"""Former home of the assessment's data, now `grader.assessment`; kept only for callers not yet moved."""

from grader.assessment import table_name

__all__ = ["table_name"]
