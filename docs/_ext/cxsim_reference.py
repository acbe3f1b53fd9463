"""Reference tables generated from the shipped configs and the spec dataclasses at build time.

The reference pages call these functions in executed code cells, so the tables always match the
code: every key of the composed default config and of the shipped scenarios, with its type, its
default, the values allowed (from the spec dataclasses' ``Literal`` types and the configs'
comments) and its description (the config file's comment, else the dataclass docstring).
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import typing
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import yaml

from cxsim.config import compose_config

#: Config sections and the dataclass that validates each (the first importable candidate wins).
SECTION_CLASSES: dict[str, tuple[str, ...]] = {
    "sim": ("cxsim.specs.scenario:Sim", "cxsim.specs:Sim"),
    "runtime": ("cxsim.specs.runtime:Runtime", "cxsim.specs:Runtime"),
    "outputs": ("cxsim.specs.scenario:Outputs", "cxsim.specs:Outputs"),
    "outputs.survey": ("cxsim.fit.synthetic:SurveySpec",),
    "compare": ("cxsim.compare:CompareSettings",),
    "scenario": ("cxsim.specs.scenario:Scenario", "cxsim.specs:Scenario"),
}
#: Keys whose next part is a name chosen by the user (a touchpoint, an event, a weekday ...).
NAMED_CHILDREN = ("events", "key_moments", "expectations", "hours", "hourly_weights", "travel_minutes")
SKIP_TOP = ("hydra", "defaults", "scenario", "memory", "intervention", "sweep", "calibrate", "execution")

#: Descriptions of scenario keys whose spec dataclass does not document them (generic keys, as
#: in the table). Every entry must name a key the shipped scenarios use: a stale one fails the
#: build (:func:`scenario_keys_table`).
DESCRIPTIONS: dict[str, str] = {
    "name": "the scenario's name (a word), written into every output table",
    "description": "one line on what the scenario is",
    "affect.form": "the Delta law's form: `difference` = sign·(P − E)/affect_unit, `ratio` = sign·(P − E)/E",
    "key_moments.<name>": "weight of a touchpoint in the `key_moments` memory model (the rest goes to the mean)",
    "journey.stages": "the journey's stages in order; touchpoints are met stage by stage",
    "journey.touchpoints.[].measure.name": "what is measured, in words",
    "journey.touchpoints.[].measure.unit": "the measure's unit (minutes, days, rating 1-5 ...)",
    "journey.touchpoints.[].measure.direction": "`higher` or `lower` is better",
    "journey.touchpoints.[].performance.operations": "instead of a distribution: the operations process that produces "
                                                     "the performance",
    "journey.touchpoints.[].performance.record": "the record of that process the touchpoint feels (e.g. "
                                                 "`visit_minutes`)",
    "loyalty.base_repurchase": "chance of buying again at satisfaction 0 (expectations just met), in (0, 1)",
    "loyalty.satisfaction_slope": "slope of the logistic repurchase curve in satisfaction (per affect unit)",
    "loyalty.terrible_floor": "affect below which a moment is terrible (joy-pain law)",
    "loyalty.terrible_hazard": "chance of switching added by each terrible moment",
    "loyalty.hazard_escalation": "how much each earlier (fading) terrible moment raises that hazard",
    "loyalty.bad_memory_retention": "share of the count of earlier terrible moments kept each cycle",
    "loyalty.terrible_hazard_by_count": "hazard of a customer's 1st, 2nd, 3rd-and-later terrible moment; replaces "
                                        "terrible_hazard and hazard_escalation (null: the escalation form)",
    "loyalty.recommend_intercept": "likelihood to recommend (0–10) at satisfaction 0",
    "loyalty.recommend_slope": "points of likelihood to recommend per affect unit of satisfaction",
    "loyalty.recommend_noise": "sd of the noise on the likelihood to recommend (points)",
    "word_of_mouth.network": "the social network: `small_world` (Watts–Strogatz), `random` or `none`",
    "word_of_mouth.degree": "ties per customer",
    "word_of_mouth.rewire": "small world's rewiring probability",
    "word_of_mouth.positive_reach": "chance that a promoter (9–10) tells each contact",
    "word_of_mouth.negative_reach": "chance that a detractor (0–6) tells each contact",
    "word_of_mouth.expectation_weight": "how far a listener's expectations move toward the performance heard of",
    "word_of_mouth.satisfaction_weight": "how far a listener's satisfaction moves toward what the tellers remembered",
    "economics.currency": "currency of revenue and costs (a word)",
    "economics.revenue_per_purchase": "revenue per customer who goes through the journey in a cycle",
    "economics.fixed_cost_per_cycle": "overheads paid every cycle",
    "operations.stores.hours.<name>": "opening hours `[open, close]` in hours of the day, per weekday (`default`, "
                                      "`mon` … `sun`); null = closed",
    "operations.callcentre.hours.<name>": "opening hours `[open, close]` per weekday (`default`, `mon` … `sun`); null "
                                          "= closed",
    "operations.stores.sites.[].name": "a possible shop site",
    "operations.stores.sites.[].travel_minutes.<segment>": "travel minutes to the site for customers of that segment",
}
DISTRIBUTION_PARTS = ("dist", "mean", "sd", "low", "high", "a", "b", "values", "probs", "value")


# --------------------------------------------------------------------------- small helpers
def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def section_class(section: str) -> Any:
    """The dataclass that validates config section ``section``, or ``None``."""
    for target in SECTION_CLASSES.get(section, ()):
        cls = _load(target)
        if cls is not None:
            return cls
    return None


def attribute_docs(cls: Any) -> dict[str, str]:
    """``name -> description`` from the ``Attributes:`` section of a Google-style docstring."""
    doc = (cls.__doc__ or "").expandtabs()
    out: dict[str, str] = {}
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Attributes:")
    except StopIteration:
        return out
    indent = None
    current: list[str] = []
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        if indent is None:
            indent = lead
        if lead < indent:
            break
        match = re.match(r"([\w, ]+):\s*(.*)", line.strip()) if lead == indent else None
        if match:
            current = [n.strip() for n in match.group(1).split(",")]
            for name in current:
                out[name] = match.group(2)
        else:
            for name in current:
                out[name] += " " + line.strip()
    return out


def _unwrap(tp: Any) -> Any:
    """The dataclass inside ``X | None``, ``tuple[X, ...]``, ``Mapping[str, X]`` (or ``tp``)."""
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp) or not args:
        return tp
    for arg in reversed(args):
        inner = _unwrap(arg)
        if dataclasses.is_dataclass(inner):
            return inner
    return tp


def _hints(cls: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # unresolvable annotations: fall back to the raw strings
        return {f.name: f.type for f in dataclasses.fields(cls)}


def resolve(cls: Any, parts: list[str]) -> tuple[Any, str] | None:
    """The dataclass and field name a config path leads to, or ``None``."""
    for k, part in enumerate(parts):
        if not dataclasses.is_dataclass(cls):
            return None
        names = {f.name for f in dataclasses.fields(cls)}
        if part in ("[]", "<name>"):
            continue
        name = part if part in names else None
        if name is None and k + 1 < len(parts) and f"{part}_{parts[k + 1]}" in names:
            return (cls, f"{part}_{parts[k + 1]}") if k + 2 == len(parts) else None
        if name is None:
            return None
        if k == len(parts) - 1:
            return cls, name
        cls = _unwrap(_hints(cls).get(name))
    return None


def field_default(cls: Any, name: str) -> Any:
    """The default of dataclass field ``name`` (``dataclasses.MISSING`` when it is required)."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                value = f.default_factory()
                return value if not dataclasses.is_dataclass(value) else dataclasses.MISSING
    return dataclasses.MISSING


