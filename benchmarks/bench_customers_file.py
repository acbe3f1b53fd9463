"""The per-customer table (``customers.parquet``) kept in memory, or written as the run goes.

Each way runs in a fresh process (so peak resident memory is its own): the default scenario,
``outputs.customers=always``, one replication of 12 cycles, written into a temporary folder —
``memory``: :func:`cxsim.engine.run.run` gathers the table, then ``Results.save`` writes it;
``streamed``: ``run(..., customers_file=...)`` appends each cycle's rows to the file as a row group
(what ``cxsim run`` does), and ``Results.save`` writes the rest. A third process runs without the
table (``outputs.customers=never``) as the reference for the memory the table itself costs.

    python benchmarks/bench_customers_file.py                  # 1,000,000 customers
    python benchmarks/bench_customers_file.py --customers 200000 --repeats 3
    python benchmarks/bench_customers_file.py --out benchmarks/results/customers_file.txt  # also saved there

Prints, per way, the median wall seconds (run and save), peak RSS and the peak above the run
without the table, with the ratios streamed / memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transcript import Transcript

CHILD = r"""
import json, logging, sys, tempfile, time
from pathlib import Path
from cxsim.config import load_run_spec
from cxsim.engine.run import run
logging.getLogger("MESA").setLevel(logging.WARNING)
n, way = int(sys.argv[1]), sys.argv[2]
table = "never" if way == "none" else "always"
base = ["sim.n_cycles=12", "sim.replications=1", "outputs.figures=false", "outputs.operations=never",
        f"outputs.customers={table}"]
run(load_run_spec(["sim.n_customers=1000", *base]))  # the kernels loaded once
spec = load_run_spec([f"sim.n_customers={n}", f"operations.scale={n / 10_000}", *base])
with tempfile.TemporaryDirectory() as folder:
    t = time.perf_counter()
    res = run(spec, customers_file=Path(folder) / "customers.parquet" if way == "streamed" else None)
    res.save(folder)
    seconds = time.perf_counter() - t
    size = sum(p.stat().st_size for p in Path(folder).iterdir())
with open("/proc/self/status") as f:
    hwm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rss_gb": hwm / 1e9, "rows": int(res.cycles["customers_start"].sum()),
                  "file_mb": size / 1e6}))
"""


def measure(n: int, way: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), way], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1:] or [f"exit status {out.returncode}"]
        raise RuntimeError(f"the {way} run of {n:,} customers failed: {last[0]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=1, help="runs per way (the median is shown)")
    ap.add_argument("--out", help="also write the table (and the command) to this file")
    args = ap.parse_args(argv)

    ways = ("none", "memory", "streamed")
    runs: dict[str, list[dict[str, float]]] = {w: [] for w in ways}
    for _ in range(args.repeats):
        for way in ways:  # interleaved: a noisy stretch of the machine falls on every way
            runs[way].append(measure(args.customers, way))
    med = {w: {k: statistics.median(r[k] for r in runs[w]) for k in runs[w][0]} for w in ways}
    out = Transcript("bench_customers_file.py", argv)
    out.say(f"default scenario, {args.customers:,} customers x 12 cycles, outputs.customers=always; "
        f"{int(med['memory']['rows']):,} table rows; medians of {args.repeats}")
    out.say()
    out.say(f"{'way':>10} {'seconds':>9} {'peak RSS GB':>12} {'table GB':>9} {'files MB':>9}")
    for w in ways:
        extra = med[w]["rss_gb"] - med["none"]["rss_gb"]
        out.say(f"{w:>10} {med[w]['seconds']:9.2f} {med[w]['rss_gb']:12.2f} {extra:9.2f} {med[w]['file_mb']:9.0f}")
    out.say()
    ratio_t = med["streamed"]["seconds"] / med["memory"]["seconds"]
    ratio_m = med["streamed"]["rss_gb"] / med["memory"]["rss_gb"]
    out.say(f"streamed / memory: seconds {ratio_t:.2f}, peak RSS {ratio_m:.2f} "
        "(the 'none' row: the same run without the table)")
    out.save(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
