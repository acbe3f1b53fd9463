"""Selecting the best of a few simulated alternatives with a stated probability of being right.

The procedure is **KN** of Kim & Nelson (2001), "A fully sequential procedure for
indifference-zone selection in simulation", *ACM TOMACS* 11(3), 251–273. Given ``k`` systems, an
indifference zone ``δ`` (differences smaller than ``δ`` do not matter) and ``α``, it guarantees
that the system it selects is the best — or within ``δ`` of it — with probability at least
``1 − α`` when the outputs are normal, whatever their (unknown, unequal) variances and whatever
their correlation: it works with common random numbers, which make it stop sooner.

1. Take ``n0`` replications of every system. With
   ``η = ½ [(2α / (k − 1))^(−2/(n0 − 1)) − 1]`` and ``h² = 2η (n0 − 1)``, estimate the variance
   ``S²_il`` of the paired differences ``X_i − X_l`` of every pair from those ``n0``.
2. At ``r`` replications, keep system ``i`` unless some other survivor ``l`` has
   ``X̄_i(r) < X̄_l(r) − W_il(r)``, with ``W_il(r) = max(0, δ/(2r) · (h² S²_il / δ² − r))``.
3. Stop when one system survives; else run replication ``r + 1`` of every survivor.

The procedure stops after at most ``max h² S²_il / δ² + 1`` replications. A budget
``max_replications`` may stop it earlier: then no winner is named — the survivors cannot be told
apart within the budget, and the result says so plainly.

:func:`kim_nelson` takes a callback ``sample(systems, r)`` returning replication ``r`` of each
listed system, so the same code selects among simulated portfolios (replication ``r`` of every
portfolio uses the same seed: common random numbers) and among synthetic systems in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from cxsim.errors import SpecError
from cxsim.specs import checks

Sampler = Callable[[Sequence[int], int], NDArray[np.float64]]
"""``sample(systems, r)``: replication ``r`` (0-based) of each system in ``systems``, as an array."""


@dataclass(frozen=True)
class SelectionSettings:
    """Settings of the ranking-and-selection step.

    Attributes:
        delta: the indifference zone, in the objective's units (> 0).
        alpha: one minus the guaranteed probability of correct selection (0 < α < 1).
        n0: first-stage replications per system (>= 2).
        max_replications: the most replications any system may get.
    """

    delta: float = 1.0
    alpha: float = 0.05
    n0: int = 10
    max_replications: int = 200

    def __post_init__(self) -> None:
        checks.positive("delta", self.delta)
        a = checks.number("alpha", self.alpha)
        if not 0.0 < a < 1.0:
            raise SpecError("alpha", self.alpha, "must lie in (0, 1)")
        checks.integer("n0", self.n0, 2)
        m = checks.integer("max_replications", self.max_replications, 2)
        if m < self.n0:
            raise SpecError("max_replications", self.max_replications, f"must be >= n0 ({self.n0})")


@dataclass
class Selection:
    """The outcome of a selection.

    Attributes:
        chosen: index of the selected system, ``None`` when the budget ran out first.
        leader: index of the system with the best mean (the chosen one when there is one).
        means: each system's mean over its replications.
        replications: replications each system received.
        survivors: the systems still in contention at the end.
        eliminated_at: the replication count at which each system was dropped (``0``: never).
        settings: the settings used.
        k: number of systems.
        names: the systems' names.
        values: every replication's output of each system (in the objective's own sign).
    """

    chosen: int | None
    leader: int
    means: NDArray[np.float64]
    replications: NDArray[np.int64]
    survivors: list[int]
    eliminated_at: NDArray[np.int64]
    settings: SelectionSettings
    k: int
    names: list[str] = field(default_factory=list)
    values: list[NDArray[np.float64]] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        """Whether a single system was selected."""
        return self.chosen is not None

    @property
    def pcs(self) -> float:
        """The guaranteed probability of correct selection (``1 − α``), or ``nan`` if unresolved."""
        return 1.0 - self.settings.alpha if self.resolved else float("nan")

    @property
    def total_replications(self) -> int:
        return int(self.replications.sum())

    def _name(self, i: int) -> str:
        return self.names[i] if self.names else f"system {i}"

    def statement(self) -> str:
        """The result in one plain sentence."""
        s = self.settings
        if self.resolved:
            return (f"{self._name(self.chosen)} is the best, or within δ = {s.delta:g} of the best, with probability "  # type: ignore[arg-type]
                    f">= {1 - s.alpha:.0%} (Kim-Nelson KN, {self.total_replications} replications in all)")
        names = ", ".join(self._name(i) for i in self.survivors)
        return (f"no winner: {names} cannot be told apart within δ = {s.delta:g} after {s.max_replications} "
                f"replications each; their intervals overlap (more replications or a larger δ would decide)")


def kn_constants(k: int, alpha: float, n0: int) -> tuple[float, float]:
    """``η`` and ``h²`` of the KN procedure (Kim & Nelson 2001, eq. for c = 1)."""
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return eta, 2.0 * eta * (n0 - 1)


def kim_nelson(sample: Sampler, k: int, settings: SelectionSettings, initial: NDArray[np.float64] | None = None,
               maximise: bool = True, names: Sequence[str] = ()) -> Selection:
    """Select the best of ``k`` systems by the KN procedure (see the module docstring).

    Args:
        sample: ``sample(systems, r)`` returns replication ``r`` of each listed system.
        k: number of systems (>= 1).
        settings: δ, α, n0 and the replication budget.
        initial: replications already available, shape ``(k, m)`` (replications ``0..m-1`` of
            each system, e.g. from the search); they count as the first ones, so only replications
            ``m, m+1, …`` are requested. The first stage is ``max(n0, m)`` replications.
        maximise: larger is better (``False``: smaller is better).
        names: the systems' names, for the statement.
    """
    k = checks.integer("k", k, 1)
    n0 = settings.n0
    sign = 1.0 if maximise else -1.0
    data: list[list[float]] = [[] for _ in range(k)]
    if initial is not None:
        arr = np.asarray(initial, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != k:
            raise SpecError("initial", arr.shape, f"an array of shape ({k}, replications)")
        for i in range(k):
            data[i] = list(arr[i])
    start = len(data[0])
    n0 = min(max(n0, start), settings.max_replications)
    alive = list(range(k))
    for r in range(start, n0):  # the rest of the first stage
        values = np.asarray(sample(alive, r), dtype=float)
        for i, v in zip(alive, values):
            data[i].append(float(v))
    eliminated = np.zeros(k, dtype=np.int64)
    if k == 1:
        return _result(0, data, [0], eliminated, settings, k, sign, names)
    x = sign * np.array([row[:n0] for row in data])
    _, h2 = kn_constants(k, settings.alpha, n0)
    diffs = x[:, None, :] - x[None, :, :]
    s2 = diffs.var(axis=2, ddof=1)  # S²_il of the paired differences (Kim & Nelson 2001, step Setup)
    r = n0
    delta = settings.delta
    while True:
        means = sign * np.array([np.mean(data[i][:r]) for i in alive])
        keep = []
        for a, i in enumerate(alive):
            w = np.maximum(0.0, delta / (2.0 * r) * (h2 * s2[i, alive] / delta ** 2 - r))
            beaten = means[a] < means - w
            beaten[a] = False
            if not beaten.any():
                keep.append(i)
            else:
                eliminated[i] = r
        alive = keep
        if len(alive) == 1:
            return _result(alive[0], data, alive, eliminated, settings, k, sign, names)
        if r >= settings.max_replications:
            return _result(None, data, alive, eliminated, settings, k, sign, names)
        need = [i for i in alive if len(data[i]) <= r]
        if need:
            values = np.asarray(sample(need, r), dtype=float)
            for i, v in zip(need, values):
                data[i].append(float(v))
        r += 1


def _result(chosen: int | None, data: list[list[float]], alive: list[int], eliminated: NDArray[np.int64],
            settings: SelectionSettings, k: int, sign: float, names: Sequence[str]) -> Selection:
    means = np.array([float(np.mean(row)) if row else math.nan for row in data])
    reps = np.array([len(row) for row in data], dtype=np.int64)
    leader = max(alive, key=lambda i: sign * means[i])
    return Selection(chosen, leader, means, reps, list(alive), eliminated, settings, k, list(names),
                     [np.asarray(row, dtype=float) for row in data])
