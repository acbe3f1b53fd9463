"""SimPy reference model vs the numba kernel on identical draws, in one process.

For each case the same arrival, service (and patience) arrays go to both backends of
:mod:`cxsim.operations.stores`; the script checks that every customer's service start and
outcome are identical and prints wall-clock times and their ratio. Poisson arrivals, exponential
service, utilisation 0.9 per counter.

    python benchmarks/bench_operations.py                    # 1,000,000 customers
    python benchmarks/bench_operations.py --customers 20000  # a quick smoke run

Cases: ``c=1`` (Lindley recursion), ``c=5`` (per-server free times), and ``c=5 + patience``
(the general station kernel with abandonment and queue tracking).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

import numpy as np
import simpy

from cxsim.operations import stores

TARGET = 300.0


def case(n: int, servers: int, patience: bool, seed: int) -> stores.StationDraws:
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1.0 / (0.9 * servers), n))
    service = rng.exponential(1.0, n)
    pat = rng.exponential(2.0, n) if patience else None
    return stores.station_draws(arrival, service, patience=pat, servers=(servers,))


def timed(fn, d: stores.StationDraws, repeats: int) -> tuple[float, stores.StationResult]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn(d)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, simpy {simpy.__version__}, "
          f"{platform.machine()}; {args.customers:,} customers per case")
    stores.run_kernel(case(1000, 1, False, 0))  # compile (numba caches to disk)
    stores.run_kernel(case(1000, 5, True, 0))
    stores.run_kernel(case(1000, 5, False, 0))
    ok = True
    print(f"{'case':<16}{'simpy s':>10}{'kernel s':>12}{'ratio':>10}  identical")
    for label, c, pat in (("c=1", 1, False), ("c=5", 5, False), ("c=5 + patience", 5, True)):
        d = case(args.customers, c, pat, args.seed)
        t_kernel, k = timed(stores.run_kernel, d, 5)
        t_simpy, s = timed(stores.run_simpy, d, 1)
        same = (np.array_equal(k.start, s.start, equal_nan=True) and np.array_equal(k.outcome, s.outcome)
                and np.array_equal(k.queue_length, s.queue_length))
        ratio = t_simpy / t_kernel
        ok &= same
        print(f"{label:<16}{t_simpy:>10.2f}{t_kernel:>12.4f}{ratio:>9.0f}×  {same}"
              f"{'' if ratio >= TARGET else f'  (below the {TARGET:.0f}× target)'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
