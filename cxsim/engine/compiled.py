"""A scenario compiled once into the flat arrays the engine reads every cycle."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour import memory as models
from cxsim.behaviour.affect import RATIO_FLOOR
from cxsim.behaviour.loyalty import logit
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


#: Memory-model codes understood by the kernel (a model not listed falls back to numpy).
KINDS = {"mean": 0, "integral": 1, "total": 2, "end": 3, "peak": 4, "peak_end": 5, "recency": 7,
         "key_moments": 8}
BEST_WORST = 6  # peak_end with peak="best_worst"


@dataclass(frozen=True)
class MemoryTable:
    """The segments' memory models as flat arrays for :mod:`cxsim.engine.kernel` (a row per group)."""

    group_of_segment: NDArray[np.int64]  # (S,)
    kind: NDArray[np.int64]  # (G,)
    params: Array  # (G, 4): w_peak, w_end, w_trough, half_life or per
    weights: Array  # (G, T): key-moment weights


def memory_table(groups: tuple["MemoryGroup", ...], names: tuple[str, ...], n_segments: int) -> MemoryTable | None:
    """Flatten the compiled memory groups; ``None`` if a model is not one the kernel knows."""
    n_g, n_t = len(groups), len(names)
    group_of_segment = np.zeros(n_segments, dtype=np.int64)
    kind = np.zeros(n_g, dtype=np.int64)
    params = np.zeros((n_g, 4))
    weights = np.zeros((n_g, n_t))
    for g, group in enumerate(groups):
        model = group.model
        if type(model) not in (models.PeakEnd, models.Mean, models.Integral, models.Total, models.End, models.Peak,
                               models.Recency, models.KeyMoments):
            return None  # a user's own model: the numpy path runs it
        group_of_segment[group.segments] = g
        kind[g] = KINDS[model.kind]
        if isinstance(model, models.PeakEnd):
            kind[g] = BEST_WORST if model.peak == "best_worst" else KINDS["peak_end"]
            params[g, :3] = (model.w_peak, model.w_end, model.w_trough)
        elif isinstance(model, models.Recency):
            params[g, 3] = model.half_life
        elif isinstance(model, models.Total):
            params[g, 3] = model.per
        elif isinstance(model, models.KeyMoments):
            weights[g] = model.vector(names)
    return MemoryTable(group_of_segment, kind, params, weights)


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
    def kernel_arguments(self) -> tuple[object, ...]:
        """The scenario's arguments of :func:`cxsim.engine.kernel.journey_block`, ``sign`` to
        ``hazard_table``, built once (the kernel is called for every block of customers, and by
        the agent engine for every customer). Only for a scenario the kernel runs
        (``memory_table`` is not None)."""
        table = self.memory_table
        if table is None:
            raise ValueError("memory: a custom memory model runs on the numpy backend, not the kernel")
        loy = self.scenario.loyalty
        return (
            self.sign, self.sign / self.unit, self.duration, self.scenario.affect_form == "ratio", RATIO_FLOOR,
            self.tolerance, self.loss_aversion, self.adaptation, self.retention, self.noise,
            table.group_of_segment, table.kind, table.params, table.weights,
            float(logit(loy.base_repurchase)), loy.satisfaction_slope, loy.terrible_floor,
            loy.terrible_hazard, loy.hazard_escalation, loy.bad_memory_retention,
            loy.recommend_intercept, loy.recommend_slope, loy.recommend_noise,
            np.asarray(loy.terrible_hazards or (), dtype=np.float64),
        )

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
