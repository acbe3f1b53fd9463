"""Touchpoints and journeys: what a customer goes through in one purchase cycle."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.copula import GaussianCopula, check_copula
from cxsim.specs.distribution import (
    Beta,
    Constant,
    Distribution,
    Empirical,
    LogNormal,
    Normal,
    distribution_from_dict,
)
from cxsim.specs.operations import OperationsSource, performance_from_dict

DIRECTIONS = ("higher", "lower")
STAGES = ("pre_purchase", "purchase", "post_purchase", "relationship")


@dataclass(frozen=True)
class Measure:
    """How a touchpoint's performance is measured: name, unit and which way is better."""

    name: str
    unit: str = "score"
    direction: Literal["higher", "lower"] = "higher"

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        checks.choice("direction", self.direction, DIRECTIONS)

    @property
    def sign(self) -> float:
        """+1 when higher is better, −1 when lower is better."""
        return 1.0 if self.direction == "higher" else -1.0


@dataclass(frozen=True)
class Touchpoint:
    """One touchpoint of a journey.

    Attributes:
        name: unique within the journey.
        stage: the journey stage it belongs to (one of the journey's stages).
        measure: what is measured, its unit and direction.
        performance: distribution of performance per encounter, in the measure's unit.
        expectation: distribution of a typical customer's expectation (segments may override).
        duration: how long the moment lasts (any time unit, the same for all touchpoints).
        importance: stated importance (e.g. 0–10), used in reports and gap analysis.
        affect_unit: measure units that make one unit of affect in the difference form.
        cost_per_encounter: paid each time a customer goes through it.
        fixed_cost_per_cycle: paid every cycle whoever comes.
        every: occurs every ``every`` cycles (1 = each cycle; 12 with monthly cycles = yearly).
        offset: in which cycle of the period it occurs, 0 ≤ offset < every (0-based cycles).
        probability: chance that it occurs in a cycle where it is due; inside a branch group the
            chance that this alternative is the one taken.
        branch: name of a group of mutually exclusive alternatives (exactly one is taken).
    """

    name: str
    stage: str
    measure: Measure
    performance: Distribution | OperationsSource = field(metadata={"convert": performance_from_dict})
    expectation: Distribution = field(metadata={"convert": distribution_from_dict})
    duration: float = 1.0
    importance: float = 1.0
    affect_unit: float = 1.0
    cost_per_encounter: float = 0.0
    fixed_cost_per_cycle: float = 0.0
    every: int = 1
    offset: int = 0
    probability: float = 1.0
    branch: str | None = None

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        checks.name("stage", self.stage)
        checks.positive("duration", self.duration)
        checks.non_negative("importance", self.importance)
        checks.positive("affect_unit", self.affect_unit)
        checks.non_negative("cost_per_encounter", self.cost_per_encounter)
        checks.non_negative("fixed_cost_per_cycle", self.fixed_cost_per_cycle)
        every = checks.integer("every", self.every, 1)
        offset = checks.integer("offset", self.offset, 0)
        if offset >= every:
            raise SpecError("offset", self.offset, f"must be smaller than every ({every})")
        checks.unit_interval("probability", self.probability)
        if self.branch is not None:
            checks.name("branch", self.branch)

    def due(self, cycle: int) -> bool:
        """Whether the touchpoint is scheduled in (0-based) ``cycle``."""
        return cycle % self.every == self.offset


def positive_support(dist: Distribution) -> bool:
    """True when ``dist`` can only produce values > 0 (needed by the ratio form)."""
    if isinstance(dist, Normal):
        return dist.low is not None and dist.low > 0
    if isinstance(dist, LogNormal):
        return dist.high is None or dist.high > 0
    if isinstance(dist, Beta):
        return dist.low >= 0
    if isinstance(dist, Empirical):
        return min(dist.values) > 0
    if isinstance(dist, Constant):
        return dist.value > 0
    return False


@dataclass(frozen=True)
class Journey:
    """An ordered journey: stages in order, touchpoints ordered by stage then as listed.

    Branch groups are sets of alternatives of which exactly one happens (their probabilities sum
    to 1); touchpoints outside a group happen with their own probability when due. ``copula``
    (optional) joins some touchpoints' performance draws (:mod:`cxsim.specs.copula`).
    """

    stages: tuple[str, ...]
    touchpoints: tuple[Touchpoint, ...]
    copula: GaussianCopula | None = None

    def __post_init__(self) -> None:
        stages = tuple(checks.sequence("stages", self.stages))
        if not stages:
            raise SpecError("stages", self.stages, "a journey needs at least one stage")
        dup = [s for s, c in Counter(stages).items() if c > 1]
        if dup:
            raise SpecError("stages", dup[0], "stage names must be unique")
        tps = tuple(checks.sequence("touchpoints", self.touchpoints))
        if not tps:
            raise SpecError("touchpoints", [], "a journey needs at least one touchpoint")
        seen: set[str] = set()
        for i, tp in enumerate(tps):
            if tp.name in seen:
                raise SpecError(f"touchpoints[{i}].name", tp.name, "touchpoint names must be unique")
            seen.add(tp.name)
            if tp.stage not in stages:
                raise SpecError(f"touchpoints[{i}].stage", tp.stage, "allowed: " + ", ".join(stages))
        order = {s: k for k, s in enumerate(stages)}
        ordered = tuple(sorted(tps, key=lambda tp: order[tp.stage]))  # stable: keeps listed order
        object.__setattr__(self, "stages", stages)
        object.__setattr__(self, "touchpoints", ordered)
        for group, members in self.branches().items():
            total = sum(tp.probability for tp in members)
            if abs(total - 1.0) > 1e-9:
                raise SpecError(f"touchpoints[branch={group}].probability", round(total, 12),
                                "the probabilities of a branch group's alternatives must sum to 1")
            if len({(tp.every, tp.offset) for tp in members}) > 1:
                raise SpecError(f"touchpoints[branch={group}].every", [tp.every for tp in members],
                                "alternatives of one branch group must share every and offset")
        if self.copula is not None:
            check_copula(self.copula, {tp.name: tp.performance for tp in ordered})
        always = [tp for tp in ordered if tp.every == 1 and (tp.branch is not None or tp.probability == 1.0)]
        if not always:
            raise SpecError("touchpoints", [tp.name for tp in ordered],
                            "at least one touchpoint (or branch group) must occur in every cycle "
                            "(every: 1, probability: 1)")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(tp.name for tp in self.touchpoints)

    def branches(self) -> dict[str, list[Touchpoint]]:
        """Branch groups by name, each with its alternatives in journey order."""
        groups: dict[str, list[Touchpoint]] = {}
        for tp in self.touchpoints:
            if tp.branch is not None:
                groups.setdefault(tp.branch, []).append(tp)
        return groups

    def index(self, name: str) -> int:
        return self.names.index(name)
