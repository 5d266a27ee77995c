"""Frontline's performance benchmarks: `uv run python -m benchmarks` (see benchmarks/README.md).

Each case measures our code path and a baseline doing the same work in the same run, and prints
one table row per measurement: our figure, the baseline's, the ratio and the target from
DESIGN.md ("Performance targets") with PASS or MISS. Wall-clock times are never asserted in the
test suite; they live here.

Layout:
- `__main__`: the command line; runs one child process per (database, size) so that each child
  configures Django for its own database, then prints one table.
- `harness`: timing, percentiles, the result row and the table.
- `databases`: where each benchmark database lives, when it must be rebuilt, and seeding it with
  `frontline.demo.loader.seed_community`.
- one module per case: `resident_list`.
"""
