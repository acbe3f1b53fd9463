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
:class:`~cxsim.behaviour.memory_parts.MemoryModel` protocol, so the engine can swap them. Each
class is the one definition of its model: besides the numpy function it states its parameters
with their bounds, how the compiled kernel computes it (a :class:`MemoryKind` code and a scalar
formula) and how a survey fit evaluates and fits it (:mod:`cxsim.behaviour.memory_parts`).
:data:`MEMORY_MODELS` is the registry of them that the engine, the kernel, the fits and the
teaching page read.

Adding a memory model is one definition plus its tests:

1. Write its vectorised numpy function in this module: ``affect`` ``(..., m)``, optional
   ``durations`` and ``present`` mask in, one value per episode out (NaN with no moment).
2. Define its frozen dataclass here: ``kind`` (its name in configs), its parameters as fields
   validated in ``__post_init__`` (a :class:`~cxsim.errors.SpecError` naming the field),
   ``remember`` calling the function, ``describe``, and ``definition``
   (:class:`~cxsim.behaviour.memory_parts.Definition`): its parameters with their bounds, the
   functions and candidates the survey fits use (``fit_functions``, ``fit_plans``), and, to run
   in the compiled kernel, a new :class:`MemoryKind` member with its
   :class:`~cxsim.behaviour.memory_parts.KernelFormula` — a scalar formula of the episode's
   running sums, or a ``step`` per moment and a ``finish`` — plus a ``kernel_row`` method that
   packs its parameters. A model without a kernel formula runs on the numpy backend.
3. Add the class to :data:`MEMORY_MODELS`, and a config ``configs/memory/<kind>.yaml``.
4. Tests: a worked example of its formula and its properties (``tests/test_memory_properties.py``);
   ``tests/behaviour/test_memory_registry.py`` checks its kernel formula against its numpy
   function, its parameters, config and fit plans, and ``tests/test_kernel.py`` the compiled
   kernel against the numpy backend on every config of ``configs/memory``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxsim.behaviour.memory_parts import (
    Definition,
    FitFunction,
    FitPlan,
    KernelFormula,
    KernelRow,
    MemoryKind,
    MemoryModel,
    Parameter,
)
from cxsim.errors import SpecError
from cxsim.specs import checks

__all__ = [
    "HALF_LIVES", "MEMORY_MODELS", "End", "Integral", "KeyMoments", "Mean", "MemoryKind", "MemoryModel", "Peak",
    "PeakEnd", "Recency", "Total", "definitions", "end", "fade", "fit_functions", "fit_plans", "integral",
    "kernel_formulas", "key_moments", "mean", "memory_model_from_dict", "memory_model_to_dict", "peak", "peak_end",
    "recency", "signed_weights", "total",
]

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
    sign; a loss on an exact tie with an equal gain). With ``peak="best_worst"`` ``w_peak`` weighs the best moment and
    ``w_trough`` the worst one: ``w_peak·best + w_trough·worst + w_end·end + (1 − w_peak − w_trough − w_end)·mean``.
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


# --------------------------------------------------------------------------- weights
def signed_weights(field_: str, weights: Mapping[str, Any]) -> dict[str, float]:
    """Validate memory weights: each in [−1, 1], their sum at most 1 (the rest goes to the mean).

    The models with weights (:func:`peak_end`, :func:`key_moments`) are affine combinations
    ``Σ wₖ·statisticₖ + (1 − Σ wₖ)·mean`` whose weights sum to 1, so for any weights a constant
    episode is remembered as that constant (and, when no statistic depends on the sign of the
    affect — best, worst, end, key moments, not the most intense moment — moving every moment by
    ``c`` moves the memory by ``c``). With every weight ≥ 0 the memory is moreover bounded by the worst and the best
    moment and never falls when a moment rises. A negative weight is a valid, fitted model too: a peak
    (or end, or key moment) that *lowers* the memory the more intense it is — a contrast effect —
    and the memory is then neither bounded by the moments nor monotone in the weighted one.
    What stays meaningless: the mean's weight ``1 − Σ wₖ`` below 0 (every ordinary moment would
    then count against the memory), and a weight beyond ±1 (one moment weighing more than the
    whole episode).

    Returns:
        the weights as floats, in the given order.

    Raises:
        SpecError: a weight that is not a number or lies outside [−1, 1], or a sum above 1.
    """
    out: dict[str, float] = {}
    for key, w in weights.items():
        name = f"{field_}.{key}" if field_ else key
        v = checks.number(name, w)
        if not -1.0 <= v <= 1.0:
            raise SpecError(name, w, "must lie in [-1, 1] (a negative weight lowers the memory)")
        out[key] = v
    total_w = sum(out.values())
    if total_w > 1.0 + 1e-12:
        shown = " + ".join(out)
        raise SpecError(field_ or shown, round(total_w, 12),
                        f"the weights {shown} must sum to at most 1 (the rest is the mean's weight)")
    return out


