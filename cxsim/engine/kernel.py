"""The journey step fused into compiled passes (numba); word of mouth's are :mod:`cxsim.engine.wom_kernel`.

:func:`cxsim.engine.cycle.journey_step` is written with the library's pure numpy functions —
Delta law (:mod:`~cxsim.behaviour.affect`), memory models (:mod:`~cxsim.behaviour.memory`),
satisfaction and loyalty — which make about twenty passes over a block's ``(customers ×
touchpoints)`` arrays. This module does the same arithmetic in compiled passes with no
temporaries beyond a tile's: per tile of customers, one branch-free loop per touchpoint (the
Delta law, expectation adaptation and the sums the memory models need; LLVM turns the difference
form's into AVX instructions, not the ratio form's), then loops over the tile's customers that
vectorise too: memory, satisfaction with the chance to repurchase (through the inlined
:func:`cxsim.engine.exp.exp`, since a call to the C library's would keep the loop scalar), then
one store loop per state and outcome array (masked, or writing the empty outcome of those who did
not go). Only what is rare or goes moment by moment stays
scalar: a second decision for those with more than one terrible moment (or with loyalty's hazard
table), and the memories that weigh moment by moment (recency, key moments). It releases the
GIL so blocks of customers run on all cores.

The kernel lists no memory model: each model of :data:`cxsim.behaviour.memory.MEMORY_MODELS`
states its compiled formula (:class:`~cxsim.behaviour.memory_parts.KernelFormula`, under a
:class:`~cxsim.behaviour.memory_parts.MemoryKind` code), and this module compiles them into one
if-chain on the code, inlined where it is called. The inputs come as the named records of
:mod:`cxsim.engine.kernel_inputs`; :func:`journey_block` runs a tile through its passes
(:func:`_start`, :func:`_moments`, :func:`_remember`, :func:`_by_moment`, :func:`_decide`,
:func:`_store`, :func:`_decide_again`). numba caches the compiled kernel by this file: after
changing a memory model's kernel formula, delete the ``__pycache__`` entries of this module (or
touch this file) so that the cache is rebuilt. It is the engine's default for the built-in memory models; the numpy path
stays the reference (``backend="numpy"``) and ``tests/test_kernel.py`` checks that both agree to 1e-12
on every memory model, affect form, branch and absent moment.

Each formula below repeats, operation for operation, the numpy function named beside it, so
that the two round the same way; change them together. (The one exception is ``exp`` in the chance
to repurchase, :func:`cxsim.engine.exp.exp`, which differs from ``np.exp`` by one unit in the last
place for about one argument in nine, measured: that decides a switch only when the switching
draw falls within that difference of the chance, less than once in 10¹⁶ decisions.) The kernel
uses numpy's error model: a division by zero gives ``inf`` or NaN, as in numpy, instead of
raising; none of its divisions can have a zero divisor for a validated scenario.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from cxsim.behaviour.memory import kernel_formulas
from cxsim.behaviour.memory_parts import KernelFormula
from cxsim.engine.exp import exp as _exp


def _moments_loop(ratio_form: bool, durations: bool):  # type: ignore[no-untyped-def]
    """The tile's loop over customers for one touchpoint, compiled for one affect form.

    ``ratio_form`` and ``durations`` are constants of the closure, so each variant's loop has no
    branch on them and the compiler can vectorise it. ``durations``: keep the duration sums
    (``dsm``, ``adsm``) that only the integral and total memory models read; without them the
    loop does two masked loads and stores fewer per customer. ``keep_a``: store each moment's
    affect in ``A`` (for the moments kept, the sample customer and the memories that weigh moment
    by moment; a run-time flag, hoisted out of the loop by the compiler). A customer outside the
    mask or without the moment (``on`` false) is computed but leaves every sum, and its
    expectation, as it was.
    """

    @numba.njit(inline="always")
    def loop(m, P, E, PR, on_, tol_, la_, rate_, sums, sj, fj, dj, floor, ratio_floor, keep_a):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
        A, cnt, tot, dsm, adsm, bst, wst, lst, ter = sums
        for q in range(m):
            on = PR[q] and on_[q]
            p = P[q]
            e = E[q]
            if ratio_form:
                ef = max(e, ratio_floor)
                g = (p - ef) / ef * sj
            else:
                g = (p - e) * fj
            x = max(g - tol_[q], 0.0)
            low = min(g + tol_[q], 0.0)
            low *= la_[q]
            x += low
            if keep_a:
                A[q] = x
            E[q] = (p - e) * rate_[q] + e if on else e
            cnt[q] = cnt[q] + 1.0 if on else cnt[q]
            tot[q] = tot[q] + x if on else tot[q]
            if durations:
                dsm[q] = dsm[q] + dj if on else dsm[q]
                adsm[q] = adsm[q] + x * dj if on else adsm[q]
            bst[q] = max(bst[q], x) if on else bst[q]
            wst[q] = min(wst[q], x) if on else wst[q]
            lst[q] = x if on else lst[q]
            ter[q] = ter[q] + 1.0 if on and x < floor else ter[q]

    return loop


_difference_moments = _moments_loop(False, False)
_difference_moments_durations = _moments_loop(False, True)
_ratio_moments = _moments_loop(True, False)
_ratio_moments_durations = _moments_loop(True, True)

#: Customer, segment and group indices are cast to this before indexing: numba wraps a signed
#: index that might be negative (two or three more instructions per read or write), an unsigned
#: one it takes as it is. The kernels' indices are never negative. (Measured: the journey kernel
#: 0.87-0.92x; word of mouth's listener pass 0.96x with the teller's index, 0.92-0.94x more with
#: the listener's and the tie's.)
_UINDEX = numba.uint64

#: Customers per tile of :func:`journey_block` (its sums and affect are ``TILE``-long rows; tiles of
#: 128 to 4,096 customers measured the same on the benchmark machine, 2,048 among the fastest).
TILE = 2048

#: Net Promoter classes of the 0-10 likelihood to recommend (Reichheld 2003): promoters answer 9 or
#: 10, detractors 0 to 6 (:func:`cxsim.behaviour.loyalty.nps`).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SCORE_MAX = 10.0


# --------------------------------------------------------------------------- memory formulas
# The kernel does not list the memory models: it compiles each model's formulas, read from the
# registry (cxsim.behaviour.memory.kernel_formulas), into an if-chain on the MemoryKind code,
# inlined where it is called. A code without a formula of that form gives NaN (or leaves the
# moment-by-moment sums as they are).
def _value_case(code: int, this, rest):  # type: ignore[no-untyped-def]
    @numba.njit(inline="always")
    def case(k, p0, p1, p2, p3, count, tot, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
        if k == code:
            return this(p0, p1, p2, p3, count, tot, dsum, adsum, best, worst, last, mean)
        return rest(k, p0, p1, p2, p3, count, tot, dsum, adsum, best, worst, last, mean)

    return case


def _step_case(code: int, this, rest):  # type: ignore[no-untyped-def]
    @numba.njit(inline="always")
    def case(k, acc, wsum, affect, age, weight, p0, p1, p2, p3):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
        if k == code:
            return this(acc, wsum, affect, age, weight, p0, p1, p2, p3)
        return rest(k, acc, wsum, affect, age, weight, p0, p1, p2, p3)

    return case


def _finish_case(code: int, this, rest):  # type: ignore[no-untyped-def]
    @numba.njit(inline="always")
    def case(k, acc, wsum, mean):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
        if k == code:
            return this(acc, wsum, mean)
        return rest(k, acc, wsum, mean)

    return case


@numba.njit(inline="always")
def _no_value(k, p0, p1, p2, p3, count, tot, dsum, adsum, best, worst, last, mean):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    return np.nan


@numba.njit(inline="always")
def _no_step(k, acc, wsum, affect, age, weight, p0, p1, p2, p3):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    return acc, wsum


@numba.njit(inline="always")
def _no_finish(k, acc, wsum, mean):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    return np.nan


def _dispatch(formulas: tuple[KernelFormula, ...]):  # type: ignore[no-untyped-def]
    """The three compiled dispatchers (value, step, finish) over the registry's formulas."""
    value, step, finish = _no_value, _no_step, _no_finish
    for f in reversed(formulas):
        code = int(f.code)
        if f.value is not None:
            value = _value_case(code, numba.njit(inline="always")(f.value), value)
        else:
            step = _step_case(code, numba.njit(inline="always")(f.step), step)
            finish = _finish_case(code, numba.njit(inline="always")(f.finish), finish)
    return value, step, finish


