"""Stores with opening hours, counters and queues — a SimPy reference model and its fast kernel.

One cycle's store visits: every visiting customer arrives at a time uniform over the open minutes
of the cycle (a Poisson stream conditioned on its count), chooses a store (the nearest, or the
least travel plus expected wait), balks if the queue is too long, waits FCFS for a counter,
abandons when their patience runs out, and is turned away if no counter is free before closing.
Travel is the customer's trip to the chosen store; it is recorded (``travel_minutes``) but the
arrival times are arrivals at the store, so the choice of store does not reorder arrivals.

Both backends read the same :class:`StationDraws` and return the same :class:`StationResult`
(``tests/operations`` checks them customer by customer).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from cxsim.draws import random
from cxsim.operations import kernels
from cxsim.specs.operations import OpeningHours, StoresSpec, warn_if_unbounded

Array = NDArray[np.float64]
NEVER_BALK = np.iinfo(np.int64).max


@dataclass
class StationDraws:
    """Inputs of one cycle's station, in order of arrival.

    Attributes:
        order: the customer (row of the caller's arrays) of each arrival.
        arrival, service, patience, close: times (``inf`` patience: never abandons; ``inf``
            close: no closing time).
        balk_at: queue length at which each customer balks (``NEVER_BALK``: never).
        group: row of ``travel`` for each customer (their segment).
        travel: ``(groups, stores)`` travel time; servers: counters per store;
        mean_service: per store, for expected waits; wait_weight: 0 nearest, 1 shortest wait.
    """

    order: NDArray[np.intp]
    arrival: Array
    service: Array
    patience: Array
    close: Array
    balk_at: NDArray[np.int64]
    group: NDArray[np.int64]
    travel: Array
    servers: NDArray[np.int64]
    mean_service: Array
    wait_weight: float = 0.0

    @property
    def n(self) -> int:
        return int(self.arrival.size)

    @property
    def tracks_queue(self) -> bool:
        """Whether decisions depend on the queue (balking, shortest-wait choice)."""
        return bool(self.wait_weight > 0 or (self.balk_at < NEVER_BALK).any())


@dataclass
class StationResult:
    """Per-arrival results: chosen store, service start (NaN if unserved), outcome code, queue seen."""

    store: NDArray[np.int64]
    start: Array
    outcome: NDArray[np.int8]
    queue_length: NDArray[np.int64]


def open_arrivals(hours: OpeningHours, days: int, u: Array,
                  hourly_weights: Array | None = None) -> tuple[Array, Array]:
    """Map uniforms ``u`` in [0, 1) onto the open minutes of ``days`` days (inverse CDF).

    Without ``hourly_weights`` arrivals are uniform over the open minutes (a Poisson stream
    conditioned on its count). With them — 24 weights, one per hour of the day — the density of
    an open minute is proportional to its hour's weight (a time-of-day pattern: lunch and
    after-work peaks); within an hour arrivals stay uniform.

    Returns:
        arrival minute (absolute, from the start of the cycle) and the closing minute of that day.
    """
    windows = np.array([w for d in range(days) if (w := hours.window(d)) is not None])
    if hourly_weights is None:
        lengths = windows[:, 1] - windows[:, 0]
        edges = np.concatenate(([0.0], np.cumsum(lengths)))
        x = u * edges[-1]
        day = np.minimum(np.searchsorted(edges, x, side="right") - 1, len(windows) - 1)
        return windows[day, 0] + (x - edges[day]), windows[day, 1]
    pieces = []  # (start, end, weight, close): the open part of each hour with weight > 0
    for opens, closes in windows:
        first, last = int(opens // 60), int(np.ceil(closes / 60))
        for h in range(first, last):
            start, end, w = max(opens, h * 60.0), min(closes, (h + 1) * 60.0), hourly_weights[h % 24]
            if end > start and w > 0:
                pieces.append((start, end, w, closes))
    p = np.array(pieces)
    edges = np.concatenate(([0.0], np.cumsum((p[:, 1] - p[:, 0]) * p[:, 2])))
    x = u * edges[-1]
    k = np.minimum(np.searchsorted(edges, x, side="right") - 1, len(p) - 1)
    arrival = np.minimum(p[k, 0] + (x - edges[k]) / p[k, 2], np.nextafter(p[k, 1], -np.inf))
    return arrival, p[k, 3]


def station_draws(
    arrival: Array, service: Array, *, patience: Array | None = None, close: Array | None = None,
    balk_at: NDArray[np.int64] | None = None, group: NDArray[np.int64] | None = None,
    travel: Array | None = None, servers: Sequence[int] = (1,), mean_service: Sequence[float] | None = None,
    wait_weight: float = 0.0,
) -> StationDraws:
    """Sort customers by arrival and fill the optional inputs with their neutral values."""
    n = len(arrival)
    order = kernels.stable_argsort(arrival)
    s = np.asarray(servers, dtype=np.int64)

    def pick(x: Array | None, fill: float, dtype: type = np.float64) -> NDArray:
        return np.full(n, fill, dtype=dtype) if x is None else np.ascontiguousarray(np.asarray(x, dtype=dtype)[order])

    return StationDraws(
        order=order,
        arrival=np.ascontiguousarray(np.asarray(arrival, dtype=np.float64)[order]),
        service=pick(service, 0.0),
        patience=pick(patience, np.inf),
        close=pick(close, np.inf),
        balk_at=pick(balk_at, NEVER_BALK, np.int64),  # type: ignore[arg-type]
        group=pick(group, 0, np.int64),  # type: ignore[arg-type]
        travel=np.zeros((1, s.size)) if travel is None else np.ascontiguousarray(travel, dtype=np.float64),
        servers=s,
        mean_service=np.ones(s.size) if mean_service is None else np.asarray(mean_service, dtype=np.float64),
        wait_weight=float(wait_weight),
    )


def run_kernel(d: StationDraws) -> StationResult:
    """The fast kernel (numba)."""
    simple = (d.servers.size == 1 and not d.tracks_queue and np.isinf(d.patience).all()
              and np.isinf(d.close).all())
    if simple:  # a plain FCFS queue: Lindley for one counter, per-server free times for c
        c = int(d.servers[0])
        start = kernels.lindley(d.arrival, d.service) if c == 1 else kernels.multi_server(d.arrival, d.service, c)
        # FCFS starts never decrease, so the queue seen by customer i is the earlier customers
        # who start after a_i: i − #{j : S_j ≤ a_i} (vectorised; same strict rule as SimPy).
        i = np.arange(d.n)
        qlen = i - np.minimum(i, kernels.merge_count(start, d.arrival))
        return StationResult(np.zeros(d.n, dtype=np.int64), start, np.zeros(d.n, dtype=np.int8), qlen)
    store, start, outcome, qlen = kernels.serve(
        d.arrival, d.service, d.patience, d.balk_at, d.close, d.group, d.travel, d.servers,
        d.mean_service, d.wait_weight, True,
    )
    return StationResult(store, start, outcome, qlen)


# ---------------------------------------------------------------------------------------------
# SimPy reference model


def choose_store(counters: Sequence[simpy.Resource], d: StationDraws, i: int) -> int:
    """Least travel (plus ``wait_weight`` × expected wait: queue ahead × mean service / counters)."""
    if len(counters) == 1:
        return 0
    best, choice = np.inf, 0
    for s, res in enumerate(counters):
        score = d.travel[d.group[i], s]
        if d.wait_weight > 0.0:
            ahead = len(res.queue) + res.count - res.capacity + 1
            if ahead > 0:
                score += d.wait_weight * ahead * d.mean_service[s] / res.capacity
        if score < best:
            best, choice = score, s
    return choice


def queue_up(env: simpy.Environment, res: simpy.Resource, d: StationDraws, i: int,
             result: StationResult) -> Generator[simpy.Event, object, simpy.Resource | None]:
    """Join ``res``'s queue; return the granted request, or None after balking/abandoning/closing."""
    t0 = env.now
    q = len(res.queue)
    result.queue_length[i] = q
    if q >= d.balk_at[i]:
        result.outcome[i] = kernels.BALKED
        return None
    req = res.request()
    limit = min(d.patience[i], d.close[i] - t0)
    if np.isinf(limit):
        yield req
    else:
        got = yield req | env.timeout(limit)
        if req not in got:  # type: ignore[operator]
            req.cancel()
            result.outcome[i] = kernels.ABANDONED if t0 + d.patience[i] < d.close[i] else kernels.CLOSED
            return None
    result.start[i] = env.now
    return req  # type: ignore[return-value]


