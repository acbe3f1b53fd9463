"""Meisu Electronics: the seven-step table from a simulated run, then more shops on the street.

    python experiments/meisu_seven_steps.py [--n 2000] [--seed 0] [--out outputs/figures] [--no-figure] [--lang en|zh]

Runs the shipped retail_street scenario with cxsim's engine, computes steps 2a-4 (experience,
expectation, gap, importance, key experience = importance x gap, gap to the ideal) from the
simulated moments, and simulates step 5 (one and two more shops on the street) with the same seed.
Model and assumptions: cxsim.teach.meisu.

Sources:
    Case studies 001, 002 and 004 (docs, "Seven-step CEM method"): experience price 7, brand image
    7, service 6, product 6, convenience 5, relationship 4; expectation 7; convenience importance 9,
    key experience 9 x -2 = -18; gap to the ideal -5; more shops on the same street.
"""

from __future__ import annotations

import sys

from cxsim.teach.cli import experiment_main


def main(argv: list[str] | None = None) -> int:
    """Run the experiment; return the exit status."""
    return experiment_main("meisu_seven_steps", __doc__, "cxsim.teach.meisu", argv, n_default=2000, n_min=10,
                           n_help="simulated customers per run (10 to 10000; default 2000)")


if __name__ == "__main__":
    sys.exit(main())