# --------------------------------------------------------------------------- kernel formulas
# One customer's remembered value in the compiled kernel (see memory_parts.KernelFormula): each
# repeats, operation for operation, the numpy function above, so that both round the same way.
def _k_mean(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    return mean


def _k_integral(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    return adsum / dsum


def _k_total(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    return adsum / p3  # p3: per


def _k_end(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    return last


def _k_peak(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    return best if best > -worst else worst  # _intense: a loss on a tie


def _k_peak_end(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    pk = best if best > -worst else worst
    return p0 * pk + p1 * last + (1.0 - p0 - p1) * mean  # p0: w_peak, p1: w_end


def _k_best_worst(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]
    return p0 * best + p2 * worst + p1 * last + (1.0 - p0 - p2 - p1) * mean  # p2: w_trough


def _k_recency_step(acc, wsum, affect, age, weight, p0, p1, p2, p3):  # type: ignore[no-untyped-def]
    w = np.exp2(-age / p3)  # p3: half_life
    return acc + affect * w, wsum + w


def _k_ratio(acc, wsum, mean):  # type: ignore[no-untyped-def]
    return acc / wsum


def _k_weighted_step(acc, wsum, affect, age, weight, p0, p1, p2, p3):  # type: ignore[no-untyped-def]
    return acc + affect * weight, wsum + weight


def _k_key_moments(acc, wsum, mean):  # type: ignore[no-untyped-def]
    return acc + (1.0 - wsum) * mean


# --------------------------------------------------------------------------- fit functions
def _flip(x: NDArray[Any] | None) -> NDArray[Any] | None:
    return None if x is None else x[..., ::-1]


def _need(durations: Array | None, function: str) -> Array:
    if durations is None:
        raise SpecError("duration", None, f"the {function} model needs a duration column")
    return durations


def _fit_key_moments(affect: Array, present: Mask, durations: Array | None, **params: float) -> Array:
    """``affect``: ``(n, T)`` per touchpoint; ``params``: ``w_<touchpoint>`` in touchpoint order."""
    weights = [params[k] for k in params if k.startswith("w_")]
    return key_moments(affect, np.asarray(weights, dtype=np.float64), present)


def _corners(*weights: str, **fixed: float) -> tuple[dict[str, float], ...]:
    """Parameters at the corners of a weight space: all weights 0, then each weight 1 in turn."""
    zero = {w: 0 for w in weights}
    return tuple({**fixed, **zero, **({w: 1} if w else {})} for w in ("", *weights))


# --------------------------------------------------------------------------- the models
# The models: one class each, the one definition of the model (module docstring: adding one).
@dataclass(frozen=True)
class PeakEnd:
    """Peak-end rule; see :func:`peak_end`. Defaults follow the usual equal peak and end weights.

    The weights ``w_peak``, ``w_end`` and ``w_trough`` each lie in [−1, 1] with a sum of at most
    1, the rest being the mean's weight; a negative weight (a peak that lowers the memory) is
    valid, see :func:`signed_weights` for what it means.
    """

    w_peak: float = 0.4
    w_end: float = 0.4
    peak: str = "intense"
    w_trough: float = 0.0
    kind: ClassVar[str] = "peak_end"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        parameters=(
            Parameter("w_peak", 0.4, -1.0, 1.0, "weight of the most intense (or, best_worst: the best) moment"),
            Parameter("w_end", 0.4, -1.0, 1.0, "weight of the last moment"),
            Parameter("peak", "intense", None, None, "intense (largest |affect|) or best_worst"),
            Parameter("w_trough", 0.0, -1.0, 1.0, "weight of the worst moment (best_worst only)"),
        ),
        kernel=(KernelFormula(MemoryKind.PEAK_END, value=_k_peak_end),
                KernelFormula(MemoryKind.PEAK_END_BEST_WORST, value=_k_best_worst)),
        fit_functions={
            "peak_end": lambda a, p, d, w_peak, w_end: peak_end(a, p, w_peak=w_peak, w_end=w_end),
            "best": lambda a, p, d: peak_end(a, p, w_peak=1.0, w_end=0.0, peak="best_worst"),
            "worst": lambda a, p, d: peak_end(a, p, w_peak=0.0, w_end=0.0, peak="best_worst", w_trough=1.0),
            "peak_trough_end": lambda a, p, d, w_best, w_worst, w_end: peak_end(
                a, p, w_peak=w_best, w_end=w_end, peak="best_worst", w_trough=w_worst),
        },
        fit_plans=(
            FitPlan(3, "peak", "most intense moment", "peak", (("peak_end", {"w_peak": 1, "w_end": 0}),)),
            FitPlan(4, "best", "best moment", "best",
                    (("peak_trough_end", {"w_best": 1, "w_worst": 0, "w_end": 0}),)),
            FitPlan(5, "trough", "worst moment", "worst",
                    (("peak_trough_end", {"w_best": 0, "w_worst": 1, "w_end": 0}),)),
            FitPlan(6, "end", "last moment", "end", (("peak_end", {"w_peak": 0, "w_end": 1}),)),
            FitPlan(8, "peak_end_avg", "(peak + end) / 2, the textbook rule", "peak_end",
                    (("peak_end", {"w_peak": 1, "w_end": 0}), ("peak_end", {"w_peak": 0, "w_end": 1})),
                    mix=(0.5, 0.5), predict_args={"w_peak": 0.5, "w_end": 0.5}),
            FitPlan(9, "peak_end", "peak-end, fitted weights on peak, end, mean", "peak_end",
                    tuple(("peak_end", c) for c in _corners("w_peak", "w_end")), ("w_peak", "w_end")),
            FitPlan(10, "mean_peak_trough_end", "fitted weights on best, worst, end, mean", "peak_trough_end",
                    tuple(("peak_trough_end", c) for c in _corners("w_best", "w_worst", "w_end")),
                    ("w_best", "w_worst", "w_end")),
        ),
    )

    def __post_init__(self) -> None:
        checks.choice("peak", self.peak, ("intense", "best_worst"))
        if self.peak == "intense" and self.w_trough != 0:
            raise SpecError("w_trough", self.w_trough, "only peak=best_worst uses w_trough; set it to 0")
        signed_weights("", {"w_peak": self.w_peak, "w_trough": self.w_trough, "w_end": self.w_end})

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return peak_end(affect, present, self.w_peak, self.w_end, self.peak, self.w_trough)  # type: ignore[arg-type]

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        """The kernel's formula and parameters (``w_peak``, ``w_end``, ``w_trough``)."""
        code = MemoryKind.PEAK_END_BEST_WORST if self.peak == "best_worst" else MemoryKind.PEAK_END
        return KernelRow(code, (self.w_peak, self.w_end, self.w_trough, 0.0))

    def describe(self) -> str:
        """E.g. ``peak-end (0.4 peak + 0.4 end + 0.2 mean)``."""
        if self.peak == "best_worst":
            rest = 1.0 - self.w_peak - self.w_trough - self.w_end
            return (f"peak-end ({self.w_peak:g} best + {self.w_trough:g} worst + {self.w_end:g} end"
                    f" + {rest:g} mean)")
        return f"peak-end ({self.w_peak:g} peak + {self.w_end:g} end + {1.0 - self.w_peak - self.w_end:g} mean)"


@dataclass(frozen=True)
class Mean:
    """The average moment; see :func:`mean`."""

    kind: ClassVar[str] = "mean"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        kernel=(KernelFormula(MemoryKind.MEAN, value=_k_mean),),
        fit_functions={"mean": lambda a, p, d: mean(a, p)},
        fit_plans=(FitPlan(0, "mean", "average moment", "mean", (("mean", {}),)),),
    )

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return mean(affect, present)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.MEAN)

    def describe(self) -> str:
        return "mean of the moments"


@dataclass(frozen=True)
class Integral:
    """Duration-weighted mean; see :func:`integral`."""

    kind: ClassVar[str] = "integral"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        kernel=(KernelFormula(MemoryKind.INTEGRAL, value=_k_integral, reads_durations=True),),
        fit_functions={"integral": lambda a, p, d: integral(a, _need(d, "integral"), p)},
        fit_plans=(FitPlan(1, "integral", "duration-weighted mean", "integral", (("integral", {}),),
                           durations=True),),
    )

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return integral(affect, durations, present)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.INTEGRAL)

    def describe(self) -> str:
        return "time average (duration-weighted mean)"


@dataclass(frozen=True)
class Total:
    """Duration-weighted sum per ``per`` duration units; see :func:`total`."""

    per: float = 1.0
    kind: ClassVar[str] = "total"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        parameters=(Parameter("per", 1.0, 0.0, None, "duration units per unit of the sum (> 0)"),),
        kernel=(KernelFormula(MemoryKind.TOTAL, value=_k_total, reads_durations=True),),
        fit_functions={"total": lambda a, p, d: total(a, _need(d, "total"), p)},
        fit_plans=(FitPlan(2, "total", "duration-weighted sum", "total", (("total", {}),), durations=True),),
    )

    def __post_init__(self) -> None:
        checks.positive("per", self.per)

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return total(affect, durations, present, self.per)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.TOTAL, (0.0, 0.0, 0.0, self.per))

    def describe(self) -> str:
        return f"total (area under the curve, per {self.per:g} duration units)"