def arrivals(env: simpy.Environment, d: StationDraws, customer) -> Generator[simpy.Event, None, None]:
    """The source: start ``customer(i)`` at each arrival time."""
    for i in range(d.n):
        yield env.timeout(d.arrival[i] - env.now)
        env.process(customer(i))


def run_simpy(d: StationDraws) -> StationResult:
    """The readable reference: SimPy resources (counters) and one process per customer."""
    env = simpy.Environment()
    counters = [simpy.Resource(env, capacity=int(c)) for c in d.servers]
    result = StationResult(np.zeros(d.n, dtype=np.int64), np.full(d.n, np.nan),
                           np.zeros(d.n, dtype=np.int8), np.zeros(d.n, dtype=np.int64))

    def customer(i: int) -> Generator[simpy.Event, object, None]:
        s = choose_store(counters, d, i)
        result.store[i] = s
        req = yield from queue_up(env, counters[s], d, i, result)
        if req is None:
            return
        yield env.timeout(d.service[i])
        counters[s].release(req)  # type: ignore[arg-type]

    env.process(arrivals(env, d, customer))
    env.run()
    return result


BACKENDS = {"kernel": run_kernel, "simpy": run_simpy}


# ---------------------------------------------------------------------------------------------
# one cycle of store visits, from the spec


