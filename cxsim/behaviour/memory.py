"""Memory models: how a sequence of moments becomes one remembered experience.

Each model is a pure function from moment affects (shape ``(..., m)``: the last axis is the
episode, in the order the moments happened), optional durations (``(m,)`` or ``(..., m)``) and an
optional ``present`` mask (``(..., m)`` booleans: which moments happened — branches and periodic
touchpoints leave gaps) to one remembered value per episode (shape ``(...)``). Rows with no
present moment give NaN.

The models:

* :func:`peak_end` — Kahneman's peak-end rule (Fredrickson & Kahneman 1993; Kahneman,
  Fredrickson, Schreiber & Redelmeier 1993; Redelmeier & Kahneman 1996): weights on the peak, the
  end and the mean of all moments. The peak is the most intense moment (largest |affect|)
  or, with ``peak="best_worst"``, the best and the worst moments each get a weight
  ("peak and trough"; Alaybek et al. 2022 review both).
* :func:`mean` — the average moment (what duration neglect is measured against).
* :func:`integral` — duration-weighted mean (the time average of the affect curve).
* :func:`total` — the duration-weighted sum, Kahneman, Wakker & Sarin's (1997) "total utility";
  unlike the others it grows with duration and is not bounded by the moments.
* :func:`end` and :func:`peak` — the last, or the most intense, moment alone.
* :func:`recency` — exponentially more weight on later moments (half-life in moments).
* :func:`key_moments` — one weight per touchpoint, the remainder on the mean, as fitted from
  survey data (the Zhijiang case: delivery speed and the dealer meeting, not the peak).

:func:`fade` lets earlier cycles' memories fade (exponential forgetting, Ebbinghaus 1885).

The classes at the bottom wrap each function with validated parameters behind the
:class:`MemoryModel` protocol, so the engine can swap them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxsim.errors import SpecError
from cxsim.specs import checks

Array = NDArray[np.float64]
Mask = NDArray[np.bool_] | None


# --------------------------------------------------------------------------- helpers
def _prep(affect: ArrayLike, present: ArrayLike | None) -> tuple[Array, Mask]:
    a = np.asarray(affect, dtype=np.float64)
    if present is None:
        return a, None
    p = np.asarray(present, dtype=bool)
    if p.all():
        return a, None
    p = np.broadcast_to(p, a.shape)
    return np.where(p, a, 0.0), p  # absent moments may hold NaN: zero them once


def _count(a: Array, present: Mask) -> Array:
    if present is None:
        return np.full(a.shape[:-1], float(a.shape[-1]))
    return present.sum(axis=-1, dtype=np.float64)


def _sum(a: Array) -> Array:
    return a.sum(axis=-1)  # absent moments were zeroed by _prep


def _last_index(a: Array, present: Mask) -> NDArray[np.intp]:
    m = a.shape[-1]
    if present is None:
        return np.full(a.shape[:-1], m - 1, dtype=np.intp)
    return m - 1 - np.argmax(present[..., ::-1], axis=-1)


def _take(a: Array, idx: NDArray[np.intp]) -> Array:
    return np.take_along_axis(a, idx[..., None], axis=-1)[..., 0]


def _empty_to_nan(value: Array, count: Array) -> Array:
    if np.any(count == 0):
        value = np.where(count == 0, np.nan, value)
    return value


# --------------------------------------------------------------------------- pure functions
def mean(affect: ArrayLike, present: ArrayLike | None = None) -> Array:
    """Average of the present moments (order and duration ignored)."""
    a, p = _prep(affect, present)
    n = _count(a, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _empty_to_nan(_sum(a) / n, n)


def integral(affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None) -> Array:
    """Duration-weighted mean: ``Σ aᵢ dᵢ / Σ dᵢ`` over present moments."""
    a, p = _prep(affect, present)
    d = np.broadcast_to(np.asarray(durations, dtype=np.float64), a.shape)
    if p is not None:
        d = np.where(p, d, 0.0)
    w = d.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a * d).sum(axis=-1) / w


def total(
    affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None, per: float = 1.0
) -> Array:
    """Duration-weighted sum ``Σ aᵢ dᵢ / per`` — grows with duration (no duration neglect)."""
    a, p = _prep(affect, present)
    d = np.broadcast_to(np.asarray(durations, dtype=np.float64), a.shape)
    if p is not None:
        d = np.where(p, d, 0.0)
    out = (a * d).sum(axis=-1) / per
    return _empty_to_nan(out, _count(a, p))


def end(affect: ArrayLike, present: ArrayLike | None = None) -> Array:
    """The last present moment."""
    a, p = _prep(affect, present)
    return _empty_to_nan(_take(a, _last_index(a, p)), _count(a, p))


def _best_worst(a: Array, present: Mask) -> tuple[Array, Array]:
    """Best and worst present moment of each episode (±inf for an empty one)."""
    if present is None:
        return a.max(axis=-1), a.min(axis=-1)
    return np.where(present, a, -np.inf).max(axis=-1), np.where(present, a, np.inf).min(axis=-1)


def _intense(a: Array, present: Mask) -> Array:
    """The most intense moment with its sign: the best if it is further from 0 than the worst.

    On an exact tie between a gain and an equal loss the loss is the peak: bad is stronger than
    good (Baumeister, Bratslavsky, Finkenauer & Vohs 2001). The rule does not depend on order.
    """
    best, worst = _best_worst(a, present)
    return np.where(best > -worst, best, worst)


def peak(affect: ArrayLike, present: ArrayLike | None = None) -> Array:
    """The most intense present moment (largest |affect|, a loss on a tie), with its sign."""
    a, p = _prep(affect, present)
    return _empty_to_nan(_intense(a, p), _count(a, p))


def peak_end(
    affect: ArrayLike,
    present: ArrayLike | None = None,
    w_peak: float = 0.4,
    w_end: float = 0.4,
    peak: Literal["intense", "best_worst"] = "intense",
    w_trough: float = 0.0,
) -> Array:
    """Peak-end memory: ``w_peak·peak + w_end·end + (1 − w_peak − w_end)·mean``.

    With ``peak="intense"`` the peak is the most intense moment (largest |affect|, with its
    sign; a loss on an exact tie with an equal gain). With ``peak="best_worst"`` ``w_peak`` weighs the best moment and ``w_trough`` the
    worst one: ``w_peak·best + w_trough·worst + w_end·end + (1 − w_peak − w_trough − w_end)·mean``.
    Durations play no part (duration neglect).

    The weight left over goes to the mean of *all* present moments, the "mean + peak + end"
    regression form of the literature (Kahneman et al. 1993; Alaybek et al. 2022), not to the
    mean of the moments that are neither peak nor end. The latter is discontinuous where two
    moments swap roles, so raising a moment can *lower* the memory (e.g. best-worst weights
    0.3/0.2/0.3 remember [0.5, 3, 0.5] as 1.42 but [1, 3, 0.5] as 1.35). With the mean of all
    moments every term — peak, best, worst, end, mean — is non-decreasing in every moment, so
    the memory is too, for any weights.
    """
    a, p = _prep(affect, present)
    n = _count(a, p)
    end_v = _take(a, _last_index(a, p))
    if peak == "intense":
        head = w_peak * _intense(a, p) + w_end * end_v
        w_rest = 1.0 - w_peak - w_end
    elif peak == "best_worst":
        best_v, worst_v = _best_worst(a, p)
        head = w_peak * best_v + w_trough * worst_v + w_end * end_v
        w_rest = 1.0 - w_peak - w_trough - w_end
    else:
        raise ValueError(f"peak: {peak!r} is not allowed; allowed: intense, best_worst")
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = _sum(a) / n
    return _empty_to_nan(head + w_rest * avg, n)


def recency(affect: ArrayLike, present: ArrayLike | None = None, half_life: float = 2.0) -> Array:
    """Exponential recency: a moment k moments before the last weighs ``2^(−k/half_life)``."""
    a, p = _prep(affect, present)
    m = a.shape[-1]
    if p is None:
        age = np.arange(m - 1, -1, -1, dtype=np.float64)
        w = np.broadcast_to(np.exp2(-age / half_life), a.shape)
    else:
        age = np.cumsum(p[..., ::-1], axis=-1)[..., ::-1] - 1.0
        w = np.where(p, np.exp2(-age / half_life), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a * w).sum(axis=-1) / w.sum(axis=-1)


def key_moments(affect: ArrayLike, weights: ArrayLike, present: ArrayLike | None = None) -> Array:
    """Key moments: ``Σ wₖ aₖ + (1 − Σ wₖ)·mean(all)`` with one weight per moment (touchpoint).

    A key moment that did not happen passes its weight on to the mean.
    """
    a, p = _prep(affect, present)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), a.shape)
    if p is not None:
        w = np.where(p, w, 0.0)
    avg = mean(a, p)
    return (a * w).sum(axis=-1) + (1.0 - w.sum(axis=-1)) * avg


def fade(previous: ArrayLike, current: ArrayLike, retention: ArrayLike) -> Array:
    """Exponential forgetting across cycles: ``retention·previous + (1 − retention)·current``.

    Applied every cycle, an experience ``k`` cycles old keeps weight ``(1 − r)·r^k``.
    """
    r = np.asarray(retention, dtype=np.float64)
    return r * np.asarray(previous, dtype=np.float64) + (1.0 - r) * np.asarray(current, dtype=np.float64)


# --------------------------------------------------------------------------- swappable models
@runtime_checkable
class MemoryModel(Protocol):
    """A memory model: moments in, one remembered value per episode out."""

    kind: ClassVar[str]

    def remember(
        self,
        affect: ArrayLike,
        durations: ArrayLike,
        present: ArrayLike | None = None,
        touchpoints: Sequence[str] | None = None,
    ) -> Array: ...


@dataclass(frozen=True)
class PeakEnd:
    """Peak-end rule; see :func:`peak_end`. Defaults follow the usual equal peak and end weights."""

    w_peak: float = 0.4
    w_end: float = 0.4
    peak: str = "intense"
    w_trough: float = 0.0
    kind: ClassVar[str] = "peak_end"

    def __post_init__(self) -> None:
        checks.choice("peak", self.peak, ("intense", "best_worst"))
        if self.peak == "intense" and self.w_trough != 0:
            raise SpecError("w_trough", self.w_trough, "only peak=best_worst uses w_trough; set it to 0")
        checks.weights_at_most_one("", {"w_peak": self.w_peak, "w_trough": self.w_trough, "w_end": self.w_end})

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return peak_end(affect, present, self.w_peak, self.w_end, self.peak, self.w_trough)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Mean:
    """The average moment; see :func:`mean`."""

    kind: ClassVar[str] = "mean"

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return mean(affect, present)


@dataclass(frozen=True)
class Integral:
    """Duration-weighted mean; see :func:`integral`."""

    kind: ClassVar[str] = "integral"

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return integral(affect, durations, present)


@dataclass(frozen=True)
class Total:
    """Duration-weighted sum per ``per`` duration units; see :func:`total`."""

    per: float = 1.0
    kind: ClassVar[str] = "total"

    def __post_init__(self) -> None:
        checks.positive("per", self.per)

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return total(affect, durations, present, self.per)


@dataclass(frozen=True)
class End:
    """The last moment alone; see :func:`end`."""

    kind: ClassVar[str] = "end"

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return end(affect, present)


@dataclass(frozen=True)
class Peak:
    """The most intense moment alone; see :func:`peak`."""

    kind: ClassVar[str] = "peak"

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return peak(affect, present)


@dataclass(frozen=True)
class Recency:
    """Exponential recency with a half-life in moments; see :func:`recency`."""

    half_life: float = 2.0
    kind: ClassVar[str] = "recency"

    def __post_init__(self) -> None:
        checks.positive("half_life", self.half_life)

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        return recency(affect, present, self.half_life)


@dataclass(frozen=True)
class KeyMoments:
    """One weight per touchpoint, the rest on the mean; see :func:`key_moments`.

    ``weights`` is a mapping ``touchpoint name -> weight``; weights in [0, 1], summing to at most 1.
    """

    weights: tuple[tuple[str, float], ...] = ()
    kind: ClassVar[str] = "key_moments"

    def __post_init__(self) -> None:
        raw = self.weights
        items = tuple(raw.items()) if isinstance(raw, Mapping) else tuple(tuple(kv) for kv in raw)
        items = tuple((str(k), float(checks.number(f"weights.{k}", v))) for k, v in items)
        checks.weights_at_most_one("weights", dict(items))
        object.__setattr__(self, "weights", items)

    def vector(self, touchpoints: Sequence[str]) -> Array:
        """Weights aligned with ``touchpoints``; a weight for an unknown touchpoint is an error."""
        index = {name: i for i, name in enumerate(touchpoints)}
        w = np.zeros(len(touchpoints))
        for name, weight in self.weights:
            if name not in index:
                raise SpecError(f"weights.{name}", weight, "names no touchpoint of the journey; touchpoints: " + ", ".join(touchpoints))
            w[index[name]] = weight
        return w

    def remember(self, affect, durations, present=None, touchpoints=None):  # noqa: D102
        if touchpoints is None:
            raise ValueError("key_moments needs the touchpoint names of the episode's moments")
        return key_moments(affect, self.vector(touchpoints), present)


MEMORY_MODELS: dict[str, type] = {
    cls.kind: cls for cls in (PeakEnd, Mean, Integral, Total, End, Peak, Recency, KeyMoments)
}


def memory_model_from_dict(field_: str, data: Mapping[str, Any]) -> MemoryModel:
    """Build a memory model from ``{kind: peak_end, w_peak: ..., ...}``; errors name ``field_``."""
    kind = data.get("kind")
    if kind not in MEMORY_MODELS:
        raise SpecError(f"{field_}.kind", kind, "allowed: " + ", ".join(MEMORY_MODELS))
    cls = MEMORY_MODELS[kind]
    params = {k: v for k, v in data.items() if k != "kind"}
    checks.no_unknown_keys(field_, params, [f for f in cls.__dataclass_fields__ if f != "kind"])
    if kind == "key_moments" and "weights" in params:
        params["weights"] = checks.mapping(f"{field_}.weights", params["weights"])
        params["weights"] = tuple(dict(params["weights"]).items())
    try:
        return cls(**params)
    except SpecError as err:
        raise err.at(field_) from None


def memory_model_to_dict(model: MemoryModel) -> dict[str, Any]:
    """Parameters of a memory model as plain data (the inverse of :func:`memory_model_from_dict`)."""
    out: dict[str, Any] = {"kind": model.kind}
    for f in model.__dataclass_fields__:  # type: ignore[attr-defined]
        if f != "kind":
            v = getattr(model, f)
            out[f] = dict(v) if f == "weights" else v
    return out


