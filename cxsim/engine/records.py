"""Records of a run: flat arrays during the run, tidy pandas DataFrames at the end.

Column reference (also in the README):

``cycles`` — one row per replication and cycle: ``scenario, replication, seed, cycle,
customers_start, churned, customers_end, retention_rate, experienced_mean, remembered_mean,
satisfaction_mean, nps, promoters, detractors, terrible_moments, wom_positive, wom_negative,
revenue, cost, profit``. With an open market (:mod:`cxsim.engine.market`) also: ``purchases``
(= ``customers_start``), ``prospects``, ``active_customers`` (after the cycle's new customers),
``new_customers`` and ``new_customers_<channel>`` (``won_back, switching, referral, marketing,
choice``), ``won_back``, ``lost_to_<competitor>`` and ``lost_to_prospects``, ``market_share`` (ours:
customers over all brands' customers) and ``market_share_<competitor>`` (they sum to one),
``customers_<competitor>``, ``capacity_shortfall``, ``marketing_cost`` (in ``cost``),
``acquisition_cost`` (marketing cost per new customer), ``clv`` (lifetime value at the cycle's
margin and retention) and ``discounted_profit``; ``retention_rate`` is then the share of the
starting customers who have never left.

``market`` (``market.csv``, with an open market only) — one row per replication, cycle and
segment: ``scenario, replication, cycle, segment, prospects, customers, customers_<competitor>,
new_customers, lost, market_share`` (ours within the segment), after the cycle's market step.

``customers`` — one row per customer and cycle in which they were a customer: ``scenario,
replication, customer_id, cycle, segment, experienced_mean, remembered, satisfaction,
recommend_score, terrible_moments, churned``.

``moments`` — one row per moment: ``scenario, replication, customer_id, cycle, position,
touchpoint, stage, duration, performance, expectation, affect``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.behaviour.loyalty import nps_of_counts
from cxsim.engine.compiled import Compiled
from cxsim.engine.cycle import CycleDraws, CycleOutcome, WordOfMouthTally, gather
from cxsim.engine.records_kernel import compress, cycle_counts
from cxsim.engine.state import PopulationState
from cxsim.sums import CHUNK, masked_sums
from cxsim.workers import Workers

#: Takes each cycle's rows of the per-customer table, e.g.
#: :meth:`cxsim.engine.customer_file.CustomerFile.write` (``customers.parquet`` as the run goes).
CustomerSink = Callable[[pd.DataFrame], object]


class Recorder:
    """Collects one replication's records cycle by cycle."""

    def __init__(self, compiled: Compiled, scenario: str, replication: int, seed: int,
                 keep_customers: bool, keep_moments: bool,
                 customer_sink: CustomerSink | None = None) -> None:
        """``customer_sink``, with ``keep_customers``: called with each cycle's rows of the
        per-customer table (the columns of :meth:`customers`) instead of keeping them, e.g.
        :meth:`cxsim.engine.customer_file.CustomerFile.write`; :meth:`customers` is then ``None``."""
        self.compiled = compiled
        self.customer_sink = customer_sink
        self.scenario = scenario
        self.replication = replication
        self.seed = seed
        self.keep_customers = keep_customers
        self.keep_moments = keep_moments
        self.cycle_rows: list[dict[str, float | int | str]] = []
        self._customers: list[dict[str, NDArray[Any]]] = []
        self._moments: list[dict[str, NDArray[Any]]] = []
        self.encounters: list[NDArray[np.int64]] = []  # per cycle: encounters per touchpoint
        self.sample: dict[str, object] | None = None  # one customer's latest episode, for figures
        self._last: dict[str, NDArray[Any]] | None = None  # the last cycle's customers, for figures

    def record(self, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome,
               went: NDArray[np.bool_], tally: WordOfMouthTally, workers: Workers | None = None,
               final: bool = True) -> None:
        """Record a finished cycle; ``went`` marks the customers who went through it. ``workers``
        takes the counts (:func:`cxsim.engine.records_kernel.cycle_counts`) and gathers this
        cycle's customers' rows side by side. ``final``: the run's last cycle, whose customers'
        satisfaction is kept for the figures (:attr:`last_satisfaction`)."""
        c = self.compiled
        self._last = None
        counts = cycle_counts(went, state.active, state.segment, outcome.churned, outcome.recommend,
                              outcome.terrible, draws.present.T, len(c.segment_names), workers)
        count, first = counts.went, counts.first  # first: the first customer who went
        # who went, by row: only for the per-customer tables (an 8-byte index per customer otherwise)
        idx = np.flatnonzero(went) if self.keep_customers or self.keep_moments else np.zeros(0, dtype=np.intp)
        n = state.n
        columns: dict[str, NDArray[Any]] = {
            "segment": state.segment, "recommend": outcome.recommend, "churned": outcome.churned,
            "experienced": outcome.experienced, "remembered": outcome.remembered,
            "satisfaction": state.satisfaction, "terrible": outcome.terrible}
        rows: dict[str, NDArray[Any]] | _LazyRows
        if self.keep_customers:  # every column's rows are kept: gather them side by side
            rows = dict(zip(columns, (workers if workers is not None else Workers(1)).map(
                lambda a: a[idx], columns.values())))
        else:  # one column's rows at a time, each dropped once summed (the figures' kept at the end)
            rows = _LazyRows(columns, went, keep=_FIGURE_COLUMNS if final else (), workers=workers)
        encounters = counts.encounters  # moments per touchpoint among this cycle's customers
        self.encounters.append(encounters)
        revenue = _revenue(c.revenue, counts.per_segment, rows)
        cost = float(encounters @ c.cost_per_encounter + c.fixed_cost)
        still, promoters, detractors = counts.still, counts.promoters, counts.detractors
        self.cycle_rows.append({
            "scenario": self.scenario,
            "replication": self.replication,
            "seed": self.seed,
            "cycle": draws.cycle + 1,
            "customers_start": count,
            "churned": counts.churned,
            "customers_end": still,
            "retention_rate": float(still / n),
            **_means(went, count, {"experienced_mean": outcome.experienced, "remembered_mean": outcome.remembered,
                                   "satisfaction_mean": state.satisfaction}),
            "nps": nps_of_counts(promoters, detractors, count),
            "promoters": promoters / count if count else float("nan"),
            "detractors": detractors / count if count else float("nan"),
            "terrible_moments": counts.terrible,
            "wom_positive": tally.positive,
            "wom_negative": tally.negative,
            "revenue": revenue,
            "cost": cost,
            "profit": revenue - cost,
        })
        if count and outcome.sample_row == first:
            i = first
            self.sample = {
                "customer_id": int(state.ids(np.array([i]))[0]), "cycle": draws.cycle + 1,
                "present": draws.present[i].copy(), "affect": outcome.sample_affect.copy(),
                "remembered": float(outcome.remembered[i]), "experienced": float(outcome.experienced[i]),
            }
        if count and final:
            # kept for the figures; in 32 bits at runtime.precision=float32
            narrow = state.expectation.dtype == np.float32
            self._last = {"segment": rows["segment"],
                          **{k: rows[k].astype(np.float32, copy=False) if narrow else rows[k]
                             for k in ("remembered", "satisfaction")}}
        if self.keep_customers:  # the gathered rows are this cycle's own copies
            part: dict[str, NDArray[Any]] = {
                "customer_id": state.ids(idx),
                "cycle": np.full(idx.size, draws.cycle + 1, dtype=np.int32),
                "segment": rows["segment"],
                "experienced_mean": rows["experienced"].astype(np.float64, copy=False),  # the table's type
                "remembered": rows["remembered"].astype(np.float64, copy=False),
                "satisfaction": rows["satisfaction"].astype(np.float64, copy=False),
                "recommend_score": rows["recommend"],
                "terrible_moments": rows["terrible"].astype(np.int16),
                "churned": rows["churned"],
            }
            if self.customer_sink is not None:
                self.customer_sink(self._customer_frame([part]))
            else:
                self._customers.append(part)
        if self.keep_moments:
            present = gather(draws.present, idx)
            r, j = np.nonzero(present)
            cust = idx[r]
            self._moments.append({
                "customer_id": state.ids(cust),
                "cycle": np.full(cust.size, draws.cycle + 1, dtype=np.int32),
                "position": (np.cumsum(present, axis=1)[r, j] - 1).astype(np.int16),
                "touchpoint": j,
                "performance": draws.performance[cust, j],
                "expectation": outcome.expectation[cust, j] if outcome.expectation is not None else np.nan,  # type: ignore[dict-item]
                "affect": outcome.affect[cust, j],  # type: ignore[index]
            })

    @property
    def last_satisfaction(self) -> pd.DataFrame | None:
        """Segment, remembered value and satisfaction of the last cycle's customers."""
        if self._last is None:
            return None
        df = pd.DataFrame(self._last)
        df["segment"] = pd.Categorical.from_codes(df["segment"], categories=list(self.compiled.segment_names))  # type: ignore[call-overload]
        return df

    def cycles(self) -> pd.DataFrame:
        return pd.DataFrame(self.cycle_rows)

    def customers(self) -> pd.DataFrame | None:
        """The per-customer table (``None`` unless kept, or when its rows went to ``customer_sink``)."""
        if not self.keep_customers or self.customer_sink is not None:
            return None
        return self._customer_frame(self._customers)

    def _customer_frame(self, parts: list[dict[str, NDArray[Any]]]) -> pd.DataFrame:
        """The per-customer table's rows of ``parts`` (cycles' gathered columns)."""
        df = _concat(parts)
        df["segment"] = pd.Categorical.from_codes(df["segment"], categories=list(self.compiled.segment_names))  # type: ignore[call-overload]
        df.insert(0, "replication", np.int32(self.replication))
        df.insert(0, "scenario", self.scenario)
        return df

    def moments(self) -> pd.DataFrame | None:
        if not self.keep_moments:
            return None
        df = _concat(self._moments)
        c = self.compiled
        j = df.pop("touchpoint").to_numpy()
        df.insert(3, "touchpoint", pd.Categorical.from_codes(j, categories=list(c.names)))  # type: ignore[call-overload]
        df.insert(4, "stage", pd.Categorical(np.asarray(c.stages)[j], categories=list(dict.fromkeys(c.stages))))  # type: ignore[arg-type]
        df.insert(5, "duration", c.duration[j])
        df.insert(0, "replication", np.int32(self.replication))
        df.insert(0, "scenario", self.scenario)
        return df


