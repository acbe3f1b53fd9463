"""Switching after bad experiences: 1, 2, 3 bad experiences against the survey's 40 / 55 / 90 %.

    python experiments/switching.py [--n 20000] [--seed 0] [--out outputs/figures] [--no-figure] [--lang en|zh]

Each shipped scenario runs three months in which every customer meets one terrible moment a month
(word of mouth off); the share who switched after k months is set beside the survey's figures,
with the share who would have left anyway. Nothing is fitted to the survey.
Model and assumptions: cxsim.teach.switching.

Sources:
    AchieveGlobal (2013), China customer-service survey, in case study 000, article 7 (docs/explanation/case-studies.md,
    "Switching after bad experiences"): about 40 % after one, over 55 % after two, 90 % after at
    most three bad experiences.
"""

from __future__ import annotations

import sys

from cxsim.teach.cli import experiment_main


def main(argv: list[str] | None = None) -> int:
    """Run the experiment; return the exit status."""
    return experiment_main("switching", __doc__, "cxsim.teach.switching", argv, n_default=20_000, n_min=10,
                           n_help="simulated customers per scenario (default 20000)")


if __name__ == "__main__":
    sys.exit(main())
