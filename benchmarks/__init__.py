"""Benchmarks for the QuickJS image: `python -m benchmarks [--quick] [--output FILE]`.

Five measurements, each a ratio taken in the same run (cold start, steady state, warm
evaluator, pipeline, size), checked against the project's goals, with the levers tried
where a goal is missed. Writes docs/benchmarks.md and docs/benchmarks-startup.png.
"""
