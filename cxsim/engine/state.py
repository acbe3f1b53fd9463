"""The population's state, held in arrays (one row per customer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour.network import Network, no_network, random_network, small_world
from cxsim.engine.compiled import Compiled
from cxsim.engine.streams import Streams
from cxsim.specs.scenario import WordOfMouth
from cxsim.workers import Workers

Array = NDArray[np.float64]


@dataclass
class PopulationState:
    """Everything that changes about customers from cycle to cycle.

    Attributes:
        segment: segment index per customer (:func:`segment_dtype`: one byte up to 127 segments).
        expectation: ``(n, T)`` current expectation per touchpoint, in the measure's unit
            (a view of a touchpoint-major ``(T, n)`` buffer).
        satisfaction: cumulative satisfaction (affect units; 0 = expectations met), of
            ``runtime.precision``'s type, as are ``expectation`` and ``bad_memory``.
        bad_memory: fading count of terrible moments.
        terrible_count: lifetime integer count of terrible moments (the index of the loyalty
            block's hazard table, :func:`cxsim.behaviour.loyalty.switch_probability`); 32-bit,
            which no run can overflow (a customer meets at most a few moments a cycle).
        active: still a customer (has not switched).
        network: who talks to whom.
        offsets: where each listener's ties start in the network (:attr:`Network.offsets`, the same array).
        customer_id: who holds each row, when rows are reused (an open market gives a leaver's
            row to a new customer: :mod:`cxsim.engine.market`); ``None``: the row number.
    """

    segment: NDArray[np.signedinteger[Any]]
    expectation: Array
    satisfaction: Array
    bad_memory: Array
    active: NDArray[np.bool_]
    network: Network
    offsets: NDArray[np.int64]
    terrible_count: NDArray[np.int32] | None = None
    customer_id: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        if self.terrible_count is None:
            self.terrible_count = np.zeros(self.segment.size, dtype=np.int32)

    @property
    def n(self) -> int:
        return int(self.segment.size)

    def ids(self, rows: NDArray[np.intp]) -> NDArray[np.int64]:
        """The customer ids of ``rows`` (the rows themselves unless rows are reused)."""
        return rows if self.customer_id is None else self.customer_id[rows]


def _network(wom: WordOfMouth, n: int, rng: np.random.Generator, workers: Workers) -> Network:
    """The social network of ``wom``, built in blocks on ``workers``."""
    if wom.network == "small_world":
        return small_world(n, wom.degree, wom.rewire, rng, workers)
    if wom.network == "random":
        return random_network(n, wom.degree, rng, workers)
    return no_network(n)


def segment_dtype(n_segments: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type that holds the segment indices: int8 up to 127 segments."""
    return np.int8 if n_segments <= np.iinfo(np.int8).max else np.int32


def init_state(compiled: Compiled, n: int, streams: Streams, workers: Workers | None = None,
               floats: type[np.floating] = np.float64) -> PopulationState:
    """Draw segments, expectations and the social network for ``n`` customers.

    Each touchpoint's expectations and the network come from streams of their own: ``workers``
    builds the network in blocks side by side, then draws the touchpoints' expectations side by
    side. The numbers are the same on any number of threads. ``floats`` is the type
    of the expectations, satisfaction and bad memory (:attr:`cxsim.specs.runtime.Runtime.precision`;
    expectations are drawn in 64 bits either way).
    """
    scenario = compiled.scenario
    u = streams.get("population", "segment").random(n)
    cum = np.cumsum(compiled.shares)
    cum[-1] = 1.0
    segment = np.searchsorted(cum, u, side="right").astype(segment_dtype(cum.size))
    expectation = np.empty((compiled.n_touchpoints, n), dtype=floats).T  # (n, T), touchpoint-major: see cycle.py

    def expect(j: int) -> None:
        tp = scenario.journey.touchpoints[j]
        rng = streams.get("population", f"expectation/{tp.name}")
        for k, seg in enumerate(scenario.population.segments):
            dist = seg.expectations.get(tp.name, tp.expectation)
            draws = dist.sample(rng, n)  # drawn for everyone, so a segment's draws do not shift others'
            np.copyto(expectation[:, j], draws, where=segment == k)

    pool = workers if workers is not None else Workers(1)
    net = _network(scenario.word_of_mouth, n, streams.get("network"), pool)
    pool.map(expect, range(compiled.n_touchpoints))
    return PopulationState(
        segment=segment,
        expectation=expectation,
        satisfaction=compiled.initial_satisfaction[segment].astype(floats),
        bad_memory=np.zeros(n, dtype=floats),
        active=np.ones(n, dtype=bool),
        network=net,
        offsets=net.offsets,
    )
