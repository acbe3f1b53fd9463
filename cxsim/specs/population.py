"""Customers: segments with shares, expectations, tolerance, loss aversion and memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cxsim.behaviour.memory import MemoryModel, PeakEnd, memory_model_from_dict
from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.distribution import Distribution


@dataclass(frozen=True)
class MemorySpec:
    """How a customer remembers: the episode model, fading across cycles, and memory noise.

    Attributes:
        model: the episode memory model (peak-end, mean, …).
        retention: share of the earlier cycles' memory (cumulative satisfaction) kept each cycle.
        noise: standard deviation of noise added to each remembered value (affect units).
    """

    model: MemoryModel = field(default_factory=PeakEnd)
    retention: float = 0.6
    noise: float = 0.0

    def __post_init__(self) -> None:
        checks.unit_interval("retention", self.retention)
        checks.non_negative("noise", self.noise)

    @classmethod
    def from_config(cls, path: str, data: Any) -> MemorySpec:
        """The config's flat shape: the model's ``kind`` and parameters beside :data:`MEMORY_COMMON`,
        e.g. ``{kind: peak_end, w_peak: 0.4, w_end: 0.4, retention: 0.6, noise: 0}``."""
        data = dict(checks.mapping(path, data))
        common = {k: data.pop(k) for k in MEMORY_COMMON if k in data}
        model = memory_model_from_dict(path, data)
        try:
            return cls(model=model, **common)
        except SpecError as err:
            raise err.at(path) from None


#: The keys of a memory config that are the :class:`MemorySpec`'s own (the others are its model's).
MEMORY_COMMON = ("retention", "noise")


@dataclass(frozen=True)
class Segment:
    """A segment of customers.

    Attributes:
        name: unique within the population.
        share: share of customers, all shares summing to 1.
        expectations: per-touchpoint expectation distributions that override the touchpoint's.
        tolerance: half-width of the zone of tolerance, in affect units.
        loss_aversion: how many times a shortfall counts more than an equal surplus.
        adaptation: share by which expectations move toward experienced performance each cycle.
        initial_satisfaction: cumulative satisfaction before the first cycle (affect units).
        revenue_per_purchase: overrides the scenario's revenue per purchase if set.
        memory: the segment's memory (``None``: the scenario's).
    """

    name: str
    share: float
    expectations: Mapping[str, Distribution] = field(default_factory=dict)
    tolerance: float = 0.0
    loss_aversion: float = 2.0
    adaptation: float = 0.1
    initial_satisfaction: float = 0.0
    revenue_per_purchase: float | None = None
    memory: MemorySpec | None = None

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        checks.unit_interval("share", self.share)
        checks.non_negative("tolerance", self.tolerance)
        checks.positive("loss_aversion", self.loss_aversion)
        checks.unit_interval("adaptation", self.adaptation)
        checks.number("initial_satisfaction", self.initial_satisfaction)
        if self.revenue_per_purchase is not None:
            checks.non_negative("revenue_per_purchase", self.revenue_per_purchase)
        object.__setattr__(self, "expectations", dict(self.expectations))


@dataclass(frozen=True)
class Population:
    """Segments whose shares sum to 1."""

    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        segs = tuple(checks.sequence("segments", self.segments))
        if not segs:
            raise SpecError("segments", [], "at least one segment is required")
        names = [s.name for s in segs]
        for i, n in enumerate(names):
            if names.index(n) != i:
                raise SpecError(f"segments[{i}].name", n, "segment names must be unique")
        total = sum(s.share for s in segs)
        if abs(total - 1.0) > 1e-9:
            raise SpecError("segments.share", round(total, 12), "the segments' shares must sum to 1")
        object.__setattr__(self, "segments", segs)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)
