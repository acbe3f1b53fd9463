"""Scheduled events such as the annual dealer meeting — SimPy and kernel.

Invitees register at random times before the event; the first ``capacity`` get a seat. The
event's quality depends on the budget per attendee (:meth:`EventSpec.quality`), and each
attendee's rating is that quality plus personal noise, clipped to the rating scale. Invitees
without a seat did not attend (the touchpoint does not happen for them).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from cxsim.draws import random, random_into, standard_normal, standard_normal_into
from cxsim.operations import kernels
from cxsim.specs.operations import EventSpec

Array = NDArray[np.float64]


@dataclass
class EventDraws:
    """The random inputs of one event's registrations, drawn before the event is run."""

    registration: Array  # (n,) registration time (any unit: only the order matters)
    rating_z: Array  # (n,) standard normal, the attendee's personal deviation
    capacity: int


def draw_event(spec: EventSpec, n: int, rng: np.random.Generator,
               rows: NDArray[np.intp] | None = None) -> EventDraws:
    """Draw registration times and rating noise for ``n`` invitees (in this order); with
    ``rows``, keep only those invitees."""
    return EventDraws(_registration(n, rng, rows), _rating_z(n, rng, rows), spec.capacity)


def _registration(n: int, rng: np.random.Generator, rows: NDArray[np.intp] | None) -> Array:
    """The invitees' registration times (:func:`draw_event`'s first draws)."""
    return random(rng, n) if rows is None else _drawn_for(random_into, rng, n, rows)


def _rating_z(n: int, rng: np.random.Generator, rows: NDArray[np.intp] | None) -> Array:
    """The invitees' rating noise (:func:`draw_event`'s second draws)."""
    return standard_normal(rng, n) if rows is None else _drawn_for(standard_normal_into, rng, n, rows)


#: Invitees per block of :func:`_drawn_for`.
BLOCK = 1 << 16


def _drawn_for(fill: Callable[[np.random.Generator, Array], None], rng: np.random.Generator, n: int,
               rows: NDArray[np.intp]) -> Array:
    """``fill``'s ``n`` draws (uniforms, normals: one value after another from ``rng``) at ``rows``,
    drawn :data:`BLOCK` at a time: the numbers of ``draws = empty(n); fill(rng, draws); draws[rows]``
    without the array of ``n``. ``rng`` is left where that would leave it."""
    if rows.size and (rows[-1] >= n or rows[0] < 0 or not np.all(rows[1:] > rows[:-1])):  # the whole array
        draws = np.empty(n)
        fill(rng, draws)
        return draws[rows]
    out = np.empty(rows.size)
    buf = np.empty(min(BLOCK, n))
    cut = np.searchsorted(rows, np.arange(0, n + BLOCK, BLOCK))
    for b, lo in enumerate(range(0, n, BLOCK)):
        k = min(BLOCK, n - lo)
        fill(rng, buf[:k])
        out[cut[b]:cut[b + 1]] = buf[rows[cut[b]:cut[b + 1]] - lo]
    return out


def run_kernel(d: EventDraws) -> NDArray[np.bool_]:
    """Who gets a seat: the ``capacity`` earliest registrations (ties: the earlier invitee).

    The first ``capacity`` of the stable order of registration, found without sorting: every
    registration before the ``capacity``-th earliest time (``np.partition``), then the invitees
    registered at that very time, in order, while seats remain.
    """
    reg = d.registration
    n, seats = reg.size, d.capacity
    if seats >= n:
        return np.ones(n, dtype=bool)
    if seats <= 0:
        return np.zeros(n, dtype=bool)
    if np.isnan(reg).any():  # NaN sorts last in numpy's order: the sort itself decides
        attended = np.zeros(n, dtype=bool)
        attended[kernels.stable_argsort(reg)[:seats]] = True
        return attended
    last = np.partition(reg, seats - 1)[seats - 1]
    attended = reg < last
    attended[np.flatnonzero(reg == last)[: seats - int(np.count_nonzero(attended))]] = True
    return attended


def run_simpy(d: EventDraws) -> NDArray[np.bool_]:
    """The readable reference: seats as a SimPy container, invitees as processes."""
    env = simpy.Environment()
    seats = simpy.Container(env, capacity=d.capacity, init=d.capacity)
    attended = np.zeros(d.registration.size, dtype=bool)

    def invitee(i: int) -> Generator[simpy.Event, object, None]:
        yield env.timeout(d.registration[i])
        if seats.level >= 1:
            yield seats.get(1)
            attended[i] = True

    for i in range(d.registration.size):
        env.process(invitee(i))
    env.run()
    return attended


BACKENDS = {"kernel": run_kernel, "simpy": run_simpy}


def event_records(spec: EventSpec, d: EventDraws, attended: NDArray[np.bool_],
                  reuse: bool = False) -> dict[str, NDArray]:
    """Per-invitee records: ``attended`` and ``rating`` (NaN for those without a seat); with
    ``reuse`` the rating is made in ``d.rating_z``'s array."""
    quality = spec.quality(int(attended.sum()))
    # quality + noise, clipped, NaN without a seat: in one array
    rating = np.multiply(d.rating_z, spec.rating_sd, out=d.rating_z if reuse else None)
    rating += quality
    np.clip(rating, spec.low, spec.high, out=rating)
    rating[~attended] = np.nan
    return {"attended": attended, "rating": rating}


def simulate_event(spec: EventSpec, n: int, rng: np.random.Generator, backend: str = "kernel",
                   rows: NDArray[np.intp] | None = None) -> dict[str, NDArray]:
    """One occurrence of the event for ``n`` invitees (or those in ``rows``); per-invitee records."""
    if backend != "kernel":
        d = draw_event(spec, n, rng, rows)
        return event_records(spec, d, BACKENDS[backend](d))
    # the kernel needs only the registrations: the rating noise is drawn after their seats are
    # given (the same numbers: nothing else draws from ``rng`` in between), so the two arrays of
    # invitees and the seats' selection are not held at once
    attended = run_kernel(EventDraws(_registration(n, rng, rows), np.empty(0), spec.capacity))
    return event_records(spec, EventDraws(np.empty(0), _rating_z(n, rng, rows), spec.capacity), attended,
                         reuse=True)
