"""Reproducible benchmarks for quizfunnel: `python -m bench` (see README)."""
