"""Pytest autograder for the DynamoDB Medium assessment."""