#: The columns of the last cycle's customers that the figures read (:attr:`Recorder.last_satisfaction`).
_FIGURE_COLUMNS = ("segment", "remembered", "satisfaction")


class _LazyRows:
    """This cycle's customers' rows of each column, gathered when read (``rows[name]``) and kept
    only for the columns named in ``keep``: a cycle's records then hold one gathered column at a
    time instead of all of them."""

    def __init__(self, columns: dict[str, NDArray[Any]], went: NDArray[np.bool_], keep: tuple[str, ...] = (),
                 workers: Workers | None = None) -> None:
        self._columns, self._went, self._keep, self._workers = columns, went, keep, workers
        self._kept: dict[str, NDArray[Any]] = {}

    def __getitem__(self, name: str) -> NDArray[Any]:
        if name in self._kept:
            return self._kept[name]
        rows = compress(self._columns[name], self._went, self._workers)
        if name in self._keep:
            self._kept[name] = rows
        return rows


def _concat(parts: list[dict[str, NDArray[Any]]]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame()
    if len(parts) == 1:  # one cycle's rows (a streamed table): its own arrays, not copied first
        return pd.DataFrame(parts[0])
    return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def _means(went: NDArray[np.bool_], count: int, columns: dict[str, NDArray[Any]]) -> dict[str, float]:
    """Each column's mean over the rows that went, ``np.mean`` of the gathered rows bit for bit
    (summed in 64 bits whatever the type: 32-bit outcomes at float32 precision), in one compiled
    pass that gathers nothing (:func:`cxsim.sums.masked_sums`); NaN when nobody went."""
    if not count:
        return {name: float("nan") for name in columns}
    by_type: dict[np.dtype[Any], list[str]] = {}
    for name, column in columns.items():
        by_type.setdefault(column.dtype, []).append(name)
    means: dict[str, float] = {}
    for dtype, names in by_type.items():
        sums = masked_sums(went, tuple(columns[name] for name in names), 0 if dtype == np.float64 else CHUNK)
        means.update({name: float(total) / count for name, total in zip(names, sums.tolist())})
    return {name: means[name] for name in columns}


def _revenue(per_segment: NDArray[np.float64], customers: NDArray[np.int64],
             rows: dict[str, NDArray[Any]] | _LazyRows) -> float:
    """The cycle's revenue: numpy's sum of each customer's segment revenue (``customers`` per
    segment). Whole, non-negative revenues whose total stays below 2**53 are summed as integers:
    every partial sum is then exact, so any order of adding gives numpy's number; other revenues
    are summed by numpy from the customers' segments."""
    whole = bool(np.all((per_segment == np.floor(per_segment)) & ~np.signbit(per_segment)))
    if whole and float(per_segment.max(initial=0.0)) * int(customers.sum()) < 2.0 ** 53:
        return float(int(customers @ per_segment.astype(np.int64)))
    return float(per_segment[rows["segment"]].sum())
