"""Benchmark: 1,000 runs of 10,000 customers × 12 cycles through the fast sweep runner.

    python benchmarks/bench_sweep.py                        # the issue's target: 1,000 runs, 2 workers
    python benchmarks/bench_sweep.py --runs 100 --jobs 1    # quicker
    python benchmarks/bench_sweep.py --hydra-jobs 8         # also time `cxsim -m` per job (tiny runs)
    python benchmarks/bench_sweep.py --scenario b2b_dealer  # the default scenario, with its operations

What it measures, all in this process and on this machine:

1. **engine** — the bare time of one run (build nothing, ``run_replication`` + summary) over
   ``--reference`` runs: the floor no runner can beat.
2. **runner, one process** — the same runs through :func:`cxsim.sweep.execute` (plan, run, atomic
   Parquet write per run); the difference to (1) is the runner's per-run overhead.
3. **the sweep** — ``--runs`` runs (a Latin hypercube over delivery time × ``--replications``)
   through the runner with ``--jobs`` worker processes: wall time, runs per second, and the
   target (< 60 s for 1,000 runs).
4. optionally, **Hydra multirun** — ``cxsim -m`` with ``--hydra-jobs`` tiny jobs, to show the
   per-job overhead the fast runner avoids, against the runner on the same tiny runs.

The engine's own speed is the population step's (benchmarks/bench_population.py); this script
measures what the sweep machinery adds and what the whole sweep costs.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: the dealer scenario with the survey's touchpoint distributions: the sweep varies a delivery-time mean
SCENARIO = "scenario=b2b_dealer_survey"
#: the parameter swept (low, high) per scenario: delivery days drawn, or the pipeline's shipping lead time
PARAMS = {"b2b_dealer_survey": ("scenario.journey.touchpoints.delivery_speed.performance.mean", 2.5, 8.0),
          "b2b_dealer": ("scenario.operations.pipeline.shipping_days.mean", 1.5, 4.5)}


def _base(customers: int, cycles: int) -> dict:
    from cxsim.cli.sweep import base_config
    from cxsim.config import compose_config

    return base_config(compose_config([SCENARIO, f"sim.n_customers={customers}", f"sim.n_cycles={cycles}"]))


def _settings(points: int, replications: int, jobs: int, progress: bool):
    from cxsim import sweep

    return sweep.settings_from_dict({
        "sampler": "lhs", "n_samples": points, "seed": 0, "replications": replications,
        "n_jobs": jobs, "progress": progress,
        "params": [dict(zip(("path", "low", "high"), PARAMS[SCENARIO.split("=", 1)[1]]))]})


def engine_time(customers: int, cycles: int, n: int, threads: int = 0) -> float:
    """Median seconds of one bare run (the same spec n times) with ``sim.threads=threads``."""
    from cxsim.config import load_run_spec
    from cxsim.engine.run import cycle_table, run_replication, summarise

    spec = load_run_spec([SCENARIO, f"sim.n_customers={customers}", f"sim.n_cycles={cycles}", "sim.replications=1",
                          "outputs.customers=never", "outputs.figures=false", f"sim.threads={threads}"])
    run_replication(spec, 0)  # warm-up (compiled kernels, caches)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        model = run_replication(spec, 0)
        summarise(cycle_table(model.recorder, spec), spec, 0)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def runner_time(customers: int, cycles: int, n: int, jobs: int, progress: bool = False) -> tuple[float, float]:
    """(planning seconds, execution seconds) of n runs through the fast runner."""
    from cxsim import sweep

    base = _base(customers, cycles)
    replications = 4 if n >= 4 and n % 4 == 0 else 1
    s = _settings(n // replications, replications, jobs, progress)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        p = sweep.plan(base, s)
        t1 = time.perf_counter()
        ran = sweep.execute(p, d, n_jobs=s.workers, progress=progress)
        t2 = time.perf_counter()
        table = sweep.collect(p, d).table
        assert ran == n and len(table) == n, (ran, len(table))
    return t1 - t0, t2 - t1


def hydra_per_job(jobs: int, customers: int, cycles: int) -> float:
    """Seconds per job of `cxsim -m` (basic launcher) with tiny runs."""
    seeds = ",".join(str(i) for i in range(jobs))
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        subprocess.run(["cxsim", "-m", f"sim.seed={seeds}", f"sim.n_customers={customers}",
                        f"sim.n_cycles={cycles}", "sim.replications=1", "outputs.figures=false",
                        "outputs.customers=never", f"hydra.sweep.dir={Path(d) / 'mr'}"],
                       check=True, capture_output=True)
        return (time.perf_counter() - t) / jobs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--cycles", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes of the runner")
    ap.add_argument("--reference", type=int, default=10, help="runs timed for the engine floor and the runner overhead")
    ap.add_argument("--hydra-jobs", type=int, default=0, help="also time cxsim -m with this many tiny jobs")
    ap.add_argument("--target", type=float, default=60.0)
    ap.add_argument("--scenario", default="b2b_dealer_survey", choices=sorted(PARAMS),
                    help="b2b_dealer adds the pipeline and the dealer meeting (operations)")
    args = ap.parse_args()
    global SCENARIO
    SCENARIO = f"scenario={args.scenario}"

    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    import os

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"runs of {args.customers:,} customers × {args.cycles} cycles (scenario {args.scenario}); "
          f"load average {os.getloadavg()[0]:.1f} (other processes share the cores)\n")

    eng = engine_time(args.customers, args.cycles, args.reference)
    eng1 = engine_time(args.customers, args.cycles, args.reference, threads=1)
    plan_s, exec_s = runner_time(args.customers, args.cycles, args.reference, jobs=1)
    per_run = exec_s / args.reference
    print(f"engine alone, sim.threads=0 (one per core):   {eng * 1000:8.1f} ms/run")
    print(f"engine alone, sim.threads=1:                  {eng1 * 1000:8.1f} ms/run")
    print(f"fast runner, 1 process ({args.reference} runs):        {per_run * 1000:8.1f} ms/run "
          f"-> overhead {max(per_run - eng, 0) * 1000:.1f} ms/run ({max(per_run - eng, 0) / per_run:.1%}); "
          f"planning {plan_s / args.reference * 1000:.1f} ms/run")

    plan_s, exec_s = runner_time(args.customers, args.cycles, args.runs, jobs=args.jobs, progress=True)
    total = plan_s + exec_s
    print(f"\nsweep of {args.runs:,} runs with {args.jobs} worker process(es): {total:.1f} s "
          f"(planning {plan_s:.1f} s, running {exec_s:.1f} s) = {args.runs / total:.1f} runs/s")
    # workers run with sim.threads=1; one process keeps the engine's threads
    ideal = eng1 * args.runs / args.jobs if args.jobs > 1 else eng * args.runs
    print(f"engine floor for the same runs on {args.jobs} worker(s): {ideal:.1f} s "
          f"-> runner overhead in the sweep {max(total - ideal, 0) / args.runs * 1000:.1f} ms/run")
    verdict = "met" if total < args.target else "NOT met"
    print(f"target < {args.target:.0f} s: {verdict}; load average now {os.getloadavg()[0]:.1f}")

    if args.hydra_jobs:
        tiny_c, tiny_k = 200, 2
        hydra = hydra_per_job(args.hydra_jobs, tiny_c, tiny_k)
        _, tiny_exec = runner_time(tiny_c, tiny_k, 40, jobs=1)
        print(f"\ntiny runs ({tiny_c} customers × {tiny_k} cycles): cxsim -m {hydra * 1000:.0f} ms/job "
              f"(including start-up / {args.hydra_jobs}) vs fast runner {tiny_exec / 40 * 1000:.1f} ms/run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
