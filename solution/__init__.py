"""The reference solution: deployment, teardown, and the six submission files."""
