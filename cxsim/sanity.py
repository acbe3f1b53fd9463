"""Model sanity warnings: configurations a customer-experience expert would call nonsense.

A config can be valid — every field of the right type and range — and still describe a business
no one would want numbers from: a delivery pipeline asked to carry nine times its capacity (waits
grow with the length of the run), a journey stage with no touchpoint in it, a word-of-mouth
network in which everyone knows more people than there are customers. :func:`check` finds such
settings in a validated :class:`~cxsim.specs.scenario.RunSpec` *before* the run;
:func:`check_results` adds what only the run can measure (utilisation, a population that empties
in its first cycle). The run goes on; each finding is one :class:`SanityWarning`, printed as one
line on stderr (:func:`emit`), written to the run's log and to ``warnings.csv`` beside its
summary (:func:`save`). Every code is documented in the warnings reference page of the docs.

The offered load of a queue follows the operations' own definitions
(:func:`~cxsim.operations.stores.store_load`, :func:`~cxsim.operations.pipeline.pipeline_load`,
:func:`~cxsim.operations.callcentre.call_load`): work arriving per cycle over the capacity of the
cycle. A load at or above 1 has no steady state (Kleinrock 1975, *Queueing Systems* I, ch. 2):
without abandonment the queue grows for as long as the run lasts.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from cxsim.files import write_atomic
from cxsim.operations.callcentre import call_load
from cxsim.operations.pipeline import pipeline_load
from cxsim.operations.stores import store_load
from cxsim.specs.operations import OperationsSource
from cxsim.specs.scenario import RunSpec

__all__ = [
    "COST_RATIO", "EMPTIED_RETENTION", "SanityWarning", "check", "check_results", "check_runs", "combine",
    "cost_per_customer", "emit", "log", "report", "save", "table",
]

#: A customer's expected cost per cycle at least this many times the revenue of a purchase is
#: flagged: a business that loses an order of magnitude on every customer is a typo more often
#: than a plan.
COST_RATIO = 10.0
#: A first cycle that keeps fewer than this share of its customers is flagged.
EMPTIED_RETENTION = 0.05

_LOG = logging.getLogger("cxsim.sanity")


@dataclass(frozen=True)
class SanityWarning:
    """One finding: what is odd, where, and why it matters.

    Attributes:
        code: a stable identifier (``queue_overload``, ``empty_stage`` …; the warnings reference
            lists every one).
        field: the config path concerned, e.g. ``scenario.operations.pipeline``.
        message: what is odd and, in parentheses, why it matters.
    """

    code: str
    field: str
    message: str

    def line(self, prog: str = "cxsim") -> str:
        """``"cxsim: warning: <field>: <message>"`` — the line printed on stderr."""
        return f"{prog}: warning: {self.field}: {self.message}"


# --------------------------------------------------------------------------- before the run
def check(spec: RunSpec) -> list[SanityWarning]:
    """Warnings about a validated run spec, computed before anything runs.

    Looks at: queue loads of the operations (stores, pipeline, call centre) with the customers
    of the run, journey stages without touchpoints, touchpoints that never occur in the run's
    cycles, a word-of-mouth degree at or above the population, cost per customer against revenue
    per purchase, and loyalty settings that drop every customer at the first bad moment.
    """
    out: list[SanityWarning] = []
    out += _queues(spec)
    out += _journey(spec)
    out += _word_of_mouth(spec)
    out += _money(spec)
    out += _loyalty(spec)
    return out


def _users(spec: RunSpec, process: str) -> float:
    """Customers who meet the process in a cycle where it is due (the most likely touchpoint)."""
    probs = [tp.probability for tp in spec.scenario.journey.touchpoints
             if isinstance(tp.performance, OperationsSource) and tp.performance.operations == process]
    return spec.sim.n_customers * max(probs, default=0.0)


def _queues(spec: RunSpec) -> list[SanityWarning]:
    ops = spec.scenario.operations
    loads: list[tuple[str, float, bool]] = []
    if ops.stores is not None and (n := _users(spec, "stores")) > 0:
        loads.append(("stores", store_load(ops.stores, int(n)), ops.stores.bounded()))
    if ops.pipeline is not None and (n := _users(spec, "pipeline")) > 0:
        loads.append(("pipeline", pipeline_load(ops.pipeline, int(n)), False))
    if ops.callcentre is not None and (n := _users(spec, "callcentre")) > 0:
        loads.append(("callcentre", call_load(ops.callcentre, int(n)), ops.callcentre.bounded()))
    out = []
    for name, load, bounded in loads:
        if load >= 1.0:
            why = ("many customers will abandon or be turned away" if bounded else
                   "no steady state: waits grow with every cycle the run lasts")
            out.append(SanityWarning(
                "queue_overload", f"scenario.operations.{name}",
                f"offered load {load:.2f} >= 1 with {spec.sim.n_customers:,} customers ({why}; add capacity, "
                f"raise operations.scale or simulate fewer customers)"))
    return out


def _journey(spec: RunSpec) -> list[SanityWarning]:
    journey, cycles = spec.scenario.journey, spec.sim.n_cycles
    out = []
    used = {tp.stage for tp in journey.touchpoints}
    for k, stage in enumerate(journey.stages):
        if stage not in used:
            out.append(SanityWarning("empty_stage", f"scenario.journey.stages[{k}]",
                                     f"stage {stage!r} has no touchpoint (it adds nothing to the journey; "
                                     f"give it a touchpoint or remove it)"))
    for tp in journey.touchpoints:
        field = f"scenario.journey.touchpoints.{tp.name}"
        if tp.branch is None and tp.probability == 0.0:
            out.append(SanityWarning("touchpoint_never_occurs", f"{field}.probability",
                                     "0: the touchpoint never happens (its costs and ratings are all zero)"))
        elif tp.offset >= cycles:
            out.append(SanityWarning("touchpoint_never_occurs", f"{field}.offset",
                                     f"{tp.offset}: first due in cycle {tp.offset + 1}, after the run's {cycles} "
                                     f"cycle(s) (it never happens in this run; simulate more cycles)"))
    return out


def _word_of_mouth(spec: RunSpec) -> list[SanityWarning]:
    wom, n = spec.scenario.word_of_mouth, spec.sim.n_customers
    if wom.network != "none" and wom.degree >= n:
        return [SanityWarning("wom_degree", "scenario.word_of_mouth.degree",
                              f"{wom.degree} contacts per customer with {n:,} customers (nobody knows more people "
                              f"than there are: a small-world network is capped at everyone, a random one repeats "
                              f"ties to the same people, an open market counts stories from the degree as given)")]
    return []


def _costs(spec: RunSpec) -> tuple[float, float]:
    """A customer's expected cost per cycle: encounter costs, and fixed plus capacity costs shared out."""
    s, n = spec.scenario, max(spec.sim.n_customers, 1)
    encounters = sum(tp.cost_per_encounter * tp.probability / tp.every for tp in s.journey.touchpoints)
    fixed = sum(tp.fixed_cost_per_cycle for tp in s.journey.touchpoints) + s.economics.fixed_cost_per_cycle
    return float(encounters), float((fixed + s.operations.capacity_cost()) / n)


