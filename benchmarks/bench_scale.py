"""Scaling: wall time and peak memory of the full default scenario for growing populations.

Each size runs in a fresh process (so peak resident memory is its own): the default scenario
``b2b_dealer`` (seven touchpoints, delivery days from the order-to-delivery pipeline and the
dealer meeting from the event, peak-end memory, word of mouth over a small world, loyalty), its
capacities sized for each population (``operations.scale = customers / 10,000``: the same
business, larger; ``--fixed-capacity`` keeps the 10,000-dealer capacities); one replication of 12
cycles, no files written and no per-encounter tables kept. ``--scenario b2b_dealer_survey`` runs the
same journey with every touchpoint drawn from distributions. The time is the run alone (import
and the first-call compilation of the numba kernels, cached on disk after the first ever run,
are reported apart).

    python benchmarks/bench_scale.py                      # 1 M and 10 M customers
    python benchmarks/bench_scale.py --with-50m --precision float32  # and 50 M (minutes; about 12 GB)
    python benchmarks/bench_scale.py --sizes 10000 100000 # a quick look
    python benchmarks/bench_scale.py --precision float32  # runtime.precision: 32-bit large arrays
    python benchmarks/bench_scale.py --precision float32 --no-reuse-memory  # and freed memory returned at once
    python benchmarks/bench_scale.py --scenario b2b_dealer_survey --sizes 1000000
    python benchmarks/bench_scale.py --out benchmarks/results/scale.txt  # also write the tables there

Prints one row per size with seconds, customer-journeys per second end to end, the journey
step's own rate measured in the same run (journeys over the ``journeys`` phase's seconds) and the
journey phase's share of the run's phases (the gap between the two rates), peak RSS and bytes
per customer, the time per customer relative to the smallest size (a column of ratios near 1
means linear growth), with the run's CPU seconds (all threads) and the share of the machine's
time the host stole meanwhile (``benchmarks/machine.py``: on a shared virtual machine a slow row
with high steal is the host).
A second table splits each run by phase (``Results.seconds``: population and network set-up,
draws, operations, journeys, word of mouth, records, tables) in microseconds per customer for
the whole run, with each phase's growth from the smallest size: a step quadratic in customers or
in ties would show as a column growing with the size, not as a constant.
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
n, cycles, scenario, scale = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
precision = [f"runtime.precision={sys.argv[6]}", f"runtime.reuse_memory={sys.argv[7]}"]
extra = [f"operations.scale={n / 10_000}"] if scale else []
for w_scale in ([0.1, 10.0] if scale else [None]):  # busy queues and idle ones: every kernel loaded once
    warm = load_run_spec([f"scenario={scenario}", "sim.n_customers=1000", f"sim.n_cycles={cycles}",
                          "sim.replications=1", "outputs.customers=never", "outputs.figures=false",
                          *([f"operations.scale={w_scale}"] if w_scale else []), *precision])
    run(warm)  # loads (or compiles) the kernels, touches every code path once
spec = load_run_spec([f"scenario={scenario}", f"sim.n_customers={n}", f"sim.n_cycles={cycles}", "sim.replications=1",
                      "outputs.customers=never", "outputs.operations=never", "outputs.figures=false", *extra,
                      *precision])
sys.path.insert(0, sys.argv[5])
from machine import Meter
from cxsim.engine.run import run_replication


def budget(n_small=20_000):
    # bytes per customer of the engine's arrays, from a small run of the same settings (they grow linearly)
    small = load_run_spec([f"scenario={scenario}", f"sim.n_customers={n_small}", "sim.n_cycles=1", "sim.replications=1",
                           "outputs.customers=never", "outputs.operations=never", "outputs.figures=false",
                           *([f"operations.scale={n_small / 10_000}"] if scale else []), *precision])
    m = run_replication(small, 0)
    st, d, o, w = m.state, m._draws, m._outcome, m._wom
    groups = {"state": [st.segment, st.expectation, st.satisfaction, st.bad_memory, st.active, st.terrible_count,
                        st.customer_id],
              "network": [st.network.src, st.network.offsets],
              "draws": [d.present, d.performance, d.memory_z, d.churn_u, d.recommend_z],
              "outcome": [o.experienced, o.remembered, o.terrible, o.recommend, o.churned, o.affect, o.expectation],
              "word_of_mouth": [w.story, w.code]}
    out = {k: sum(a.nbytes for a in v if a is not None) / n_small for k, v in groups.items()}
    out["rows_per_customer"] = st.n / n_small
    return out


bytes_per_customer = budget()

def peak_rss_gb():
    # VmHWM: this process's own peak (ru_maxrss would count the parent's pages at the fork)
    try:
        with open("/proc/self/status") as f:
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
print(json.dumps({"startup": t1 - t0, "run": t2 - t1, "journeys": int(res.cycles["customers_start"].sum()),
                  "cpu": meter.cpu, "steal": meter.steal, "seconds": res.seconds,
                  "rss_gb": peak_rss_gb(), "budget": bytes_per_customer,
                  "retention": float(res.summary["retention_rate"].iloc[0])}))
"""