@dataclass(frozen=True)
class End:
    """The last moment alone; see :func:`end`."""

    kind: ClassVar[str] = "end"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        kernel=(KernelFormula(MemoryKind.END, value=_k_end),),
        fit_functions={"end": lambda a, p, d: end(a, p), "first": lambda a, p, d: end(a[..., ::-1], _flip(p))},
        fit_plans=(FitPlan(7, "first", "first moment", "first", (("first", {}),)),),
    )

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return end(affect, present)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.END)

    def describe(self) -> str:
        return "end only"


@dataclass(frozen=True)
class Peak:
    """The most intense moment alone; see :func:`peak`."""

    kind: ClassVar[str] = "peak"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        kernel=(KernelFormula(MemoryKind.PEAK, value=_k_peak),),
        fit_functions={"peak": lambda a, p, d: peak(a, p)},
    )

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return peak(affect, present)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.PEAK)

    def describe(self) -> str:
        return "peak only"


#: Half-lives (in moments) tried when recency is fitted to a survey.
HALF_LIVES: tuple[float, ...] = tuple(float(h) for h in np.geomspace(0.25, 64.0, 9))  # 0.25, 0.5, … 64


@dataclass(frozen=True)
class Recency:
    """Exponential recency with a half-life in moments; see :func:`recency`."""

    half_life: float = 2.0
    kind: ClassVar[str] = "recency"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        parameters=(Parameter("half_life", 2.0, 0.0, None, "moments after which a moment weighs half (> 0)"),),
        kernel=(KernelFormula(MemoryKind.RECENCY, step=_k_recency_step, finish=_k_ratio),),
        fit_functions={"recency": lambda a, p, d, half_life: recency(a, p, half_life=half_life)},
        fit_plans=(FitPlan(11, "recency", "exponential recency, fitted half-life", "recency", (("recency", {}),),
                           tuning=("half_life", HALF_LIVES)),),
    )

    def __post_init__(self) -> None:
        checks.positive("half_life", self.half_life)

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        return recency(affect, present, self.half_life)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.RECENCY, (0.0, 0.0, 0.0, self.half_life))

    def describe(self) -> str:
        return f"recency (half-life {self.half_life:g} moments)"


