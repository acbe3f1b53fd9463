"""What a memory model is made of: its kernel code, parameters, compiled formula and fitting plan.

A memory model (:mod:`cxsim.behaviour.memory`) is one frozen dataclass that satisfies the
:class:`MemoryModel` protocol. Besides the vectorised numpy function that the numpy backend
calls (:meth:`MemoryModel.remember`), its class carries, as class variables, everything the
other parts of cxsim look up instead of listing the models themselves:

* ``kind`` — its name in configs (``memory.kind``);
* ``parameters`` — a :class:`Parameter` per parameter, with its default, bounds and meaning;
* ``kernel`` — one :class:`KernelFormula` per code of :class:`MemoryKind` the model compiles to:
  how the compiled journey step (:mod:`cxsim.engine.kernel`) computes the remembered value of
  one customer, from the running sums of the episode's moments or moment by moment. An empty
  ``kernel`` means the model runs on the numpy backend only;
* ``fit_functions`` and ``fit_plans`` — the memory functions that the survey fits
  (:mod:`cxsim.fit.memory_fit`) evaluate, and the candidates (design columns and fitted weights)
  of the model comparison;
* ``needs_touchpoints`` — whether :meth:`MemoryModel.remember` needs the touchpoint names.

The kernel formulas are plain Python functions of floats (no numpy arrays), so that they read
like the formulas they are, run in Python for a test, and compile as they are into the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


class MemoryKind(IntEnum):
    """The integer code of a memory formula in the compiled kernel (one per formula, not per name:
    the peak-end rule has two, one per kind of peak). The values are stored in
    :class:`cxsim.engine.compiled.MemoryTable` and compared in :mod:`cxsim.engine.kernel`."""

    MEAN = 0
    INTEGRAL = 1
    TOTAL = 2
    END = 3
    PEAK = 4
    PEAK_END = 5
    PEAK_END_BEST_WORST = 6
    RECENCY = 7
    KEY_MOMENTS = 8


#: The four parameters a kernel formula receives (``p0`` .. ``p3``), as a model packs them.
KernelParams = tuple[float, float, float, float]


@dataclass(frozen=True)
class KernelFormula:
    """How the compiled kernel computes one memory formula for one customer.

    Either ``value`` (from the episode's running sums) or ``step`` and ``finish`` (moment by
    moment) is given.

    Attributes:
        code: the formula's :class:`MemoryKind`.
        value: ``value(p0, p1, p2, p3, count, total, dsum, adsum, best, worst, last, mean)`` — the
            remembered value from the parameters the model packs (:meth:`MemoryModel.kernel_row`)
            and the sums of the present moments: their number, sum, sum of durations, sum of
            affect × duration, best, worst and last affect, and their mean (``total / count``).
            Not called for an episode without moments (the kernel gives NaN).
        step: ``step(acc, wsum, affect, age, weight, p0, p1, p2, p3) -> (acc, wsum)`` — one
            present moment, in order: ``age`` is the number of present moments after it,
            ``weight`` the model's weight of its touchpoint; ``acc`` and ``wsum`` start at 0.
        finish: ``finish(acc, wsum, mean) -> value`` after the last moment.
        reads_durations: the kernel keeps ``dsum`` and ``adsum`` only for formulas that read them.
    """

    code: MemoryKind
    value: Callable[..., float] | None = None
    step: Callable[..., tuple[float, float]] | None = None
    finish: Callable[[float, float, float], float] | None = None
    reads_durations: bool = False

    def __post_init__(self) -> None:
        if (self.value is None) == (self.step is None) or (self.step is None) != (self.finish is None):
            raise ValueError(f"{self.code.name}: give either value, or step and finish")

    @property
    def by_moment(self) -> bool:
        """Does the kernel go through the moments one by one for this formula?"""
        return self.step is not None


@dataclass(frozen=True)
class KernelRow:
    """One memory model as the kernel reads it: formula code, packed parameters, weights."""

    code: MemoryKind
    params: KernelParams = (0.0, 0.0, 0.0, 0.0)
    weights: Array | None = None  # (T,) weight per touchpoint, for step formulas that read them


@dataclass(frozen=True)
class Parameter:
    """A parameter of a memory model: default, closed bounds and what it means."""

    name: str
    default: Any
    low: float | None = None
    high: float | None = None
    meaning: str = ""


@dataclass(frozen=True)
class FitPlan:
    """A candidate of the memory-model comparison of :mod:`cxsim.fit.memory_fit`.

    The candidate's design columns are ``columns``: each an evaluation ``(fit function,
    parameters)`` of one of the model's :attr:`MemoryModel.fit_functions`. Memory functions with
    weights are affine in them, so a model with weights is fitted by least squares on the
    columns at the corners of its weight space (all weights 0, then each weight 1 in turn), and
    its weights are read back from the coefficients (``weights``, in the order of the columns
    after the first). ``mix`` combines the columns into one with fixed coefficients instead.

    Attributes:
        order: position of the candidate in the comparison (the table's order before ranking).
        name: the candidate's name in the table.
        label: a short description.
        function: the fit function that :class:`cxsim.fit.memory_fit.FittedMemory` predicts with.
        columns: the design columns, ``(fit function, parameters)`` each.
        weights: names of the weights read back from the coefficients.
        tuning: a parameter chosen on a grid inside each training fold, and the grid.
        mix: fixed coefficients combining the columns into a single column.
        predict_args: parameters of ``function`` when predicting (else the fitted weights).
        durations: needs the survey's durations.
        per_touchpoint: a weight per touchpoint of the survey (its columns are built from the
            survey's touchpoint names: ``w_<touchpoint>``).
    """

    order: int
    name: str
    label: str
    function: str
    columns: tuple[tuple[str, Mapping[str, float]], ...] = ()
    weights: tuple[str, ...] = ()
    tuning: tuple[str, tuple[float, ...]] | None = None
    mix: tuple[float, ...] | None = None
    predict_args: Mapping[str, float] | None = None
    durations: bool = False
    per_touchpoint: bool = False


#: A memory function the survey fits evaluate: ``(affect, present, durations, **params) -> value``.
FitFunction = Callable[..., Array]


@runtime_checkable
class MemoryModel(Protocol):
    """A memory model: moments in, one remembered value per episode out.

    The class variables describe the model for the rest of cxsim (see the module docstring);
    a user's own model needs only ``kind`` and :meth:`remember` (it then runs on the numpy
    backend): :func:`kernel_row_of` and :func:`describe_of` read the rest when present.
    """

    kind: ClassVar[str]

    def remember(
        self,
        affect: ArrayLike,
        durations: ArrayLike,
        present: ArrayLike | None = None,
        touchpoints: Sequence[str] | None = None,
    ) -> Array: ...


def kernel_row_of(model: MemoryModel, touchpoints: Sequence[str]) -> KernelRow | None:
    """The model as the compiled kernel reads it, or ``None`` if the kernel cannot run it."""
    row = getattr(model, "kernel_row", None)
    return None if row is None else row(touchpoints)


def describe_of(model: MemoryModel) -> str:
    """A short description of the model with its parameters (its ``kind`` if it has none)."""
    describe = getattr(model, "describe", None)
    return model.kind if describe is None else str(describe())


@dataclass(frozen=True)
class Definition:
    """What every built-in memory model states about itself, as its class variable ``definition``
    (see the module docstring; ``kind`` is a class variable of its own, as the protocol asks)."""

    parameters: tuple[Parameter, ...] = ()
    kernel: tuple[KernelFormula, ...] = ()
    fit_functions: Mapping[str, FitFunction] = field(default_factory=dict)
    fit_plans: tuple[FitPlan, ...] = ()
    needs_touchpoints: bool = False
