"""The compiled journey step's inputs, grouped by meaning into named records.

:func:`cxsim.engine.kernel.journey_block` takes a range of customers and five records: the
scenario's tables (:class:`ScenarioTables`: touchpoints and segments, memory models, loyalty),
built once per scenario by :attr:`cxsim.engine.compiled.Compiled.kernel_tables`; the cycle's
draws (:class:`Draws`); the customers' state (:class:`Customers`), updated in place; and the
outcome arrays it writes (:class:`Outputs`). They are ``typing.NamedTuple`` classes, which numba
passes as structures of their fields: inside the kernel a field costs what a separate argument
did, and numba's dispatcher fingerprints a named tuple of arrays in C, field by field, as it does
separate arguments (numba pull request 6145). Arrays are touchpoint-major ``(T, n)`` where they
have a touchpoint axis.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class JourneyTables(NamedTuple):
    """Per touchpoint and per segment: how moments feel and how expectations move."""

    sign: Array  # (T,) +1 higher is better, -1 lower is better
    factor: Array  # (T,) sign / affect unit (difference form)
    duration: Array  # (T,) duration of each moment
    ratio_form: bool  # the ratio form of the Delta law (else the difference form)
    ratio_floor: float  # smallest expectation the ratio form divides by
    tolerance: Array  # (S,) zone of tolerance
    loss_aversion: Array  # (S,)
    adaptation: Array  # (S,) rate at which expectations move toward performance
    retention: Array  # (S,) share of satisfaction kept each cycle
    noise: Array  # (S,) sd of the noise on each remembered value


class MemoryTable(NamedTuple):
    """The segments' memory models as flat arrays (a row per group of segments sharing one).

    Each group's model packs itself (:meth:`~cxsim.behaviour.memory_parts.MemoryModel.kernel_row`):
    its formula's :class:`~cxsim.behaviour.memory_parts.MemoryKind` code, four parameters and,
    for a formula that weighs each touchpoint, a weight per touchpoint.
    """

    group_of_segment: NDArray[np.int64]  # (S,)
    kind: NDArray[np.int64]  # (G,) MemoryKind code of each group's formula
    params: Array  # (G, 4): the formula's parameters, as its model packs them
    weights: Array  # (G, T): weight per touchpoint (key moments)
    by_moment: NDArray[np.bool_]  # (G,) does the group's formula go through the moments one by one?
    durations: bool  # does any group's formula read the duration sums?


class LoyaltyTables(NamedTuple):
    """Switching, terrible moments and the recommendation score (:mod:`cxsim.behaviour.loyalty`)."""

    logit_base: float  # logit of the base chance to repurchase
    slope: float  # satisfaction slope of the chance to repurchase
    terrible_floor: float  # a moment below this affect is terrible
    hazard: float  # chance to switch after one terrible moment
    escalation: float  # how the hazard grows with the bad memory
    bad_retention: float  # share of the bad memory kept each cycle
    recommend_intercept: float
    recommend_slope: float
    recommend_noise: float
    hazard_table: Array  # hazard by lifetime count of terrible moments (empty: escalation)


class ScenarioTables(NamedTuple):
    """Everything the kernel reads that depends only on the scenario."""

    journey: JourneyTables
    memory: MemoryTable
    loyalty: LoyaltyTables


class Draws(NamedTuple):
    """The cycle's random inputs (:class:`cxsim.engine.cycle.CycleDraws`), touchpoint-major."""

    performance: Array  # (T, n)
    present: NDArray[np.bool_]  # (T, n)
    memory_z: Array  # (n,)
    churn_u: Array  # (n,)
    recommend_z: Array  # (n,)


class Customers(NamedTuple):
    """The customers' state (:class:`cxsim.engine.state.PopulationState`), updated in place."""

    expectation: Array  # (T, n)
    segment: NDArray[np.signedinteger[Any]]  # (n,) int8 up to 127 segments (state.segment_dtype)
    satisfaction: Array  # (n,)
    bad_memory: Array  # (n,)
    active: NDArray[np.bool_]  # (n,)
    terrible_count: NDArray[np.int32]  # (n,)


class Outputs(NamedTuple):
    """The outcome arrays the kernel writes (:class:`cxsim.engine.cycle.CycleOutcome`)."""

    experienced: Array  # (n,)
    remembered: Array  # (n,)
    terrible: Array  # (n,)
    recommend: NDArray[np.int8]  # (n,)
    churned: NDArray[np.bool_]  # (n,)
    affect: Array  # (T, n) affect per moment, written with keep_affect
    keep_affect: bool
    expectation: Array  # (T, n) expectation per moment, written with keep_expectation
    keep_expectation: bool
    sample_row: int  # the customer whose moments go to sample_affect (-1: none)
    sample_affect: Array  # (T,)
