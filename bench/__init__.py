"""Benchmarks: `make bench` (or `python -m bench [NAME ...]`) writes JSON to bench/results/."""
