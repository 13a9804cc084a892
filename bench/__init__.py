"""Benchmarks run by `make bench` (not part of the test suite): ranking, the backlog page and the
items API on PostgreSQL, printed as one table of measured value, target and verdict."""
