"""Interventions: named, costed changes to a run's config.

An intervention (docs/explanation/case-studies.md "Intervention") is a change to touchpoints, operations or population
with a fixed and a variable cost. In cxsim it is a config (``configs/intervention/*.yaml``)::

    name: faster_delivery
    description: More trucks and production capacity
    scenarios:                        # where it applies, and what it does there
      b2b_dealer_survey:
        changes:                      # path in the composed config: value or {set|scale|add: x}
          scenario.journey.touchpoints.delivery_speed.performance.mean: {set: 3.5}
        cost:                         # in the scenario's currency; >= 0
          fixed: 1500000              # once, charged in the first cycle
          per_cycle: 0                # every cycle
          per_customer: 0             # per customer served, every cycle
          per_encounter: {delivery_speed: 100}   # per encounter at a touchpoint
    changes: {}                       # optional: used for scenarios not listed above
    cost: {}
    dose: {...}                       # optional: a dose that scales changes and cost (cxsim.portfolio)

Paths are dotted as in Hydra overrides; an element of a list of named items (touchpoints,
segments) can be addressed by its ``name`` as well as by its index
(``scenario.journey.touchpoints.delivery_speed`` = ``scenario.journey.touchpoints.4`` in
``b2b_dealer_survey``). Every path must exist in the composed config: a change never creates a field.

**Applicability.** An intervention applies to a scenario listed under ``scenarios``; to any other
scenario only if it has top-level ``changes`` (``none`` has an empty one, so it applies
everywhere). Elsewhere it is *not applicable*: ``cxsim intervention=dealer_gala
scenario=retail_street`` is a one-line error, and ``cxsim-compare`` skips it with a note.

This module is pure Python (no Hydra): :func:`resolve` picks the variant for a scenario,
:func:`apply_changes` edits a plain config dict, :func:`cycle_costs` prices a run's cycles.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks
from cxsim.specs.mapping import from_mapping

__all__ = [
    "COST_FIELDS",
    "Change",
    "Intervention",
    "InterventionCost",
    "NONE",
    "NotApplicable",
    "OPERATIONS",
    "TOP_KEYS",
    "applies_to",
    "apply_changes",
    "check_touchpoints",
    "cycle_costs",
    "get_path",
    "resolve",
    "set_path",
]

OPERATIONS = ("set", "scale", "add")
COST_FIELDS = ("fixed", "per_cycle", "per_customer", "per_encounter")
TOP_KEYS = ("name", "description", "note", "scenarios", "changes", "cost", "dose")


class NotApplicable(SpecError):
    """The intervention says nothing about this scenario (see the module docstring)."""


@dataclass(frozen=True)
class Change:
    """One change: ``operation`` (``set``, ``scale`` or ``add``) of ``value`` at ``path``."""

    path: str
    operation: str
    value: Any

    def apply(self, old: Any, where: str) -> Any:
        """The new value of a field whose current value is ``old``."""
        if self.operation == "set":
            return self.value
        current = checks.number(where, old)
        amount = checks.number(f"{where}.{self.operation}", self.value)
        new = current * amount if self.operation == "scale" else current + amount
        if isinstance(old, int) and not isinstance(old, bool) and new == int(new):
            return int(new)  # counts stay integers: 4 shops + 1 = 5, not 5.0
        return new


def _amounts(path: str, data: Any) -> dict[str, float]:
    """``per_encounter`` from the config: a mapping of touchpoint to amount (``null``: none)."""
    return dict(checks.mapping(path, {} if data is None else data))


@dataclass(frozen=True)
class InterventionCost:
    """What an intervention costs, in the scenario's currency (all amounts >= 0).

    Attributes:
        fixed: once per run, charged in the first cycle (fit-out, trucks bought, a training course).
        per_cycle: every cycle (rent, salaries).
        per_customer: per customer served, every cycle.
        per_encounter: per encounter at a named touchpoint (extra freight per delivery).
    """

    fixed: float = 0.0
    per_cycle: float = 0.0
    per_customer: float = 0.0
    per_encounter: Mapping[str, float] = field(default_factory=dict, metadata={"convert": _amounts})

    def __post_init__(self) -> None:
        checks.non_negative("fixed", self.fixed)
        checks.non_negative("per_cycle", self.per_cycle)
        checks.non_negative("per_customer", self.per_customer)
        checks.mapping("per_encounter", self.per_encounter)
        for tp, amount in self.per_encounter.items():
            checks.non_negative(f"per_encounter.{tp}", amount)

    @property
    def is_zero(self) -> bool:
        return not (self.fixed or self.per_cycle or self.per_customer or any(self.per_encounter.values()))


@dataclass(frozen=True)
class Intervention:
    """An intervention resolved for one scenario: what it changes there and what that costs."""

    name: str = "none"
    description: str = ""
    changes: tuple[Change, ...] = ()
    cost: InterventionCost = field(default_factory=InterventionCost)
    origin: str = "intervention"  # config path of the variant in use, for error messages

    def __post_init__(self) -> None:
        checks.name("name", self.name)


NONE = Intervention()


def _cost_from_dict(path: str, data: Any) -> InterventionCost:
    return from_mapping(InterventionCost, data, path)


def _changes_from_dict(path: str, data: Any) -> tuple[Change, ...]:
    data = checks.mapping(path, {} if data is None else data)
    out = []
    for target, spec in data.items():
        where = f"{path}.{target}"
        if isinstance(spec, Mapping):
            if len(spec) != 1 or next(iter(spec)) not in OPERATIONS:
                raise SpecError(where, dict(spec), "a value, or one of {set: x}, {scale: x}, {add: x}")
            op, value = next(iter(spec.items()))
        else:
            op, value = "set", spec
        if op != "set":
            checks.number(f"{where}.{op}", value)
        out.append(Change(str(target), op, value))
    return tuple(out)


def resolve(data: Mapping[str, Any] | None, scenario: str, path: str = "intervention") -> Intervention:
    """The intervention config ``data`` as it applies to ``scenario``.

    Raises:
        NotApplicable: the intervention has no variant for ``scenario`` and no generic ``changes``.
        SpecError: a malformed change or a negative cost.
    """
    if data is None:
        return NONE
    data = checks.mapping(path, data)
    checks.no_unknown_keys(path, data, TOP_KEYS)
    if data.get("name") is None:
        raise SpecError(f"{path}.name", MISSING, "every intervention needs a name")
    name = checks.name(f"{path}.name", data["name"])
    variants = checks.mapping(f"{path}.scenarios", data.get("scenarios") or {})
    if scenario in variants:
        where = f"{path}.scenarios.{scenario}"
        variant = checks.mapping(where, variants[scenario] or {})
        checks.no_unknown_keys(where, variant, ("changes", "cost", "note", "dose"))
    elif "changes" in data:
        where, variant = path, data
    else:
        raise NotApplicable(f"{path}", name,
                            f"it does not apply to scenario {scenario!r}; it applies to: "
                            + (", ".join(variants) or "no scenario"))
    return Intervention(
        name=name,
        description=str(data.get("description") or ""),
        changes=_changes_from_dict(f"{where}.changes", variant.get("changes")),
        cost=_cost_from_dict(f"{where}.cost", variant.get("cost")),
        origin=where,
    )


def applies_to(data: Mapping[str, Any], scenario: str) -> bool:
    """Whether the intervention config ``data`` has something to do in ``scenario``."""
    return scenario in (data.get("scenarios") or {}) or "changes" in data


# ---------------------------------------------------------------------------- paths in configs

def _step(node: Any, key: str, where: str, path: str) -> tuple[Any, Any]:
    """The child of ``node`` at ``key`` and the key or index that holds it."""
    if isinstance(node, Mapping):
        if key not in node:
            raise SpecError(path, key, f"{where or 'the config'} has no field {key!r}; fields: "
                            + ", ".join(map(str, node)))
        return node[key], key
    if isinstance(node, list):
        if key.lstrip("-").isdigit():
            i = int(key)
            if not -len(node) <= i < len(node):
                raise SpecError(path, key, f"{where} has {len(node)} items")
            return node[i], i
        names = [item.get("name") for item in node if isinstance(item, Mapping)]
        if key in names:
            i = names.index(key)
            return node[i], i
        raise SpecError(path, key, f"{where} has no item named {key!r}; names: "
                        + ", ".join(str(n) for n in names if n is not None))
    raise SpecError(path, key, f"{where} is a value, not a mapping or list")


def get_path(config: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of a plain config (list items by index or by ``name``)."""
    node: Any = config
    parts = path.split(".")
    for k, key in enumerate(parts):
        node, _ = _step(node, key, ".".join(parts[:k]), path)
    return node


