"""Benchmark: 2,000 sweep points × 10,000 customers on the ``local`` and ``ray`` backends.

    python benchmarks/bench_execution.py                         # the issue's target: 2,000 points
    python benchmarks/bench_execution.py --points 200            # quicker
    python benchmarks/bench_execution.py --backends local ray dask

What it measures, on this machine, with ``--workers`` worker processes per backend:

1. **per-task overhead** — ``--noop`` empty tasks through each backend (submit, schedule, run
   nothing, return): seconds per task, the cost the batching of runs pays once per task.
2. **the sweep** — ``--points`` points (a Latin hypercube over delivery time, one replication
   each, ``--customers`` customers × ``--cycles`` cycles) through :func:`cxsim.sweep.execute`
   on each backend, written to the streamed Parquet store: wall time of the sweep itself and
   with the backend's start-up (Ray starts its local instance), runs per second, and the ratio
   of each backend to ``local`` (target: ``ray`` within 1.25×). The tables must be identical.
3. **on paper** — the expected wall time of 100,000 points on a 64-core cluster from the
   measured CPU cost of one run and the measured per-task overhead:
   ``points × run / cores + tasks × overhead / cores + start-up``.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_sweep import _base, _settings  # the same sweep as benchmarks/bench_sweep.py


def _noop(task: int) -> int:
    return task


def task_overhead(backend_name: str, workers: int, n: int) -> float:
    """Seconds per empty task through the backend (its start-up excluded)."""
    from cxsim.execution import Execution, open_backend

    with open_backend(Execution(backend=backend_name, workers=workers)) as backend:
        list(backend.map_unordered(_noop, list(range(workers * 4))))  # warm the workers
        start = time.perf_counter()
        done = sum(1 for _ in backend.map_unordered(_noop, list(range(n))))
        seconds = time.perf_counter() - start
    assert done == n
    return seconds / n


def sweep_time(backend_name: str, workers: int, plan, directory: Path) -> tuple[float, float, pd.DataFrame]:
    """(seconds of the sweep, seconds with the backend's start-up, the table)."""
    from cxsim import sweep
    from cxsim.execution import Execution

    exe = Execution(backend=backend_name, workers=workers)
    start = time.perf_counter()
    if backend_name == "ray":  # start Ray first so that its start-up is timed apart
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ready = time.perf_counter()
    sweep.execute(plan, directory, commit="bench", execution=exe)
    end = time.perf_counter()
    if backend_name == "ray":
        import ray

        ray.shutdown()
    return end - ready, end - start, sweep.collect(plan, directory).table


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--cycles", type=int, default=12)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--backends", nargs="+", default=["local", "ray"])
    ap.add_argument("--noop", type=int, default=400, help="empty tasks timed per backend")
    args = ap.parse_args()
    from cxsim import sweep
    from cxsim.execution import Execution, batch_size

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.points} points x {args.customers} customers x {args.cycles} cycles, {args.workers} workers")
    plan = sweep.plan(_base(args.customers, args.cycles), _settings(args.points, 1, args.workers, False))
    tasks = math.ceil(len(plan) / batch_size(Execution(workers=args.workers), len(plan), args.workers))
    overhead, times, tables = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.backends:
            if name != "local":
                import ray  # noqa: F401  (fails here, not mid-way, without the extra)
            overhead[name] = task_overhead(name, args.workers, args.noop) if name != "ray" else None
            times[name] = sweep_time(name, args.workers, plan, Path(tmp) / name)
            tables[name] = times[name][2]
            if name == "ray":  # overhead on a fresh instance, after the sweep
                overhead[name] = task_overhead(name, args.workers, args.noop)
    for name in args.backends:
        pd.testing.assert_frame_equal(tables[name], tables[args.backends[0]])
    print(f"tables identical on {', '.join(args.backends)}; {len(plan)} runs in {tasks} tasks")
    local = times["local"][0]
    for name in args.backends:
        run, total, _ = times[name]
        print(f"{name:6s} sweep {run:7.1f} s ({len(plan) / run:6.1f} runs/s), with start-up {total:7.1f} s; "
              f"ratio to local {run / local:.3f} (with start-up {total / local:.3f}); "
              f"per-task overhead {overhead[name] * 1e3:.2f} ms")
    run_cpu = local * args.workers / len(plan)  # CPU seconds of one run (workers busy all along)
    big, cores = 100_000, 64
    per_task = overhead.get("ray") or overhead["local"]
    big_tasks = math.ceil(big / batch_size(Execution(backend="ray", workers=cores), big, cores))
    start_up = times["ray"][1] - times["ray"][0] if "ray" in times else 0.0
    paper = big * run_cpu / cores + big_tasks * per_task / cores + start_up
    print(f"on paper: {big:,} points on {cores} cores = {big:,} x {run_cpu:.3f} s / {cores} + {big_tasks} tasks x "
          f"{per_task * 1e3:.2f} ms / {cores} + {start_up:.1f} s start-up = {paper / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