def cost_per_customer(spec: RunSpec) -> float:
    """A customer's expected cost per cycle: encounters, fixed costs and capacity, shared out."""
    return sum(_costs(spec))


def _money(spec: RunSpec) -> list[SanityWarning]:
    s = spec.scenario
    revenue = sum(seg.share * (s.economics.revenue_per_purchase if seg.revenue_per_purchase is None
                               else seg.revenue_per_purchase) for seg in s.population.segments)
    encounters, shared = _costs(spec)
    cost = encounters + shared
    if not (revenue > 0 and cost >= COST_RATIO * revenue):
        return []
    why = (f"the fixed and capacity costs are shared over only {spec.sim.n_customers:,} customers; simulate "
           f"more customers or scale the operations" if shared > encounters else
           "profit is negative whatever the experience; check the units of the costs and the revenue")
    return [SanityWarning(
        "cost_above_revenue", "scenario.economics.revenue_per_purchase",
        f"{revenue:,.4g} {s.economics.currency} per purchase against an expected cost of {cost:,.4g} per "
        f"customer and cycle, {cost / revenue:,.0f} times as much ({why})")]


def _loyalty(spec: RunSpec) -> list[SanityWarning]:
    loyalty = spec.scenario.loyalty
    out = []
    table = loyalty.terrible_hazard_by_count
    first = table[0] if table else loyalty.terrible_hazard
    if first >= 1.0:
        field = "terrible_hazard_by_count[0]" if table else "terrible_hazard"
        out.append(SanityWarning("hazard_certain", f"scenario.loyalty.{field}",
                                 "1: every customer leaves at their first terrible moment (a published switching "
                                 "rate after one bad experience is about 0.4)"))
    if loyalty.terrible_floor >= 0.0:
        out.append(SanityWarning("terrible_floor", "scenario.loyalty.terrible_floor",
                                 f"{loyalty.terrible_floor:g} >= 0: a moment that merely meets expectation counts "
                                 f"as terrible (the floor of 'terrible' lies below expectation: negative affect)"))
    return out


