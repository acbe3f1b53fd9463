"""Benchmark: a scenario from a 20,000-row survey, simulated respondents, the held-out check.

    python benchmarks/bench_survey.py [--n 20000] [--repeat 3]

Target (issue 19, item 8): ``scenario_from_survey`` on 20,000 rows takes seconds, not minutes.
The table is synthetic (14 touchpoints on 1-5 with 0 = not applicable, correlated through a
Gaussian copula, a binary outcome from key moments); the airline file of ``../shared/data`` is
timed too when it is there. Each timing is the median of ``--repeat`` runs, with its CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cxsim.fit.ppc import holdout_check
from cxsim.fit.scenario_from_survey import scenario_from_survey

AIRLINE = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline_passenger_satisfaction_20k.csv"


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall and CPU seconds of ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def synthetic(n: int, k: int = 14, seed: int = 0) -> pd.DataFrame:
    """``n`` respondents, ``k`` correlated touchpoints (some not applicable), a binary outcome."""
    rng = np.random.default_rng(seed)
    corr = np.full((k, k), 0.4) + 0.6 * np.eye(k)
    z = rng.standard_normal((n, k)) @ np.linalg.cholesky(corr).T
    ratings = np.searchsorted([-1.2, -0.4, 0.4, 1.2], z) + 1.0
    ratings[rng.random((n, k)) < 0.03] = 0.0
    w = rng.dirichlet(np.ones(k))
    m = ((ratings - 3.0) * w).sum(axis=1)
    table = pd.DataFrame(ratings, columns=[f"touchpoint {j}" for j in range(k)])
    table["outcome"] = np.where(rng.random(n) < 1 / (1 + np.exp(-3 * m)), "yes", "no")
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="respondents (default 20,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing; the median is shown")
    args = ap.parse_args()
    rows = []
    table = synthetic(args.n)
    tps = [c for c in table.columns if c.startswith("touchpoint")]
    def fit():
        return scenario_from_survey(table, tps, "outcome", positive="yes", not_applicable=0)

    rows.append(("scenario_from_survey, synthetic", f"{args.n:,} x {len(tps)}", *timed(fit, args.repeat)))
    fitted = fit()
    rows.append(("simulate_survey", f"{args.n:,} respondents", *timed(lambda: fitted.simulate_survey(args.n, 0),
                                                                       args.repeat)))
    def check():
        return holdout_check(table, tps, "outcome", positive="yes", not_applicable=0)

    rows.append(("holdout_check (fit on 70 %, simulate 20,000, compare)", f"{args.n:,} rows", *timed(check, 1)))
    if AIRLINE.is_file():
        air = pd.read_csv(AIRLINE)
        cols = list(air.columns[7:21])
        t = timed(lambda: scenario_from_survey(air, cols, "satisfaction", positive="satisfied", not_applicable=0),
                  args.repeat)
        rows.append(("scenario_from_survey, airline file", f"{len(air):,} x {len(cols)}", *t))
    out = pd.DataFrame(rows, columns=["task", "size", "wall_s", "cpu_s"])
    print(out.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; target: seconds, not minutes "
          f"({'met' if out['wall_s'].iloc[0] < 60 else 'NOT met'})")


if __name__ == "__main__":
    main()
