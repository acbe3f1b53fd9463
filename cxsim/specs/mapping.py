"""One generic, validated path from config data (mappings, lists, scalars) to a spec dataclass.

:func:`from_mapping` reads the dataclass's fields and their type hints and builds it from a
mapping: nested dataclasses, tuples and lists of dataclasses, mappings of dataclasses,
``Optional``/``X | None``, unions of dataclasses tagged by a ``kind`` field, and any type that has a
converter of its own. A field typed ``int`` given a whole float (``1e3``, ``2.0``) gets that ``int``
(:func:`~cxsim.specs.checks.whole`). Unknown keys are errors naming the full dotted path and the known fields; a
missing required field names its path. Scalars and ``Literal`` values are passed through as given:
each dataclass validates its own fields once, in ``__post_init__``, and its
:class:`~cxsim.errors.SpecError` gets the path in front.

A new spec needs nothing but a frozen dataclass with type hints. Where its config differs from its
fields, three small hooks, looked up in this order:

* ``converters`` (by type, passed to :func:`from_mapping` and down to every nested spec): a
  function ``convert(path, value)``; distributions (tagged by ``dist``) have one by default. For
  a rule that needs the rest of the config (a segment's memory overrides the run's memory).
* ``field(metadata={"convert": fn})`` on a field: ``fn(path, value)`` builds that field (a
  shorthand such as 24 hourly weights given as a list).
* a classmethod ``from_config(path, value)`` on a nested spec whose config shape differs from its
  fields (a memory spec is written flat: ``{kind, its parameters, retention, noise}``). It is
  used where the spec is a field of another; it may call :func:`from_mapping` on the class itself.

Old names of keys, kept for one release, are ``aliases`` (by type) or a class's ``CONFIG_ALIASES``
(``{old: new}``): an old key that is not ``null`` sets its new key, and an error names the key as
the user wrote it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, Union, get_args, get_origin

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks
from cxsim.specs.distribution import Distribution, distribution_from_dict

__all__ = ["DEFAULT_CONVERTERS", "Aliases", "Converters", "convert", "from_mapping", "join", "whole_ints"]

T = TypeVar("T")
#: Types built by a function of their own, ``convert(path, value)``, instead of from their fields.
Converters = Mapping[Any, Callable[[str, Any], Any]]
#: The converters every build uses: distributions are tagged by ``dist``.
DEFAULT_CONVERTERS: dict[Any, Callable[[str, Any], Any]] = {Distribution: distribution_from_dict}
#: Old key names of a type's config, ``{type: {old: new}}`` (beside a class's ``CONFIG_ALIASES``).
Aliases = Mapping[type, Mapping[str, str]]

_SEQUENCES = (tuple, list, Sequence)
_MAPPINGS = (dict, Mapping)


def join(path: str, key: str) -> str:
    """``path.key`` (or ``key`` at the top)."""
    return f"{path}.{key}" if path else key


def _init_fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls) if f.init and f.name != "kind"}


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def from_mapping(cls: type[T], data: Any, path: str = "", converters: Converters | None = None,
                 aliases: Aliases | None = None) -> T:
    """Build the dataclass ``cls`` from ``data`` (a mapping of its fields; ``None`` = all defaults).

    Args:
        cls: a dataclass whose ``__post_init__`` validates its own values.
        data: the config mapping.
        path: the dotted path of ``data`` from the top of the config, for error messages.
        converters: functions ``convert(path, value)`` for types not built from their fields,
            beside :data:`DEFAULT_CONVERTERS`.
        aliases: old key names by type, ``{type: {old: new}}``, beside each class's
            ``CONFIG_ALIASES``.

    Raises:
        SpecError: naming the full dotted path of the bad field, its value and what is allowed.
    """
    conv = {**DEFAULT_CONVERTERS, **(converters or {})}
    data = checks.mapping(path or cls.__name__, {} if data is None else data)
    data, used = _renamed(cls, data, aliases)
    try:
        return _build(cls, data, path, conv, aliases)
    except SpecError as err:
        for old, new in used:
            new_path = join(path, new)
            if err.field == new_path or err.field.startswith((new_path + ".", new_path + "[")):
                raise SpecError(join(path, old) + err.field[len(new_path):], err.value, err.allowed) from None
        raise


def _renamed(cls: type, data: Mapping[str, Any], aliases: Aliases | None) -> tuple[Mapping[str, Any],
                                                                                     list[tuple[str, str]]]:
    """``data`` with old keys renamed (an old key given as ``null`` is dropped), and the renames."""
    names = {**getattr(cls, "CONFIG_ALIASES", {}), **((aliases or {}).get(cls) or {})}
    if not any(old in data for old in names):
        return data, []
    data, used = dict(data), []
    for old, new in names.items():
        value = data.pop(old, None)
        if value is not None:
            data[new] = value
            used.append((old, new))
    return data, used


def _build(cls: type[T], data: Mapping[str, Any], path: str, conv: Converters, aliases: Aliases | None) -> T:
    fields = _init_fields(cls)
    checks.no_unknown_keys(path, data, fields)
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for name, value in data.items():
        if value is None and _container_of_built(hints[name], conv):
            continue  # null for a list or mapping of specs: as if not given (its default, or missing)
        own = fields[name].metadata.get("convert")
        at = join(path, name)
        kwargs[name] = own(at, value) if own else convert(hints[name], value, at, conv, aliases)
    missing = [name for name, f in fields.items() if _required(f) and name not in kwargs]
    if missing:
        raise SpecError(join(path, missing[0]), MISSING,
                        f"required (every {cls.__name__} needs {', '.join(missing)})")
    try:
        return cls(**kwargs)
    except SpecError as err:
        raise err.at(path) from None


def convert(tp: Any, value: Any, path: str, converters: Converters, aliases: Aliases | None = None) -> Any:
    """``value`` as the type ``tp`` of a field at ``path`` (scalars pass through unchanged)."""
    if tp in converters:
        return converters[tp](path, value)
    if tp is int:
        return checks.whole(value)  # 1e3 -> 1000; 2.5 is left for the spec's own check to refuse
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        return _union(args, value, path, converters, aliases)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, tp):
            return value
        if hasattr(tp, "from_config"):
            return tp.from_config(path, value)
        return from_mapping(tp, value, path, converters, aliases)
    if origin in _SEQUENCES and args and _built(args[0], converters) and value is not None:
        items = [convert(args[0], v, f"{path}[{i}]", converters, aliases)
                 for i, v in enumerate(checks.sequence(path, value))]
        return list(items) if origin is list else tuple(items)
    if origin in _SEQUENCES and value is not None:
        if isinstance(value, list):
            return tuple(value) if origin is not list else value  # frozen specs hold tuples
        if not isinstance(value, tuple):
            checks.sequence(path, value)  # a scalar, a string or a mapping: "a list is required"
        return value
    if origin in _MAPPINGS and len(args) == 2 and _built(args[1], converters) and value is not None:
        return {k: convert(args[1], v, join(path, str(k)), converters, aliases)
                for k, v in checks.mapping(path, value).items()}
    return value


def whole_ints(cls: Any, data: Any) -> Any:
    """``data`` for the dataclass ``cls`` with whole floats in its ``int`` fields made ints (nested too).

    For specs whose builders do not go through :func:`from_mapping`: the same integer rule
    (:func:`~cxsim.specs.checks.whole`) applied to their config before they are built.
    """
    if not isinstance(data, Mapping) or not (dataclasses.is_dataclass(cls) and isinstance(cls, type)):
        return data
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # a hint that cannot be resolved here: left as given
        return data
    out = dict(data)
    for key, value in data.items():
        tp = hints.get(key)
        options = get_args(tp) if get_origin(tp) in (Union, types.UnionType) else (tp,)
        if int in options:
            out[key] = checks.whole(value)
        else:
            for option in options:
                if dataclasses.is_dataclass(option) and isinstance(value, Mapping):
                    out[key] = whole_ints(option, value)
    return out


def _container_of_built(tp: Any, converters: Converters) -> bool:
    """Whether ``tp`` is a (non-optional) sequence or mapping of built values."""
    origin, args = get_origin(tp), get_args(tp)
    return bool(args) and ((origin in _SEQUENCES and _built(args[0], converters))
                           or (origin in _MAPPINGS and len(args) == 2 and _built(args[1], converters)))


def _built(tp: Any, converters: Converters) -> bool:
    """Whether values of ``tp`` are built (a dataclass, a converter's type, or a union of them)."""
    if tp in converters or dataclasses.is_dataclass(tp):
        return True
    return get_origin(tp) in (Union, types.UnionType) and any(_built(a, converters) for a in get_args(tp))


def _union(args: tuple[Any, ...], value: Any, path: str, converters: Converters, aliases: Aliases | None) -> Any:
    """``X | None`` and unions of dataclasses tagged by their ``kind``."""
    options = [a for a in args if a is not type(None)]
    if value is None and len(options) < len(args):
        return None
    if len(options) == 1:
        return convert(options[0], value, path, converters, aliases)
    tagged: dict[Any, Any] = {getattr(a, "kind", None): a for a in options if dataclasses.is_dataclass(a)}
    if isinstance(value, Mapping) and tagged and None not in tagged:
        kind = value.get("kind")
        if kind not in tagged:
            raise SpecError(join(path, "kind"), kind, "allowed: " + ", ".join(map(str, tagged)))
        return from_mapping(tagged[kind], {k: v for k, v in value.items() if k != "kind"}, path, converters, aliases)
    return value