def set_path(config: dict[str, Any], path: str, value: Any) -> None:
    """Set the existing field at ``path`` to ``value`` (no field is ever created)."""
    parts = path.split(".")
    parent = get_path(config, ".".join(parts[:-1])) if len(parts) > 1 else config
    _, key = _step(parent, parts[-1], ".".join(parts[:-1]), path)
    parent[key] = value


def apply_changes(config: Mapping[str, Any], intervention: Intervention) -> dict[str, Any]:
    """A deep copy of ``config`` with the intervention's changes made; ``config`` is untouched.

    Raises:
        SpecError: a change names a field that does not exist (the message names the change and
            the fields that do), or scales/adds to a value that is not a number.
    """
    out = copy.deepcopy(dict(config))
    for change in intervention.changes:
        where = f"{intervention.origin}.changes.{change.path}"
        try:
            old = get_path(out, change.path)
        except SpecError as err:
            raise SpecError(where, err.value, err.allowed) from None
        set_path(out, change.path, change.apply(old, where))
    return out


# ---------------------------------------------------------------------------- costs

def cycle_costs(cost: InterventionCost, touchpoints: Sequence[str], customers: NDArray[np.int64],
                encounters: NDArray[np.int64]) -> NDArray[np.float64]:
    """The intervention's cost in every cycle of one replication.

    Args:
        cost: the intervention's costs.
        touchpoints: the journey's touchpoint names (columns of ``encounters``).
        customers: customers served per cycle, shape (cycles,).
        encounters: encounters per cycle and touchpoint, shape (cycles, touchpoints).
    """
    per_tp = np.zeros(len(touchpoints))
    for tp, amount in cost.per_encounter.items():
        per_tp[list(touchpoints).index(tp)] = float(amount)
    out = cost.per_cycle + cost.per_customer * np.asarray(customers, dtype=float)
    out = out + np.asarray(encounters, dtype=float).reshape(len(out), -1) @ per_tp
    if out.size:
        out[0] += cost.fixed
    return out


def check_touchpoints(intervention: Intervention, touchpoints: Sequence[str]) -> None:
    """Every ``per_encounter`` key of the cost names a touchpoint of the journey."""
    for tp, amount in intervention.cost.per_encounter.items():
        if tp not in touchpoints:
            raise SpecError(f"{intervention.origin}.cost.per_encounter.{tp}", amount,
                            "names no touchpoint of the journey; touchpoints: " + ", ".join(touchpoints))
