"""numpy's PCG64 streams drawn in compiled loops: the same numbers, two to three times faster.

Every stream of cxsim is a ``numpy.random.Generator`` on a ``PCG64`` bit generator spawned from
the replication's ``SeedSequence`` (:mod:`cxsim.engine.streams`). Drawing millions of normals a
cycle through numpy costs about 12 ns each on the benchmark machine, most of it an indirect call
per number into the bit generator and an unpredictable branch on the sign. The functions here
read the generator's 128-bit state, step it in a compiled loop (O'Neill 2014's PCG64, the
``XSL-RR`` output of a 128-bit LCG, exactly as numpy's ``pcg64.h``), turn the words into numbers
with numpy's own algorithms — the 256-layer ziggurat of Marsaglia & Tsang (2000) for
``standard_normal`` and ``(word >> 11) · 2⁻⁵³`` for ``random`` — and write the state back. The
numbers and the generator's state afterwards are those of ``gen.standard_normal(out=out)`` and
``gen.random(out=out)`` bit for bit (``tests/test_draws.py`` checks both on many seeds and
sizes, rejections included), so switching to these functions changed no result.

The distributions of :mod:`cxsim.specs.distribution`, the engine's cycle draws and word of mouth
draw through them; generators on any other bit generator take numpy's own path.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.random._constants import fi_double, ki_double, wi_double, ziggurat_nor_inv_r, ziggurat_nor_r
from numpy.typing import NDArray

#: PCG64's 128-bit LCG multiplier (``PCG_DEFAULT_MULTIPLIER_128`` in numpy's ``pcg64.h``).
MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_MASK64 = (1 << 64) - 1
_KI = np.asarray(ki_double, dtype=np.int64)  # the ziggurat's layers, as numpy's distributions.c
_WI = np.asarray(wi_double, dtype=np.float64)
_FI = np.asarray(fi_double, dtype=np.float64)
_WI_SIGNED = np.concatenate([_WI, -_WI])  # the layers' widths by the word's low 9 bits: sign bit 8
_U = numba.uint64


@intrinsic
def _lcg(typingctx, hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """``state · MULTIPLIER + inc`` modulo 2¹²⁸, on states split into 64-bit (hi, lo) words."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        shift = ir.Constant(i128, 64)

        def join(h, lo):
            return builder.or_(builder.shl(builder.zext(h, i128), shift), builder.zext(lo, i128))

        s = builder.add(builder.mul(join(args[0], args[1]), ir.Constant(i128, MULTIPLIER)), join(args[2], args[3]))
        words = [builder.trunc(builder.lshr(s, shift), i64), builder.trunc(s, i64)]
        return context.make_tuple(builder, signature.return_type, words)

    return sig, codegen


@numba.njit(inline="always")
def _word(hi, lo):  # pragma: no cover - compiled
    """PCG64's output of the (already stepped) state: XSL-RR, ``rotr(hi ^ lo, hi >> 58)``."""
    x = hi ^ lo
    r = hi >> _U(58)
    return (x >> r) | (x << ((_U(64) - r) & _U(63)))


@numba.njit(inline="always")
def _double(hi, lo):  # pragma: no cover - compiled
    """``next_double``: the top 53 bits of the word, times 2⁻⁵³."""
    return np.float64(np.int64(_word(hi, lo) >> _U(11))) * (1.0 / 9007199254740992.0)


@numba.njit(inline="always")
def _layer(r):  # pragma: no cover - compiled
    """A word as numpy's ziggurat reads it: layer ``idx`` (low 8 bits), sign (bit 8), the 52-bit
    ``rabs`` and the candidate ``x = ±rabs·w[idx]``. The sign comes with the layer's width from
    :data:`_WI_SIGNED`, indexed by the low 9 bits: no branch and no instruction for it (a product
    with ``-w`` is exactly the negated product with ``w``)."""
    idx = np.int64(r & _U(0xFF))
    rabs = np.int64((r >> _U(9)) & _U(0x000FFFFFFFFFFFFF))
    x = np.float64(rabs) * _WI_SIGNED[np.int64(r & _U(0x1FF))]
    return idx, rabs, x


@numba.njit(nogil=True, cache=True)
def _tail(hi, lo, inc_hi, inc_lo, idx, rabs, x):  # pragma: no cover - compiled
    """NumPy's ``random_standard_normal`` from its first rejection on (about 1 draw in 100).

    Returns ``(x, hi, lo)``. Kept out of the hot loop so that the loop stays small.
    """
    while True:
        if idx == 0:  # the base layer's tail beyond r
            while True:
                hi, lo = _lcg(hi, lo, inc_hi, inc_lo)
                xx = -ziggurat_nor_inv_r * np.log1p(-_double(hi, lo))
                hi, lo = _lcg(hi, lo, inc_hi, inc_lo)
                yy = -np.log1p(-_double(hi, lo))
                if yy + yy > xx * xx:
                    return (-(ziggurat_nor_r + xx) if (rabs >> 8) & 1 else ziggurat_nor_r + xx), hi, lo
        hi, lo = _lcg(hi, lo, inc_hi, inc_lo)
        if (_FI[idx - 1] - _FI[idx]) * _double(hi, lo) + _FI[idx] < np.exp(-0.5 * x * x):
            return x, hi, lo
        hi, lo = _lcg(hi, lo, inc_hi, inc_lo)  # rejected: numpy's loop starts over with a new word
        idx, rabs, x = _layer(_word(hi, lo))
        if rabs < _KI[idx]:
            return x, hi, lo


