"""Moment affect by the Delta law: how a moment feels, from performance against expectation.

The Delta law of customer-experience management (case study 004; Oliver 1980's expectation-
disconfirmation paradigm) says that satisfaction compares what is experienced with what was
expected. Two forms are offered:

* ``difference`` — ``sign * (P - E) / unit`` (case studies 001/002: satisfaction = experience −
  expectation). ``unit`` is how much of the measure counts as one unit of affect (e.g. 1 point on
  a rating scale, 2 days of delivery).
* ``ratio`` — ``sign * (P - E) / E``, the relative disconfirmation: experience / expectation − 1
  for higher-is-better measures (1 = met becomes 0), and 1 − experience / expectation for
  lower-is-better ones (a spare part expected in 3 days and delivered in 1 gives +0.67). Needs
  positive expectations.

``sign`` is +1 when higher is better and −1 when lower is better. The disconfirmation then passes
through a zone of tolerance (Zeithaml, Berry & Parasuraman 1993: inside it performance neither
pleases nor disappoints) and loss aversion (Kahneman & Tversky 1979: a shortfall counts
``loss_aversion`` times as much as an equal surplus).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cxsim.specs.scenario import AFFECT_FORMS

Form = Literal["difference", "ratio"]
FORMS: tuple[str, ...] = AFFECT_FORMS

#: Expectations are floored here in ratio form so that a customer whose expectation has adapted
#: to a performance of zero (no wait at all) does not divide by zero.
RATIO_FLOOR = 1e-9


def disconfirmation(
    performance: ArrayLike,
    expectation: ArrayLike,
    sign: ArrayLike = 1.0,
    form: Form = "difference",
    unit: ArrayLike = 1.0,
) -> NDArray[np.float64]:
    """Signed gap between performance and expectation, positive when expectations are beaten.

    Args:
        performance: performance per moment, shape ``(..., m)`` or broadcastable.
        expectation: expectation per moment, same shape as ``performance`` or broadcastable.
        sign: +1 (higher is better) or −1 (lower is better), per touchpoint.
        form: ``"difference"`` or ``"ratio"`` (see module docstring).
        unit: measure units per unit of affect, difference form only.

    Returns:
        Array of the broadcast shape.
    """
    p = np.asarray(performance, dtype=np.float64)
    e = np.asarray(expectation, dtype=np.float64)
    if form == "difference":
        return (p - e) * (np.asarray(sign, dtype=np.float64) / np.asarray(unit, dtype=np.float64))
    if form == "ratio":
        e = np.maximum(e, RATIO_FLOOR)
        return (p - e) / e * np.asarray(sign, dtype=np.float64)
    raise ValueError(f"form: {form!r} is not allowed; allowed: {', '.join(FORMS)}")


def tolerate(
    gap: ArrayLike, tolerance: ArrayLike = 0.0, loss_aversion: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Affect from a disconfirmation: a dead zone of ``±tolerance``, losses scaled up.

    ``affect = max(gap − tol, 0) + loss_aversion · min(gap + tol, 0)``: continuous, zero inside
    the zone, slope 1 above it and slope ``loss_aversion`` below it.
    """
    g = np.asarray(gap, dtype=np.float64)
    tol = np.asarray(tolerance, dtype=np.float64)
    out = np.maximum(g - tol, 0.0)
    low = np.minimum(g + tol, 0.0)
    low *= loss_aversion
    out += low
    return out


def moment_affect(
    performance: ArrayLike,
    expectation: ArrayLike,
    sign: ArrayLike = 1.0,
    form: Form = "difference",
    unit: ArrayLike = 1.0,
    tolerance: ArrayLike = 0.0,
    loss_aversion: ArrayLike = 1.0,
) -> NDArray[np.float64]:
    """How each moment feels: :func:`disconfirmation` passed through :func:`tolerate`.

    Example:
        >>> float(moment_affect(1.0, 3.0, sign=-1, form="ratio"))  # 3 days expected, 1 delivered
        0.6666666666666666
        >>> float(moment_affect(5.0, 7.0, tolerance=0.5, loss_aversion=2.0))  # Meisu convenience
        -3.0
    """
    return tolerate(disconfirmation(performance, expectation, sign, form, unit), tolerance, loss_aversion)
