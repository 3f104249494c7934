"""Benchmarks that need the whole system running (results in docs/benchmarks.md)."""
