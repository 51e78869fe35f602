"""Benchmarks of the hls_sim engine: run them with `python -m benchmarks` (see benchmarks/__main__.py).

They measure, never assert: results go to benchmarks/results/*.json and SUMMARY.md, and the
README's performance section quotes them with the command that produced them.
"""
