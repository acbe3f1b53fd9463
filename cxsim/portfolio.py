"""Doses and portfolios: interventions at a chosen strength, applied together, with their combined cost.

**Dose.** An intervention (:mod:`cxsim.intervention`) may declare a *dose*: a continuous or
ordered setting that scales what it changes and what it costs::

    name: faster_delivery
    dose:
      name: days_saved          # what the dose measures
      unit: days
      low: 0.5                  # the range a strategist may choose from ...
      high: 3.0
      levels: null              # ... or an ordered list of allowed doses, e.g. [1, 2, 3]
      reference: 2.0            # the dose at which `changes` and `cost` are as written
      cost_exponent: 1.5        # cost grows as (dose / reference) ** cost_exponent
      value: null               # the dose used by a single run (null = reference)
    scenarios: {...}

At dose ``d`` the fraction ``f = d / reference`` of every change is made: ``{set: v}`` moves the
field from its current value ``x`` to ``x + f (v - x)``, ``{add: a}`` adds ``f a`` and ``{scale: s}``
multiplies by ``1 + f (s - 1)``; a field that holds an integer (a count of shops) is rounded to
the nearest integer. Every cost component (fixed, per cycle, per customer, per encounter) is
multiplied by ``f ** cost_exponent`` (``> 1``: each further unit of dose costs more, as each day
saved on delivery does). At the reference dose the intervention is exactly as written, so a
config without a dose, or with ``value`` at the reference, runs as before.

**Portfolio.** A portfolio is a set of interventions, each with a dose, applied together. Its
cost is the sum of its members' (dosed) costs. Two members that change the same config field
conflict: that is a :class:`~cxsim.errors.SpecError` naming the field and both members unless
the portfolio declares a *combination rule* for the field (or a default rule):

* ``sequential`` — the members' changes are made one after the other, in the portfolio's order
  (two ``scale`` changes multiply, two ``add`` changes add, a later ``set`` wins);
* ``sum`` — the members' effects add up: ``x + Σ (new_i - x)``;
* ``max`` / ``min`` — the largest / smallest of the members' new values (the better of two
  delivery promises).

:func:`portfolio_intervention` turns a portfolio into a plain intervention config (``set``
changes with the combined values and the combined cost) that the rest of cxsim runs like any
intervention: ``cfg["intervention"] = portfolio_intervention(cfg, portfolio)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks
from cxsim.specs.intervention import Change, Intervention, get_path, resolve

RULES = ("sequential", "sum", "max", "min")
DOSE_FIELDS = ("name", "unit", "low", "high", "levels", "reference", "cost_exponent", "value", "note")
CONFIG_MODULE = "cxsim.configs"


# ---------------------------------------------------------------------------- doses

@dataclass(frozen=True)
class Dose:
    """The dose an intervention declares (see the module docstring).

    Attributes:
        name: what the dose measures (``days_saved``, ``training_hours``).
        unit: its unit, for tables and reports.
        low, high: the range of allowed doses (``0 <= low <= high``).
        levels: an ordered set of allowed doses instead of the range (``low``/``high`` are then
            the smallest and largest level).
        reference: the dose at which the intervention's changes and cost are as written (> 0).
        cost_exponent: cost multiplies by ``(dose / reference) ** cost_exponent`` (>= 0).
        value: the dose a single run uses (``None``: the reference).
    """

    name: str = "dose"
    unit: str = ""
    low: float = 0.0
    high: float = 1.0
    levels: tuple[float, ...] | None = None
    reference: float = 1.0
    cost_exponent: float = 1.0
    value: float | None = None

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        checks.positive("reference", self.reference)
        checks.non_negative("cost_exponent", self.cost_exponent)
        if self.levels is not None:
            levels = [checks.positive(f"levels[{k}]", v) for k, v in enumerate(self.levels)]
            if not levels:
                raise SpecError("levels", [], "at least one level is required (or give low and high)")
            if any(b <= a for a, b in itertools.pairwise(levels)):
                raise SpecError("levels", list(self.levels), "levels must be strictly increasing")
        else:
            lo, hi = checks.non_negative("low", self.low), checks.positive("high", self.high)
            if lo > hi:
                raise SpecError("low", self.low, f"must be <= high ({self.high})")
        if self.value is not None:
            self.check(self.value, "value")

    @property
    def bounds(self) -> tuple[float, float]:
        """The smallest and largest allowed dose."""
        if self.levels is not None:
            return float(self.levels[0]), float(self.levels[-1])
        return float(self.low), float(self.high)

    @property
    def chosen(self) -> float:
        """The dose of a single run: ``value``, else the reference."""
        return float(self.reference if self.value is None else self.value)

    def check(self, dose: Any, where: str = "dose") -> float:
        """``dose`` as a float if it is allowed, else a :class:`SpecError` naming ``where``."""
        d = checks.number(where, dose)
        if self.levels is not None:
            if not any(math.isclose(d, v, rel_tol=1e-12, abs_tol=1e-12) for v in self.levels):
                raise SpecError(where, dose, "one of the levels " + ", ".join(f"{v:g}" for v in self.levels))
            return d
        lo, hi = self.bounds
        if not lo <= d <= hi:
            raise SpecError(where, dose, f"must lie in [{lo:g}, {hi:g}] ({self.name}"
                            + (f", {self.unit}" if self.unit else "") + ")")
        return d

    def fraction(self, dose: float) -> float:
        """The share of the written changes made at ``dose``: ``dose / reference``."""
        return float(dose) / float(self.reference)

    def cost_factor(self, dose: float) -> float:
        """What the written cost is multiplied by at ``dose``."""
        return self.fraction(dose) ** float(self.cost_exponent)


def dose_from_dict(path: str, data: Any) -> Dose:
    """A :class:`Dose` from an intervention config's ``dose`` mapping (errors name ``path``)."""
    data = dict(checks.mapping(path, data))
    checks.no_unknown_keys(path, data, DOSE_FIELDS)
    data.pop("note", None)
    if data.get("levels") is not None:
        levels = tuple(checks.sequence(f"{path}.levels", data["levels"]))
        data["levels"] = levels
        if levels and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in levels):
            data.setdefault("low", min(levels))
            data.setdefault("high", max(levels))
    if "reference" not in data and data.get("high") is not None:
        data["reference"] = data["levels"][-1] if data.get("levels") else data["high"]
    try:
        return Dose(**data)
    except (SpecError, TypeError) as err:
        if isinstance(err, SpecError):
            raise err.at(path) from None
        raise SpecError(path, dict(data), str(err)) from None