@numba.njit(inline="always")
def _normal(hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """One standard normal, numpy's ziggurat; returns ``(z, hi, lo)``."""
    hi, lo = _lcg(hi, lo, inc_hi, inc_lo)
    idx, rabs, x = _layer(_word(hi, lo))
    if rabs >= _KI[idx]:
        x, hi, lo = _tail(hi, lo, inc_hi, inc_lo, idx, rabs, x)
    return x, hi, lo


@numba.njit(nogil=True, cache=True)
def _normals(state, out, loc, scale, low, high):  # pragma: no cover - compiled
    """``out[i] = clip(z·scale + loc, low, high)``; advances ``state`` (hi, lo, inc_hi, inc_lo)."""
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        z, hi, lo = _normal(hi, lo, inc_hi, inc_lo)
        x = z * scale + loc
        if x < low:
            x = low
        if x > high:
            x = high
        out[i] = x
    state[0] = hi
    state[1] = lo


@numba.njit(nogil=True, cache=True)
def _unbounded_normals(state, out, loc, scale):  # pragma: no cover - compiled
    """``out[i] = z·scale + loc``: :func:`_normals` without bounds, the loop four instructions
    shorter (clipping to ±inf changes no number)."""
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        z, hi, lo = _normal(hi, lo, inc_hi, inc_lo)
        out[i] = z * scale + loc
    state[0] = hi
    state[1] = lo


@numba.njit(nogil=True, cache=True)
def _standard_normals(state, out):  # pragma: no cover - compiled
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        out[i], hi, lo = _normal(hi, lo, inc_hi, inc_lo)
    state[0] = hi
    state[1] = lo


@numba.njit(nogil=True, cache=True)
def _uniforms(state, out):  # pragma: no cover - compiled
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        hi, lo = _lcg(hi, lo, inc_hi, inc_lo)
        out[i] = _double(hi, lo)
    state[0] = hi
    state[1] = lo


@numba.njit(nogil=True, cache=True)
def _below(state, out, p):  # pragma: no cover - compiled
    """``out[i] = u_i < p`` for the next ``out.size`` uniforms ``u_i``; advances ``state``."""
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        hi, lo = _lcg(hi, lo, inc_hi, inc_lo)
        out[i] = _double(hi, lo) < p
    state[0] = hi
    state[1] = lo


#: PCG64's step and its ``next_double`` for other compiled loops that draw uniforms in place
#: (word of mouth: one per tie, from the state :func:`states_at` gives a block of ties).
pcg64_step = _lcg
pcg64_double = _double


def _words(state: dict) -> NDArray[np.uint64]:
    s, inc = state["state"]["state"], state["state"]["inc"]
    return np.array([s >> 64, s & _MASK64, inc >> 64, inc & _MASK64], dtype=np.uint64)


def states_at(gen: np.random.Generator, positions: NDArray[np.int64]) -> NDArray[np.uint64]:
    """The PCG64 state words ``(hi, lo, inc_hi, inc_lo)`` the stream of ``gen`` will have after
    ``positions[b]`` more 64-bit draws (``PCG64.advance``: a jump, O(log n)), one row per position;
    ``gen`` itself does not move. A compiled loop started from row ``b`` draws the stream's numbers
    from number ``positions[b]`` on, so blocks of one stream can be drawn on separate threads."""
    bg = gen.bit_generator
    if type(bg) is not np.random.PCG64:
        raise TypeError(f"gen: {type(bg).__name__} bit generator is not allowed; allowed: PCG64")
    base = bg.state
    jump = np.random.PCG64(0)
    out = np.empty((len(positions), 4), dtype=np.uint64)
    for b, pos in enumerate(positions):
        jump.state = base
        jump.advance(int(pos))
        out[b] = _words(jump.state)  # type: ignore[arg-type]
    return out


def advance(gen: np.random.Generator, delta: int) -> None:
    """Move ``gen`` on by ``delta`` 64-bit draws, as drawing ``delta`` uniforms would (unlike
    ``PCG64.advance``, the buffered 32-bit half-word is kept, as such draws keep it)."""
    bg = gen.bit_generator
    with bg.lock:
        full = bg.state
        jump = np.random.PCG64(0)
        jump.state = full  # type: ignore[assignment]
        jump.advance(int(delta))
        full["state"]["state"] = jump.state["state"]["state"]
        bg.state = full


def _pcg64(gen: np.random.Generator) -> np.random.PCG64 | None:
    bg = gen.bit_generator
    return bg if type(bg) is np.random.PCG64 else None


def _run(bg: np.random.PCG64, kernel, out: NDArray[np.float64] | NDArray[np.bool_], *args: float) -> None:
    """Run ``kernel`` on the generator's state and write the advanced state back, under its lock."""
    with bg.lock:
        full = bg.state
        words = _words(full)  # type: ignore[arg-type]
        kernel(words, out, *args)
        full["state"]["state"] = (int(words[0]) << 64) | int(words[1])
        bg.state = full


def _check(out: NDArray[np.float64]) -> None:
    if out.dtype != np.float64 or out.ndim != 1 or not out.flags.c_contiguous:
        raise ValueError("out: needs a contiguous 1-d float64 array")


def normal_into(
    gen: np.random.Generator, out: NDArray[np.float64], loc: float = 0.0, scale: float = 1.0,
    low: float = -np.inf, high: float = np.inf,
) -> None:
    """``out`` ← ``clip(z·scale + loc, low, high)``, ``z`` the numbers of ``gen.standard_normal(out=out)``.

    Bit-identical to ``gen.standard_normal(out=out); out *= scale; out += loc; np.clip(out, low,
    high, out=out)``, and ``gen`` ends in the same state.
    """
    _check(out)
    bg = _pcg64(gen)
    if bg is None:
        gen.standard_normal(out=out)
        out *= scale
        out += loc
        np.clip(out, low, high, out=out)
        return
    if low == -np.inf and high == np.inf:
        _run(bg, _unbounded_normals, out, float(loc), float(scale))
    else:
        _run(bg, _normals, out, float(loc), float(scale), float(low), float(high))


def standard_normal_into(gen: np.random.Generator, out: NDArray[np.float64]) -> None:
    """``gen.standard_normal(out=out)``: the same numbers and the same state afterwards."""
    _check(out)
    bg = _pcg64(gen)
    if bg is None:
        gen.standard_normal(out=out)
    else:
        _run(bg, _standard_normals, out)


def random_into(gen: np.random.Generator, out: NDArray[np.float64]) -> None:
    """``gen.random(out=out)``: the same numbers and the same state afterwards."""
    _check(out)
    bg = _pcg64(gen)
    if bg is None:
        gen.random(out=out)
    else:
        _run(bg, _uniforms, out)


def below_into(gen: np.random.Generator, out: NDArray[np.bool_], p: float) -> None:
    """``out`` ← ``gen.random(out.size) < p`` without the array of uniforms (one byte a draw
    instead of nine); ``gen`` ends where ``gen.random(out.size)`` would leave it."""
    _check_flags(out)
    bg = _pcg64(gen)
    if bg is None:
        np.less(gen.random(out.size), p, out=out)
    else:
        _run(bg, _below, out, float(p))


def below_at(state: NDArray[np.uint64], out: NDArray[np.bool_], p: float) -> None:
    """``out`` ← the next ``out.size`` uniforms ``< p`` of the PCG64 stream at ``state`` (a row of
    :func:`states_at`, advanced in place): :func:`below_into` for one block of a stream drawn
    block by block on separate threads."""
    _check_flags(out)
    _below(state, out, float(p))


def _check_flags(out: NDArray[np.bool_]) -> None:
    if out.dtype != np.bool_ or out.ndim != 1 or not out.flags.c_contiguous:
        raise ValueError("out: needs a contiguous 1-d bool array")


def random(gen: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
    """``gen.random(size)`` in a new array: the same numbers and the same state afterwards."""
    out = np.empty(size)
    random_into(gen, out.reshape(-1))
    return out


def standard_normal(gen: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
    """``gen.standard_normal(size)`` in a new array: the same numbers and the same state afterwards."""
    out = np.empty(size)
    standard_normal_into(gen, out.reshape(-1))
    return out


#: Draws per block when 64-bit draws are rounded into 32-bit arrays (:func:`rounded_into`).
ROUND_BLOCK = 1 << 16


def rounded_into(fill: Callable[[NDArray[np.float64]], object], out: NDArray[np.floating]) -> None:
    """``fill`` a 64-bit array of ``out.size`` and round it into ``out``, :data:`ROUND_BLOCK` at a time.

    ``fill(buf)`` must draw value by value from one stream (uniforms, normals), so that drawing
    in blocks gives the numbers of one call over the whole array: only a block of 64-bit draws
    exists at a time, not a row of the population.
    """
    buf = np.empty(min(ROUND_BLOCK, out.size))
    for lo in range(0, out.size, ROUND_BLOCK):
        k = min(ROUND_BLOCK, out.size - lo)
        fill(buf[:k])
        out[lo:lo + k] = buf[:k]
