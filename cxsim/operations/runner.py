"""Operations inside a run: each cycle, the processes produce the performance customers feel.

Once per cycle, after the cycle's draws and before anyone goes through the journey, every process
that a touchpoint names as its performance source (``performance: {operations: stores, record:
visit_minutes}``) is run for all customers who are still customers and have that touchpoint this
cycle — all at once, as arrays (the kernel backend) or with the SimPy models (``backend:
simpy``); the records are written into the touchpoint's column of the cycle's performance. So
the queue a customer meets depends on how many others came, and an intervention on capacity
(another store, another truck, more agents) reaches memory, loyalty and cost.

Random numbers come from the ``operations`` purpose, one stream per process and cycle, drawn for
every customer and then taken for the visitors: the other purposes' draws are unchanged, and a
customer's draws do not depend on who else came (common random numbers between scenarios).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.operations import callcentre, events, kernels, pipeline, stores
from cxsim.operations.tally import PRECISIONS, Tally
from cxsim.specs.operations import OperationsSource, OperationsSpec

#: Per process kind: the record holding each customer's wait, and the work done per encounter.
WAIT = {"stores": "wait_minutes", "pipeline": "wait_days", "callcentre": "wait_minutes"}
#: The records the summary figures are computed from (kept even when the per-encounter table is not).
SUMMARY_RECORDS = ("wait_minutes", "wait_days", "delivery_days", "on_time", "unserved", "attended", "rating")
#: Of them, those whose values a ``float64`` tally keeps (unless all zero): the others are counted.
KEPT = ("wait_minutes", "wait_days", "delivery_days", "rating")


def operations_sources(scenario: Any) -> dict[str, list[tuple[int, str]]]:
    """Process name → the (touchpoint column, record) pairs that read it, in journey order."""
    out: dict[str, list[tuple[int, str]]] = {}
    for j, tp in enumerate(scenario.journey.touchpoints):
        if isinstance(tp.performance, OperationsSource):
            out.setdefault(tp.performance.operations, []).append((j, tp.performance.record))
    return out


class OperationsRunner:
    """Runs a scenario's operations cycle by cycle and keeps their records and figures."""

    def __init__(self, scenario: Any, streams: Any, keep_records: bool = True, backend: str = "kernel",
                 precision: str = "float64") -> None:
        """``keep_records=False`` keeps only what the summary figures need
        (:class:`~cxsim.operations.tally.Tally`: counts, and at ``precision`` ``float64`` the
        waits and delivery times of every cycle; at ``float32`` sums and histograms only), not
        the per-encounter table: at a million customers that table is gigabytes. ``backend`` is
        ``kernel`` (compiled queues) or ``simpy`` (the SimPy models): the same records."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision: {precision!r} is not allowed; allowed: {', '.join(PRECISIONS)}")
        self.precision = precision
        self.backend = backend
        self.spec: OperationsSpec = scenario.operations
        self.streams = streams
        self.segment_names = list(scenario.population.names)
        self.sources = operations_sources(scenario)
        self.keep_records = keep_records
        self._records: list[tuple[str, int, NDArray[np.intp], Mapping[str, NDArray]]] = []
        self._stats: dict[str, dict[str, Tally]] = {p: {} for p in self.sources}
        self._busy: dict[str, float] = {}
        self._capacity: dict[str, float] = {}
        self._cost = 0.0
        self._scratch: dict[str, dict[str, NDArray]] = {p: {} for p in self.sources}  # arrays reused cycle to cycle
        #: records a tally keeps past the cycle (the others may be reused arrays)
        self._kept = KEPT if precision == "float64" else ()

    @property
    def active(self) -> bool:
        return bool(self.sources)

    def step(self, performance: NDArray[np.float64], present: NDArray[np.bool_],
             active: NDArray[np.bool_], segment: NDArray[np.intp], cycle: int,
             customer_id: NDArray[np.int64] | None = None) -> float:
        """Run this (0-based) ``cycle``'s operations; fill ``performance`` (and clear ``present``
        for invitees left without a seat) in place. Returns the cycle's operations cost.
        ``customer_id`` names the customer of each row in the records (an open market reuses
        rows: :mod:`cxsim.engine.market`); ``None``: the row number."""
        cost = self.spec.capacity_cost() if self.active else 0.0
        for process, cols in self.sources.items():
            js = [j for j, _ in cols]
            rows = np.flatnonzero(active & (present[:, js[0]] if len(js) == 1 else present[:, js].any(axis=1)))
            if rows.size == 0:
                continue
            rng = self.streams.get("operations", f"{process}/cycle{cycle}")
            rec = self._simulate(process, rows, segment, rng)
            for j, record in cols:
                column, values = performance[:, j], rec[record]  # a column: one row of the (T, n) array
                if column.dtype == values.dtype:
                    kernels.scatter(column, rows, values)  # rows from flatnonzero: all in range
                else:
                    column[rows] = values
            if process.startswith("events."):
                for j in js:
                    present[rows[~rec["attended"]], j] = False
                cost += self.spec.events[process[len("events."):]].cost(int(rec["attended"].sum()))
            self._keep(process, cycle, rows, rec, customer_id)
        self._cost += cost
        return cost

    def _simulate(self, process: str, rows: NDArray[np.intp], segment: NDArray[np.intp],
                  rng: np.random.Generator) -> dict[str, NDArray]:
        spec, backend, n = self.spec, self.backend, segment.size
        if process == "stores":
            assert spec.stores is not None
            rec = stores.simulate_stores(spec.stores, segment, self.segment_names, rng, backend, rows=rows)
            self._add(process, float(rec["service_minutes"].sum()),
                      spec.stores.open_minutes() * spec.stores.counters * spec.stores.count)
        elif process == "pipeline":
            assert spec.pipeline is not None
            p = spec.pipeline
            needed = None if self.keep_records else {*SUMMARY_RECORDS, *(r for _, r in self.sources[process]),
                                                      "production_days", "production_wait_days", "shipping_wait_days"}
            rec = pipeline.simulate_pipeline(p, n, rng, backend, rows=rows, records=needed,
                                             scratch=self._scratch[process], fresh=self._kept,
                                             floats=np.float32 if self.precision == "float32" else np.float64)
            if p.make_to_order:
                self._add(process, float(rec["production_days"].sum()), p.days_per_cycle * p.lines)
        elif process == "callcentre":
            assert spec.callcentre is not None
            c = spec.callcentre
            rec = callcentre.simulate_calls(c, n, rng, backend, rows=rows)
            self._add(process, float(rec["agent_minutes"].sum()), c.open_minutes() * c.agents)
        else:
            rec = events.simulate_event(spec.events[process[len("events."):]], n, rng, backend, rows=rows)
        for key in ("abandoned", "balked", "closed"):
            if key in rec:
                rec.setdefault("unserved", np.zeros(rows.size, dtype=bool))
                rec["unserved"] = rec["unserved"] | rec[key]
        if "wait_minutes" not in rec and "wait_days" not in rec and "production_wait_days" in rec:
            rec["wait_days"] = rec["production_wait_days"] + rec["shipping_wait_days"]
        return rec

    def _add(self, process: str, busy: float, capacity: float) -> None:
        self._busy[process] = self._busy.get(process, 0.0) + busy
        self._capacity[process] = self._capacity.get(process, 0.0) + capacity

    def _keep(self, process: str, cycle: int, rows: NDArray[np.intp], rec: Mapping[str, NDArray],
              customer_id: NDArray[np.int64] | None = None) -> None:
        stats = self._stats[process]
        for key in SUMMARY_RECORDS:
            if key in rec:
                if key not in stats:
                    stats[key] = Tally(self.precision)
                stats[key].add(rec[key])
        if self.keep_records:
            self._records.append((process, cycle, rows if customer_id is None else customer_id[rows], rec))

    def _frame(self, process: str, parts: list[tuple[int, NDArray[np.intp], Mapping[str, NDArray]]]) -> pd.DataFrame:
        """One process's records of every cycle, each column concatenated once."""
        rows = np.concatenate([r for _, r, _ in parts])
        df = pd.DataFrame({"cycle": np.repeat(np.array([c + 1 for c, _, _ in parts], dtype=np.int32),
                                              [r.size for _, r, _ in parts]),
                           "process": process, "customer_id": rows})
        for key in parts[0][2]:
            value = np.concatenate([rec[key] for _, _, rec in parts])
            df[key] = pd.array(value, dtype="boolean") if value.dtype == bool else value
        if process == "stores" and self.spec.stores is not None:
            names = [s.name for s in self.spec.stores.open_sites]
            df["site"] = pd.Categorical.from_codes(df["site"].to_numpy(), categories=names)  # type: ignore[call-overload]
        return df

    def table(self) -> pd.DataFrame | None:
        """Per-encounter records of every cycle (the ``operations.parquet`` table), cycle by
        cycle and within a cycle process by process; None when nothing was recorded or the
        runner does not keep records."""
        if not self._records:
            return None
        by_process: dict[str, list[tuple[int, NDArray[np.intp], Mapping[str, NDArray]]]] = {}
        for process, cycle, rows, rec in self._records:
            by_process.setdefault(process, []).append((cycle, rows, rec))
        frames = [self._frame(p, parts) for p, parts in by_process.items()]
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if len(frames) > 1:  # back to cycle order (stable: processes keep their order in a cycle)
            df = df.sort_values("cycle", kind="stable", ignore_index=True)
        if "site" in df:
            df["site"] = df["site"].astype("string")
        df["process"] = df["process"].astype("string")
        return df

    def summary(self) -> dict[str, float]:
        """Operations figures of the run, prefixed by process: utilisation, mean and 90th
        percentile wait, share left unserved (abandoned, balked or turned away at closing),
        on-time share and delivery days (pipeline), attendance and rating (events), and the
        operations cost.

        One figure at a time: at ``float64`` precision each mean concatenates every cycle's
        values (side by side on two threads they were 0.04 s sooner at a million customers and
        took 0.6 GB more at five).
        """
        out: dict[str, float] = {}
        empty = Tally(self.precision)
        for process in self.sources:
            stats = self._stats[process]
            key = process.replace(".", "_")
            if process in self._capacity:
                out[f"{key}_utilisation"] = self._busy[process] / self._capacity[process]
            wait = WAIT.get(process)
            if wait is not None:
                out[f"{key}_wait_mean"] = stats.get(wait, empty).mean()
                out[f"{key}_wait_p90"] = stats.get(wait, empty).quantile(0.9)
            if process == "pipeline":
                out["pipeline_delivery_days_mean"] = stats.get("delivery_days", empty).mean()
                out["pipeline_delivery_days_p90"] = stats.get("delivery_days", empty).quantile(0.9)
                out["pipeline_on_time_share"] = stats.get("on_time", empty).mean()
            elif process.startswith("events."):
                out[f"{key}_attendance"] = stats.get("attended", empty).mean()
                out[f"{key}_rating_mean"] = stats.get("rating", empty).nanmean()  # NaN: invitees without a seat
            else:
                out[f"{key}_abandonment_rate"] = stats.get("unserved", empty).mean()
        if self.active:
            out["operations_cost"] = self._cost
        return out