def declared_dose(data: Mapping[str, Any], scenario: str, path: str = "intervention") -> Dose | None:
    """The dose an intervention config declares for ``scenario``, or ``None``.

    A scenario variant's ``dose`` is laid over the top-level one (so a config can define the dose
    per scenario and still take ``intervention.dose.value=…`` at the top). A top-level block with
    nothing but ``value`` (and ``note``) declares no dose by itself.

    Raises:
        SpecError: a ``value`` is chosen but no dose is declared for ``scenario``.
    """
    top = dict(checks.mapping(f"{path}.dose", data.get("dose") or {}))
    variant = (data.get("scenarios") or {}).get(scenario) or {}
    own = dict(checks.mapping(f"{path}.scenarios.{scenario}.dose", variant.get("dose") or {})) \
        if isinstance(variant, Mapping) else {}
    merged = {**top, **{k: v for k, v in own.items() if not (k == "value" and v is None)}}
    where = f"{path}.scenarios.{scenario}.dose" if own else f"{path}.dose"
    if set(merged) <= {"value", "note"}:
        if merged.get("value") is not None:
            raise SpecError(f"{path}.dose.value", merged["value"],
                            f"{data.get('name', 'this intervention')} declares no dose for scenario {scenario!r}")
        return None
    try:
        return dose_from_dict(where, merged)
    except SpecError as err:
        if err.field == f"{where}.value" and own.get("value") is None and top.get("value") is not None:
            raise SpecError(f"{path}.dose.value", err.value, err.allowed) from None  # where the user set it
        raise


