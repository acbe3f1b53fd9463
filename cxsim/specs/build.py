"""Build validated specs from plain data (YAML, JSON, or a Hydra config turned into dicts).

Every error is a :class:`~cxsim.errors.SpecError` whose field is the full dotted path from the
top of the config, e.g. ``scenario.journey.touchpoints[2].performance.sd``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from cxsim.behaviour.memory import MEMORY_MODELS
from cxsim.errors import MISSING, SpecError
from cxsim.portfolio import apply_dose
from cxsim.specs import checks
from cxsim.specs.intervention import apply_changes, check_touchpoints, resolve
from cxsim.specs.mapping import Converters, from_mapping
from cxsim.specs.market import market_from_dict
from cxsim.specs.operations import operations_from_dict, scale_from_dict
from cxsim.specs.population import MEMORY_COMMON, MemorySpec, Population, Segment
from cxsim.specs.runtime import SIM_ALIASES, Runtime
from cxsim.specs.scenario import Economics, Loyalty, Outputs, RunSpec, Scenario, Sim, WordOfMouth
from cxsim.specs.touchpoint import Journey, Touchpoint

T = TypeVar("T")



def _make(path: str, cls: Callable[..., T], **kwargs: Any) -> T:
    try:
        return cls(**kwargs)
    except SpecError as err:
        raise err.at(path) from None


def _fields(cls: type) -> list[str]:
    return [f for f in cls.__dataclass_fields__ if f != "kind"]  # type: ignore[attr-defined]


def _require(path: str, data: Mapping[str, Any], key: str, allowed: str) -> Any:
    if key not in data or data[key] is None:
        raise SpecError(f"{path}.{key}", MISSING, allowed)
    return data[key]


def memory_from_dict(path: str, data: Any) -> MemorySpec:
    """``{kind: peak_end, w_peak: 0.4, w_end: 0.4, retention: 0.6, noise: 0}`` → MemorySpec
    (:meth:`MemorySpec.from_config <cxsim.specs.population.MemorySpec.from_config>`)."""
    return MemorySpec.from_config(path, data)


def _segment_memory(path: str, data: Any, base: Mapping[str, Any],
                    key_moments: Mapping[str, Any] | None = None) -> MemorySpec | None:
    """A segment's memory: overrides of the run's model, or a model of its own.

    Overrides: ``retention``, ``noise`` and parameters keyed by model kind. Example:
    ``{retention: 0.8, peak_end: {w_peak: 0.6}}`` changes the peak weight only when the run uses
    the peak-end model, so every memory model still composes with every scenario.

    A model of its own: ``{kind: mean}`` or ``{kind: key_moments, weights: {delivery_speed: 0.5}}``
    (with the model's parameters beside ``kind``) — this segment remembers by that model whatever
    ``memory=`` the run chooses, so a population can mix memory types (the run's ``retention``
    and ``noise`` still apply unless given here). ``key_moments`` without ``weights`` takes the
    scenario's ``key_moments``.
    """
    if data is None:
        return None
    data = checks.mapping(path, data)
    if "kind" in data:
        own = {k: v for k, v in data.items() if k not in MEMORY_MODELS}
        nested = [k for k in data if k in MEMORY_MODELS]
        if nested:
            raise SpecError(f"{path}.{nested[0]}", data[nested[0]],
                            "a segment with its own kind takes that model's parameters beside kind")
        merged = {k: base[k] for k in MEMORY_COMMON if k in base}
        merged.update(own)
        if merged["kind"] == "key_moments" and "weights" not in merged and key_moments:
            merged["weights"] = dict(key_moments)
        return memory_from_dict(path, merged)
    checks.no_unknown_keys(path, data, ["kind", *MEMORY_COMMON, *MEMORY_MODELS])
    for model_kind in MEMORY_MODELS:
        if model_kind in data:
            sub = checks.mapping(f"{path}.{model_kind}", data[model_kind])
            checks.no_unknown_keys(f"{path}.{model_kind}", sub, _fields(MEMORY_MODELS[model_kind]))
    merged = dict(base)
    for key in MEMORY_COMMON:
        if key in data:
            merged[key] = data[key]
    kind = base.get("kind")
    if kind in data:  # overrides of the model in use; the others wait until theirs is chosen
        merged.update(data[kind])
    return memory_from_dict(path, merged)


def touchpoint_from_dict(path: str, data: Any) -> Touchpoint:
    """A :class:`Touchpoint` from its config mapping (:func:`~cxsim.specs.mapping.from_mapping`)."""
    return from_mapping(Touchpoint, data, path)


def journey_from_dict(path: str, data: Any) -> Journey:
    """A :class:`Journey` (stages and touchpoints) from its config mapping."""
    return from_mapping(Journey, data, path)


def segment_from_dict(path: str, data: Any, memory_base: Mapping[str, Any],
                      key_moments: Mapping[str, Any] | None = None) -> Segment:
    """A :class:`Segment` from its config mapping (:func:`~cxsim.specs.mapping.from_mapping`), its
    ``memory`` read as overrides of the run's memory ``memory_base`` (:func:`_segment_memory`)."""
    return from_mapping(Segment, data, path, _segment_converters(memory_base, key_moments))


def population_from_dict(path: str, data: Any, memory_base: Mapping[str, Any],
                         key_moments: Mapping[str, Any] | None = None) -> Population:
    """The :class:`Population` (its ``segments``) from its config mapping, each segment's memory read
    as in :func:`segment_from_dict`."""
    return from_mapping(Population, data, path, _segment_converters(memory_base, key_moments))


def _segment_converters(memory_base: Mapping[str, Any], key_moments: Mapping[str, Any] | None) -> Converters:
    """The segments' memory: overrides of the run's memory, which the generic builder cannot know."""
    return {MemorySpec: lambda path, data: _segment_memory(path, data, memory_base, key_moments)}


#: Old config keys of the loyalty block, kept for one release: old name -> new name.
LOYALTY_ALIASES = {"terrible_hazards": "terrible_hazard_by_count"}


def loyalty_from_dict(data: Any, path: str = "scenario.loyalty") -> Loyalty:
    """The :class:`Loyalty` block; an old key (:data:`LOYALTY_ALIASES`) that is not ``null`` sets its
    new key, and an error about it names the key as the user wrote it."""
    return from_mapping(Loyalty, data, path, aliases={Loyalty: LOYALTY_ALIASES})


SCENARIO_KEYS = ("name", "description", "affect", "journey", "population", "operations", "loyalty",
                 "word_of_mouth", "economics", "key_moments", "market")


def scenario_from_dict(data: Any, memory: Any = None, path: str = "scenario",
                       memory_path: str = "memory") -> Scenario:
    """Build a :class:`Scenario` from its config mapping and a memory config mapping.

    ``key_moments`` in the scenario is the scenario's own statement of its key touchpoints; the
    shipped ``memory=key_moments`` config reads it (``weights: ${scenario.key_moments}``).
    """
    data = checks.mapping(path, data)
    checks.no_unknown_keys(path, data, SCENARIO_KEYS)
    memory_base = dict(checks.mapping(memory_path, memory if memory is not None else {"kind": "peak_end"}))
    mem = memory_from_dict(memory_path, memory_base)
    journey = journey_from_dict(f"{path}.journey", _require(path, data, "journey", "a journey is required"))
    raw_key_moments = data.get("key_moments") if isinstance(data.get("key_moments"), Mapping) else None
    population = population_from_dict(f"{path}.population",
                                      _require(path, data, "population", "a population is required"),
                                      memory_base, raw_key_moments)
    affect = checks.mapping(f"{path}.affect", data.get("affect") or {})
    checks.no_unknown_keys(f"{path}.affect", affect, ["form"])
    key_moments = checks.mapping(f"{path}.key_moments", data.get("key_moments") or {})
    for k in key_moments:
        if k not in journey.names:
            raise SpecError(f"{path}.key_moments.{k}", key_moments[k],
                            "names no touchpoint of the journey; touchpoints: " + ", ".join(journey.names))
    parts = {
        "name": _require(path, data, "name", "a scenario needs a name"),
        "description": str(data.get("description") or ""),
        "journey": journey,
        "population": population,
        "memory": mem,
        "affect_form": affect.get("form", "difference"),
        "loyalty": loyalty_from_dict(data.get("loyalty"), f"{path}.loyalty"),
        "word_of_mouth": from_mapping(WordOfMouth, data.get("word_of_mouth"), f"{path}.word_of_mouth"),
        "economics": from_mapping(Economics, data.get("economics"), f"{path}.economics"),
        "operations": operations_from_dict(data.get("operations"), f"{path}.operations"),
        "market": market_from_dict(data.get("market"), f"{path}.market"),
    }
    try:
        return Scenario(**parts)
    except SpecError as err:
        if err.field.startswith("memory"):
            raise SpecError(memory_path + err.field[len("memory"):], err.value, err.allowed) from None
        raise err.at(path) from None


#: Keys of ``scenario.operations`` that are not parts of the operations: ``scale`` (applied by
#: :meth:`~cxsim.specs.operations.OperationsSpec.scaled`) and ``backend`` (the old name of
#: ``runtime.operations_backend``, kept for one release).
OPERATIONS_SETTINGS = ("scale", "backend")


def _operations_settings(raw_scenario: Any) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """The scenario mapping without ``operations.scale``/``backend``, and those two settings."""
    if not isinstance(raw_scenario, Mapping) or not isinstance(raw_scenario.get("operations"), Mapping):
        return raw_scenario, {}
    ops = raw_scenario["operations"]
    settings = {k: ops[k] for k in OPERATIONS_SETTINGS if k in ops}
    rest = {k: v for k, v in ops.items() if k not in OPERATIONS_SETTINGS}
    return {**raw_scenario, "operations": rest}, settings


def runtime_from_config(cfg: Mapping[str, Any], operations_backend: Any = None) -> Runtime:
    """The :class:`Runtime` of a config: its ``runtime`` mapping, with the old places of its keys.

    ``sim.threads``, ``sim.backend``, ``sim.huge_pages`` and ``sim.reuse_memory`` (and
    ``scenario.operations.backend``, passed as ``operations_backend``) are the settings' names
    before they moved to ``runtime``; kept for one release, each sets its runtime key when it is
    not ``null``, and an error names the key as the user wrote it.
    """
    data = dict(checks.mapping("runtime", cfg.get("runtime") or {}))
    checks.no_unknown_keys("runtime", data, _fields(Runtime))
    where = {k: f"runtime.{k}" for k in _fields(Runtime)}
    sim = cfg.get("sim")
    if isinstance(sim, Mapping):
        for key in SIM_ALIASES:
            if sim.get(key) is not None:
                data[key], where[key] = sim[key], f"sim.{key}"
    if operations_backend is not None:
        data["operations_backend"] = operations_backend
        where["operations_backend"] = "scenario.operations.backend"
    try:
        return Runtime(**data)
    except SpecError as err:
        raise SpecError(where.get(err.field, f"runtime.{err.field}"), err.value, err.allowed) from None


def run_spec_from_dict(cfg: Mapping[str, Any]) -> RunSpec:
    """Build the whole run from a config mapping with ``scenario``, ``memory``, ``sim``, ``outputs``,
    optionally ``runtime`` (:func:`runtime_from_config`) and ``intervention`` (see
    :mod:`cxsim.specs.intervention`), whose changes are made to the config before it is validated.

    ``scenario.operations.scale`` multiplies every capacity of the scenario's operations
    (:meth:`~cxsim.specs.operations.OperationsSpec.scaled`); the top-level ``operations.scale`` is
    its old name, kept for one release (it wins when both are given)."""
    cfg = checks.mapping("config", cfg)
    for key in ("scenario", "memory"):
        if key not in cfg or cfg[key] is None:
            raise SpecError(key, MISSING, f"the config needs a {key} (choose one with {key}=NAME)")
    raw_scenario = cfg["scenario"]
    scenario_name = raw_scenario.get("name") if isinstance(raw_scenario, Mapping) else None
    if isinstance(raw_scenario, Mapping) and scenario_name is not None:
        cfg = apply_dose(cfg)  # an intervention at a chosen dose (cxsim.portfolio); as written otherwise
    intervention = resolve(cfg.get("intervention"), str(scenario_name))
    if intervention.changes:  # made to the config, so the result is validated like any config
        cfg = apply_changes(cfg, intervention)
    old_scale = cfg.get("operations")
    if old_scale is not None:
        checks.no_unknown_keys("operations", checks.mapping("operations", old_scale), ("scale",))
    raw_scenario, settings = _operations_settings(cfg["scenario"])
    scale = scale_from_dict(old_scale) or scale_from_dict(settings, "scenario.operations") or 1.0
    scenario = scenario_from_dict(raw_scenario, cfg["memory"])
    if scale != 1.0:
        scenario = replace(scenario, operations=scenario.operations.scaled(scale))
    check_touchpoints(intervention, scenario.journey.names)
    raw_sim = cfg.get("sim")
    if isinstance(raw_sim, Mapping):
        raw_sim = {k: v for k, v in raw_sim.items() if k not in SIM_ALIASES}
    sim = from_mapping(Sim, raw_sim, "sim")
    runtime = runtime_from_config(cfg, settings.get("backend"))
    outputs = from_mapping(Outputs, cfg.get("outputs"), "outputs")
    return _make("", RunSpec, scenario=scenario, sim=sim, outputs=outputs, intervention=intervention,
                 runtime=runtime)