_memory_value, _moment_step, _moment_finish = _dispatch(kernel_formulas())


@numba.njit(inline="always")
def _memory(k, p0, p1, p2, p3, count, tot, dsm, adsm, best, worst, last):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The remembered value and the mean of an episode (memory.*) from the sums of the moments
    loop, for the formula ``k`` (:class:`~cxsim.behaviour.memory_parts.MemoryKind`) with the
    parameters ``p0``-``p3`` its model packed: NaN for an episode without moments, and for the
    formulas that weigh moment by moment (:func:`_by_moment` computes those). Without a branch
    once inlined in a loop over customers: the compiler selects among the formulas."""
    avg = tot / count
    value = _memory_value(k, p0, p1, p2, p3, count, tot, dsm, adsm, best, worst, last, avg)
    if count == 0.0:
        value = np.nan
        avg = np.nan
    return value, avg


# --------------------------------------------------------------------------- the journey step
#: The parts of :func:`journey_block`, each called once per tile, compiled with its error model
#: (numpy's: a division by zero gives inf or NaN, and the loops need no checks that would keep
#: them from vectorising).
_tile_pass = numba.njit(fastmath=False, error_model="numpy")

class _Tile(NamedTuple):
    """Scratch rows of :func:`journey_block`, one entry per customer of the tile."""

    aff: np.ndarray  # (T, TILE) the tile's affect per moment
    on: np.ndarray  # went this cycle
    tol: np.ndarray  # the segment's parameters of each customer
    la: np.ndarray
    rate: np.ndarray
    ret: np.ndarray
    noise: np.ndarray
    cnt: np.ndarray  # the sums of the moments loop
    tot: np.ndarray
    dsm: np.ndarray
    adsm: np.ndarray
    bst: np.ndarray
    wst: np.ndarray
    lst: np.ndarray
    ter: np.ndarray
    val: np.ndarray  # remembered value
    avg: np.ndarray  # mean affect
    rep: np.ndarray  # chance to repurchase
    h: np.ndarray  # hazard of one terrible moment
    new: np.ndarray  # new satisfaction
    gone: np.ndarray  # switched
    score: np.ndarray  # likelihood to recommend


@_tile_pass
def _tile(n_t, size, journey):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The scratch rows; with one segment, its parameters filled in once for every tile."""
    t = _Tile(
        np.empty((n_t, size)), np.empty(size, dtype=np.bool_), np.empty(size), np.empty(size), np.empty(size),
        np.empty(size), np.empty(size), np.empty(size), np.empty(size),
        np.zeros(size), np.zeros(size),  # zeros, not garbage: kept only for the formulas that read durations
        np.empty(size), np.empty(size), np.empty(size), np.empty(size), np.empty(size), np.empty(size),
        np.empty(size), np.empty(size), np.empty(size), np.empty(size, dtype=np.bool_), np.empty(size, dtype=np.int8),
    )
    if journey.tolerance.size == 1:  # then every tile's customers have the same parameters
        t.tol[:] = journey.tolerance[0]
        t.la[:] = journey.loss_aversion[0]
        t.rate[:] = journey.adaptation[0]
        t.ret[:] = journey.retention[0]
        t.noise[:] = journey.noise[0]
    return t


