"""Cumulative satisfaction and the adaptation of expectations.

Cumulative satisfaction (Johnson, Anderson & Fornell 1995; Anderson, Fornell & Lehmann 1994) is
the customer's overall evaluation of the relationship so far. It is updated each cycle from the
cycle's remembered experience, earlier memories fading by ``retention`` per cycle
(:func:`cxsim.behaviour.memory.fade`). Satisfaction is in affect units: 0 means "expectations met".

Expectations adapt (Helson 1964's adaptation level; Oliver 1980): toward the performance the
customer experienced, and toward what word of mouth reports.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxsim.behaviour.memory import fade

Array = NDArray[np.float64]


def update_satisfaction(satisfaction: ArrayLike, remembered: ArrayLike, retention: ArrayLike) -> Array:
    """Cumulative satisfaction after a cycle: the old one faded, plus this cycle's memory.

    ``S_t = retention·S_{t−1} + (1 − retention)·R_t``. A NaN memory (no moment this cycle)
    leaves satisfaction unchanged.
    """
    s = np.asarray(satisfaction, dtype=np.float64)
    r = np.asarray(remembered, dtype=np.float64)
    out = fade(s, r, retention)
    nan = np.isnan(r)
    if nan.any():
        out = np.where(nan, s, out)
    return out


def adapt_expectations(
    expectation: ArrayLike, observed: ArrayLike, rate: ArrayLike, present: ArrayLike | None = None
) -> Array:
    """Move expectations a share ``rate`` toward observed performance, where it was observed.

    ``E ← E + rate·(P − E)`` for present moments; other expectations are kept. Used for the
    customer's own experience and, with the word-of-mouth weight, for what others told them.
    """
    e = np.asarray(expectation, dtype=np.float64)
    moved = np.asarray(observed, dtype=np.float64) - e
    moved *= rate  # type: ignore[arg-type]
    moved += e
    if present is None:
        return moved
    present = np.asarray(present, dtype=bool)
    return moved if present.all() else np.where(present, moved, e)
