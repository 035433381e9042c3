"""The benchmark of meetbook: a synthetic bank generator, a load generator, floors and scenarios.

Run it with `python -m bench.run` (see docs/performance.md).
"""
