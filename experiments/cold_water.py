"""Cold water: more pain, yet the preferred memory (peak-end vs the total of pain over time).

    python experiments/cold_water.py [--n 3200] [--seed 0] [--out outputs/figures] [--no-figure] [--lang en|zh]

Each simulated subject feels a short trial (60 s at 14 °C) and a long one (the same, then 30 s while
the water warms to 15 °C) and repeats the one remembered as less unpleasant. Published: about two
thirds (22 of 32) chose the long trial. The table sets the share choosing the long trial under
each memory model beside it; the total (area under the pain curve) predicts the opposite choice.
Model and assumptions: cxsim.teach.cold_water.

Sources:
    Kahneman, Fredrickson, Schreiber & Redelmeier (1993), When more pain is preferred to less:
    adding a better end. Psychological Science 4(6), 401-405.
    Kahneman (2011), Thinking, Fast and Slow, ch. 35 (22 of 32 subjects).
    Kahneman, Wakker & Sarin (1997), Back to Bentham? QJE 112(2), 375-405 (total utility).
"""

from __future__ import annotations

import sys

from cxsim.teach.cli import experiment_main


def main(argv: list[str] | None = None) -> int:
    """Run the experiment; return the exit status."""
    return experiment_main("cold_water", __doc__, "cxsim.teach.cold_water", argv, n_default=3200,
                           n_help="number of simulated subjects (default 3200: a hundred classes of 32)")


if __name__ == "__main__":
    sys.exit(main())
