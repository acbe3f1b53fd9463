"""Order-to-delivery: make-to-order production with capacity, then shipping — SimPy and kernel.

Orders arrive uniformly over the cycle's days. Made-to-order items wait FCFS for one of
``lines`` production lines, take their production time, then wait FCFS (in order of completion)
for one of ``trucks`` trucks, which is busy for the shipping lead time; the order is delivered
when the truck arrives. Without a truck limit shipping is a pure delay. Two FCFS queues composed
in tandem: the kernel runs the first, sorts by completion, runs the second (the spare-part example:
promised 3 days, delivered in 1 → delight; the Zhijiang sealant: made to order, delivery is the
pain point).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from cxsim.draws import random, random_into, rounded_into
from cxsim.operations import kernels
from cxsim.specs.distribution import Distribution, LogNormal, Normal, sample_into
from cxsim.specs.operations import PipelineSpec, warn_if_unbounded

Array = NDArray[np.float64]


@dataclass
class PipelineDraws:
    """One cycle's orders, in the caller's order; :meth:`arrival_order` lists them in order of
    arrival (computed when first needed)."""

    order: NDArray[np.intp] | None
    arrival: Array
    production: Array  # zeros when shipped from stock
    shipping: Array
    lines: int
    trucks: int | None
    make_to_order: bool
    campaigns: Array | None = None  # production campaign start times (batch production), or None

    def arrival_order(self) -> NDArray[np.intp]:
        if self.order is None:
            self.order = kernels.stable_argsort(self.arrival)
        return self.order


@dataclass
class PipelineResult:
    """Per order (the caller's order): production start and end, shipping start, delivery time."""

    production_start: Array
    production_end: Array
    shipping_start: Array
    delivered: Array


def run_kernel(d: PipelineDraws) -> PipelineResult:
    """Tandem FCFS queues with the numba kernels (:func:`~cxsim.operations.kernels.fcfs_starts`:
    no waiting computed when nobody waits; nothing permuted)."""
    if d.make_to_order:
        release = d.arrival
        if d.campaigns is not None:  # wait for the next campaign (releases keep arrival order)
            release = d.campaigns[np.searchsorted(d.campaigns, d.arrival, side="left")]
        order = d.arrival_order() if d.campaigns is not None else d.order  # a campaign's ties: by arrival
        p_start = kernels.fcfs_starts(release, d.production, d.lines, order)
        p_end = p_start + d.production
    else:
        p_start = d.arrival.copy()
        p_end = d.arrival.copy()
    if d.trucks is None:
        s_start = p_end.copy()
    else:
        s_start = kernels.fcfs_starts(p_end, d.shipping, d.trucks)
    return PipelineResult(p_start, p_end, s_start, s_start + d.shipping)


def run_simpy(d: PipelineDraws) -> PipelineResult:
    """The readable reference: production lines and trucks as SimPy resources."""
    env = simpy.Environment()
    lines = simpy.Resource(env, capacity=d.lines)
    trucks = simpy.Resource(env, capacity=d.trucks) if d.trucks is not None else None
    n = d.arrival.size
    res = PipelineResult(*(np.full(n, np.nan) for _ in range(4)))

    campaign = {"next": env.event()}

    def campaigns() -> Generator[simpy.Event, None, None]:  # batch production: release the waiting orders
        for t in d.campaigns:  # type: ignore[union-attr]
            yield env.timeout(t - env.now)
            released, campaign["next"] = campaign["next"], env.event()
            released.succeed()

    def order(i: int) -> Generator[simpy.Event, object, None]:
        if d.make_to_order:
            if d.campaigns is not None:
                yield campaign["next"]
            with lines.request() as req:
                yield req
                res.production_start[i] = env.now
                yield env.timeout(d.production[i])
        else:
            res.production_start[i] = env.now
        res.production_end[i] = env.now
        if trucks is None:
            res.shipping_start[i] = env.now
            yield env.timeout(d.shipping[i])
        else:
            with trucks.request() as req:
                yield req
                res.shipping_start[i] = env.now
                yield env.timeout(d.shipping[i])
        res.delivered[i] = env.now

    def source() -> Generator[simpy.Event, None, None]:
        for i in d.arrival_order():
            yield env.timeout(d.arrival[i] - env.now)
            env.process(order(int(i)))

    env.process(source())
    if d.campaigns is not None and d.make_to_order:
        env.process(campaigns())
    env.run()
    return res


BACKENDS = {"kernel": run_kernel, "simpy": run_simpy}


def draw_orders(spec: PipelineSpec, n: int, rng: np.random.Generator,
                rows: NDArray[np.intp] | None = None) -> PipelineDraws:
    """Draw ``n`` orders (arrival, production, shipping — always in this order from ``rng``);
    with ``rows``, keep only those orders (a customer's draws do not depend on the others)."""
    take = (lambda x: x) if rows is None else (lambda x: x[rows])
    arrival = random(rng, n)
    arrival *= spec.days_per_cycle
    arrival = take(arrival)
    production = take(spec.production_days.sample(rng, n)) if spec.production_days is not None else None
    shipping = take(spec.shipping_days.sample(rng, n))  # type: ignore[union-attr]
    if not spec.make_to_order or production is None:
        production = np.zeros(arrival.size)
    campaigns = None
    if spec.batch_every_days is not None:
        last = float(arrival.max()) if arrival.size else 0.0
        k = int(np.floor(last / spec.batch_every_days)) + 2
        campaigns = np.cumsum(np.full(k, float(spec.batch_every_days)))  # the same sums as SimPy's clock
    return PipelineDraws(None, arrival, production, shipping,
                         spec.lines, spec.trucks, spec.make_to_order, campaigns)


def pipeline_records(spec: PipelineSpec, d: PipelineDraws, r: PipelineResult,
                     records: Collection[str] | None = None) -> dict[str, NDArray]:
    """Per-order records in the caller's order (see ``RECORDS['pipeline']``); only ``records``
    when given (a run that keeps no per-encounter table needs a few)."""
    days = r.delivered - d.arrival
    return _records(spec, d.arrival, days, lambda: r.production_start - d.arrival,
                    lambda: r.shipping_start - r.production_end, d.production, d.shipping, records)


def _records(spec: PipelineSpec, arrival: Array, days: Array, production_wait: Callable[[], Array],
             shipping_wait: Callable[[], Array], production: Array, shipping: Array,
             records: Collection[str] | None, on_time: NDArray[np.bool_] | None = None) -> dict[str, NDArray]:
    make: dict[str, Callable[[], NDArray]] = {
        "arrival": lambda: arrival,
        "delivery_days": lambda: days,
        "production_wait_days": production_wait,
        "shipping_wait_days": shipping_wait,
        "production_days": lambda: production,
        "shipping_days": lambda: shipping,
        "promised_days": lambda: np.full(days.size, spec.promised_days),
        "late_days": lambda: np.maximum(days - spec.promised_days, 0.0),
        "early_days": lambda: np.maximum(spec.promised_days - days, 0.0),
        "on_time": lambda: days <= spec.promised_days if on_time is None else on_time,
    }
    return {k: f() for k, f in make.items() if records is None or k in records}


def pipeline_load(spec: PipelineSpec, orders: int) -> float:
    """Offered load of the busiest stage (production lines or trucks) over the cycle."""
    loads = []
    if spec.make_to_order:
        loads.append(orders * spec.production_days.mean / (spec.days_per_cycle * spec.lines))  # type: ignore[union-attr]
    if spec.trucks is not None:
        loads.append(orders * spec.shipping_days.mean / (spec.days_per_cycle * spec.trucks))  # type: ignore[union-attr]
    return max(loads, default=0.0)


def simulate_pipeline(spec: PipelineSpec, n: int, rng: np.random.Generator, backend: str = "kernel",
                      path: str = "scenario.operations.pipeline",
                      rows: NDArray[np.intp] | None = None,
                      records: Collection[str] | None = None,
                      scratch: dict[str, NDArray] | None = None,
                      fresh: Collection[str] | None = None,
                      floats: type[np.floating] = np.float64) -> dict[str, NDArray]:
    """One cycle's ``n`` orders through the pipeline; per-order records (only ``records``, if given).

    Each cycle starts with idle lines and trucks (the cycle's orders are its own horizon), so a
    load above 1 means orders pile up within the month — it is warned about. The kernel backend
    takes :func:`free_flow` when no campaign batches the orders (``scratch``, ``fresh`` and ``floats``: see there).
    """
    warn_if_unbounded(path, pipeline_load(spec, n if rows is None else len(rows)), False)
    if backend == "kernel" and spec.batch_every_days is None:
        return free_flow(spec, n, rng, rows, records, scratch, fresh, floats)
    d = draw_orders(spec, n, rng, rows)
    return pipeline_records(spec, d, BACKENDS[backend](d), records)


def _buffer(scratch: dict[str, NDArray], name: str, n: int, dtype: type = np.float64) -> NDArray:
    """The first ``n`` of ``scratch[name]``, made (larger) when missing or short."""
    x = scratch.get(name)
    if x is None or x.size < n or x.dtype != dtype:
        x = scratch[name] = np.empty(n, dtype=dtype)
    return x[:n]


def _zeros(n: int) -> NDArray:
    """``n`` zeros that take no memory: one read-only zero seen ``n`` times (a stride-0 view)."""
    return np.broadcast_to(np.float64(0.0), (n,))


def _drawn(scratch: dict[str, NDArray], name: str, n: int, floats: type[np.floating],
           draw: Callable[[Array], object], by_value: bool = True) -> NDArray:
    """``scratch[name]`` (``n`` of ``floats``) filled by ``draw``. Into a 32-bit array, draws made
    value by value from one stream (``by_value``) come in 64-bit blocks (:func:`cxsim.draws.rounded_into`),
    so no 64-bit row of ``n`` is made; other draws are made at once and rounded."""
    out = _buffer(scratch, name, n, floats)
    if out.dtype == np.float64 or not by_value:
        draw(out)
    else:
        rounded_into(draw, out)
    return out


def _sample(scratch: dict[str, NDArray], name: str, dist: Distribution, rng: np.random.Generator, n: int,
            floats: type[np.floating]) -> NDArray:
    """``dist.sample(rng, n)`` into ``scratch[name]`` (:func:`_drawn`; normal and lognormal draws by value)."""
    by_value = isinstance(dist, (Normal, LogNormal))
    return _drawn(scratch, name, n, floats, lambda buf: sample_into(dist, rng, buf), by_value)


def free_flow(spec: PipelineSpec, n: int, rng: np.random.Generator, rows: NDArray[np.intp] | None = None,
              records: Collection[str] | None = None, scratch: dict[str, NDArray] | None = None,
              fresh: Collection[str] | None = None, floats: type[np.floating] = np.float64) -> dict[str, NDArray]:
    """:func:`draw_orders`, :func:`run_kernel` and :func:`pipeline_records` in one compiled
    pass when no order waits at either stage (:func:`~cxsim.operations.kernels.free_flow_tandem`):
    the same draws from ``rng`` and the same records bit for bit. When an order may wait, the
    gathered orders go through :func:`run_kernel` as usual.

    ``scratch`` keeps arrays from one call to the next (a runner's, cycle after cycle: the
    draws, and with ``records`` given, every record but those named in ``fresh``, which are new
    arrays; the waits of a free flow are then a read-only view of zeros): fresh pages cost a
    fault each, a good part of the pass at a million orders. No result depends on it.
    Without ``records`` every record is a new array. ``floats`` is the type of the draws and of
    the records of days (``runtime.precision``: at ``float32`` the draws are made in 64 bits and
    rounded, and the orders that may wait are queued in 64 bits).
    """
    keep = scratch is not None and records is not None
    scratch = {} if scratch is None else scratch
    start = rng.bit_generator.state if floats != np.float64 else None  # to draw again in 64 bits if a queue forms
    u = _drawn(scratch, "u", n, floats, lambda buf: random_into(rng, buf))
    production = shipping = None
    if spec.production_days is not None:
        production = _sample(scratch, "production", spec.production_days, rng, n, floats)
    shipping = _sample(scratch, "shipping", spec.shipping_days, rng, n, floats)  # type: ignore[arg-type]
    if not spec.make_to_order or production is None:
        production = _buffer(scratch, "production", n, floats)
        production[:] = 0.0
    rows = np.arange(n) if rows is None else rows
    m = rows.size

    def out(name: str, dtype: type = floats) -> NDArray:
        new = not keep or name in (fresh or ())
        return np.empty(m, dtype=dtype) if new else _buffer(scratch, name, m, dtype)

    prod, days, on_time = out("production_days"), out("delivery_days"), out("on_time", np.bool_)
    days_per_cycle = float(spec.days_per_cycle)
    free = kernels.free_flow_tandem(
        rows, u, days_per_cycle, production, shipping, float(spec.promised_days),
        spec.lines if spec.make_to_order else m, m if spec.trucks is None else spec.trucks,
        days_per_cycle + float(production.max()) if n else days_per_cycle, prod, days, on_time)
    arrival = u[rows] * days_per_cycle if not free or records is None or "arrival" in records else None
    ship = shipping[rows] if not free or records is None or "shipping_days" in records else None
    if not free and start is not None:  # a queue forms: the same orders drawn again, in 64 bits
        rng.bit_generator.state = start
        d = draw_orders(spec, n, rng, rows)
        return pipeline_records(spec, d, run_kernel(d), records)
    if not free:
        d = PipelineDraws(None, arrival, prod, ship, spec.lines, spec.trucks, spec.make_to_order, None)  # type: ignore[arg-type]
        return pipeline_records(spec, d, run_kernel(d), records)
    zeros: Callable[[], Array] = (lambda: _zeros(m)) if keep else (lambda: np.zeros(m))
    rec = _records(spec, arrival, days, zeros, zeros, prod, ship, records, on_time)  # type: ignore[arg-type]
    if records is not None and "wait_days" in records:  # the runner's wait: production + shipping waits
        rec["wait_days"] = zeros()
    return rec
