"""The population's state, held in arrays (one row per customer)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour.network import Network, no_network, random_network, small_world
from cxsim.engine.compiled import Compiled
from cxsim.engine.streams import Streams

Array = NDArray[np.float64]


@dataclass
class PopulationState:
    """Everything that changes about customers from cycle to cycle.

    Attributes:
        segment: segment index per customer.
        expectation: ``(n, T)`` current expectation per touchpoint, in the measure's unit
            (a view of a touchpoint-major ``(T, n)`` buffer).
        satisfaction: cumulative satisfaction (affect units; 0 = expectations met).
        bad_memory: fading count of terrible moments.
        terrible_count: lifetime integer count of terrible moments (the index of the loyalty
            block's hazard table, :func:`cxsim.behaviour.loyalty.switch_probability`).
        active: still a customer (has not switched).
        network: who talks to whom.
        offsets: where each listener's ties start in the network (:meth:`Network.listener_offsets`).
    """

    segment: NDArray[np.intp]
    expectation: Array
    satisfaction: Array
    bad_memory: Array
    active: NDArray[np.bool_]
    network: Network
    offsets: NDArray[np.int64]
    terrible_count: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        if self.terrible_count is None:
            self.terrible_count = np.zeros(self.segment.size, dtype=np.int64)

    @property
    def n(self) -> int:
        return int(self.segment.size)


def init_state(compiled: Compiled, n: int, streams: Streams) -> PopulationState:
    """Draw segments, expectations and the social network for ``n`` customers."""
    scenario = compiled.scenario
    u = streams.get("population", "segment").random(n)
    cum = np.cumsum(compiled.shares)
    cum[-1] = 1.0
    segment = np.searchsorted(cum, u, side="right").astype(np.intp)
    expectation = np.empty((compiled.n_touchpoints, n)).T  # (n, T), touchpoint-major: see cycle.py
    for j, tp in enumerate(scenario.journey.touchpoints):
        rng = streams.get("population", f"expectation/{tp.name}")
        for k, seg in enumerate(scenario.population.segments):
            dist = seg.expectations.get(tp.name, tp.expectation)
            draws = dist.sample(rng, n)  # drawn for everyone, so a segment's draws do not shift others'
            np.copyto(expectation[:, j], draws, where=segment == k)
    wom = scenario.word_of_mouth
    net_rng = streams.get("network")
    if wom.network == "small_world":
        network = small_world(n, wom.degree, wom.rewire, net_rng)
    elif wom.network == "random":
        network = random_network(n, wom.degree, net_rng)
    else:
        network = no_network(n)
    return PopulationState(
        segment=segment,
        expectation=expectation,
        satisfaction=compiled.initial_satisfaction[segment].copy(),
        bad_memory=np.zeros(n),
        active=np.ones(n, dtype=bool),
        network=network,
        offsets=network.listener_offsets(),
    )