def without_dose(data: Mapping[str, Any]) -> dict[str, Any]:
    """The intervention config without its ``dose`` blocks (what :func:`cxsim.intervention.resolve` reads)."""
    out = {k: v for k, v in data.items() if k != "dose"}
    if isinstance(out.get("scenarios"), Mapping):
        out["scenarios"] = {s: ({k: v for k, v in (var or {}).items() if k != "dose"}
                                if isinstance(var, Mapping) else var)
                            for s, var in out["scenarios"].items()}
    return out


def shipped_intervention(name: str) -> dict[str, Any]:
    """The intervention config ``configs/intervention/<name>.yaml`` as plain data."""
    folder = resources.files(CONFIG_MODULE).joinpath("intervention")
    options = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
    if name not in options:
        raise SpecError("intervention", name, "allowed: " + ", ".join(options))
    data = yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text())
    return dict(data or {})


# ---------------------------------------------------------------------------- dosed changes

def dosed_value(change: Change, old: Any, fraction: float, where: str) -> Any:
    """The value of a field after ``change`` made at ``fraction`` of its written size.

    Raises:
        SpecError: a non-numeric ``set`` change at a dose other than the reference.
    """
    if math.isclose(fraction, 1.0, rel_tol=0.0, abs_tol=1e-15):
        return change.apply(old, where)
    if change.operation == "set":
        if isinstance(change.value, bool) or not isinstance(change.value, (int, float)):
            raise SpecError(where, change.value, "a change that sets a value that is not a number can only "
                                                 "be made at the dose's reference")
        x = checks.number(where, old)
        new = x + fraction * (float(change.value) - x)
    elif change.operation == "add":
        new = checks.number(where, old) + fraction * float(change.value)
    else:
        new = checks.number(where, old) * (1.0 + fraction * (float(change.value) - 1.0))
    if isinstance(old, int) and not isinstance(old, bool):
        return round(new)  # counts stay integers: a dose of 1.5 shops opens 2
    return float(new)


def canonical_path(config: Mapping[str, Any], path: str) -> str:
    """``path`` with list items addressed by index, so that two spellings of one field agree."""
    node: Any = config
    out = []
    for part in path.split("."):
        if isinstance(node, list) and not part.lstrip("-").isdigit():
            names = [item.get("name") if isinstance(item, Mapping) else None for item in node]
            if part in names:
                part = str(names.index(part))
        elif isinstance(node, list):
            part = str(int(part) % len(node)) if node else part
        out.append(part)
        try:
            node = get_path(config, ".".join(out))
        except SpecError:
            return path
    return ".".join(out)


# ---------------------------------------------------------------------------- portfolios

@dataclass(frozen=True)
class Member:
    """One intervention of a portfolio, at a dose.

    Attributes:
        name: the intervention's name (a shipped config's name, or the ``name`` in ``config``).
        config: the intervention config (plain data, as in ``configs/intervention/*.yaml``).
        dose: the dose (``None``: the declared ``value``, else its reference; an intervention
            without a declared dose takes only ``None`` or its written strength 1).
    """

    name: str
    config: Mapping[str, Any]
    dose: float | None = None

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        checks.mapping("config", self.config)
        if self.dose is not None:
            checks.non_negative("dose", self.dose)


@dataclass(frozen=True)
class Portfolio:
    """Interventions with doses, applied together (see the module docstring).

    Attributes:
        members: the interventions, in order (the order matters only for ``sequential``).
        combine: a combination rule per config field (dotted path) that two members change.
        default_rule: the rule for any other field two members change (``None``: a conflict
            is an error).
        name: the portfolio's name in tables (default: its members and doses).
    """

    members: tuple[Member, ...]
    combine: Mapping[str, str] = field(default_factory=dict)
    default_rule: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        names = [m.name for m in self.members]
        for n in names:
            if names.count(n) > 1:
                raise SpecError("portfolio.members", n, "each intervention may appear once in a portfolio")
        checks.mapping("portfolio.combine", self.combine)
        for path, rule in self.combine.items():
            checks.choice(f"portfolio.combine.{path}", rule, RULES)
        if self.default_rule is not None:
            checks.choice("portfolio.default_rule", self.default_rule, RULES)

    @property
    def label(self) -> str:
        """The portfolio's name, or ``a@d + b@d`` from its members (``none`` when empty)."""
        if self.name:
            return self.name
        if not self.members:
            return "none"
        return " + ".join(m.name if m.dose is None else f"{m.name}@{m.dose:g}" for m in self.members)


