"""The social network's construction and the population's set-up, on one thread and on all.

Builds a small world (degree 6, a tenth of the ties rewired, as in ``b2b_dealer``) and a random
network (degree 6) of ``--customers`` customers on one thread and on ``--threads`` threads, then
draws each scenario's population (``cxsim.engine.state.init_state``: segments, the network, the
touchpoints' expectations) both ways; the ways interleaved, medians and their ratio printed. The
networks and populations are the same either way (``tests/test_network.py``,
``tests/test_state.py``).

    python benchmarks/bench_network.py
    python benchmarks/bench_network.py --customers 4000000 --repeats 3 --out benchmarks/results/network.txt
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transcript import Transcript

from cxsim.behaviour.network import random_network, small_world
from cxsim.config import load_run_spec
from cxsim.engine.compiled import compile_scenario
from cxsim.engine.state import init_state
from cxsim.engine.streams import Streams, replication_seeds
from cxsim.workers import Workers

SCENARIOS = ("b2b_dealer", "ecommerce_delivery", "retail_street")


def _seconds(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=4_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="runs per way (medians shown)")
    ap.add_argument("--out", help="also write the table (and the command) to this file")
    args = ap.parse_args(argv)
    n, pools = args.customers, (Workers(1), Workers(args.threads))
    jobs: dict[str, Callable[[Workers], object]] = {
        "small world": lambda w: small_world(n, 6, 0.1, np.random.default_rng(1), w),
        "random network": lambda w: random_network(n, 6, np.random.default_rng(1), w),
    }
    for name in SCENARIOS:
        compiled = compile_scenario(load_run_spec([f"scenario={name}"]).scenario)
        jobs[f"set-up {name}"] = lambda w, c=compiled: init_state(c, n, Streams(replication_seeds(0, 1)[0]), w,
                                                                  np.float32)
    small_world(1000, 6, 0.1, np.random.default_rng(0), pools[1])
    random_network(1000, 6, np.random.default_rng(0), pools[1])  # the kernels loaded once
    found: dict[str, dict[int, list[float]]] = {name: {w.threads: [] for w in pools} for name in jobs}
    for _ in range(args.repeats):
        for name, job in jobs.items():
            for workers in pools:  # interleaved: a noisy stretch falls on both ways
                found[name][workers.threads].append(_seconds(lambda: job(workers)))
    for workers in pools:
        workers.close()
    out = Transcript("bench_network.py", argv)
    out.say(f"{n:,} customers (networks of degree 6, small world rewire 0.1; set-up at float32); "
            f"medians of {args.repeats}")
    out.say()
    out.say(f"{'':>30} {'1 thread s':>11} {f'{args.threads} threads s':>11} {'ratio':>6}")
    for name, times in found.items():
        one, many = (statistics.median(times[w.threads]) for w in pools)
        out.say(f"{name:>30} {one:11.3f} {many:11.3f} {one / many:6.2f}")
    out.save(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
