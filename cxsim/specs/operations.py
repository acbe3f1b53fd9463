"""Specs of the operations that produce performance: frozen dataclasses, validated once.

Times: stores and the call centre work in **minutes** (opening hours are given in hours of the
day, 0–24); the order-to-delivery pipeline works in **days**. Every spec can be built from plain
config data with :func:`operations_from_dict`; each error names its field, e.g.
``scenario.operations.stores.counters``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks
from cxsim.specs.distribution import Distribution, distribution_from_dict
from cxsim.specs.mapping import from_mapping

__all__ = [
    "BACKENDS",
    "CHOICES",
    "CallCentreSpec",
    "EventSpec",
    "MINUTES_PER_DAY",
    "OpeningHours",
    "OperationsSource",
    "OperationsSpec",
    "PipelineSpec",
    "Site",
    "StoresSpec",
    "UnboundedQueueWarning",
    "WEEKDAYS",
    "check_sources",
    "hours_from_dict",
    "operations_from_dict",
    "performance_from_dict",
    "records_of",
    "scale_from_dict",
    "warn_if_unbounded",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BACKENDS = ("kernel", "simpy")
CHOICES = ("nearest", "shortest_wait")
MINUTES_PER_DAY = 1440.0


class UnboundedQueueWarning(UserWarning):
    """Offered load is at or above capacity and nothing (abandonment, closing) bounds the queue."""


@dataclass(frozen=True)
class OpeningHours:
    """Opening hours per weekday, as ``(open, close)`` hours of the day or ``None`` (closed).

    Cycles start on a Monday; day ``d`` of a cycle is weekday ``d % 7``.
    """

    days: tuple[tuple[float, float] | None, ...] = ((0.0, 24.0),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise SpecError("hours", self.days, "one entry per weekday (mon..sun) is required")
        normal: list[tuple[float, float] | None] = []
        for name, day in zip(WEEKDAYS, self.days):
            if day is None:
                normal.append(None)
                continue
            opens, closes = (checks.number(f"hours.{name}", v) for v in day)
            normal.append((opens, closes))
            if not 0.0 <= opens < 24.0 or not 0.0 < closes <= 24.0:
                raise SpecError(f"hours.{name}", list(day), "hours of the day must lie in [0, 24]")
            if closes <= opens:
                raise SpecError(f"hours.{name}", list(day),
                                "the closing hour must come after the opening hour")
        if all(d is None for d in self.days):
            raise SpecError("hours", "closed every day", "at least one weekday must be open")
        object.__setattr__(self, "days", tuple(normal))

    def window(self, day: int) -> tuple[float, float] | None:
        """Opening and closing minute of the cycle's ``day`` (absolute minutes), or None."""
        hours = self.days[day % 7]
        if hours is None:
            return None
        return day * MINUTES_PER_DAY + hours[0] * 60.0, day * MINUTES_PER_DAY + hours[1] * 60.0

    def open_minutes_per_week(self) -> float:
        return sum((d[1] - d[0]) * 60.0 for d in self.days if d is not None)

    def closes(self) -> bool:
        """Whether the station ever closes (closing turns the queue away: a horizon)."""
        return any(d is None or d != (0.0, 24.0) for d in self.days)

    @classmethod
    def from_config(cls, path: str, data: Any) -> OpeningHours:
        """The config's shape, ``{default: [10, 20], sun: [12, 18], mon: null}`` (:func:`hours_from_dict`)."""
        return hours_from_dict(path, data)


def hours_from_dict(field_: str, data: Any) -> OpeningHours:
    """``{default: [10, 20], sun: [12, 18], mon: null}`` → :class:`OpeningHours`."""
    if data is None:
        return OpeningHours()
    data = checks.mapping(field_, data)
    checks.no_unknown_keys(field_, data, ("default", *WEEKDAYS))
    default = data.get("default", [0, 24])
    days: list[tuple[Any, Any] | None] = []
    for name in WEEKDAYS:
        value = data.get(name, default)
        if value is None or value == "closed":
            days.append(None)
            continue
        pair = checks.sequence(f"{field_}.{name}", value)
        if len(pair) != 2:
            raise SpecError(f"{field_}.{name}", value, "[open, close] in hours of the day, or null (closed)")
        days.append((pair[0], pair[1]))
    try:
        return OpeningHours(tuple(days))
    except SpecError as err:
        raise SpecError(f"{field_}{err.field[5:]}", err.value, err.allowed) from None