def portfolio(doses: Mapping[str, float | None], configs: Mapping[str, Mapping[str, Any]] | None = None,
              combine: Mapping[str, str] | None = None, default_rule: str | None = None,
              name: str = "") -> Portfolio:
    """A portfolio from ``{intervention name: dose}``; configs default to the shipped ones.

    Example:
        >>> p = portfolio({"faster_delivery": None, "dealer_gala": None})
        >>> p.label
        'faster_delivery + dealer_gala'
    """
    configs = configs or {}
    members = tuple(Member(n, configs[n] if n in configs else shipped_intervention(n),
                           None if d is None else float(d)) for n, d in doses.items())
    return Portfolio(members, dict(combine or {}), default_rule, name)


@dataclass(frozen=True)
class _Dosed:
    """A member resolved for a scenario: its intervention, its dose and its fraction and cost factor."""

    member: Member
    intervention: Intervention
    dose: float | None
    fraction: float
    cost_factor: float


def _resolve_member(m: Member, scenario: str) -> _Dosed:
    where = f"portfolio.{m.name}"
    dose = declared_dose(m.config, scenario, where)
    iv = resolve(without_dose(m.config), scenario, where)
    if dose is None:
        if m.dose is not None and not math.isclose(m.dose, 1.0):
            raise SpecError(f"{where}.dose", m.dose, f"{m.name} declares no dose; only its written strength "
                                                      "(1, or no dose) is allowed")
        return _Dosed(m, iv, None, 1.0, 1.0)
    d = dose.chosen if m.dose is None else dose.check(m.dose, f"{where}.dose")
    return _Dosed(m, iv, d, dose.fraction(d), dose.cost_factor(d))


def _combine(rule: str, old: Any, news: Sequence[Any], path: str) -> Any:
    if rule == "max":
        return max(news)
    if rule == "min":
        return min(news)
    x = checks.number(path, old)
    total = x + sum(checks.number(path, v) - x for v in news)
    return round(total) if isinstance(old, int) and not isinstance(old, bool) else total


def combined_changes(config: Mapping[str, Any], p: Portfolio) -> dict[str, Any]:
    """The value every changed field takes under the portfolio: ``{canonical path: value}``.

    Raises:
        SpecError: two members change one field and no rule is declared for it, a change names
            a missing field, or a dose is not allowed.
    """
    scenario = str(get_path(config, "scenario.name"))
    dosed = [_resolve_member(m, scenario) for m in p.members]
    touched: dict[str, list[tuple[_Dosed, Change]]] = {}
    rules = {canonical_path(config, k): v for k, v in p.combine.items()}
    for item in dosed:
        for ch in item.intervention.changes:
            where = f"{item.intervention.origin}.changes.{ch.path}"
            try:
                get_path(config, ch.path)
            except SpecError as err:
                raise SpecError(where, err.value, err.allowed) from None
            touched.setdefault(canonical_path(config, ch.path), []).append((item, ch))
    out: dict[str, Any] = {}
    for path, items in touched.items():
        old = get_path(config, path)
        rule = rules.get(path, p.default_rule)
        owners = [it.member.name for it, _ in items]
        if len(set(owners)) > 1 and rule is None:
            raise SpecError("portfolio.combine", path,
                            f"{' and '.join(dict.fromkeys(owners))} both change this field; declare a combination "
                            f"rule for it (combine: {{{path}: rule}} or default_rule), one of: " + ", ".join(RULES))
        if rule is None or rule == "sequential" or len(set(owners)) == 1:
            value = old
            for it, ch in items:
                value = dosed_value(ch, value, it.fraction, f"{it.intervention.origin}.changes.{ch.path}")
        else:
            news = [dosed_value(ch, old, it.fraction, f"{it.intervention.origin}.changes.{ch.path}")
                    for it, ch in items]
            value = _combine(rule, old, news, path)
        out[path] = value
    return out


