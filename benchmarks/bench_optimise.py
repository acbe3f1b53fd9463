"""Benchmark: optimising a portfolio of 5 interventions with doses on b2b_dealer at 10,000 customers.

    python benchmarks/bench_optimise.py                     # the issue's target: the shipped example, 2 workers
    python benchmarks/bench_optimise.py --trials 24 --jobs 1   # quicker

What it measures, on this machine:

1. **one run** — the median wall time of one bare replication (10,000 customers × 12 cycles) of
   the baseline, after a warm-up: the floor any evaluation pays per replication.
2. **the optimisation** — the shipped example (``configs/optimise/b2b_budget.yaml``: five candidate
   interventions, four with a dose, a budget, KN selection, robustness over 48 worlds and the
   report) through the command's own code with ``--jobs`` worker processes: wall time against the
   target (10 minutes on two cores).
3. **wall time per run** — the whole optimisation's wall time divided by the simulation runs it
   did, against (1): a portfolio evaluation costs its runs and little else (no recompilation per
   evaluation: the compiled kernels are cached on disk, and each worker loads them once).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time

import numpy as np

TARGET_SECONDS = 600.0


def one_run(customers: int, n: int) -> float:
    """Median seconds of one bare baseline replication of b2b_dealer."""
    from cxsim.config import compose_config
    from cxsim.evaluation import Evaluator, run_one

    ev = Evaluator(compose_config([f"sim.n_customers={customers}"]), 1)
    run_one(ev.baseline_spec, 0)  # warm-up: compiled kernels loaded
    times = []
    for _ in range(n):
        t = time.perf_counter()
        run_one(ev.baseline_spec, 0)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def optimisation(customers: int, trials: int, jobs: int, robustness: bool) -> dict[str, float]:
    """Wall seconds and simulation runs of the shipped example, run as the command runs it."""
    from cxsim.cli import optimise as cli
    from cxsim.evaluation import Evaluator

    with tempfile.TemporaryDirectory() as out:
        args = [f"sim.n_customers={customers}", f"optimise.trials={trials}", f"optimise.n_jobs={jobs}",
                f"hydra.run.dir={out}"]
        if not robustness:
            args.append("optimise.robustness.params=[]")
        start = time.perf_counter()
        p = cli.prepare(args)
        ev = Evaluator(p.config, p.settings.selection.max_replications, p.settings.n_jobs)
        cli.run(p, evaluator=ev)
        total = time.perf_counter() - start
    rob = p.robustness
    rob_runs = rob.worlds * (1 + rob.portfolios) * rob.replications if rob.enabled else 0
    return {"total": total, "search_runs": float(ev.runs), "robustness_runs": float(rob_runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reference", type=int, default=5, help="bare runs timed for the floor")
    parser.add_argument("--no-robustness", action="store_true")
    args = parser.parse_args()
    print(f"bench_optimise · {platform.processor() or platform.machine()} · Python {sys.version.split()[0]}")
    floor = one_run(args.customers, args.reference)
    print(f"one run ({args.customers:,} customers × 12 cycles): {floor:.3f} s (median of {args.reference})")
    r = optimisation(args.customers, args.trials, args.jobs, not args.no_robustness)
    runs = r["search_runs"] + r["robustness_runs"]
    per_run = r["total"] / max(runs, 1.0)
    print(f"runs: {int(r['search_runs'])} for the search and selection ({args.trials} portfolios), "
          f"{int(r['robustness_runs'])} for robustness; {args.jobs} worker(s)")
    print(f"wall time per run, everything included (composition, search, selection, robustness, report): "
          f"{per_run:.3f} s = {per_run / floor:.2f} × one bare run")
    print(f"whole optimisation: {r['total']:.1f} s (target {TARGET_SECONDS:.0f} s) -> "
          + ("within target" if r["total"] <= TARGET_SECONDS else "OVER TARGET"))


if __name__ == "__main__":
    main()
