"""Benchmarks: each prints its numbers; run them with scripts/bench.sh."""