@dataclass(frozen=True)
class KeyMoments:
    """One weight per touchpoint, the rest on the mean; see :func:`key_moments`.

    ``weights`` is a mapping ``touchpoint name -> weight``; each weight in [−1, 1], summing to at
    most 1 (a negative weight: that touchpoint lowers the memory; see :func:`signed_weights`).
    """

    weights: tuple[tuple[str, float], ...] = ()
    kind: ClassVar[str] = "key_moments"
    definition = Definition(  # not annotated: no dataclass field, not even a ClassVar one
        parameters=(Parameter("weights", (), -1.0, 1.0, "touchpoint name -> weight; the rest on the mean"),),
        kernel=(KernelFormula(MemoryKind.KEY_MOMENTS, step=_k_weighted_step, finish=_k_key_moments),),
        fit_functions={"key_moments": _fit_key_moments},
        fit_plans=(FitPlan(12, "key_moments", "a fitted weight per touchpoint, the rest on the mean", "key_moments",
                           per_touchpoint=True),),
        needs_touchpoints=True,
    )

    def __post_init__(self) -> None:
        raw = self.weights
        items = tuple(raw.items()) if isinstance(raw, Mapping) else tuple(tuple(kv) for kv in raw)
        items = tuple((str(k), float(checks.number(f"weights.{k}", v))) for k, v in items)
        signed_weights("weights", dict(items))
        object.__setattr__(self, "weights", items)

    def vector(self, touchpoints: Sequence[str]) -> Array:
        """Weights aligned with ``touchpoints``; a weight for an unknown touchpoint is an error."""
        index = {name: i for i, name in enumerate(touchpoints)}
        w = np.zeros(len(touchpoints))
        for name, weight in self.weights:
            if name not in index:
                raise SpecError(f"weights.{name}", weight,
                                "names no touchpoint of the journey; touchpoints: " + ", ".join(touchpoints))
            w[index[name]] = weight
        return w

    def remember(self, affect: ArrayLike, durations: ArrayLike, present: ArrayLike | None = None,
                 touchpoints: Sequence[str] | None = None) -> Array:
        if touchpoints is None:
            raise ValueError("key_moments needs the touchpoint names of the episode's moments")
        return key_moments(affect, self.vector(touchpoints), present)

    def kernel_row(self, touchpoints: Sequence[str]) -> KernelRow:
        return KernelRow(MemoryKind.KEY_MOMENTS, weights=self.vector(touchpoints))

    def describe(self) -> str:
        shown = ", ".join(f"{w:g} {k}" for k, w in self.weights)
        return f"key moments ({shown or 'no weights'}; the rest on the mean)"


