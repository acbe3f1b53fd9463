"""The comparison as a reader sees it: the ranking as text and the forest plot.

:func:`report` is the table ``cxsim compare`` prints (rank, Δ NPS, Δ retention, Δ profit, spend,
cost per NPS point, ROI), with the effects under parameter uncertainty when the comparison ran on
a posterior, the open market's effects when the scenario has one, and the notes;
:func:`forest_plot` draws ``comparison.png``: each intervention's paired difference per metric with
the same t-interval as ``comparison.csv``, and its spend beside. Both read a finished
:class:`cxsim.compare.Comparison`; the HTML page of a comparison is
:func:`cxsim.report.document.comparison_report`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import pandas as pd

from cxsim.figures import figure_style, subplots
from cxsim.files import write_atomic
from cxsim.ratio import UNDEFINED


class Settings(Protocol):
    """What the report reads of the comparison's settings (:class:`cxsim.compare.CompareSettings`)."""

    @property
    def replications(self) -> int:
        """Paired replications per arm."""
        ...

    @property
    def rank_by(self) -> str:
        """The metric of the ranking."""
        ...

    @property
    def crn(self) -> bool:
        """Common random numbers (else independent seeds)."""
        ...

    @property
    def confidence(self) -> float:
        """Level of the intervals."""
        ...


class Result(Protocol):
    """What the report and the forest plot read of a comparison (:class:`cxsim.compare.Comparison`,
    whose module imports this one)."""

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences per intervention and replication."""
        ...

    @property
    def table(self) -> pd.DataFrame:
        """``comparison.csv``: one row per intervention and metric."""
        ...

    @property
    def ranking(self) -> pd.DataFrame:
        """One row per intervention, best first."""
        ...

    @property
    def uncertainty(self) -> pd.DataFrame | None:
        """With a posterior, each effect with parameter uncertainty; else ``None``."""
        ...

    @property
    def settings(self) -> Settings:
        """The comparison's settings."""
        ...

    @property
    def baseline(self) -> str:
        """The baseline arm's name."""
        ...

    @property
    def currency(self) -> str:
        """Currency of the money columns."""
        ...

    def notes(self) -> list[str]:
        """Plain-language notes."""
        ...

    def interval(self, x: Sequence[float] | np.ndarray | pd.Series) -> tuple[float, float]:
        """``(ci_low, ci_high)`` of values ``x``, as the intervals of ``comparison.csv``."""
        ...

FOREST = (("satisfaction", "Δ satisfaction"), ("retention", "Δ retention"), ("nps", "Δ NPS (points)"),
          ("profit", "Δ profit"))


def forest_plot(result: Result, path: str | Path) -> Path:
    """Forest plot: each intervention's Δ with its t-interval per metric, and its spend beside.

    Drawn with seaborn ``pointplot`` on the per-replication paired differences; the error bars
    are the same t-intervals as in ``comparison.csv``.
    """
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style({"style": "whitegrid"}):
        order = list(result.ranking["intervention"])
        conf = result.settings.confidence
        diffs = result.differences
        fig, axes = subplots(1, len(FOREST) + 1, figsize=(3.2 * (len(FOREST) + 1), 0.6 * len(order) + 2),
                                 sharey=True)
        for ax, (metric, label) in zip(axes, FOREST):
            sns.pointplot(data=diffs, x=metric, y="intervention", order=order, errorbar=result.interval,
                          linestyle="none", capsize=0.3, color="C0", ax=ax)
            ax.axvline(0.0, color="0.4", lw=1, ls="--")
            ax.set_xlabel(label + (f" ({result.currency})" if metric == "profit" else ""))
            ax.set_ylabel("")
        spend = result.ranking[["intervention", "spend"]]
        sns.barplot(data=spend, x="spend", y="intervention", order=order, color="C1", ax=axes[-1])
        axes[-1].set_xlabel(f"spend ({result.currency})")
        axes[-1].set_ylabel("")
        fig.suptitle(f"Interventions vs {result.baseline}: paired differences, {int(conf * 100)} % CI, "
                     f"R = {result.settings.replications}"
                     + (" (common random numbers)" if result.settings.crn else ""))
        fig.tight_layout()
        out = Path(path)

        write_atomic(out, lambda p: fig.savefig(p, dpi=110, format="png"))
        return out


