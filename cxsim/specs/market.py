"""The open market of a scenario: its size, the competitors, and how prospects choose.

Optional: a scenario without a ``market`` block (or with ``enabled: false``) is a closed cohort.
With it, ``sim.n_customers`` are the starting customers, and the rest of the market is counted
per segment as multiples of them: ``prospects`` (people who could buy and have not yet) and each
competitor's ``customers``. The math is :mod:`cxsim.behaviour.market`, the cycle's step
:mod:`cxsim.engine.market`. Example (YAML)::

    market:
      capacity: 1.5            # rows kept for our customers, x sim.n_customers
      prospects: {locals: 1.0, tourists: 2.0}
      category_entry: 0.02     # Bass p: share of prospects who start buying each cycle
      referral: 0.3            # Bass q: conversion per promoter story heard
      choice: {reputation: 1.0, price: 2.0, convenience: 1.0, distance_decay: 2.0}
      marketing: {spend_per_thousand: 0, carryover: 0.5, half_saturation: 50, max_reach: 0.05}
      competitors:
        - name: rival
          customers: 1.0
          experience: -0.3     # their customers' satisfaction (affect units)
          churn: 0.03
          sites: [{travel_minutes: {locals: 4, tourists: 6}}]
          events: [{cycle: 6, experience: 0.2}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks
from cxsim.specs.mapping import from_mapping

PerSegment = float | Mapping[str, float]
"""A value for every segment, or ``{segment: value}`` (segments not named: 0)."""

EVENT_FIELDS = ("experience", "price", "churn", "appeal", "convenience", "performance")


def _per_segment(name: str, value: Any) -> PerSegment:
    if isinstance(value, Mapping):
        return {str(k): checks.non_negative(f"{name}.{k}", v) for k, v in value.items()}
    return checks.non_negative(name, value)


def segment_value(value: PerSegment, segment: str) -> float:
    """The value of ``segment`` in a :data:`PerSegment` field."""
    if isinstance(value, Mapping):
        return float(value.get(segment, 0.0))
    return float(value)


@dataclass(frozen=True)
class Choice:
    """Coefficients of the brand-choice (attraction / logit) model (:func:`~cxsim.behaviour.market.brand_utility`).

    Attributes:
        reputation: utility per unit of remembered satisfaction (affect units).
        price: price sensitivity (utility ``−price·ln(price index)``).
        convenience: utility per unit of ``ln`` Huff accessibility (1: the shares are Huff's).
        distance_decay: Huff's ``λ``, how fast a site's pull falls with travel minutes.
    """

    reputation: float = 1.0
    price: float = 2.0
    convenience: float = 1.0
    distance_decay: float = 2.0

    def __post_init__(self) -> None:
        checks.non_negative("reputation", self.reputation)
        checks.non_negative("price", self.price)
        checks.non_negative("convenience", self.convenience)
        checks.non_negative("distance_decay", self.distance_decay)


@dataclass(frozen=True)
class Marketing:
    """Advertising with carry-over and saturation (Broadbent 1979; Jin et al. 2017).

    Attributes:
        spend_per_thousand: spend per cycle per thousand people in the market (money), so the
            same plan scales with the simulated market; its cost is counted in ``cost``.
        carryover: adstock ``λ`` (the share of last cycle's advertising still working).
        half_saturation: adstock (per thousand) at which the response is half its top.
        shape: Hill exponent ``α``.
        max_reach: the top of the response: the largest chance per cycle that advertising wins
            a prospect.
        start_cycle, end_cycle: the cycles (1-based, inclusive; ``end_cycle`` 0 = to the end)
            in which the money is spent.
    """

    spend_per_thousand: float = 0.0
    carryover: float = 0.5
    half_saturation: float = 50.0
    shape: float = 1.0
    max_reach: float = 0.05
    start_cycle: int = 1
    end_cycle: int = 0

    def __post_init__(self) -> None:
        checks.non_negative("spend_per_thousand", self.spend_per_thousand)
        v = checks.number("carryover", self.carryover)
        if not 0.0 <= v < 1.0:
            raise SpecError("carryover", self.carryover, "must lie in [0, 1)")
        checks.positive("half_saturation", self.half_saturation)
        checks.positive("shape", self.shape)
        checks.unit_interval("max_reach", self.max_reach)
        checks.integer("start_cycle", self.start_cycle, 1)
        checks.integer("end_cycle", self.end_cycle, 0)

    def spend_at(self, cycle: int) -> float:
        """Spend per thousand in ``cycle`` (1-based)."""
        on = cycle >= self.start_cycle and (self.end_cycle == 0 or cycle <= self.end_cycle)
        return self.spend_per_thousand if on else 0.0


@dataclass(frozen=True)
class CompetitorEvent:
    """From ``cycle`` on (1-based), the competitor's listed settings change (``the rival halves
    its delivery time in month 6``: ``{cycle: 6, performance: {delivery_days: 2.5}}``)."""

    cycle: int
    changes: Mapping[str, Any]

    def __post_init__(self) -> None:
        checks.integer("cycle", self.cycle, 1)
        for k in self.changes:
            if k not in EVENT_FIELDS:
                raise SpecError(str(k), self.changes[k], "an event changes " + ", ".join(EVENT_FIELDS))


def _events(path: str, value: Any) -> tuple[CompetitorEvent, ...]:
    """``[{cycle: 6, performance: {...}, price: ...}, ...]`` as :class:`CompetitorEvent` s."""
    out = []
    for i, item in enumerate(checks.sequence(path, value or [])):
        where = f"{path}[{i}]"
        data = dict(checks.mapping(where, item))
        if "cycle" not in data:
            raise SpecError(f"{where}.cycle", MISSING, "every event needs the cycle it happens in")
        checks.no_unknown_keys(where, data, ["cycle", *EVENT_FIELDS])
        cycle = data.pop("cycle")
        if "performance" in data:
            data["performance"] = dict(checks.mapping(f"{where}.performance", data["performance"]))
        try:
            out.append(CompetitorEvent(cycle, data))
        except SpecError as err:
            raise err.at(where) from None
    return tuple(out)


def _sites(path: str, value: Any) -> tuple[Mapping[str, float], ...]:
    """``[{travel_minutes: {segment: minutes}}, ...]`` (as the store sites are written) as mappings."""
    out = []
    for i, item in enumerate(checks.sequence(path, value or [])):
        site = checks.mapping(f"{path}[{i}]", item)
        checks.no_unknown_keys(f"{path}[{i}]", site, ["name", "travel_minutes"])
        out.append(dict(checks.mapping(f"{path}[{i}].travel_minutes", site.get("travel_minutes") or {})))
    return tuple(out)


@dataclass(frozen=True)
class Competitor:
    """A rival brand: its customers, experience, price, convenience and loyalty.

    Attributes:
        name: the brand (columns ``market_share_<name>``, ``lost_to_<name>``).
        customers: its customers at the start, per our starting customer (per segment).
        experience: its customers' remembered satisfaction (affect units, 0 = expectations
            met); ``None`` computes it from ``performance`` against the segments' mean
            expectations (0 without performance).
        performance: its mean performance on some of our touchpoints (their units): what it
            delivers, e.g. ``{delivery_days: 5}``. Customers coming from it judge our first
            experiences against it (the joy-pain law; ``market.joy_pain``).
        price: price index (ours is ``market.price``).
        appeal: brand constant of the choice model.
        churn: share of its customers who reconsider each cycle (they choose again among all
            brands, itself included).
        sites: travel minutes per segment to each of its shops, for Huff's convenience;
            without sites its convenience is ``convenience``.
        convenience: accessibility when it has no sites.
        events: changes over time (:class:`CompetitorEvent`).
    """

    name: str
    customers: PerSegment = 0.0
    experience: float | None = None
    performance: Mapping[str, float] = field(default_factory=dict)
    price: float = 1.0
    appeal: float = 0.0
    churn: float = 0.03
    sites: tuple[Mapping[str, float], ...] = field(default=(), metadata={"convert": _sites})
    convenience: float = 1.0
    events: tuple[CompetitorEvent, ...] = field(default=(), metadata={"convert": _events})

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        object.__setattr__(self, "customers", _per_segment("customers", self.customers))
        if self.experience is not None:
            checks.number("experience", self.experience)
        object.__setattr__(self, "performance", dict(checks.mapping("performance", self.performance)))
        for k, v in self.performance.items():
            checks.number(f"performance.{k}", v)
        checks.positive("price", self.price)
        checks.number("appeal", self.appeal)
        checks.unit_interval("churn", self.churn)
        for i, site in enumerate(self.sites):
            for seg, minutes in site.items():
                checks.non_negative(f"sites[{i}].{seg}", minutes)
        checks.positive("convenience", self.convenience)
        cycles = [e.cycle for e in self.events]
        if cycles != sorted(cycles):
            raise SpecError("events", cycles, "events must be in the order of their cycles")

    def at(self, cycle: int) -> Competitor:
        """The competitor as it is in ``cycle`` (1-based): every event up to it applied."""
        out = self
        for e in self.events:
            if e.cycle <= cycle:
                changes = dict(e.changes)
                if "performance" in changes:
                    changes["performance"] = {**out.performance, **changes["performance"]}
                out = replace(out, **changes, events=())
        return out


@dataclass(frozen=True)
class Market:
    """The open market around a scenario's customers (see the module docstring).

    Attributes:
        enabled: ``false`` keeps the scenario a closed cohort (the block is ignored).
        capacity: rows of the population kept for our customers, as a multiple of
            ``sim.n_customers`` (the starting customers take the first rows; new customers take
            free rows, those of customers who left among them). Acquisitions beyond it wait
            (column ``capacity_shortfall``).
        prospects: prospects per starting customer (per segment).
        category_entry: Bass's ``p``: share of prospects who start buying in the category each
            cycle, choosing a brand by the choice model.
        referral: Bass's ``q``: conversion per promoter story a prospect hears
            (:func:`~cxsim.behaviour.market.referral_hazard`).
        detractor_weight: deterrence per detractor story a prospect hears
            (:func:`~cxsim.behaviour.market.deterrence`: ``1 − exp(−w·stories)`` rule us out).
        price: our price index.
        convenience: our accessibility when the scenario has no stores (with stores, Huff's
            pull of the open sites).
        joy_pain: how far a customer coming from a competitor moves each expectation toward
            that competitor's performance (0: not at all, 1: expects exactly what it gave).
        discount_rate: per cycle, for the customer lifetime value and the discounted profit.
        choice: the choice model's coefficients.
        marketing: advertising.
        competitors: the rival brands.
    """

    enabled: bool = True
    capacity: float = 1.5
    prospects: PerSegment = 1.0
    category_entry: float = 0.02
    referral: float = 0.3
    detractor_weight: float = 1.0
    price: float = 1.0
    convenience: float = 1.0
    joy_pain: float = 0.5
    discount_rate: float = 0.01
    choice: Choice = field(default_factory=Choice)
    marketing: Marketing = field(default_factory=Marketing)
    competitors: tuple[Competitor, ...] = ()

    def __post_init__(self) -> None:
        checks.flag("enabled", self.enabled)
        c = checks.number("capacity", self.capacity)
        if c < 1.0:
            raise SpecError("capacity", self.capacity, "at least 1 (the starting customers need their rows)")
        object.__setattr__(self, "prospects", _per_segment("prospects", self.prospects))
        checks.unit_interval("category_entry", self.category_entry)
        checks.non_negative("referral", self.referral)
        checks.non_negative("detractor_weight", self.detractor_weight)
        checks.positive("price", self.price)
        checks.positive("convenience", self.convenience)
        checks.unit_interval("joy_pain", self.joy_pain)
        d = checks.number("discount_rate", self.discount_rate)
        if not 0.0 <= d < 1.0:
            raise SpecError("discount_rate", self.discount_rate, "a rate per cycle in [0, 1)")
        names = [b.name for b in self.competitors]
        if len(set(names)) != len(names):
            raise SpecError("competitors", names, "competitor names must be unique")
        if "ours" in names:
            raise SpecError("competitors", "ours", "'ours' names our own brand; choose another name")

    @property
    def brands(self) -> tuple[str, ...]:
        """``ours`` and the competitors, in order."""
        return ("ours", *(b.name for b in self.competitors))

    def rows(self, n_customers: int) -> int:
        """Rows of the population for ``n_customers`` starting customers."""
        return max(n_customers, int(-(-n_customers * self.capacity // 1)))


def check_market(market: Market | None, segments: Sequence[str], touchpoints: Sequence[str]) -> None:
    """Segment and touchpoint names in the market block must be the scenario's (paths from ``market``)."""
    if market is None:
        return

    def seg_keys(where: str, value: PerSegment | Mapping[str, float]) -> None:
        if isinstance(value, Mapping):
            for k in value:
                if k not in segments:
                    raise SpecError(f"{where}.{k}", k, "names no segment; segments: " + ", ".join(segments))

    seg_keys("market.prospects", market.prospects)
    for i, b in enumerate(market.competitors):
        where = f"market.competitors[{i}]"
        seg_keys(f"{where}.customers", b.customers)
        for j, site in enumerate(b.sites):
            seg_keys(f"{where}.sites[{j}]", site)
        for state in (b, *(b.at(e.cycle) for e in b.events)):
            for tp in state.performance:
                if tp not in touchpoints:
                    raise SpecError(f"{where}.performance.{tp}", tp,
                                    "names no touchpoint of the journey; touchpoints: " + ", ".join(touchpoints))


# ----------------------------------------------------------------------------------- from dicts
def market_from_dict(data: Any, path: str = "scenario.market") -> Market | None:
    """The scenario's ``market`` block as a :class:`Market` (built by the generic
    :func:`~cxsim.specs.mapping.from_mapping`); ``None`` when absent or ``enabled: false``."""
    if data is None:
        return None
    data = checks.mapping(path, data)
    checks.no_unknown_keys(path, data, [f.name for f in fields(Market)])
    if not checks.flag(f"{path}.enabled", data.get("enabled", True)):
        return None
    return from_mapping(Market, data, path)
