"""Benchmarks of the course: run with `python -m bench` from the repository root."""