#: Every built-in memory model by its ``kind``: the registry the engine, the kernel, the fits and
#: the teaching page read.
MEMORY_MODELS: dict[str, type] = {
    cls.kind: cls for cls in (PeakEnd, Mean, Integral, Total, End, Peak, Recency, KeyMoments)
}


def definitions() -> dict[str, Definition]:
    """Each built-in model's :class:`~cxsim.behaviour.memory_parts.Definition` by its ``kind``."""
    return {kind: cls.definition for kind, cls in MEMORY_MODELS.items()}  # type: ignore[attr-defined]


def kernel_formulas() -> tuple[KernelFormula, ...]:
    """Every kernel formula of the built-in models, in :class:`MemoryKind` order."""
    found = [f for d in definitions().values() for f in d.kernel]
    return tuple(sorted(found, key=lambda f: int(f.code)))


def fit_functions() -> dict[str, FitFunction]:
    """Every memory function the survey fits evaluate, by name (unique across the models)."""
    return {name: fn for d in definitions().values() for name, fn in d.fit_functions.items()}


def fit_plans() -> tuple[FitPlan, ...]:
    """Every candidate of the memory-model comparison, in the comparison's order."""
    return tuple(sorted((p for d in definitions().values() for p in d.fit_plans), key=lambda p: p.order))


def memory_model_from_dict(field_: str, data: Mapping[str, Any]) -> MemoryModel:
    """Build a memory model from ``{kind: peak_end, w_peak: ..., ...}``; errors name ``field_``."""
    kind = data.get("kind")
    if kind not in MEMORY_MODELS:
        raise SpecError(f"{field_}.kind", kind, "allowed: " + ", ".join(MEMORY_MODELS))
    cls = MEMORY_MODELS[kind]
    params = {k: v for k, v in data.items() if k != "kind"}
    checks.no_unknown_keys(field_, params, [f for f in cls.__dataclass_fields__ if f != "kind"])  # type: ignore[attr-defined]
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
