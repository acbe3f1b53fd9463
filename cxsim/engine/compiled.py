"""A scenario compiled once into the flat arrays the engine reads every cycle."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour import memory as models
from cxsim.behaviour.affect import RATIO_FLOOR
from cxsim.behaviour.loyalty import logit
from cxsim.behaviour.memory_parts import MemoryModel, kernel_row_of
from cxsim.engine.kernel_inputs import JourneyTables, LoyaltyTables, MemoryTable, ScenarioTables
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


def memory_table(groups: tuple[MemoryGroup, ...], names: tuple[str, ...], n_segments: int) -> MemoryTable | None:
    """Flatten the compiled memory groups; ``None`` if a model has no kernel formula (a user's own
    model: the numpy path runs it)."""
    n_g, n_t = len(groups), len(names)
    formulas = {f.code: f for f in models.kernel_formulas()}
    group_of_segment = np.zeros(n_segments, dtype=np.int64)
    kind = np.zeros(n_g, dtype=np.int64)
    params = np.zeros((n_g, 4))
    weights = np.zeros((n_g, n_t))
    by_moment = np.zeros(n_g, dtype=bool)
    durations = False
    for g, group in enumerate(groups):
        row = kernel_row_of(group.model, names)
        if row is None or row.code not in formulas:
            return None
        group_of_segment[group.segments] = g
        kind[g] = int(row.code)
        params[g] = row.params
        if row.weights is not None:
            weights[g] = row.weights
        by_moment[g] = formulas[row.code].by_moment
        durations = durations or formulas[row.code].reads_durations
    return MemoryTable(group_of_segment, kind, params, weights, by_moment, bool(durations))


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
    memory_table: MemoryTable | None  # the memory groups for the compiled kernel (None: numpy only)

    @cached_property
    def kernel_tables(self) -> ScenarioTables:
        """The scenario's record for :func:`cxsim.engine.kernel.journey_block`, built once (the
        kernel is called for every block of customers, and by the agent engine for every
        customer). Only for a scenario the kernel runs (``memory_table`` is not None)."""
        table = self.memory_table
        if table is None:
            raise ValueError("memory: a custom memory model runs on the numpy backend, not the kernel")
        loy = self.scenario.loyalty
        journey = JourneyTables(
            self.sign, self.sign / self.unit, self.duration, self.scenario.affect_form == "ratio", RATIO_FLOOR,
            self.tolerance, self.loss_aversion, self.adaptation, self.retention, self.noise,
        )
        loyalty = LoyaltyTables(
            float(logit(loy.base_repurchase)), loy.satisfaction_slope, loy.terrible_floor,
            loy.terrible_hazard, loy.hazard_escalation, loy.bad_memory_retention,
            loy.recommend_intercept, loy.recommend_slope, loy.recommend_noise,
            np.asarray(loy.terrible_hazard_by_count or (), dtype=np.float64),
        )
        return ScenarioTables(journey, table, loyalty)

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
        memory_table=memory_table(tuple(groups), tuple(tp.name for tp in tps), len(segs)),
    )
