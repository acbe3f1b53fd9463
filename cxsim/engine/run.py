"""Run a scenario: replications of the Mesa model, gathered into tidy DataFrames."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

import cxsim.plots as plots
from cxsim.engine.allocation import memory_settings
from cxsim.engine.customer_file import CustomerFile
from cxsim.engine.market import add_value_columns, summary_columns
from cxsim.engine.model import Customer, CustomerModel, quiet_mesa
from cxsim.engine.records import CustomerSink, Recorder
from cxsim.engine.streams import replication_seeds
from cxsim.engine.survey import survey_from_moments
from cxsim.files import write_atomic
from cxsim.specs.intervention import cycle_costs
from cxsim.specs.runtime import Runtime
from cxsim.specs.scenario import RunSpec

SUMMARY_COLUMNS = (
    "scenario", "replication", "seed", "intervention", "memory_model", "engine", "n_customers",
    "n_cycles", "satisfaction_mean", "satisfaction_final", "experienced_mean", "remembered_mean",
    "retention_rate", "nps", "nps_final", "terrible_moments", "revenue", "cost", "profit",
    "intervention_cost",
)
#: Called after every cycle with the replication and the cycles it has done.
Progress = Callable[[int, int], None]


@dataclass
class Results:
    """The tables of a run (see the README's output reference for every column)."""

    summary: pd.DataFrame
    cycles: pd.DataFrame
    customers: pd.DataFrame | None  # None when not kept, or written as the run went (``customers_file``)
    moments: pd.DataFrame | None
    spec: RunSpec
    first: Recorder | None = None  # replication 0's recorder (sample episode for figures)
    operations: pd.DataFrame | None = None  # per-encounter operations records (all replications)
    market: pd.DataFrame | None = None  # the open market per cycle and segment (``market.csv``), if any
    #: Wall seconds per part of the run, summed over replications: the models' phases
    #: (:attr:`CustomerModel.seconds <cxsim.engine.model.CustomerModel.seconds>`) and ``tables``.
    seconds: dict[str, float] = field(default_factory=dict)
    #: ``customers.parquet`` as written while the run went (:func:`run`'s ``customers_file``), if so.
    customers_file: Path | None = None

    def figures(self, directory: str | Path) -> list[Path]:
        """Save the standard figures (PNG) into ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        assert self.first is not None
        return [
            plots.moment_curve(self.first.compiled, self.first, out / "moment_curve.png"),
            plots.satisfaction_distribution(self.first, out / "satisfaction_distribution.png"),
            plots.over_cycles(self.cycles, out / "over_cycles.png"),
        ]

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``summary.csv``, ``cycles.csv``, the Parquet tables and, with an open market,
        ``market.csv``, each atomically."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = [
            write_atomic(out / "summary.csv", lambda p: self.summary.to_csv(p, index=False)),
            write_atomic(out / "cycles.csv", lambda p: self.cycles.to_csv(p, index=False)),
        ]
        if self.customers is not None:
            written.append(write_atomic(out / "customers.parquet", lambda p: self.customers.to_parquet(p, index=False)))  # type: ignore[union-attr]
        elif (streamed := self.customers_file) is not None:  # written during the run: copied only elsewhere
            target = out / "customers.parquet"
            same = target.exists() and target.resolve() == streamed.resolve()
            written.append(target if same else write_atomic(target, lambda p: shutil.copyfile(streamed, p)))
        if self.moments is not None:
            written.append(write_atomic(out / "moments.parquet", lambda p: self.moments.to_parquet(p, index=False)))  # type: ignore[union-attr]
        if self.moments is not None and self.spec.outputs.survey.enabled:
            survey = survey_from_moments(self.moments, self.spec)
            written.append(write_atomic(out / "survey.csv", lambda p: survey.to_csv(p, index=False)))
        if self.operations is not None:
            written.append(write_atomic(out / "operations.parquet",
                                        lambda p: self.operations.to_parquet(p, index=False)))  # type: ignore[union-attr]
        if (market := self.market) is not None:
            written.append(write_atomic(out / "market.csv", lambda p: market.to_csv(p, index=False)))
        return written


#: The atomic writer under its former private name, kept for callers that import it from here.
_atomic = write_atomic


def keeps_customers(spec: RunSpec) -> bool:
    """Whether ``customers.parquet`` is kept for this run (see :class:`~cxsim.specs.scenario.Outputs`)."""
    o = spec.outputs
    return o.customers == "always" or (o.customers == "auto" and spec.sim.n_customers <= o.customers_limit)


def keeps_operations(spec: RunSpec) -> bool:
    """Whether ``operations.parquet`` (per-encounter operations records) is kept for this run."""
    o = spec.outputs
    return o.operations == "always" or (o.operations == "auto" and spec.sim.n_customers <= o.operations_limit)


def _with_runtime(spec: RunSpec, runtime: Runtime | None) -> RunSpec:
    """``spec`` with ``runtime`` in force (``None``: the spec's own)."""
    return spec if runtime is None or runtime == spec.runtime else replace(spec, runtime=runtime)


def replications(spec: RunSpec, agent_class: type[Customer] = Customer, *,
                 runtime: Runtime | None = None, progress: Progress | None = None,
                 customer_sink: CustomerSink | None = None) -> Iterator[CustomerModel]:
    """Build and run each replication's model in turn, yielding the finished models."""
    spec = _with_runtime(spec, runtime)
    for r in range(spec.sim.replications):
        yield run_replication(spec, r, agent_class, progress=progress, customer_sink=customer_sink)


def run_replication(spec: RunSpec, replication: int, agent_class: type[Customer] = Customer, *,
                    runtime: Runtime | None = None, progress: Progress | None = None,
                    customer_sink: CustomerSink | None = None) -> CustomerModel:
    """Build and run replication ``replication`` of ``spec`` alone (seeded exactly as in :func:`run`).

    Sweeps and comparisons use it to run one replication at a time. ``runtime`` replaces the
    spec's :class:`~cxsim.specs.runtime.Runtime` (no result depends on it but ``precision``).
    ``progress(replication, cycles_done)`` is called after every cycle. ``customer_sink`` takes
    each cycle's per-customer rows, when they are kept (:class:`~cxsim.engine.model.CustomerModel`).
    """
    spec = _with_runtime(spec, runtime)
    sim, rt = spec.sim, spec.runtime
    ss = replication_seeds(sim.seed, sim.replications)[replication]
    with memory_settings(rt.huge_pages, rt.reuse_memory), quiet_mesa():
        model = CustomerModel(spec.scenario, sim, ss, replication=replication,
                              keep_customers=keeps_customers(spec), keep_moments=spec.outputs.moments,
                              keep_operations=keeps_operations(spec),
                              keep_sample=replication == 0, agent_class=agent_class, runtime=rt,
                              customer_sink=customer_sink)
        for cycle in range(sim.n_cycles):
            model.step()
            if progress is not None:
                progress(replication, cycle + 1)
    return model


def cycle_table(recorder: Recorder, spec: RunSpec) -> pd.DataFrame:
    """One replication's cycle table with the intervention's costs in ``cost`` and ``profit``.

    Adds the columns ``intervention`` and ``intervention_cost`` (already included in ``cost``);
    see :func:`cxsim.specs.intervention.cycle_costs`.
    """
    cycles = recorder.cycles()
    extra = cycle_costs(spec.intervention.cost, recorder.compiled.names,
                        cycles["customers_start"].to_numpy(),
                        np.asarray(recorder.encounters).reshape(len(cycles), -1))
    cycles["cost"] = cycles["cost"] + extra
    cycles["profit"] = cycles["revenue"] - cycles["cost"]
    cycles["intervention"] = spec.intervention.name
    cycles["intervention_cost"] = extra
    if spec.scenario.market is not None:  # lifetime value and discounted profit, after every cost
        add_value_columns(cycles, spec.scenario.market)
    return cycles


def memory_label(spec: RunSpec) -> str:
    """The run's memory model as the config names it (``peak_end_best_worst``, not its kind),
    followed by the segments that remember by a model of their own: ``peak_end (loyal: mean)``."""

    def label(model: object) -> str:
        kind = str(getattr(model, "kind"))  # noqa: B009 - any object with a kind
        return f"{kind}_best_worst" if getattr(model, "peak", None) == "best_worst" else kind

    sc = spec.scenario
    run_label = label(sc.memory.model)
    own = [f"{s.name}: {label(sc.memory_of(s).model)}" for s in sc.population.segments
           if label(sc.memory_of(s).model) != run_label]
    return f"{run_label} ({', '.join(own)})" if own else run_label


def summarise(cycles: pd.DataFrame, spec: RunSpec, replication: int) -> dict[str, object]:
    """One summary row from one replication's cycle table (purchase-weighted means)."""
    w = cycles["customers_start"].to_numpy(dtype=float)
    last = cycles.iloc[-1]

    def wmean(col: str) -> float:  # cycles nobody went through carry no weight
        had = w > 0
        return float(np.average(cycles[col][had], weights=w[had])) if had.any() else float("nan")

    row = {
        "scenario": spec.scenario.name,
        "replication": replication,
        "seed": spec.sim.seed,
        "intervention": spec.intervention.name,
        "memory_model": memory_label(spec),
        "engine": spec.sim.engine,
        "n_customers": spec.sim.n_customers,
        "n_cycles": int(len(cycles)),
        "satisfaction_mean": wmean("satisfaction_mean"),
        "satisfaction_final": float(last["satisfaction_mean"]),
        "experienced_mean": wmean("experienced_mean"),
        "remembered_mean": wmean("remembered_mean"),
        "retention_rate": float(last["retention_rate"]),
        "nps": wmean("nps"),
        "nps_final": float(last["nps"]),
        "terrible_moments": int(cycles["terrible_moments"].sum()),
        "revenue": float(cycles["revenue"].sum()),
        "cost": float(cycles["cost"].sum()),
        "profit": float(cycles["profit"].sum()),
        "intervention_cost": float(cycles["intervention_cost"].sum()) if "intervention_cost" in cycles else 0.0,
    }
    if spec.scenario.market is not None:
        row.update(summary_columns(cycles, spec.scenario.market))
    return row


def run(spec: RunSpec, agent_class: type[Customer] = Customer, *, runtime: Runtime | None = None,
        progress: Progress | None = None, customers_file: str | Path | None = None) -> Results:
    """Run every replication of ``spec`` and return the tidy tables.

    ``runtime`` (threads, backends, memory; :class:`~cxsim.specs.runtime.Runtime`) replaces the
    spec's own (``spec.runtime``, from the config's ``runtime:`` block); no result depends on it but ``precision``.
    ``progress(replication, cycles_done)`` is called after every cycle (``cxsim run`` shows it).
    ``customers_file``: when the run keeps the per-customer table (``outputs.customers``), write
    it to this Parquet file cycle by cycle as the run goes (:class:`~cxsim.engine.customer_file.CustomerFile`)
    instead of holding it in memory: :attr:`Results.customers` is then ``None`` and
    :attr:`Results.customers_file` the file (``cxsim run`` writes it so, into the run directory).

    Example:
        >>> from cxsim import load_run_spec, run
        >>> res = run(load_run_spec(overrides=["sim.n_customers=200", "sim.n_cycles=2", "sim.replications=1"]))
        >>> list(res.summary.columns[:3])
        ['scenario', 'replication', 'seed']
    """
    spec = _with_runtime(spec, runtime)
    streamed = customers_file is not None and keeps_customers(spec)
    with (memory_settings(spec.runtime.huge_pages, spec.runtime.reuse_memory), quiet_mesa(),  # the summaries too
          CustomerFile(customers_file) if streamed else nullcontext() as sink):  # type: ignore[arg-type]
        results = _run(spec, agent_class, progress, sink.write if sink is not None else None)
    if sink is not None:
        results.customers_file = sink.path
    return results


def _run(spec: RunSpec, agent_class: type[Customer], progress: Progress | None = None,
         customer_sink: CustomerSink | None = None) -> Results:
    cycles, summary, customers, moments, operations, market = [], [], [], [], [], []
    first: Recorder | None = None
    seconds: dict[str, float] = {}  # the models' phases (with the market's, if any), then tables
    for model in replications(spec, agent_class, progress=progress, customer_sink=customer_sink):
        start = time.perf_counter()
        rec = model.recorder
        first = first or rec
        cyc = cycle_table(rec, spec)
        cycles.append(cyc)
        summary.append({**summarise(cyc, spec, rec.replication), **model.operations.summary()})
        if (o := model.operations.table()) is not None:
            o.insert(0, "replication", np.int32(rec.replication))
            o.insert(0, "scenario", spec.scenario.name)
            operations.append(o)
        if model.market_segments:
            m = pd.DataFrame(model.market_segments)
            m.insert(0, "replication", np.int32(rec.replication))
            m.insert(0, "scenario", spec.scenario.name)
            market.append(m)
        if (c := rec.customers()) is not None:
            customers.append(c)
        if (mo := rec.moments()) is not None:
            moments.append(mo)
        for phase, t in model.seconds.items():
            seconds[phase] = seconds.get(phase, 0.0) + t
        seconds["tables"] = seconds.get("tables", 0.0) + time.perf_counter() - start
    start = time.perf_counter()
    ops_columns = [k for k in summary[0] if k not in SUMMARY_COLUMNS]  # operations figures, if any
    results = Results(
        summary=pd.DataFrame(summary, columns=[*SUMMARY_COLUMNS, *ops_columns]),
        cycles=pd.concat(cycles, ignore_index=True),
        customers=pd.concat(customers, ignore_index=True) if customers else None,
        moments=pd.concat(moments, ignore_index=True) if moments else None,
        spec=spec,
        first=first,
        operations=pd.concat(operations, ignore_index=True) if operations else None,
        market=pd.concat(market, ignore_index=True) if market else None,
        seconds=seconds,
    )
    seconds["tables"] += time.perf_counter() - start
    return results
