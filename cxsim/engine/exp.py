"""``exp`` for compiled loops that the compiler turns into vector instructions.

A call to the C library's ``exp`` inside a numba loop is a call: the loop around it stays
scalar, and every value live across the call is spilled. The kernel's logistic chance to
repurchase (the decision pass of :func:`cxsim.engine.kernel.journey_block`) spent about as long
in that call as in the rest of its customer's arithmetic. :func:`exp` here is inlined, has no branch and no table,
so a loop over customers that uses it vectorises.

The method is the textbook one (Cody & Waite 1980; Muller, *Elementary Functions*, 3rd ed.
2016, ch. 11): ``x = n·ln 2 + r`` with ``n = rint(x / ln 2)`` and ``ln 2`` split in two parts
(fdlibm's ``ln2HI``, ``ln2LO``) so that ``r`` is exact to the last bits, ``|r| ≤ ln 2 / 2``;
``exp(r) − 1`` by its Taylor polynomial to degree 13 (truncation below 2⁻⁵⁷ relative), one added
last; the power of two as two exponent fields, so that results down to the smallest subnormal
come out of one rounding. It is within one unit in the last place of the correctly rounded
value (``tests/test_exp.py`` checks it against ``math.exp`` over the whole range, specials
included); the C library's ``exp`` is within about half a unit, so the two differ by one unit
for about one argument in ten.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_LOG2E = 1.4426950408889634  # 1 / ln 2
_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits (fdlibm's ln2HI): n·_LN2_HI is exact for |n| < 2²⁰
_LN2_LO = 1.90821492927058770002e-10  # ln 2 − _LN2_HI
_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = (1.0 / math.factorial(k) for k in range(2, 14))
#: The largest double whose exp is finite.
OVERFLOW = 709.782712893384
_BIAS = 1023


@intrinsic
def _as_double(typingctx, bits):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The double whose IEEE 754 bits are the int64 ``bits``."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@numba.njit(inline="always")
def exp(x):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``e**x`` within one unit in the last place: ``inf`` beyond :data:`OVERFLOW`, 0 below
    about −745.13, NaN for NaN."""
    # 2**n fits two exponent fields; beyond these bounds the product overflows or underflows; NaN stays NaN
    xc = min(max(x, -746.0), 710.0)
    n = np.rint(xc * _LOG2E)
    r = (xc - n * _LN2_HI) - n * _LN2_LO
    p = _C13
    p = p * r + _C12
    p = p * r + _C11
    p = p * r + _C10
    p = p * r + _C9
    p = p * r + _C8
    p = p * r + _C7
    p = p * r + _C6
    p = p * r + _C5
    p = p * r + _C4
    p = p * r + _C3
    p = p * r + _C2
    p = 1.0 + (r + r * r * p)
    k = np.int64(n if n == n else 0.0)  # NaN: a defined integer (converting NaN is undefined in LLVM)
    half = k >> 1
    return p * _as_double((half + _BIAS) << 52) * _as_double((k - half + _BIAS) << 52)
