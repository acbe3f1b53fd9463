"""The readable summary table printed by ``cxsim``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

METRICS = (
    ("satisfaction_mean", "satisfaction (affect, purchase-weighted)", "{:+.3f}"),
    ("experienced_mean", "experienced mean moment", "{:+.3f}"),
    ("remembered_mean", "remembered experience", "{:+.3f}"),
    ("retention_rate", "retention at the end", "{:.1%}"),
    ("nps", "NPS (points)", "{:+.1f}"),
    ("terrible_moments", "terrible moments", "{:,.0f}"),
    ("revenue", "revenue", "{:,.0f}"),
    ("cost", "cost", "{:,.0f}"),
    ("profit", "profit", "{:,.0f}"),
)


def summary_table(summary: pd.DataFrame, currency: str) -> str:
    """Mean over replications with a 95 % t-interval (when there are at least two)."""
    r = len(summary)
    first = summary.iloc[0]
    lines = [
        f"cxsim · scenario {first['scenario']} · memory {first['memory_model']} · engine {first['engine']}",
        f"{first['n_customers']:,} customers × {first['n_cycles']} cycles × {r} replication(s), seed {first['seed']}",
        "",
        f"{'metric':<42}{'mean':>16}{'95% CI' if r > 1 else '':>32}",
    ]
    for col, label, fmt in METRICS:
        x = summary[col].to_numpy(dtype=float)
        m = float(np.mean(x))
        unit = f" ({currency})" if col in ("revenue", "cost", "profit") else ""
        ci = ""
        if r > 1:
            half = float(stats.t.ppf(0.975, r - 1) * np.std(x, ddof=1) / math.sqrt(r))
            ci = f"[{fmt.format(m - half)}, {fmt.format(m + half)}]"
        lines.append(f"{label + unit:<42}{fmt.format(m):>16}{ci:>32}")
    return "\n".join(lines)


def phase_line(seconds: dict[str, float]) -> str:
    """Where a run's wall time went, one line: ``3.1 s: word of mouth 0.9, operations 0.7, …``.

    ``seconds`` is :attr:`cxsim.engine.run.Results.seconds`; phases are listed longest first.
    """
    parts = sorted(seconds.items(), key=lambda kv: -kv[1])
    return f"{sum(seconds.values()):.1f} s: " + ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in parts)