def combined_cost(config: Mapping[str, Any], p: Portfolio) -> dict[str, Any]:
    """The portfolio's cost: every member's written cost times its dose's cost factor, summed."""
    scenario = str(get_path(config, "scenario.name"))
    total: dict[str, Any] = {"fixed": 0.0, "per_cycle": 0.0, "per_customer": 0.0, "per_encounter": {}}
    for item in (_resolve_member(m, scenario) for m in p.members):
        c, k = item.intervention.cost, item.cost_factor
        total["fixed"] += k * c.fixed
        total["per_cycle"] += k * c.per_cycle
        total["per_customer"] += k * c.per_customer
        for tp, amount in c.per_encounter.items():
            total["per_encounter"][tp] = total["per_encounter"].get(tp, 0.0) + k * float(amount)
    return total


def portfolio_intervention(config: Mapping[str, Any], p: Portfolio) -> dict[str, Any]:
    """The portfolio as one plain intervention config for ``config``'s scenario.

    Its changes are ``set`` changes to the combined values, its cost the combined cost; put it
    at ``config["intervention"]`` and build the run spec as usual.

    Example:
        >>> from cxsim.config import compose_config
        >>> cfg = compose_config(["sim.n_customers=100"])
        >>> iv = portfolio_intervention(cfg, portfolio({"dealer_gala": None, "staff_training": None}))
        >>> iv["name"], iv["cost"]["fixed"]
        ('portfolio', 1100000.0)
    """
    changes = {path: {"set": value} for path, value in combined_changes(config, p).items()}
    doses = {m.member.name: m.dose for m in
             (_resolve_member(x, str(get_path(config, "scenario.name"))) for x in p.members)}
    description = "; ".join(f"{n}" + ("" if d is None else f" at dose {d:g}") for n, d in doses.items())
    return {"name": "portfolio" if p.members else "none", "description": description or "nothing changes",
            "changes": changes, "cost": combined_cost(config, p)}


def portfolio_config(config: Mapping[str, Any], p: Portfolio) -> dict[str, Any]:
    """``config`` (a composed, resolved baseline) with the portfolio as its intervention."""
    out = dict(config)
    out["intervention"] = portfolio_intervention(config, p)
    return out


def portfolio_from_dict(data: Any, path: str = "portfolio") -> Portfolio:
    """A portfolio from ``{members: {name: dose | null}, combine: {...}, default_rule: ..., name: ...}``."""
    data = dict(checks.mapping(path, data))
    checks.no_unknown_keys(path, data, ("members", "combine", "default_rule", "name"))
    if data.get("members") is None:
        raise SpecError(f"{path}.members", MISSING, "a portfolio needs members: {intervention: dose}")
    members = checks.mapping(f"{path}.members", data["members"])
    try:
        return portfolio(dict(members), combine=dict(checks.mapping(f"{path}.combine", data.get("combine") or {})),
                         default_rule=data.get("default_rule"), name=str(data.get("name") or ""))
    except SpecError as err:
        if err.field.startswith("portfolio") or err.field == "intervention":
            raise
        raise err.at(path) from None


def apply_dose(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """``config`` with its intervention at the dose it chooses (``dose.value``).

    Without a declared dose, or with ``value`` unset or at the reference, ``config`` is returned
    unchanged (the intervention runs as written). Otherwise its intervention becomes the plain
    intervention of that dose (``set`` changes, dosed cost), under its own name.
    """
    data = config.get("intervention")
    if not isinstance(data, Mapping) or data.get("name") is None:
        return config
    scenario = str(get_path(config, "scenario.name"))
    dose = declared_dose(data, scenario)
    if dose is None or dose.value is None or math.isclose(dose.value, dose.reference):
        return config
    iv = portfolio_intervention(config, Portfolio((Member(str(data["name"]), data, float(dose.value)),)))
    return {**config, "intervention": {**iv, "name": str(data["name"]),
                                       "description": f"{data.get('description') or ''} (dose {dose.value:g})".strip()}}
