"""A call centre: agents, a queue with abandonment, transfers that may make callers repeat.

Calls arrive uniformly over the open minutes of the cycle and wait FCFS for a first-line agent;
a caller hangs up when their patience runs out, and calls not answered before closing are lost
(``closed``). A served call is transferred to a specialist with ``transfer_probability``; then
with ``repeat_probability`` the caller must repeat the problem, which adds ``repeat_minutes`` to
the specialist's handling (AchieveGlobal 2013: 45 % name having to repeat themselves among the
worst behaviours). Specialists serve transfers FCFS in order of transfer. Two FCFS stations in
tandem; the kernel runs :func:`cxsim.operations.kernels.serve`, then the specialists' queue.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from cxsim.draws import random
from cxsim.operations import kernels
from cxsim.operations.stores import (
    StationDraws,
    StationResult,
    arrivals,
    open_arrivals,
    queue_up,
    station_draws,
)
from cxsim.specs.operations import CallCentreSpec, warn_if_unbounded

Array = NDArray[np.float64]


@dataclass
class CallDraws:
    """One cycle's calls: the first-line station's draws plus transfers (arrival order)."""

    first: StationDraws
    transfer: NDArray[np.bool_]
    repeat: NDArray[np.bool_]
    second_service: Array  # specialist minutes, repeat minutes included
    specialists: int


@dataclass
class CallResult:
    """Per call (arrival order): first-line result and the specialist's start (NaN if none)."""

    first: StationResult
    second_start: Array


def _second_arrivals(d: CallDraws, first: StationResult) -> tuple[NDArray[np.bool_], Array]:
    transferred = (first.outcome == kernels.SERVED) & d.transfer
    return transferred, first.start + d.first.service


def run_kernel(d: CallDraws) -> CallResult:
    """First line with :func:`kernels.serve`, then the specialists with per-server free times."""
    f = d.first
    store, start, outcome, qlen = kernels.serve(
        f.arrival, f.service, f.patience, f.balk_at, f.close, f.group, f.travel, f.servers,
        f.mean_service, 0.0, True,
    )
    first = StationResult(store, start, outcome, qlen)
    transferred, ready = _second_arrivals(d, first)
    second = np.full(f.n, np.nan)
    idx = np.flatnonzero(transferred)
    if idx.size:
        idx = idx[kernels.stable_argsort(ready[idx])]
        second[idx] = kernels.multi_server(np.ascontiguousarray(ready[idx]),
                                           np.ascontiguousarray(d.second_service[idx]), d.specialists)
    return CallResult(first, second)


def run_simpy(d: CallDraws) -> CallResult:
    """The readable reference: agents and specialists as SimPy resources."""
    env = simpy.Environment()
    f = d.first
    agents = simpy.Resource(env, capacity=int(f.servers[0]))
    specialists = simpy.Resource(env, capacity=d.specialists)
    first = StationResult(np.zeros(f.n, dtype=np.int64), np.full(f.n, np.nan),
                          np.zeros(f.n, dtype=np.int8), np.zeros(f.n, dtype=np.int64))
    second = np.full(f.n, np.nan)

    def call(i: int) -> Generator[simpy.Event, object, None]:
        req = yield from queue_up(env, agents, f, i, first)
        if req is None:
            return
        yield env.timeout(f.service[i])
        agents.release(req)  # type: ignore[arg-type]
        if d.transfer[i]:
            with specialists.request() as req2:
                yield req2
                second[i] = env.now
                yield env.timeout(d.second_service[i])

    env.process(arrivals(env, f, call))
    env.run()
    return CallResult(first, second)


BACKENDS = {"kernel": run_kernel, "simpy": run_simpy}


def draw_calls(spec: CallCentreSpec, n: int, rng: np.random.Generator,
               rows: NDArray[np.intp] | None = None) -> CallDraws:
    """Draw ``n`` calls: arrival, handling, patience, transfer, repeat, specialist minutes;
    with ``rows``, keep only those calls (a customer's draws do not depend on the others)."""
    take = (lambda x: x) if rows is None else (lambda x: x[rows])
    arrival, close = (take(x) for x in open_arrivals(spec.hours, spec.days_per_cycle, random(rng, n),
                                                     spec.hourly_profile()))
    handle = take(spec.handle_minutes.sample(rng, n))  # type: ignore[union-attr]
    patience = take(spec.patience_minutes.sample(rng, n)) if spec.patience_minutes is not None else None
    transfer = take(random(rng, n) < spec.transfer_probability)
    repeat = transfer & take(random(rng, n) < spec.repeat_probability)
    second = take(spec.second_line_minutes.sample(rng, n)) + np.where(repeat, spec.repeat_minutes, 0.0)
    first = station_draws(arrival, handle, patience=patience, close=close, servers=(spec.agents,))
    o = first.order
    return CallDraws(first, transfer[o], repeat[o], second[o], spec.specialists)


def call_records(spec: CallCentreSpec, d: CallDraws, r: CallResult) -> dict[str, NDArray]:
    """Per-call records in the caller's order (see ``RECORDS['callcentre']``)."""
    f, first = d.first, r.first
    wait1 = kernels.waits(f.arrival, first.start, first.outcome, f.patience, f.close)
    served = first.outcome == kernels.SERVED
    transferred = served & d.transfer
    ready = first.start + f.service
    wait2 = np.where(transferred, r.second_start - ready, 0.0)
    handle = np.where(served, f.service, 0.0) + np.where(transferred, d.second_service, 0.0)
    wait = wait1 + wait2
    out = {
        "arrival": f.arrival,
        "wait_minutes": wait,
        "handle_minutes": handle,
        "agent_minutes": np.where(served, f.service, 0.0),
        "total_minutes": wait + handle + np.where(served, 0.0, spec.unserved_penalty_minutes),
        "served": served,
        "abandoned": first.outcome == kernels.ABANDONED,
        "closed": first.outcome == kernels.CLOSED,
        "transferred": transferred,
        "repeated": transferred & d.repeat,
    }
    inverse = np.empty_like(f.order)
    inverse[f.order] = np.arange(f.order.size)
    return {k: v[inverse] for k, v in out.items()}


def call_load(spec: CallCentreSpec, calls: int) -> float:
    """Offered load per first-line agent over the cycle's open minutes."""
    return calls * spec.handle_minutes.mean / (spec.open_minutes() * spec.agents)  # type: ignore[union-attr]


def simulate_calls(spec: CallCentreSpec, n: int, rng: np.random.Generator, backend: str = "kernel",
                   path: str = "scenario.operations.callcentre",
                   rows: NDArray[np.intp] | None = None) -> dict[str, NDArray]:
    """One cycle's ``n`` calls (or the calls of ``rows``); per-call records."""
    warn_if_unbounded(path, call_load(spec, n if rows is None else len(rows)), spec.bounded())
    d = draw_calls(spec, n, rng, rows)
    return call_records(spec, d, BACKENDS[backend](d))
