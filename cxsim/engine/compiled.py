"""A scenario compiled once into the flat arrays the engine reads every cycle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour.memory import MemoryModel
from cxsim.specs.population import MemorySpec
from cxsim.specs.scenario import Scenario

Array = NDArray[np.float64]


@dataclass(frozen=True)
class MemoryGroup:
    """Segments that share one memory spec, so their customers are remembered in one call."""

    memory: MemorySpec
    segments: NDArray[np.intp]

    @property
    def model(self) -> MemoryModel:
        return self.memory.model


@dataclass(frozen=True)
class Compiled:
    """Per-touchpoint and per-segment arrays of a scenario (columns follow journey order)."""

    scenario: Scenario
    names: tuple[str, ...]
    stages: tuple[str, ...]
    sign: Array
    unit: Array
    duration: Array
    cost_per_encounter: Array
    fixed_cost: float
    shares: Array
    tolerance: Array
    loss_aversion: Array
    adaptation: Array
    initial_satisfaction: Array
    retention: Array
    noise: Array
    revenue: Array
    memory_groups: tuple[MemoryGroup, ...]

    @property
    def n_touchpoints(self) -> int:
        return len(self.names)

    @property
    def segment_names(self) -> tuple[str, ...]:
        return self.scenario.population.names


def compile_scenario(scenario: Scenario) -> Compiled:
    """Turn the validated specs into arrays; nothing here can fail on a valid scenario."""
    tps = scenario.journey.touchpoints
    segs = scenario.population.segments
    memories = [scenario.memory_of(s) for s in segs]
    groups: list[MemoryGroup] = []
    for mem in dict.fromkeys(memories):  # distinct specs, in segment order
        ids = np.array([k for k, m in enumerate(memories) if m == mem], dtype=np.intp)
        groups.append(MemoryGroup(mem, ids))
    econ = scenario.economics
    return Compiled(
        scenario=scenario,
        names=tuple(tp.name for tp in tps),
        stages=tuple(tp.stage for tp in tps),
        sign=np.array([tp.measure.sign for tp in tps]),
        unit=np.array([tp.affect_unit for tp in tps]),
        duration=np.array([tp.duration for tp in tps]),
        cost_per_encounter=np.array([tp.cost_per_encounter for tp in tps]),
        fixed_cost=float(sum(tp.fixed_cost_per_cycle for tp in tps) + econ.fixed_cost_per_cycle),
        shares=np.array([s.share for s in segs]),
        tolerance=np.array([s.tolerance for s in segs]),
        loss_aversion=np.array([s.loss_aversion for s in segs]),
        adaptation=np.array([s.adaptation for s in segs]),
        initial_satisfaction=np.array([s.initial_satisfaction for s in segs]),
        retention=np.array([m.retention for m in memories]),
        noise=np.array([m.noise for m in memories]),
        revenue=np.array([
            s.revenue_per_purchase if s.revenue_per_purchase is not None else econ.revenue_per_purchase
            for s in segs
        ]),
        memory_groups=tuple(groups),
    )