def literal_values(cls: Any, name: str) -> list[str]:
    """The values of a ``Literal[...]`` field type (inside ``X | None`` too), else ``[]``."""
    tp = _hints(cls).get(name)
    stack = [tp]
    while stack:
        t = stack.pop()
        if typing.get_origin(t) is typing.Literal:
            return [str(v) for v in typing.get_args(t)]
        stack.extend(typing.get_args(t))
    return []


def show(value: Any) -> str:
    """A value as it is written in YAML (``null``, ``true``, lists), for a table cell."""
    if value is dataclasses.MISSING:
        return "required"
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    text = text.removesuffix("...").strip()
    return f"`{text}`" if text else "`''`"


def type_name(value: Any) -> str:
    """The YAML type of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    return "mapping"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


# --------------------------------------------------------------------------- YAML comments
def yaml_comments(text: str) -> dict[str, str]:
    """``dotted.key -> comment`` from a YAML file's comments.

    A key's comment is its inline comment, continued by comment lines indented below it; a block
    of comment lines directly above keys (at their indentation) describes each following key that
    has no inline comment of its own, up to a blank line.
    """
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    last: tuple[int, str] | None = None
    block: tuple[int, str] | None = None
    for line in text.splitlines():
        if not line.strip():
            last = block = None
            continue
        lead = len(line) - len(line.lstrip())
        stripped = line.strip()
        if stripped.startswith("#"):
            words = stripped.lstrip("#").strip()
            if last is not None and lead > last[0]:
                out[last[1]] = (out.get(last[1], "") + " " + words).strip()
            elif lead > 0:  # a file's header comment describes the file, not its first key
                block = (lead, f"{block[1]} {words}".strip() if block and block[0] == lead else words)
                last = None
            continue
        match = re.match(r"(\s*)(- )?([A-Za-z_][\w]*):\s*(.*)$", line)
        if not match:
            last = block = None
            continue
        while stack and stack[-1][0] >= lead:
            stack.pop()
        key = match.group(3)
        path = ".".join([s[1] for s in stack] + [key])
        rest = match.group(4)
        comment = ""
        if "#" in rest and not rest.lstrip().startswith(("'", '"')):
            comment = rest.split("#", 1)[1].strip()
        if comment:
            out[path] = comment
            block = None
        elif block is not None and block[0] == lead:
            out[path] = block[1]
        stack.append((lead, key))
        last = (lead, path)
    return out


def _flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def _config_text(name: str) -> str:
    return resources.files("cxsim.configs").joinpath(name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the tables
def run_settings_table() -> str:
    """Every key of the composed default config outside the config groups, as a Markdown table."""
    config = compose_config([])
    comments = yaml_comments(_config_text("config.yaml"))
    rows = ["| key | type | default | allowed | description |", "|---|---|---|---|---|"]
    for key, value in _flatten(config):
        top = key.split(".")[0]
        if top in SKIP_TOP:
            continue
        section, _, name = key.rpartition(".")
        cls = section_class(section)
        allowed = ""
        doc = comments.get(key, "")
        if cls is not None and name in {f.name for f in dataclasses.fields(cls)}:
            options = literal_values(cls, name)
            allowed = " \\| ".join(f"`{o}`" for o in options)
            doc = doc or attribute_docs(cls).get(name, "")
        if not allowed and isinstance(value, bool):
            allowed = "`true` \\| `false`"
        if not allowed:
            found = re.match(r"([\w-]+(?:\s*\|\s*[\w-]+)+)", comments.get(key, ""))
            if found:
                allowed = " \\| ".join(f"`{o.strip()}`" for o in found.group(1).split("|"))
        rows.append(f"| `{key}` | {type_name(value)} | {show(value)} | {allowed} | {cell(doc)} |")
    return "\n".join(rows)


def _generic(parts: list[str]) -> list[str]:
    out: list[str] = []
    for k, part in enumerate(parts):
        if part.isdigit():
            out.append("[]")
        elif k > 0 and parts[k - 1] in NAMED_CHILDREN:
            out.append("<name>")
        else:
            out.append(part)
    return out


def scenario_keys() -> dict[str, dict[str, Any]]:
    """Every key used by a shipped scenario (list items as ``[]``, user names as ``<name>``)."""
    folder = resources.files("cxsim.configs").joinpath("scenario")
    keys: dict[str, dict[str, Any]] = {}
    for file in sorted(folder.iterdir(), key=lambda p: p.name):
        if not file.name.endswith(".yaml"):
            continue
        text = file.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        comments = {".".join(_generic(k.split("."))): v for k, v in yaml_comments(text).items()}
        scenario = file.name[:-5]
        for key, value in _flatten(_index_lists(data)):
            generic = ".".join(_generic(key.split(".")))
            entry = keys.setdefault(generic, {"types": set(), "example": value, "scenarios": [],
                                              "comment": ""})
            entry["types"].add(type_name(value))
            if scenario not in entry["scenarios"]:
                entry["scenarios"].append(scenario)
            if not entry["comment"] and comments.get(generic):
                entry["comment"] = f"*{scenario}*: {comments[generic]}"
    return keys


def _index_lists(data: Any) -> Any:
    """Lists of mappings become ``{"0": ..., "1": ...}`` so that their keys flatten."""
    if isinstance(data, Mapping):
        return {k: _index_lists(v) for k, v in data.items()}
    if isinstance(data, list) and data and all(isinstance(v, Mapping) for v in data):
        return {str(i): _index_lists(v) for i, v in enumerate(data)}
    return data


def scenario_keys_table(prefix: str = "") -> str:
    """The scenario keys under ``prefix`` (e.g. ``journey``) as a Markdown table.

    The description is the spec dataclass's (its ``Attributes:`` docstring) or else the comment
    of the first shipped scenario that has one, marked with that scenario's name.
    """
    scenario_cls = section_class("scenario")
    keys = scenario_keys()
    stale = sorted(set(DESCRIPTIONS) - {k.replace(".<name>", ".<segment>") if k.endswith("travel_minutes.<name>")
                                         else k for k in keys})
    if stale:
        raise ValueError(f"DESCRIPTIONS name keys no shipped scenario uses: {stale}")
    rows = ["| key | type | default | allowed | example | description |",
            "|---|---|---|---|---|---|"]
    for key, entry in keys.items():
        if prefix and not (key == prefix or key.startswith(prefix + ".")):
            continue
        parts = key.split(".")
        found = resolve(scenario_cls, parts) if scenario_cls is not None else None
        default, allowed, doc = "", "", ""
        if found is not None:
            cls, name = found
            default = show(field_default(cls, name))
            allowed = " \\| ".join(f"`{o}`" for o in literal_values(cls, name))
            doc = attribute_docs(cls).get(name, "")
        curated = key.replace("travel_minutes.<name>", "travel_minutes.<segment>")
        parent, _, last = key.rpartition(".")
        if not doc and curated in DESCRIPTIONS:
            doc = DESCRIPTIONS[curated]
        elif not doc and last in DISTRIBUTION_PARTS and f"{parent}.dist" in keys:
            doc = "the distribution's kind (see *Distributions*)" if last == "dist" else \
                "a parameter of the distribution (see *Distributions*)"
        doc = doc or entry["comment"]
        key = curated
        types = "/".join(sorted(entry["types"]))
        rows.append(f"| `scenario.{key}` | {types} | {default} | {allowed} | "
                    f"{cell(show(entry['example']))} | {cell(doc)} |")
    return "\n".join(rows)


def group_table(group: str) -> str:
    """The options of config group ``group`` with each file's ``description`` (or first comment)."""
    folder = resources.files("cxsim.configs").joinpath(group)
    rows = ["| option | description |", "|---|---|"]
    for file in sorted(folder.iterdir(), key=lambda p: p.name):
        if not file.name.endswith(".yaml"):
            continue
        text = file.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        doc = data.get("description", "") if isinstance(data, Mapping) else ""
        if not doc:
            first = [ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")]
            doc = " ".join(first[:2])
        rows.append(f"| `{file.name[:-5]}` | {cell(doc)} |")
    return "\n".join(rows)


def memory_table() -> str:
    """Every shipped memory config with its keys and defaults."""
    folder = resources.files("cxsim.configs").joinpath("memory")
    rows = ["| `memory=` | keys and defaults |", "|---|---|"]
    for file in sorted(folder.iterdir(), key=lambda p: p.name):
        if not file.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        items = ", ".join(f"`{k}: {show(v).strip('`')}`" for k, v in _flatten(data) if k != "defaults")
        rows.append(f"| `{file.name[:-5]}` | {cell(items)} |")
    return "\n".join(rows)


def distribution_table() -> str:
    """Every distribution a ``performance``/``expectation``/time field takes (``dist: kind``)."""
    module = importlib.import_module("cxsim.specs.distribution")
    rows = ["| `dist:` | fields (default) | what it is |", "|---|---|---|"]
    for obj in vars(module).values():
        if not (isinstance(obj, type) and dataclasses.is_dataclass(obj) and hasattr(obj, "kind")):
            continue
        fields = ", ".join(
            f"`{f.name}`" + (f" ({show(field_default(obj, f.name)).strip('`')})"
                             if field_default(obj, f.name) is not dataclasses.MISSING else "")
            for f in dataclasses.fields(obj))
        doc = (obj.__doc__ or "").strip().split("\n\n")[0]
        rows.append(f"| `{obj.kind}` | {fields} | {cell(doc)} |")
    return "\n".join(rows)