def _whole(spec: Any, name: str, minimum: int) -> int:
    """Check a whole-number field and keep it as an ``int`` (``5.0`` from an intervention's
    ``{scale: ...}`` or the command line becomes ``5``; ``2.5`` is refused)."""
    value = checks.integer(name, getattr(spec, name), minimum)
    object.__setattr__(spec, name, value)
    return value


def _scaled(capacity: int, factor: float) -> int:
    """``capacity × factor`` rounded half up to a whole number, at least 1."""
    return max(1, math.floor(capacity * factor + 0.5))


def scale_from_dict(data: Any, path: str = "operations") -> float | None:
    """``scale`` of a mapping (``scenario.operations``, or the old top-level ``operations``): a
    finite number > 0, or ``None`` when it is not given (no mapping, no key, or ``null``)."""
    if data is None:
        return None
    data = checks.mapping(path, data)
    value = data.get("scale")
    if value is None:
        return None
    allowed = ("a finite number > 0 is required (the factor on every operations capacity: "
               "counters, agents, lines, trucks, seats)")
    try:
        scale = checks.number(f"{path}.scale", value)
    except SpecError:
        raise SpecError(f"{path}.scale", value, allowed) from None
    if scale <= 0:
        raise SpecError(f"{path}.scale", value, allowed)
    return scale


def _non_negative_dist(field_: str, dist: Distribution | None) -> None:
    """Times may not be negative: refuse distributions that can produce values below 0."""
    if dist is None:
        return
    low = getattr(dist, "low", None)
    kind = dist.kind
    if kind == "normal" and (low is None or low < 0):
        raise SpecError(f"{field_}.low", low, "a normal time distribution needs low >= 0 (times cannot be negative)")
    if kind in ("beta",) and low < 0:  # type: ignore[operator]  # a beta always has a low
        raise SpecError(f"{field_}.low", low, "times cannot be negative: low must be >= 0")
    if kind == "empirical" and min(dist.values) < 0:  # type: ignore[attr-defined]
        raise SpecError(f"{field_}.values", min(dist.values), "times cannot be negative")  # type: ignore[attr-defined]
    if kind == "constant" and dist.value < 0:  # type: ignore[attr-defined]
        raise SpecError(f"{field_}.value", dist.value, "times cannot be negative")  # type: ignore[attr-defined]


