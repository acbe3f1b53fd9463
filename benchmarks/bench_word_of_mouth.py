"""Word of mouth against the journey step: what a tie costs, and why.

The default scenario (``b2b_dealer``: a small world of degree 6, a tenth of the ties rewired) at
one million customers, 12 cycles, one thread, ``runtime.precision=float32``, run three ways in one
process: as shipped; with no tie rewired (every teller a near neighbour in memory); and with
nobody telling anybody (``positive_reach = negative_reach = 0``: each tie still draws its uniform,
which the model needs whatever happens). Prints, per way, the word-of-mouth phase in nanoseconds
per directed tie and per customer, beside the journey phase of the same run and their ratio.

    python benchmarks/bench_word_of_mouth.py
    python benchmarks/bench_word_of_mouth.py --customers 200000 --repeats 3
    python benchmarks/bench_word_of_mouth.py --out benchmarks/results/word_of_mouth.txt
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transcript import Transcript

from cxsim.config import load_run_spec
from cxsim.engine.run import run_replication

WAYS = {
    "as shipped": [],
    "no tie rewired": ["scenario.word_of_mouth.rewire=0.0"],
    "nobody tells": ["scenario.word_of_mouth.positive_reach=0.0", "scenario.word_of_mouth.negative_reach=0.0"],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=1, help="runs per way (medians shown)")
    ap.add_argument("--out", help="also write the table (and the command) to this file")
    args = ap.parse_args(argv)
    logging.getLogger("MESA").setLevel(logging.WARNING)

    n = args.customers
    base = ["sim.n_cycles=12", "sim.replications=1", "outputs.customers=never", "outputs.operations=never",
            "outputs.figures=false", "runtime.precision=float32", "runtime.threads=1"]
    run_replication(load_run_spec(["sim.n_customers=1000", *base]), 0)  # the kernels loaded once
    found: dict[str, list[tuple[float, float, int]]] = {w: [] for w in WAYS}
    for _ in range(args.repeats):
        for way, extra in WAYS.items():  # interleaved: a noisy stretch falls on every way
            model = run_replication(load_run_spec([f"sim.n_customers={n}", f"operations.scale={n / 10_000}",
                                                   *base, *extra]), 0)
            found[way].append((model.seconds["word_of_mouth"], model.seconds["journeys"],
                               model.state.network.n_ties * 12))
    out = Transcript("bench_word_of_mouth.py", argv)
    out.say(f"b2b_dealer, {n:,} customers x 12 cycles, one thread, float32; medians of {args.repeats}")
    out.say()
    out.say(f"{'way':>15} {'ns per tie':>11} {'ns per customer':>16} {'word of mouth s':>16} {'journeys s':>11} "
        f"{'wom / journeys':>15}")
    for way, rows in found.items():
        wom = statistics.median(r[0] for r in rows)
        journeys = statistics.median(r[1] for r in rows)
        ties = rows[0][2]
        out.say(f"{way:>15} {wom / ties * 1e9:11.1f} {wom / (n * 12) * 1e9:16.1f} {wom:16.3f} {journeys:11.3f} "
            f"{wom / journeys:15.2f}")
    out.save(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