def report(result: Result) -> str:
    """The ranking as a readable table, with the notes."""
    cur = result.currency
    r = result.settings.replications
    sampling = " (common random numbers)" if result.settings.crn else " (independent seeds)"
    lines = [(f"cxsim-compare · baseline {result.baseline} · {len(result.ranking)} intervention(s) · "
              f"R = {r} paired replications{sampling}"),
             "",
             (f"{'rank':<5}{'intervention':<20}{'Δ NPS':>9}{'Δ retention':>13}{'Δ profit':>16}"
              f"{'spend':>14}{'per NPS pt':>13}{'ROI':>10}")]
    for row in result.ranking.itertuples():
        lines.append(f"{row.rank:<5}{row.intervention:<20}{row.delta_nps:>+9.2f}{row.delta_retention:>+13.2%}"
                     f"{row.delta_profit:>+16,.0f}{row.spend:>14,.0f}{_fmt(cast(float, row.cost_per_nps_point)):>13}"
                     f"{_fmt(cast(float, row.roi), '{:+.1f}'):>10}")
    lines.append(f"\nranked by Δ {result.settings.rank_by}; money in {cur}; costs are illustrative")
    if result.uncertainty is not None:
        lines += ["", _uncertainty_report(result)]
    lines += _market_lines(result)
    notes = result.notes()
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _uncertainty_report(result: Result) -> str:
    """Each intervention's effect on the ranking metric: parameters fixed, and with their uncertainty."""
    metric = result.settings.rank_by
    level = int(round(result.settings.confidence * 100))
    u = result.uncertainty
    assert u is not None
    lines = [f"Δ {metric}, parameters fixed at the posterior means ({level} % CI over replications) "
             f"and with parameter uncertainty ({level} % credible interval over posterior draws):",
             f"{'intervention':<20}{'fixed':>14}{'CI':>28}{'uncertain':>14}{'credible interval':>28}"
             f"{'P(beats baseline)':>19}"]
    for row in u[u["metric"] == metric].itertuples():
        fixed = _pair(cast(float, row.fixed_low), cast(float, row.fixed_high))
        uncertain = _pair(cast(float, row.uncertain_low), cast(float, row.uncertain_high))
        lines.append(f"{row.intervention:<20}{row.fixed_delta:>+14,.4g}{fixed:>28}"
                     f"{row.uncertain_delta:>+14,.4g}{uncertain:>28}"
                     f"{row.p_better:>19.0%}")
    return "\n".join(lines)


def _pair(lo: float, hi: float) -> str:
    return f"[{lo:+,.4g}, {hi:+,.4g}]"


def _market_lines(result: Result) -> list[str]:
    """With an open market: each intervention's Δ new customers, purchases, revenue and market
    share with their intervals (empty without a market)."""
    t = result.table.set_index(["intervention", "metric"])
    if "new_customers" not in set(result.table["metric"]):
        return []
    conf = int(round(result.settings.confidence * 100))
    lines = ["", f"open market: paired Δ with {conf} % intervals", f"{'intervention':<20}{'Δ new customers':>30}"
             f"{'Δ purchases':>30}{'Δ revenue':>36}{'Δ market share':>28}"]

    def cell(arm: str, metric: str, fmt: str, width: int) -> str:
        d, lo, hi = (float(cast(float, t.loc[(arm, metric), c])) for c in ("delta", "ci_low", "ci_high"))
        return f"{fmt.format(d)} [{fmt.format(lo)}, {fmt.format(hi)}]".rjust(width)

    for arm in result.ranking["intervention"]:
        lines.append(f"{arm:<20}{cell(arm, 'new_customers', '{:+,.0f}', 30)}{cell(arm, 'purchases', '{:+,.0f}', 30)}"
                     f"{cell(arm, 'revenue', '{:+,.0f}', 36)}{cell(arm, 'market_share', '{:+.2%}', 28)}")
    return lines


def _fmt(x: float, fmt: str = "{:,.0f}") -> str:
    return fmt.format(x) if math.isfinite(x) else UNDEFINED
