"""The open market's cost: journeys per second and peak memory with the market on and off.

The default scenario (``b2b_dealer``, with its ``market`` block: capacity 1.25, a rival supplier,
prospects) is run for each size twice, each in a fresh process (so peak resident memory is its
own): with the market (the shipped default) and as a closed cohort (``scenario.market.enabled=false``,
exactly the engine without a market). Capacities are sized for each population
(``scenario.operations.scale = customers / 10,000``); one replication of 12 cycles, no files written.
Journeys per second count the purchase cycles customers actually went through
(``customers_start`` summed), so the market's free rows and its step cost show as fewer journeys
per second. Budgets (issue 18): journeys per second with the market at least half the closed
cohort's in the same run, and peak memory at most 1.5 times.

    python benchmarks/bench_market.py                     # 1,000,000 customers
    python benchmarks/bench_market.py --sizes 100000      # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import share

CHILD = r"""
import json, logging, resource, sys, time
t0 = time.perf_counter()
from cxsim.config import load_run_spec
from cxsim.engine.run import run
logging.getLogger("MESA").setLevel(logging.WARNING)
n, cycles, scenario, extra = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
common = ["sim.replications=1", "outputs.customers=never", "outputs.operations=never", "outputs.figures=false"]
for w_scale in (0.1, 10.0):  # busy queues and idle ones: every kernel loaded once
    run(load_run_spec([f"scenario={scenario}", "sim.n_customers=1000", f"sim.n_cycles={cycles}",
                       f"scenario.operations.scale={w_scale}", *common, *extra]))
spec = load_run_spec([f"scenario={scenario}", f"sim.n_customers={n}", f"sim.n_cycles={cycles}",
                      f"scenario.operations.scale={n / 10_000}", *common, *extra])
sys.path.insert(0, sys.argv[5])
from machine import Meter

def peak_rss_gb():
    try:
        with open("/proc/self/status") as f:  # VmHWM: this process's own peak
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
t1 = time.perf_counter()
with Meter() as meter:
    res = run(spec)
t2 = time.perf_counter()
c = res.cycles
print(json.dumps({"run": t2 - t1, "journeys": int(c["customers_start"].sum()), "cpu": meter.cpu,
                  "steal": meter.steal, "seconds": res.seconds, "rss_gb": peak_rss_gb(),
                  "new": int(c["new_customers"].sum()) if "new_customers" in c else 0}))
"""


def measure(n: int, cycles: int, scenario: str, extra: list[str]) -> dict:  # type: ignore[type-arg]
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(cycles), scenario, json.dumps(extra), here],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1:] or [f"exit status {out.returncode}"]
        raise RuntimeError(f"the run of {n:,} customers failed: {last[0]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--cycles", type=int, default=12)
    ap.add_argument("--scenario", default="b2b_dealer", help="a scenario with a market block")
    args = ap.parse_args(argv)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"scenario {args.scenario}, scenario.operations.scale = customers / 10,000, {args.cycles} cycles, "
          f"one replication, no files\n")
    print(f"{'customers':>10} {'market':>7} {'run s':>7} {'M journeys/s':>13} {'peak RSS GB':>12} "
          f"{'new customers':>14} {'market s':>9} {'CPU s':>7} {'steal':>6}")
    ok = True
    for n in args.sizes:
        pair = {}
        for label, extra in (("off", ["scenario.market.enabled=false"]), ("on", [])):
            try:
                r = measure(n, args.cycles, args.scenario, extra)
            except RuntimeError as err:
                print(f"bench_market.py: {err}", file=sys.stderr)
                return 2
            pair[label] = r
            print(f"{n:>10,} {label:>7} {r['run']:>7.2f} {r['journeys'] / r['run'] / 1e6:>13.2f} "
                  f"{r['rss_gb']:>12.2f} {r['new']:>14,} {r['seconds'].get('market', 0.0):>9.2f} "
                  f"{r['cpu']:>7.2f} {share(r['steal']):>6}")
        speed = (pair["on"]["journeys"] / pair["on"]["run"]) / (pair["off"]["journeys"] / pair["off"]["run"])
        memory = pair["on"]["rss_gb"] / pair["off"]["rss_gb"]
        ok &= speed >= 0.5 and memory <= 1.5
        print(f"{'':>10} journeys/s on/off {speed:.2f} (budget >= 0.5), peak memory on/off {memory:.2f} "
              f"(budget <= 1.5)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
