"""Benchmarks of the batch membership engine (`make bench`); see bench/README.md."""
