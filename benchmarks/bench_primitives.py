"""The engine's compiled primitives against the numpy calls they replace, in one process.

* normal and uniform draws from a PCG64 ``Generator`` (``cxsim.draws``) vs the Generator's own
  ``standard_normal`` / ``random`` — the same numbers and the same state afterwards;
* the 90th percentile of twelve cycles' records (``cxsim.quantile.quantile``) vs
  ``np.quantile(np.concatenate(parts), 0.9)`` — the same number;
* whether a many-server queue ever fills (``never_full``'s sort-free test) vs the sorted test.

    python benchmarks/bench_primitives.py            # 1,000,000 values (draws), 12 × 830,000 (quantile)
    python benchmarks/bench_primitives.py --quick    # a tenth of that

Prints the median of several repetitions of each, the ratio and whether the results are equal;
exits 1 if any are not.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from cxsim.draws import normal_into, random_into, standard_normal_into
from cxsim.operations import kernels
from cxsim.quantile import quantile


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="draws per call")
    ap.add_argument("--orders", type=int, default=830_000, help="values per cycle (quantile, queue)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.orders, args.repeat = args.n // 10, args.orders // 10, 3
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; load average {os.getloadavg()[0]:.1f}")
    n = args.n
    ours, theirs = np.empty(n), np.empty(n)
    rows = []

    def pair(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
        return np.random.Generator(np.random.PCG64(seed)), np.random.Generator(np.random.PCG64(seed))

    a, b = pair(1)
    standard_normal_into(a, ours)  # compiles or loads the kernels before timing
    b.standard_normal(out=theirs)
    cases = [
        ("standard normal", lambda g: standard_normal_into(g, ours), lambda g: g.standard_normal(out=theirs)),
        ("uniform", lambda g: random_into(g, ours), lambda g: g.random(out=theirs)),
        ("normal, scaled and clipped", lambda g: normal_into(g, ours, 4.2, 0.5, 1.0, 5.0),
         lambda g: np.clip(g.standard_normal(out=theirs) * 0.5 + 4.2, 1.0, 5.0, out=theirs)),
    ]
    for name, fast, ref in cases:
        a, b = pair(7)
        t_fast = median_time(lambda: fast(a), args.repeat)
        t_ref = median_time(lambda: ref(b), args.repeat)
        same = np.array_equal(ours, theirs) and a.bit_generator.state == b.bit_generator.state
        rows.append((f"{name} ({n:,})", t_ref, t_fast, same))

    rng = np.random.default_rng(3)
    parts = [np.where(rng.random(args.orders) < 0.6, 0.0, rng.lognormal(0.5, 0.8, args.orders)) for _ in range(12)]
    want = np.quantile(np.concatenate(parts), 0.9)
    t_ref = median_time(lambda: np.quantile(np.concatenate(parts), 0.9), args.repeat)
    t_fast = median_time(lambda: quantile(parts, 0.9), args.repeat)
    rows.append((f"p90 of 12 × {args.orders:,}", t_ref, t_fast, quantile(parts, 0.9) == want))

    arrival = rng.random(args.orders) * 30
    service = rng.lognormal(0.8, 0.4, args.orders)
    servers = int(args.orders * 2.4 / 30 * 1.25)  # a quarter more servers than are busy on average
    sorted_test = kernels._never_full(np.sort(arrival), np.sort(arrival + service), servers)
    kernels.never_full(arrival, service, servers)
    t_ref = median_time(lambda: kernels._never_full(np.sort(arrival), np.sort(arrival + service), servers), args.repeat)
    t_fast = median_time(lambda: kernels.never_full(arrival, service, servers), args.repeat)
    rows.append((f"never_full, {args.orders:,} orders", t_ref, t_fast,
                 kernels.never_full(arrival, service, servers) == bool(sorted_test)))

    print(f"{'case':38s} {'numpy s':>9s} {'cxsim s':>9s} {'ratio':>7s}  identical")
    for name, t_ref, t_fast, same in rows:
        print(f"{name:38s} {t_ref:9.4f} {t_fast:9.4f} {t_ref / t_fast:6.1f}×  {same}")
    ok = all(same for *_, same in rows)
    print("all identical" if ok else "RESULTS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