# --------------------------------------------------------------------------- after the run
def check_results(summary: pd.DataFrame, cycles: pd.DataFrame | None = None) -> list[SanityWarning]:
    """Warnings that only the run can give: measured utilisation at or above 1, and a first
    cycle that loses nearly every customer (means over replications)."""
    out = []
    for col in sorted(c for c in summary.columns if str(c).endswith("_utilisation")):
        u = float(pd.to_numeric(summary[col], errors="coerce").mean())
        if np.isfinite(u) and u >= 1.0:
            process = str(col)[: -len("_utilisation")]
            out.append(SanityWarning("utilisation", f"summary.{col}",
                                     f"{u:.2f} >= 1: {process} was busy for longer than it was open (its queue "
                                     f"carried work over; waits are those of an overloaded system)"))
    if cycles is not None and {"cycle", "customers_start", "customers_end"} <= set(cycles.columns):
        first = cycles[cycles["cycle"] == cycles["cycle"].min()]
        start = float(first["customers_start"].sum())
        kept = float(first["customers_end"].sum()) / start if start > 0 else float("nan")
        if np.isfinite(kept) and kept < EMPTIED_RETENTION:
            out.append(SanityWarning("population_emptied", "cycles.retention_rate",
                                     f"{kept:.1%} of the customers are left after the first cycle (the later "
                                     f"cycles describe a handful of survivors; check the loyalty hazards and "
                                     f"the touchpoints' expectations)"))
    return out


def check_runs(runs: pd.DataFrame, by: str) -> list[list[SanityWarning]]:
    """:func:`check_results` of each group of ``runs`` (summary rows with a ``by`` column, e.g. the
    ``arm`` of a comparison or the ``point`` of a sweep), for :func:`combine`."""
    if by not in runs.columns:
        return [check_results(runs)]
    return [check_results(group) for _, group in runs.groupby(by, sort=False)]


def combine(found: Sequence[Sequence[SanityWarning]], what: str) -> list[SanityWarning]:
    """One warning per code and field over several runs (the arms of a comparison, the points of
    a sweep), the first one's message, saying in how many of them it occurs when not in all."""
    first: dict[tuple[str, str], SanityWarning] = {}
    count: Counter[tuple[str, str]] = Counter()
    for ws in found:
        for key in dict.fromkeys((w.code, w.field) for w in ws):
            count[key] += 1
        for w in ws:
            first.setdefault((w.code, w.field), w)
    n = len(found)
    return [w if count[key] == n else SanityWarning(w.code, w.field, f"{w.message} [{count[key]} of {n} {what}]")
            for key, w in first.items()]


# --------------------------------------------------------------------------- reporting
def emit(warnings: Iterable[SanityWarning], prog: str = "cxsim", file: TextIO | None = None) -> None:
    """Print each warning as one line (``prog: warning: field: message``) on ``file`` (stderr)."""
    stream = sys.stderr if file is None else file
    for w in warnings:
        print(w.line(prog), file=stream, flush=True)


def log(warnings: Iterable[SanityWarning]) -> None:
    """Write the warnings to the log files of the run (the ``FileHandler``s of the root logger,
    e.g. Hydra's ``run.log``) without echoing them on the console a second time."""
    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    for w in warnings:
        record = _LOG.makeRecord(_LOG.name, logging.WARNING, __file__, 0, "%s: %s", (w.field, w.message), None)
        for handler in files:
            handler.handle(record)


def table(warnings: Sequence[SanityWarning]) -> pd.DataFrame:
    """The warnings as a table: ``code, field, message``."""
    return pd.DataFrame([{"code": w.code, "field": w.field, "message": w.message} for w in warnings],
                        columns=["code", "field", "message"])


def save(warnings: Sequence[SanityWarning], directory: str | Path) -> list[Path]:
    """Write ``warnings.csv`` into the run folder when there is any warning (else nothing)."""
    if not warnings:
        return []
    frame = table(warnings)
    return [write_atomic(Path(directory) / "warnings.csv", lambda p: frame.to_csv(p, index=False))]


def report(warnings: Iterable[SanityWarning], prog: str = "cxsim") -> list[SanityWarning]:
    """Print the warnings on stderr and write them to the run's log; returns them as a list."""
    warnings = list(warnings)
    emit(warnings, prog)
    log(warnings)
    return warnings