@numba.njit(inline="always")
def _put(dst, t0, src, on_, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``dst[t0 + q] = src[q]`` for the tile's ``q < m`` with ``on_[q]``."""
    for q in range(m):
        if on_[q]:
            dst[_UINDEX(t0 + q)] = src[q]


@numba.njit(inline="always")
def _outcome(dst, t0, src, on_, m, empty, clear):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """``dst[t0 + q] = src[q]`` for the tile's ``q < m`` with ``on_[q]``; the others get ``empty``
    with ``clear``, and keep their value without (measured as fast as a masked store)."""
    for q in range(m):
        i = _UINDEX(t0 + q)
        dst[i] = src[q] if on_[q] else (empty if clear else dst[i])


@numba.njit(inline="always")
def _empty(out, a, b):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The empty outcome for customers ``a .. b - 1``."""
    out.experienced[a:b] = np.nan
    out.remembered[a:b] = np.nan
    out.terrible[a:b] = 0.0
    out.recommend[a:b] = 0
    out.churned[a:b] = False


@_tile_pass
def _start(t, journey, seg, went, lo, t0, n_tile, one_segment):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Mark who of the tile went and load their segment's parameters; returns ``m``, one past the
    last one who went, and clears the sums of the first ``m``."""
    m = 0
    for q in range(n_tile):
        on = went[_UINDEX(t0 - lo + q)]
        t.on[q] = on
        m = q + 1 if on else m
    for q in range(0 if one_segment else m):
        s = _UINDEX(seg[_UINDEX(t0 + q)])
        t.tol[q] = journey.tolerance[s]
        t.la[q] = journey.loss_aversion[s]
        t.rate[q] = journey.adaptation[s]
        t.ret[q] = journey.retention[s]
        t.noise[q] = journey.noise[s]
    for q in range(m):
        t.cnt[q] = 0.0
        t.tot[q] = 0.0
        t.bst[q] = -np.inf
        t.wst[q] = np.inf
        t.lst[q] = np.nan
        t.ter[q] = 0.0
    return m


@_tile_pass
def _moments(t, tables, draws, customers, out, t0, m, keep_a):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """1. Delta law (affect.disconfirmation, affect.tolerate), expectation adaptation
    (satisfaction.adapt_expectations) and the sums every memory formula needs, touchpoint by
    touchpoint over the tile's first ``m`` customers (``keep_a``: store each moment's affect)."""
    journey = tables.journey
    durations = tables.memory.durations
    ratio_form = journey.ratio_form
    floor = tables.loyalty.terrible_floor
    if durations:
        for q in range(m):
            t.dsm[q] = 0.0
            t.adsm[q] = 0.0
    for j in range(draws.performance.shape[0]):
        P = draws.performance[j, t0:t0 + m]
        E = customers.expectation[j, t0:t0 + m]
        PR = draws.present[j, t0:t0 + m]
        sj = journey.sign[j]
        fj = journey.factor[j]
        dj = journey.duration[j]
        if out.keep_expectation:
            for q in range(m):
                if t.on[q]:
                    out.expectation[j, t0 + q] = E[q]
        sums = (t.aff[j], t.cnt, t.tot, t.dsm, t.adsm, t.bst, t.wst, t.lst, t.ter)
        rf = journey.ratio_floor
        if ratio_form and durations:
            _ratio_moments_durations(m, P, E, PR, t.on, t.tol, t.la, t.rate, sums, sj, fj, dj, floor, rf, keep_a)
        elif ratio_form:
            _ratio_moments(m, P, E, PR, t.on, t.tol, t.la, t.rate, sums, sj, fj, dj, floor, rf, keep_a)
        elif durations:
            _difference_moments_durations(m, P, E, PR, t.on, t.tol, t.la, t.rate, sums, sj, fj, dj, floor, rf, keep_a)
        else:
            _difference_moments(m, P, E, PR, t.on, t.tol, t.la, t.rate, sums, sj, fj, dj, floor, rf, keep_a)
        if out.keep_affect:
            for q in range(m):
                if PR[q] and t.on[q]:
                    out.affect[j, t0 + q] = t.aff[j, q]
    row = out.sample_row
    if t0 <= row < t0 + m and t.on[row - t0]:
        for j in range(draws.performance.shape[0]):
            if draws.present[j, row]:
                out.sample_affect[j] = t.aff[j, row - t0]


@_tile_pass
def _remember(t, memory, draws, seg, t0, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """2. Memory (memory.*), in a loop over the tile without branches that the compiler turns
    into vector instructions (those who did not go: computed, never read)."""
    kind, params = memory.kind, memory.params
    if kind.size == 1:
        k0 = kind[0]
        a0, a1, a2, a3 = params[0, 0], params[0, 1], params[0, 2], params[0, 3]
        for q in range(m):
            value, avg = _memory(k0, a0, a1, a2, a3, t.cnt[q], t.tot[q], t.dsm[q], t.adsm[q], t.bst[q], t.wst[q],
                                 t.lst[q])
            t.val[q] = value + t.noise[q] * draws.memory_z[_UINDEX(t0 + q)]
            t.avg[q] = avg
    else:
        for q in range(m):
            g_ = _UINDEX(memory.group_of_segment[_UINDEX(seg[_UINDEX(t0 + q)])])
            value, avg = _memory(kind[g_], params[g_, 0], params[g_, 1], params[g_, 2], params[g_, 3], t.cnt[q],
                                 t.tot[q], t.dsm[q], t.adsm[q], t.bst[q], t.wst[q], t.lst[q])
            t.val[q] = value + t.noise[q] * draws.memory_z[_UINDEX(t0 + q)]
            t.avg[q] = avg


@_tile_pass
def _by_moment(t, memory, draws, seg, t0, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """2b. The formulas that weigh each moment (recency, key moments): customer by customer."""
    n_t = draws.performance.shape[0]
    params = memory.params
    for q in range(m):
        i = _UINDEX(t0 + q)
        g_ = _UINDEX(memory.group_of_segment[_UINDEX(seg[i])])
        if not t.on[q] or not memory.by_moment[g_] or t.cnt[q] == 0.0:
            continue
        k = memory.kind[g_]
        age = t.cnt[q]
        acc = 0.0
        wsum = 0.0
        for j in range(n_t):
            if draws.present[j, i]:
                age -= 1.0
                acc, wsum = _moment_step(k, acc, wsum, t.aff[j, q], age, memory.weights[g_, j], params[g_, 0],
                                         params[g_, 1], params[g_, 2], params[g_, 3])
        value = _moment_finish(k, acc, wsum, t.avg[q])
        t.val[q] = value + t.noise[q] * draws.memory_z[i]


@_tile_pass
def _decide(t, loyalty, draws, customers, t0, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """3. Satisfaction (satisfaction.update_satisfaction), switching and recommendation
    (loyalty.switch_probability, loyalty.recommend_score), in one vector loop over the tile. It
    decides with the hazard of one terrible moment at most; returns whether anyone decides again
    (more than one terrible moment, or loyalty's hazard table: :func:`_decide_again`)."""
    table = loyalty.hazard_table.size > 0
    sat, bad = customers.satisfaction, customers.bad_memory
    again = False
    for q in range(m):
        i = _UINDEX(t0 + q)
        value = t.val[q]
        old = sat[i]
        new = old if np.isnan(value) else t.ret[q] * old + (1.0 - t.ret[q]) * value
        z = loyalty.logit_base + loyalty.slope * new
        rep = 1.0 / (1.0 + _exp(-z))
        t.new[q] = new
        t.rep[q] = rep
        h = min(1.0, loyalty.hazard * (1.0 + loyalty.escalation * bad[i]))
        t.h[q] = h
        terrible = t.ter[q]
        stay = rep * (1.0 - h) if terrible == 1.0 else rep  # x ** 1.0 is exactly x
        t.gone[q] = draws.churn_u[i] < 1.0 - stay
        again |= t.on[q] and (terrible > 1.0 or (table and terrible > 0.0))
        score = (loyalty.recommend_intercept + loyalty.recommend_slope * new
                 + loyalty.recommend_noise * draws.recommend_z[i])
        t.score[q] = np.int8(min(max(np.rint(score), 0.0), SCORE_MAX))
    return again


@_tile_pass
def _store(t, loyalty, customers, out, t0, m, clear):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The state and outcome of those who went, one array at a time (one loop of stores each: a
    loop storing them all at once does not vectorise); with ``clear`` the others' empty outcome."""
    on_ = t.on
    _put(customers.satisfaction, t0, t.new, on_, m)
    bad = customers.bad_memory
    for q in range(m):
        if on_[q]:
            bad[_UINDEX(t0 + q)] = loyalty.bad_retention * bad[_UINDEX(t0 + q)] + t.ter[q]
    for q in range(m):
        if on_[q]:
            customers.terrible_count[_UINDEX(t0 + q)] += np.int64(t.ter[q])
    for q in range(m):
        if on_[q]:
            customers.active[_UINDEX(t0 + q)] = not t.gone[q]
    _outcome(out.experienced, t0, t.avg, on_, m, np.nan, clear)
    _outcome(out.remembered, t0, t.val, on_, m, np.nan, clear)
    _outcome(out.terrible, t0, t.ter, on_, m, 0.0, clear)
    _outcome(out.recommend, t0, t.score, on_, m, np.int8(0), clear)
    _outcome(out.churned, t0, t.gone, on_, m, False, clear)


@_tile_pass
def _decide_again(t, loyalty, draws, customers, out, t0, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Those with terrible moments decide again, with the hazard of those moments (the table by
    the count of earlier terrible moments, or the escalated hazard to the power of the count)."""
    hazard_table = loyalty.hazard_table
    table = hazard_table.size > 0
    for q in range(m):
        terrible = t.ter[q]
        if not t.on[q] or terrible == 0.0 or (terrible == 1.0 and not table):
            continue
        i = _UINDEX(t0 + q)
        if table:
            before = customers.terrible_count[i] - np.int64(terrible)
            keep_ = 1.0
            for c in range(int(terrible)):
                keep_ *= 1.0 - hazard_table[min(before + c, hazard_table.size - 1)]
            stay = t.rep[q] * keep_
        else:
            stay = t.rep[q] * (1.0 - t.h[q]) ** terrible
        gone = draws.churn_u[i] < 1.0 - stay
        customers.active[i] = not gone
        out.churned[i] = gone


@numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")
def journey_block(lo, hi, went, clear, tables, draws, customers, out):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Take the customers ``i`` of ``lo .. hi - 1`` with ``went[i - lo]`` through the journey, in place.

    ``tables``, ``draws``, ``customers`` and ``out`` are the records of
    :mod:`cxsim.engine.kernel_inputs` (the scenario's tables: :attr:`cxsim.engine.compiled.Compiled.kernel_tables`).
    Tile by tile — :data:`TILE` consecutive customers from ``lo`` on — the Delta law, expectation
    adaptation and the sums every memory formula needs run touchpoint by touchpoint over the
    tile's customers: a loop without branches that the compiler can turn into vector
    instructions, in which customers who did not go are computed and discarded (their state is
    left as it was). Then, again in vector loops over the tile, the customers are remembered,
    update their satisfaction and decide, and those who went have their state and outcome
    stored. With ``clear``, the others of the range get :class:`~cxsim.engine.cycle.CycleOutcome`'s
    empty values (NaN experienced and remembered, no terrible moment, recommendation 0, not
    churned) in the same pass, so that the engine does not write those arrays twice. Each
    customer's arithmetic is the same, in the same order, as the numpy functions named beside
    it; see the module docstring.
    """
    memory = tables.memory
    size = max(min(TILE, hi - lo), 1)
    t = _tile(draws.performance.shape[0], size, tables.journey)
    one_segment = tables.journey.tolerance.size == 1
    by_moment = False  # does any memory group weigh its moments one by one?
    for g_ in range(memory.by_moment.size):
        by_moment = by_moment or memory.by_moment[g_]
    seg = customers.segment
    for t0 in range(lo, hi, size):  # the tile: customers t0 .. t0 + m - 1, those who went marked in t.on
        n_tile = min(size, hi - t0)
        m = _start(t, tables.journey, seg, went, lo, t0, n_tile, one_segment)
        if clear:  # those after the tile's last customer who went (the others: with the stores below)
            _empty(out, t0 + m, t0 + n_tile)
        if m == 0:
            continue
        keep_a = out.keep_affect or by_moment or t0 <= out.sample_row < t0 + m  # is the tile's affect read?
        _moments(t, tables, draws, customers, out, t0, m, keep_a)
        _remember(t, memory, draws, seg, t0, m)
        if by_moment:
            _by_moment(t, memory, draws, seg, t0, m)
        again = _decide(t, tables.loyalty, draws, customers, t0, m)
        _store(t, tables.loyalty, customers, out, t0, m, clear)
        if again:
            _decide_again(t, tables.loyalty, draws, customers, out, t0, m)
