"""Small validators shared by the spec dataclasses; each raises :class:`~cxsim.errors.SpecError`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from cxsim.errors import SpecError


def number(field: str, value: Any) -> float:
    """``value`` as a finite float, or a SpecError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy scalars, numeric strings from the command line
        except (TypeError, ValueError):
            raise SpecError(field, value, "a number is required") from None
    value = float(value)
    if not math.isfinite(value):
        raise SpecError(field, value, "a finite number is required")
    return value


def flag(field: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False``, or a SpecError naming ``field``."""
    if not isinstance(value, bool):
        raise SpecError(field, value, "true or false")
    return value


def non_negative(field: str, value: Any) -> float:
    """``value`` as a number >= 0, or a SpecError naming ``field``."""
    v = number(field, value)
    if v < 0:
        raise SpecError(field, value, "must be >= 0")
    return v


def positive(field: str, value: Any) -> float:
    """``value`` as a number > 0, or a SpecError naming ``field``."""
    v = number(field, value)
    if v <= 0:
        raise SpecError(field, value, "must be > 0")
    return v


def unit_interval(field: str, value: Any) -> float:
    """``value`` as a number in [0, 1], or a SpecError naming ``field``."""
    v = number(field, value)
    if not 0.0 <= v <= 1.0:
        raise SpecError(field, value, "must lie in [0, 1]")
    return v


def integer(field: str, value: Any, minimum: int) -> int:
    """``value`` as an integer >= ``minimum`` (integral strings accepted), or a SpecError naming ``field``."""
    if isinstance(value, bool):
        raise SpecError(field, value, f"an integer >= {minimum} is required")
    try:
        as_int = int(value)
    except (TypeError, ValueError):
        raise SpecError(field, value, f"an integer >= {minimum} is required") from None
    if as_int != value and not (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        raise SpecError(field, value, f"an integer >= {minimum} is required")
    if as_int < minimum:
        raise SpecError(field, value, f"an integer >= {minimum} is required")
    return as_int


def whole(value: Any) -> Any:
    """An integral float (``1e3``, ``2.0``) as that ``int``; every other value unchanged.

    The one rule for integers in a config: a number written as a float is accepted where an
    integer is required when it is a whole number (``sim.n_customers=1e3`` is 1000), and refused
    otherwise by :func:`integer` (``2.5``: "an integer >= 1 is required"). Applied where a spec is
    built (:func:`cxsim.specs.mapping.convert`), so the validated value is the value used.
    """
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def choice(field: str, value: Any, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``, or a SpecError naming ``field`` and listing them."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise SpecError(field, value, "allowed: " + ", ".join(allowed))
    return str(value)


def name(field: str, value: Any) -> str:
    """``value`` if it is a non-empty string, or a SpecError naming ``field``."""
    if not isinstance(value, str) or not value.strip():
        raise SpecError(field, value, "a non-empty name is required")
    return value


def weights_at_most_one(field: str, weights: Mapping[str, float]) -> None:
    """Each weight in [0, 1] and their sum <= 1 (the remainder goes to a mean)."""
    for key, w in weights.items():
        unit_interval(f"{field}.{key}" if field else key, w)
    total = sum(weights.values())
    if total > 1.0 + 1e-12:
        shown = " + ".join(f"{k}" for k in weights)
        raise SpecError(field or shown, round(total, 12), f"the weights {shown} must sum to at most 1")


def mapping(field: str, value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, or a SpecError naming ``field``."""
    if not isinstance(value, Mapping):
        raise SpecError(field, value, "a mapping (key: value) is required")
    return value


def sequence(field: str, value: Any) -> list[Any]:
    """``value`` as a list if it is a list-like (not a string or mapping), or a SpecError naming ``field``."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise SpecError(field, value, "a list is required")
    return list(value)


def no_unknown_keys(field: str, data: Mapping[str, Any], known: Iterable[str]) -> None:
    """Raise a SpecError naming the first key of ``data`` not in ``known``, listing the known ones."""
    known = tuple(known)
    for key in data:
        if key not in known:
            where = f"{field}.{key}" if field else str(key)
            raise SpecError(where, data[key], "unknown field; known fields: " + (", ".join(known) or "none"))