def _check_hourly(weights: Mapping[Any, float] | None, hours: OpeningHours, days: int) -> None:
    """Hours 0–23 with weights >= 0, and some weight on an open hour."""
    if weights is None:
        return
    for h, w in weights.items():
        if isinstance(h, bool) or not isinstance(h, (int, str)) or not str(h).isdigit() or not 0 <= int(h) <= 23:
            raise SpecError(f"hourly_weights.{h}", h, "keys are hours of the day, 0 to 23")
        checks.non_negative(f"hourly_weights.{h}", w)
    profile = _profile(weights)
    for d in range(days):
        if (window := hours.window(d)) is not None:
            lo, hi = int(window[0] % MINUTES_PER_DAY // 60), int(np.ceil((window[1] - d * MINUTES_PER_DAY) / 60))
            if profile[lo:hi].sum() > 0:  # type: ignore[index]
                return
    raise SpecError("hourly_weights", dict(weights), "at least one open hour needs a weight > 0")


def _profile(weights: Mapping[Any, float] | None) -> NDArray[np.float64] | None:
    """24 weights (hours not given weigh 1), or None for uniform arrivals."""
    if weights is None:
        return None
    out = np.ones(24)
    for h, w in weights.items():
        out[int(h)] = float(w)
    return out


def hourly_weights_from_config(path: str, data: Any) -> dict[int, float] | None:
    """``{hour: weight}``, or a list of 24 weights (index = hour of the day) → ``{hour: weight}``."""
    if data is None:
        return None
    if isinstance(data, Mapping):
        return dict(data)
    seq = checks.sequence(path, data)
    if len(seq) != 24:
        raise SpecError(path, data, "24 weights (one per hour, 0-23) or {hour: weight}")
    return dict(enumerate(seq))


@dataclass(frozen=True)
class Site:
    """A possible store location: its name and the travel minutes from each segment."""

    name: str
    travel_minutes: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        object.__setattr__(self, "travel_minutes", dict(checks.mapping("travel_minutes", self.travel_minutes)))
        for seg, minutes in self.travel_minutes.items():
            checks.non_negative(f"travel_minutes.{seg}", minutes)

    def travel(self, segment: str) -> float:
        return float(self.travel_minutes.get(segment, 0.0))


@dataclass(frozen=True)
class StoresSpec:
    """Stores with opening hours, counters and a queue (Meisu: four shops on one street).

    Attributes:
        sites: possible locations, in the order they are opened; the first ``count`` are open.
        count: number of stores open (the intervention "open a second store" raises it).
        counters: counters (servers) per store.
        hours: opening hours; customers arrive uniformly over the open minutes of the cycle and
            may not start service after closing (they are turned away, outcome ``closed``).
        days_per_cycle: days in one purchase cycle.
        service_minutes: service time per visit.
        patience_minutes: how long a customer waits before leaving unserved (None: forever).
        balk_queue_length: a customer who finds this many or more waiting leaves at once
            (None: never balks).
        choice: ``nearest`` (least travel) or ``shortest_wait`` (least travel + expected wait,
            the queue seen on arrival times mean service over counters).
        unserved_penalty_minutes: added to ``visit_minutes`` of a customer who left unserved.
        cost_per_store_per_cycle, cost_per_counter_per_cycle: capacity costs.
        hourly_weights: time-of-day pattern of arrivals, ``{hour: weight}`` (hours not given
            weigh 1; None: uniform over the open minutes).
    """

    sites: tuple[Site, ...]
    count: int = 1
    counters: int = 1
    hours: OpeningHours = field(default_factory=OpeningHours)
    days_per_cycle: int = 30
    service_minutes: Distribution | None = None
    patience_minutes: Distribution | None = None
    balk_queue_length: int | None = None
    choice: Literal["nearest", "shortest_wait"] = "nearest"
    unserved_penalty_minutes: float = 30.0
    cost_per_store_per_cycle: float = 0.0
    cost_per_counter_per_cycle: float = 0.0
    hourly_weights: Mapping[int, float] | None = field(default=None, metadata={"convert": hourly_weights_from_config})

    def __post_init__(self) -> None:
        if not self.sites:
            raise SpecError("sites", [], "at least one site is required")
        names = [s.name for s in self.sites]
        if len(set(names)) != len(names):
            raise SpecError("sites", names, "site names must be unique")
        count = _whole(self, "count", 1)
        if count > len(self.sites):
            raise SpecError("count", self.count, f"at most the number of sites ({len(self.sites)})")
        _whole(self, "counters", 1)
        _whole(self, "days_per_cycle", 1)
        if self.open_minutes() <= 0:
            raise SpecError("hours", "closed on every day of the cycle",
                            f"the stores must open on at least one of the {self.days_per_cycle} days")
        if self.service_minutes is None:
            raise SpecError("service_minutes", None, "a service time distribution is required")
        _non_negative_dist("service_minutes", self.service_minutes)
        _non_negative_dist("patience_minutes", self.patience_minutes)
        if self.balk_queue_length is not None:
            _whole(self, "balk_queue_length", 0)
        checks.choice("choice", self.choice, CHOICES)
        checks.non_negative("unserved_penalty_minutes", self.unserved_penalty_minutes)
        checks.non_negative("cost_per_store_per_cycle", self.cost_per_store_per_cycle)
        checks.non_negative("cost_per_counter_per_cycle", self.cost_per_counter_per_cycle)
        _check_hourly(self.hourly_weights, self.hours, self.days_per_cycle)

    def hourly_profile(self) -> NDArray[np.float64] | None:
        return _profile(self.hourly_weights)

    @property
    def open_sites(self) -> tuple[Site, ...]:
        return self.sites[: self.count]

    def capacity_cost(self) -> float:
        return self.count * (self.cost_per_store_per_cycle + self.counters * self.cost_per_counter_per_cycle)

    def scaled(self, factor: float) -> StoresSpec:
        """Counters per shop × ``factor`` (the shops themselves are the sites, and stay)."""
        return replace(self, counters=_scaled(self.counters, factor))

    def open_minutes(self) -> float:
        return sum(
            (w[1] - w[0]) for d in range(self.days_per_cycle) if (w := self.hours.window(d)) is not None
        )

    def bounded(self) -> bool:
        """Whether something besides capacity bounds the queue (abandonment, balking, closing)."""
        return self.patience_minutes is not None or self.balk_queue_length is not None or self.hours.closes()


@dataclass(frozen=True)
class PipelineSpec:
    """Order-to-delivery: make-to-order production with capacity, then shipping (days).

    Attributes:
        make_to_order: produce each order (True) or ship from stock (False: no production).
        lines: production lines working in parallel (capacity); orders queue FCFS.
        batch_every_days: batch production — campaigns start every this many days and an order
            waits for the next campaign before it queues for a line (None: per order, at once).
        production_days: production time per order.
        shipping_days: shipping lead time per order (the truck trip).
        trucks: trucks available (None: no truck limit, shipping is a pure delay).
        promised_days: what the customer is promised; ``on_time`` = delivered within it.
        days_per_cycle: days in one purchase cycle (orders arrive uniformly over it).
        cost_per_line_per_cycle, cost_per_truck_per_cycle: capacity costs.
    """

    production_days: Distribution | None = None
    shipping_days: Distribution | None = None
    make_to_order: bool = True
    lines: int = 1
    trucks: int | None = None
    promised_days: float = 5.0
    days_per_cycle: int = 30
    batch_every_days: float | None = None
    cost_per_line_per_cycle: float = 0.0
    cost_per_truck_per_cycle: float = 0.0

    def __post_init__(self) -> None:
        checks.flag("make_to_order", self.make_to_order)
        if self.make_to_order and self.production_days is None:
            raise SpecError("production_days", None, "a production time distribution is required for make_to_order")
        if self.shipping_days is None:
            raise SpecError("shipping_days", None, "a shipping lead-time distribution is required")
        _non_negative_dist("production_days", self.production_days)
        _non_negative_dist("shipping_days", self.shipping_days)
        _whole(self, "lines", 1)
        if self.trucks is not None:
            _whole(self, "trucks", 1)
        checks.non_negative("promised_days", self.promised_days)
        if self.batch_every_days is not None:
            checks.positive("batch_every_days", self.batch_every_days)
        _whole(self, "days_per_cycle", 1)
        checks.non_negative("cost_per_line_per_cycle", self.cost_per_line_per_cycle)
        checks.non_negative("cost_per_truck_per_cycle", self.cost_per_truck_per_cycle)

    def capacity_cost(self) -> float:
        lines = self.lines if self.make_to_order else 0
        return lines * self.cost_per_line_per_cycle + (self.trucks or 0) * self.cost_per_truck_per_cycle

    def scaled(self, factor: float) -> PipelineSpec:
        """Production lines and trucks × ``factor`` (no truck limit stays none)."""
        trucks = None if self.trucks is None else _scaled(self.trucks, factor)
        return replace(self, lines=_scaled(self.lines, factor), trucks=trucks)


@dataclass(frozen=True)
class CallCentreSpec:
    """A call centre: agents, a queue with abandonment, transfers that may make callers repeat.

    Attributes:
        agents: first-line agents.
        specialists: second-line agents who take transferred calls.
        handle_minutes: first-line handling time; specialist_minutes: second-line handling time.
        patience_minutes: time a caller waits for a first-line agent before hanging up (None:
            never abandons).
        transfer_probability: chance a served call is transferred to a specialist.
        repeat_probability: chance a transferred caller must repeat the problem (45 % of
            customers name having to repeat themselves among the worst behaviours).
        repeat_minutes: extra specialist minutes when the problem is repeated.
        hours: opening hours; calls that cannot reach an agent before closing are ``closed``.
        days_per_cycle: days in one cycle (calls arrive uniformly over the open minutes).
        unserved_penalty_minutes: added to ``total_minutes`` of a caller left unserved.
        cost_per_agent_per_cycle: per agent and per specialist.
        hourly_weights: time-of-day pattern of calls, as for stores.
    """

    handle_minutes: Distribution | None = None
    agents: int = 1
    specialists: int = 1
    specialist_minutes: Distribution | None = None
    patience_minutes: Distribution | None = None
    transfer_probability: float = 0.0
    repeat_probability: float = 0.45
    repeat_minutes: float = 3.0
    hours: OpeningHours = field(default_factory=OpeningHours)
    days_per_cycle: int = 30
    unserved_penalty_minutes: float = 60.0
    cost_per_agent_per_cycle: float = 0.0
    hourly_weights: Mapping[int, float] | None = field(default=None, metadata={"convert": hourly_weights_from_config})

    def __post_init__(self) -> None:
        if self.handle_minutes is None:
            raise SpecError("handle_minutes", None, "a handling time distribution is required")
        _non_negative_dist("handle_minutes", self.handle_minutes)
        _non_negative_dist("specialist_minutes", self.specialist_minutes)
        _non_negative_dist("patience_minutes", self.patience_minutes)
        _whole(self, "agents", 1)
        _whole(self, "specialists", 1)
        checks.unit_interval("transfer_probability", self.transfer_probability)
        checks.unit_interval("repeat_probability", self.repeat_probability)
        checks.non_negative("repeat_minutes", self.repeat_minutes)
        _whole(self, "days_per_cycle", 1)
        if self.open_minutes() <= 0:
            raise SpecError("hours", "closed on every day of the cycle",
                            f"the call centre must open on at least one of the {self.days_per_cycle} days")
        checks.non_negative("unserved_penalty_minutes", self.unserved_penalty_minutes)
        checks.non_negative("cost_per_agent_per_cycle", self.cost_per_agent_per_cycle)
        _check_hourly(self.hourly_weights, self.hours, self.days_per_cycle)

    def hourly_profile(self) -> NDArray[np.float64] | None:
        return _profile(self.hourly_weights)

    def open_minutes(self) -> float:
        return sum(
            (w[1] - w[0]) for d in range(self.days_per_cycle) if (w := self.hours.window(d)) is not None
        )

    @property
    def second_line_minutes(self) -> Distribution:
        return self.specialist_minutes if self.specialist_minutes is not None else self.handle_minutes  # type: ignore[return-value]

    def capacity_cost(self) -> float:
        return (self.agents + self.specialists) * self.cost_per_agent_per_cycle

    def scaled(self, factor: float) -> CallCentreSpec:
        """Agents and specialists × ``factor``."""
        return replace(self, agents=_scaled(self.agents, factor), specialists=_scaled(self.specialists, factor))

    def bounded(self) -> bool:
        """Whether abandonment or closing bounds the first-line queue."""
        return self.patience_minutes is not None or self.hours.closes()


@dataclass(frozen=True)
class EventSpec:
    """A scheduled event such as the annual dealer meeting.

    Invitees register at random times; the first ``capacity`` get a seat. Quality rises with the
    budget per head with diminishing returns:
    ``rating = low + (high − low)·(1 − exp(−per_head / budget_scale)) + noise``, clipped to
    [low, high], where ``per_head = budget_per_attendee + budget / attendees``.

    Attributes:
        capacity: seats.
        budget: fixed sum spent on the event when it takes place (venue, programme).
        budget_per_attendee: spent per attendee (hotel, dinner).
        budget_scale: budget per head at which 63 % of the possible quality is reached.
        low, high: the rating scale.
        rating_sd: spread of attendees' ratings around the event's quality.

    When it takes place is the schedule of the touchpoint that names it as its performance
    source (``every: 12, offset: 11`` = the last month of each year); the budget is spent in
    those cycles.
    """

    capacity: int = 100
    budget: float = 0.0
    budget_per_attendee: float = 0.0
    budget_scale: float = 1000.0
    low: float = 1.0
    high: float = 5.0
    rating_sd: float = 0.3

    def __post_init__(self) -> None:
        _whole(self, "capacity", 1)
        checks.non_negative("budget", self.budget)
        checks.non_negative("budget_per_attendee", self.budget_per_attendee)
        checks.positive("budget_scale", self.budget_scale)
        checks.number("low", self.low)
        if checks.number("high", self.high) <= self.low:
            raise SpecError("high", self.high, f"must be greater than low ({self.low})")
        checks.non_negative("rating_sd", self.rating_sd)

    def scaled(self, factor: float) -> EventSpec:
        """Seats × ``factor``, and the fixed budget with them (a venue for k times the dealers:
        the budget per head, and so the quality, stays as it was)."""
        return replace(self, capacity=_scaled(self.capacity, factor), budget=self.budget * factor)

    def cost(self, attendees: int) -> float:
        """What one occurrence costs: the fixed budget plus the budget per attendee."""
        return self.budget + self.budget_per_attendee * attendees

    def quality(self, attendees: int) -> float:
        """Mean rating of an event with ``attendees`` people (the fixed budget shared among them)."""
        per_head = self.budget_per_attendee + self.budget / max(attendees, 1)
        return self.low + (self.high - self.low) * (1.0 - math.exp(-per_head / self.budget_scale))


@dataclass(frozen=True)
class OperationsSpec:
    """The scenario's operations; every part is optional.

    Which code computes them (compiled kernels or the SimPy models, the same records either way)
    is a runtime setting: :attr:`cxsim.specs.runtime.Runtime.operations_backend`.
    """

    stores: StoresSpec | None = None
    pipeline: PipelineSpec | None = None
    callcentre: CallCentreSpec | None = None
    events: Mapping[str, EventSpec] = field(default_factory=dict)

    def processes(self) -> dict[str, object]:
        """Process name (as used in a touchpoint's ``performance.operations``) → spec."""
        out: dict[str, object] = {}
        for name in ("stores", "pipeline", "callcentre"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        for name, ev in self.events.items():
            out[f"events.{name}"] = ev
        return out

    def capacity_cost(self) -> float:
        """Capacity costs paid every cycle (stores, counters, lines, trucks, agents); event
        budgets are paid in the cycles the event takes place."""
        return sum(part.capacity_cost() for part in (self.stores, self.pipeline, self.callcentre)
                   if part is not None)

    def scaled(self, factor: float) -> OperationsSpec:
        """The same operations ``factor`` times larger (``scenario.operations.scale``): every capacity —
        store counters, call-centre agents and specialists, production lines, trucks, event
        seats (with the event's fixed budget) — times ``factor``, rounded half up to a whole
        number and at least 1; capacity costs follow, as they are per unit of capacity. With
        ``factor`` times the customers, utilisation stays about the same."""
        if factor == 1.0:
            return self
        parts = {name: getattr(self, name).scaled(factor)
                 for name in ("stores", "pipeline", "callcentre") if getattr(self, name) is not None}
        events = {name: ev.scaled(factor) for name, ev in self.events.items()}
        return replace(self, events=events, **parts)


@dataclass(frozen=True)
class OperationsSource:
    """A touchpoint's performance taken from an operations record instead of a distribution.

    Config: ``performance: {operations: stores, record: visit_minutes}``. The engine runs the
    process once per cycle for every customer who has the touchpoint and writes the record into
    the touchpoint's performance; the Delta law then compares it with the expectation.
    :meth:`sample` draws nothing (NaN), so the other touchpoints' draws are unchanged.
    """

    operations: str
    record: str
    kind: ClassVar[str] = "operations"

    def __post_init__(self) -> None:
        checks.name("operations", self.operations)
        checks.name("record", self.record)

    @property
    def mean(self) -> float:
        return float("nan")

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return np.full(size, np.nan)


def performance_from_dict(field_: str, data: Any) -> Distribution | OperationsSource:
    """A distribution (``{dist: ...}``) or an operations source (``{operations: ..., record: ...}``)."""
    data = checks.mapping(field_, data)
    if "operations" not in data:
        return distribution_from_dict(field_, data)
    checks.no_unknown_keys(field_, data, ("operations", "record"))
    if "record" not in data:
        raise SpecError(f"{field_}.record", MISSING, "name the operations record, e.g. wait_minutes")
    try:
        return OperationsSource(data["operations"], data["record"])
    except SpecError as err:
        raise err.at(field_) from None


RECORDS: dict[str, tuple[str, ...]] = {
    "stores": ("travel_minutes", "wait_minutes", "service_minutes", "visit_minutes", "served",
               "unserved", "balked", "abandoned", "closed", "queue_length"),
    "pipeline": ("delivery_days", "wait_days", "production_wait_days", "shipping_wait_days",
                 "production_days", "shipping_days", "late_days", "early_days", "on_time"),
    "callcentre": ("wait_minutes", "handle_minutes", "agent_minutes", "total_minutes", "served",
                   "unserved", "abandoned", "closed", "transferred", "repeated"),
    "events": ("rating", "attended"),
}
"""Records per process kind that a touchpoint may name as its performance source."""


def records_of(process: str) -> tuple[str, ...]:
    """The record names an operations process offers to touchpoint performance sources."""
    return RECORDS["events" if process.startswith("events.") else process]


def check_sources(operations: OperationsSpec, touchpoints: Any, segments: tuple[str, ...]) -> None:
    """Every operations source names a configured process and one of its records; store travel
    times name segments. Paths are relative to the scenario."""
    processes = operations.processes()
    for tp in touchpoints:
        src = tp.performance
        if not isinstance(src, OperationsSource):
            continue
        where = f"journey.touchpoints.{tp.name}.performance"  # by name: the journey sorts by stage
        if src.operations not in processes:
            raise SpecError(f"{where}.operations", src.operations,
                            "names no configured operations process; configured: "
                            + (", ".join(processes) or "none (add scenario.operations)"))
        if src.record not in records_of(src.operations):
            raise SpecError(f"{where}.record", src.record,
                            f"{src.operations} has no such record; records: " + ", ".join(records_of(src.operations)))
    if operations.stores is not None:
        for k, site in enumerate(operations.stores.sites):
            for seg in site.travel_minutes:
                if seg not in segments:
                    raise SpecError(f"operations.stores.sites[{k}].travel_minutes.{seg}", seg,
                                    "names no segment; segments: " + ", ".join(segments))


def warn_if_unbounded(path: str, load: float, bounded: bool) -> None:
    """Warn clearly when utilisation ≥ 1 and nothing bounds the queue (it would grow without end)."""
    if load >= 1.0 and not bounded:
        warnings.warn(
            f"{path}: offered load {load:.2f} >= 1 with no abandonment or balking: the queue is "
            "unbounded and waits grow with the length of the run; add capacity, patience or balking",
            UnboundedQueueWarning, stacklevel=3,
        )


# ---------------------------------------------------------------------------------------------
# from plain config data


def operations_from_dict(data: Any, path: str = "scenario.operations") -> OperationsSpec:
    """Build an :class:`OperationsSpec` from config data (``None`` → no operations), through the
    generic builder (:func:`~cxsim.specs.mapping.from_mapping`)."""
    return from_mapping(OperationsSpec, data, path)