def draw_store_visits(spec: StoresSpec, segment: NDArray[np.intp], segment_names: Sequence[str],
                      rng: np.random.Generator, rows: NDArray[np.intp] | None = None) -> StationDraws:
    """Draw one cycle's visits: one per customer of ``segment``, or per customer in ``rows``.

    The draws are made for *every* customer of ``segment`` in a fixed order from ``rng``
    (arrival, service, patience) and then the visitors' rows are taken, so a customer's draws do
    not depend on who else visits or how many stores are open (common random numbers).
    """
    n = segment.size
    take = (lambda x: x) if rows is None else (lambda x: x[rows])
    arrival, close = (take(x) for x in open_arrivals(spec.hours, spec.days_per_cycle, random(rng, n),
                                                     spec.hourly_profile()))
    service = take(spec.service_minutes.sample(rng, n))  # type: ignore[union-attr]
    patience = take(spec.patience_minutes.sample(rng, n)) if spec.patience_minutes is not None else None
    segment = take(segment)
    n = segment.size
    balk = None if spec.balk_queue_length is None else np.full(n, spec.balk_queue_length, dtype=np.int64)
    sites = spec.open_sites
    travel = np.array([[site.travel(g) for site in sites] for g in segment_names]).reshape(
        len(segment_names), len(sites))
    return station_draws(
        arrival, service, patience=patience, close=close, balk_at=balk,
        group=segment.astype(np.int64), travel=travel, servers=[spec.counters] * len(sites),
        mean_service=[spec.service_minutes.mean] * len(sites),  # type: ignore[union-attr]
        wait_weight=1.0 if spec.choice == "shortest_wait" else 0.0,
    )


def store_records(spec: StoresSpec, d: StationDraws, r: StationResult) -> dict[str, NDArray]:
    """Per-visit records in the caller's customer order (see ``RECORDS['stores']``)."""
    wait = kernels.waits(d.arrival, r.start, r.outcome, d.patience, d.close)
    served = r.outcome == kernels.SERVED
    travel = d.travel[d.group, r.store]
    out = {
        "site": r.store,
        "arrival": d.arrival,
        "travel_minutes": travel,
        "wait_minutes": wait,
        "service_minutes": np.where(served, d.service, 0.0),
        "visit_minutes": travel + wait + np.where(served, 0.0, spec.unserved_penalty_minutes),
        "served": served,
        "balked": r.outcome == kernels.BALKED,
        "abandoned": r.outcome == kernels.ABANDONED,
        "closed": r.outcome == kernels.CLOSED,
        "queue_length": r.queue_length,
    }
    inverse = np.empty_like(d.order)
    inverse[d.order] = np.arange(d.order.size)
    return {k: v[inverse] for k, v in out.items()}


def store_load(spec: StoresSpec, visitors: int) -> float:
    """Offered load per counter: visitors × mean service / (open minutes × counters × stores)."""
    capacity = spec.open_minutes() * spec.counters * spec.count
    return visitors * spec.service_minutes.mean / capacity  # type: ignore[union-attr]


def simulate_stores(spec: StoresSpec, segment: NDArray[np.intp], segment_names: Sequence[str],
                    rng: np.random.Generator, backend: str = "kernel",
                    path: str = "scenario.operations.stores",
                    rows: NDArray[np.intp] | None = None) -> dict[str, NDArray]:
    """One cycle of store visits (all of ``segment``, or its ``rows``); per-visit records."""
    warn_if_unbounded(path, store_load(spec, segment.size if rows is None else len(rows)), spec.bounded())
    d = draw_store_visits(spec, segment, segment_names, rng, rows)
    return store_records(spec, d, BACKENDS[backend](d))