def measure(n: int, cycles: int, scenario: str, scale: bool = False, precision: str = "float64",
            reuse_memory: bool = True) -> dict[str, float]:
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(cycles), scenario, str(int(scale)), here, precision,
                          str(reuse_memory).lower()],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1:] or [f"exit status {out.returncode}"]
        raise RuntimeError(f"the run of {n:,} customers failed: {last[0]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--with-50m", action="store_true", help="add 50,000,000 customers (many minutes)")
    ap.add_argument("--cycles", type=int, default=12)
    ap.add_argument("--scenario", default="b2b_dealer", help="e.g. b2b_dealer_survey (no operations)")
    ap.add_argument("--precision", default="float64", choices=("float64", "float32"), help="runtime.precision")
    ap.add_argument("--no-reuse-memory", action="store_true",
                    help="runtime.reuse_memory=false: glibc returns freed memory at once (lower peak, slower)")
    ap.add_argument("--fixed-capacity", action="store_true",
                    help="keep the scenario's capacities (default: operations.scale = customers / 10,000)")
    ap.add_argument("--out", help="also write the tables (and the command) to this file")
    args = ap.parse_args(argv)
    args.scale = not args.fixed_capacity
    sizes = [*args.sizes, *([50_000_000] if args.with_50m else [])]
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    say(f"command: python benchmarks/bench_scale.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    scaled = ", operations.scale = customers / 10,000" if args.scale else ""
    say(f"scenario {args.scenario}{scaled}, {args.cycles} cycles, one replication, no files, "
        f"runtime.precision={args.precision}"
        f"{', runtime.reuse_memory=false' if args.no_reuse_memory else ''}\n")
    say(f"{'customers':>11} {'run s':>8} {'M journeys/s':>13} {'step M/s':>9} {'step share':>10} "
        f"{'peak RSS GB':>12} {'bytes/cust':>10} {'vs smallest':>12} {'CPU s':>7} {'steal':>6}")
    base = None
    runs = []
    for n in sizes:
        try:
            r = measure(n, args.cycles, args.scenario, args.scale, args.precision, not args.no_reuse_memory)
        except RuntimeError as err:
            print(f"bench_scale.py: {err}", file=sys.stderr)
            return 2
        runs.append((n, r))
        per_m = r["run"] / n * 1e6
        base = base or per_m
        phases = r["seconds"]  # type: ignore[index]
        step = r["journeys"] / phases["journeys"] / 1e6 if phases["journeys"] > 0 else float("nan")
        share_ = phases["journeys"] / sum(phases.values())  # type: ignore[union-attr]
        say(f"{n:>11,} {r['run']:>8.2f} {r['journeys'] / r['run'] / 1e6:>13.2f} {step:>9.2f} {share_:>10.1%} "
            f"{r['rss_gb']:>12.2f} {r['rss_gb'] * 1e9 / n:>10.0f} {per_m / base:>12.2f} {r['cpu']:>7.2f} "
            f"{share(r['steal']):>6}")
    for line in [*phases_table(runs), *budget_table(runs[0][1]["budget"])]:  # type: ignore[arg-type]
        say(line)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n\n")
    return 0


def budget_table(budget: dict[str, float]) -> list[str]:
    """The engine's arrays in bytes per customer (rows per customer > 1: room for an open market's
    new customers); the rest of the peak is the interpreter and libraries (about 0.3 GB), the
    operations' and the market's own arrays, and each step's temporaries."""
    parts = {k: v for k, v in budget.items() if k != "rows_per_customer"}
    return ["", f"engine arrays, bytes per customer ({budget['rows_per_customer']:.2f} rows per customer): "
            + ", ".join(f"{k} {v:.0f}" for k, v in parts.items()) + f"; total {sum(parts.values()):.0f}"]


def phases_table(runs: list[tuple[int, dict]]) -> list[str]:  # type: ignore[type-arg]
    """Microseconds per customer of each phase, and each phase's growth from the first size."""
    phases = list(runs[0][1]["seconds"])
    out = ["", "microseconds per customer (whole run) by phase; in brackets: vs the smallest size",
           f"{'customers':>11} " + " ".join(f"{p:>20}" for p in phases)]
    first = {p: runs[0][1]["seconds"][p] / runs[0][0] for p in phases}
    for n, r in runs:
        cells = []
        for p in phases:
            us = r["seconds"][p] / n
            growth = f"({us / first[p]:.2f})" if first[p] > 0 else ""
            cells.append(f"{us * 1e6:>12.3f} {growth:>7}")
        out.append(f"{n:>11,} " + " ".join(cells))
    return out


if __name__ == "__main__":
    sys.exit(main())
