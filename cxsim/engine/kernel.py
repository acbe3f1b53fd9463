"""The journey step and word of mouth fused into compiled passes (numba).

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
table), and the recency and key-moment memories. It releases the GIL so blocks of customers run
on all cores. It is the engine's default for the built-in memory models; the numpy path stays
the reference (``backend="numpy"``) and ``tests/test_kernel.py`` checks that both agree to 1e-12
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

import numba
import numpy as np

from cxsim.draws import pcg64_double, pcg64_step
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

#: ``kind`` codes of the memory models that read the duration sums (:data:`cxsim.engine.compiled.KINDS`).
_INTEGRAL, _TOTAL, _RECENCY = 1, 2, 7


#: Customers per tile of :func:`journey_block` (its sums and affect are ``TILE``-long rows; tiles of
#: 128 to 4,096 customers measured the same on the benchmark machine, 2,048 among the fastest).
TILE = 2048


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
def _empty(experienced, remembered, terrible_out, recommend, churned, a, b):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The empty outcome for customers ``a .. b - 1``."""
    experienced[a:b] = np.nan
    remembered[a:b] = np.nan
    terrible_out[a:b] = 0.0
    recommend[a:b] = 0
    churned[a:b] = False


@numba.njit(inline="always")
def _memory(k, a0, a1, a2, a3, count, tot, dsm, adsm, best, worst, last):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """The remembered value and the mean of an episode (memory.*) from the sums of the moments
    loop, for memory ``k`` of :data:`cxsim.engine.compiled.KINDS` (the peak-end ones with weights
    ``a0``-``a2``, the total with ``a3``): NaN for an episode without moments, and for the recency
    and key moments, which weigh moment by moment (:func:`journey_block` computes those later).
    Without a branch once inlined in a loop over customers: every kind's formula is computed and
    one is selected."""
    avg = tot / count
    pk = best if best > -worst else worst
    if k == 0:
        value = avg
    elif k == 1:
        value = adsm / dsm
    elif k == 2:
        value = adsm / a3
    elif k == 3:
        value = last
    elif k == 4:
        value = pk
    elif k == 5:
        value = a0 * pk + a1 * last + (1.0 - a0 - a1) * avg
    elif k == 6:
        value = a0 * best + a2 * worst + a1 * last + (1.0 - a0 - a2 - a1) * avg
    else:
        value = np.nan
    if count == 0.0:
        value = np.nan
        avg = np.nan
    return value, avg


@numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")
def journey_block(
    lo, hi, went, clear,  # customers lo .. hi - 1, those with went[i - lo]; clear the others' outcome?
    perf, present, expect, seg, sat, bad, active,  # draws and state
    memory_z, churn_u, recommend_z,
    sign, factor, duration, ratio_form, ratio_floor,  # touchpoints; factor = sign / unit
    tolerance, loss_aversion, adaptation, retention, noise,  # per segment
    group_of_segment, kind, params, weights,  # memory table
    logit_base, slope, floor, hazard, escalation, bad_retention, rec_a, rec_b, rec_noise,
    hazard_table,  # loyalty's optional table per lifetime count (empty: escalation)
    experienced, remembered, terrible_out, recommend, churned, affect_out, keep_affect, expect_out, keep_expect,
    sample_row, sample_affect,  # one customer's affect per moment (for the figures)
    terrible_count,
):  # pragma: no cover - compiled
    """Take the customers ``i`` of ``lo .. hi - 1`` with ``went[i - lo]`` through the journey, in place.

    Tile by tile — :data:`TILE` consecutive customers from ``lo`` on — the Delta law, expectation
    adaptation and the sums every memory model needs run touchpoint by touchpoint over the
    tile's customers: a loop without branches that the compiler can turn into vector
    instructions, in which customers who did not go are computed and discarded (their state is
    left as it was). Then, again in vector loops over the tile, the customers are remembered,
    update their satisfaction and decide, and those who went have their state and outcome
    stored. With ``clear``, the others of the range get :class:`~cxsim.engine.cycle.CycleOutcome`'s
    empty values (NaN experienced and remembered, no terrible moment, recommendation 0, not
    churned) in the same pass, so that the engine does not write those arrays twice. Each
    customer's arithmetic is the same, in the same order, as the numpy functions named beside
    it; see the module docstring. The arguments from ``sign`` to ``hazard_table`` depend only
    on the scenario (:attr:`cxsim.engine.compiled.Compiled.kernel_arguments`).
    """
    n_t = perf.shape[0]
    size = max(min(TILE, hi - lo), 1)
    aff = np.empty((n_t, size))  # the tile's affect per moment
    on_ = np.empty(size, dtype=np.bool_)
    tol_ = np.empty(size)
    la_ = np.empty(size)
    rate_ = np.empty(size)
    cnt = np.empty(size)
    tot = np.empty(size)
    dsm = np.zeros(size)  # zeros, not garbage: kept only for the integral and total, read by every memory
    adsm = np.zeros(size)
    bst = np.empty(size)
    wst = np.empty(size)
    lst = np.empty(size)
    ter = np.empty(size)
    ret_ = np.empty(size)
    noise_ = np.empty(size)
    val_ = np.empty(size)
    avg_ = np.empty(size)
    rep_ = np.empty(size)
    h_ = np.empty(size)
    new_ = np.empty(size)
    gone_ = np.empty(size, dtype=np.bool_)
    score_ = np.empty(size, dtype=np.int8)
    durations = False  # does any memory group read the duration sums?
    table = hazard_table.size > 0
    by_moment = False  # does any memory group weigh its moments one by one?
    for g_ in range(kind.size):
        durations = durations or kind[g_] == _INTEGRAL or kind[g_] == _TOTAL
        by_moment = by_moment or kind[g_] >= _RECENCY
    one_segment = tolerance.size == 1  # then every tile's customers have the same parameters
    if one_segment:
        tol_[:] = tolerance[0]
        la_[:] = loss_aversion[0]
        rate_[:] = adaptation[0]
        ret_[:] = retention[0]
        noise_[:] = noise[0]
    for t0 in range(lo, hi, size):  # the tile: customers t0 .. t0 + m - 1, those who went marked in on_
        n_tile = min(size, hi - t0)
        m = 0
        for q in range(n_tile):
            on = went[_UINDEX(t0 - lo + q)]
            on_[q] = on
            m = q + 1 if on else m
        if clear:  # those after the tile's last customer who went (the others: with the stores below)
            _empty(experienced, remembered, terrible_out, recommend, churned, t0 + m, t0 + n_tile)
        if m == 0:
            continue
        for q in range(0 if one_segment else m):  # the segment's parameters of each customer
            s = _UINDEX(seg[_UINDEX(t0 + q)])
            tol_[q] = tolerance[s]
            la_[q] = loss_aversion[s]
            rate_[q] = adaptation[s]
            ret_[q] = retention[s]
            noise_[q] = noise[s]
        for q in range(m):
            cnt[q] = 0.0
            tot[q] = 0.0
            if durations:
                dsm[q] = 0.0
                adsm[q] = 0.0
            bst[q] = -np.inf
            wst[q] = np.inf
            lst[q] = np.nan
            ter[q] = 0.0
        keep_a = keep_affect or by_moment or t0 <= sample_row < t0 + m  # is the tile's affect read?
        # 1. Delta law (affect.disconfirmation, affect.tolerate), expectation adaptation
        #    (satisfaction.adapt_expectations) and the sums every memory model needs.
        for j in range(n_t):
            P = perf[j, t0:t0 + m]
            E = expect[j, t0:t0 + m]
            PR = present[j, t0:t0 + m]
            A = aff[j]
            sj = sign[j]
            fj = factor[j]
            dj = duration[j]
            if keep_expect:
                for q in range(m):
                    if on_[q]:
                        expect_out[j, t0 + q] = E[q]
            sums = (A, cnt, tot, dsm, adsm, bst, wst, lst, ter)
            if ratio_form and durations:
                _ratio_moments_durations(m, P, E, PR, on_, tol_, la_, rate_, sums, sj, fj, dj, floor, ratio_floor,
                                         keep_a)
            elif ratio_form:
                _ratio_moments(m, P, E, PR, on_, tol_, la_, rate_, sums, sj, fj, dj, floor, ratio_floor, keep_a)
            elif durations:
                _difference_moments_durations(m, P, E, PR, on_, tol_, la_, rate_, sums, sj, fj, dj, floor,
                                              ratio_floor, keep_a)
            else:
                _difference_moments(m, P, E, PR, on_, tol_, la_, rate_, sums, sj, fj, dj, floor, ratio_floor,
                                    keep_a)
            if keep_affect:
                for q in range(m):
                    if PR[q] and on_[q]:
                        affect_out[j, t0 + q] = A[q]
        if t0 <= sample_row < t0 + m and on_[sample_row - t0]:
            for j in range(n_t):
                if present[j, sample_row]:
                    sample_affect[j] = aff[j, sample_row - t0]
        # 2. Memory (memory.*), in a loop over the tile without branches that the compiler turns
        #    into vector instructions (those who did not go: computed, never read).
        if kind.size == 1:
            k0 = kind[0]
            a0, a1, a2, a3 = params[0, 0], params[0, 1], params[0, 2], params[0, 3]
            for q in range(m):
                value, avg = _memory(k0, a0, a1, a2, a3, cnt[q], tot[q], dsm[q], adsm[q], bst[q], wst[q], lst[q])
                val_[q] = value + noise_[q] * memory_z[_UINDEX(t0 + q)]
                avg_[q] = avg
        else:
            for q in range(m):
                g_ = _UINDEX(group_of_segment[_UINDEX(seg[_UINDEX(t0 + q)])])
                value, avg = _memory(kind[g_], params[g_, 0], params[g_, 1], params[g_, 2], params[g_, 3], cnt[q],
                                     tot[q], dsm[q], adsm[q], bst[q], wst[q], lst[q])
                val_[q] = value + noise_[q] * memory_z[_UINDEX(t0 + q)]
                avg_[q] = avg
        if by_moment:  # recency and key moments weigh each moment: customer by customer
            for q in range(m):
                i = _UINDEX(t0 + q)
                g_ = _UINDEX(group_of_segment[_UINDEX(seg[i])])
                k = kind[g_]
                if not on_[q] or k < _RECENCY or cnt[q] == 0.0:
                    continue
                if k == _RECENCY:
                    age = cnt[q]
                    num = 0.0
                    den = 0.0
                    for j in range(n_t):
                        if present[j, i]:
                            age -= 1.0
                            w = np.exp2(-age / params[g_, 3])
                            num += aff[j, q] * w
                            den += w
                    value = num / den
                else:
                    wsum = 0.0
                    ws = 0.0
                    for j in range(n_t):
                        if present[j, i]:
                            ws += aff[j, q] * weights[g_, j]
                            wsum += weights[g_, j]
                    value = ws + (1.0 - wsum) * avg_[q]
                val_[q] = value + noise_[q] * memory_z[i]
        # 3. Satisfaction (satisfaction.update_satisfaction), switching and recommendation
        #    (loyalty.switch_probability, loyalty.recommend_score, loyalty.update_bad_memory), again
        #    in one vector loop over the tile. It decides with the hazard of one terrible moment
        #    at most (those with more, or with loyalty's hazard table, decide again below), and the
        #    stores after it keep the state and outcome of those who did not go as they were.
        again = False  # anyone who decides again, below?
        for q in range(m):
            i = _UINDEX(t0 + q)
            value = val_[q]
            old = sat[i]
            new = old if np.isnan(value) else ret_[q] * old + (1.0 - ret_[q]) * value
            z = logit_base + slope * new
            rep = 1.0 / (1.0 + _exp(-z))
            new_[q] = new
            rep_[q] = rep
            h = min(1.0, hazard * (1.0 + escalation * bad[i]))
            h_[q] = h
            terrible = ter[q]
            stay = rep * (1.0 - h) if terrible == 1.0 else rep  # x ** 1.0 is exactly x
            gone_[q] = churn_u[i] < 1.0 - stay
            again |= on_[q] and (terrible > 1.0 or (table and terrible > 0.0))
            score_[q] = np.int8(min(max(np.rint(rec_a + rec_b * new + rec_noise * recommend_z[i]), 0.0), 10.0))
        #    The state and outcome of those who went, one array at a time (one loop of stores each:
        #    a loop storing them all at once does not vectorise).
        _put(sat, t0, new_, on_, m)
        for q in range(m):
            if on_[q]:
                bad[_UINDEX(t0 + q)] = bad_retention * bad[_UINDEX(t0 + q)] + ter[q]
        for q in range(m):
            if on_[q]:
                terrible_count[_UINDEX(t0 + q)] += np.int64(ter[q])
        for q in range(m):
            if on_[q]:
                active[_UINDEX(t0 + q)] = not gone_[q]
        _outcome(experienced, t0, avg_, on_, m, np.nan, clear)
        _outcome(remembered, t0, val_, on_, m, np.nan, clear)
        _outcome(terrible_out, t0, ter, on_, m, 0.0, clear)
        _outcome(recommend, t0, score_, on_, m, np.int8(0), clear)
        _outcome(churned, t0, gone_, on_, m, False, clear)
        #    Those with terrible moments decide again, with the hazard of those moments.
        for q in range(m if again else 0):
            terrible = ter[q]
            if not on_[q] or terrible == 0.0 or (terrible == 1.0 and not table):
                continue
            i = _UINDEX(t0 + q)
            if table:  # the table, by the count of earlier terrible moments
                before = terrible_count[i] - np.int64(terrible)
                keep_ = 1.0
                for c in range(int(terrible)):
                    keep_ *= 1.0 - hazard_table[min(before + c, hazard_table.size - 1)]
                stay = rep_[q] * keep_
            else:
                stay = rep_[q] * (1.0 - h_[q]) ** terrible
            gone = churn_u[i] < 1.0 - stay
            active[i] = not gone
            churned[i] = gone


#: ``np.nan_to_num``'s stand-ins for infinities.
_BIG = np.finfo(np.float64).max


@numba.njit(nogil=True, cache=True)
def tellers(lo, hi, recommend, went, remembered, positive_reach, negative_reach, perf, present,
            tell, positive, told, story):  # pragma: no cover - compiled
    """What customers ``lo..hi-1`` pass on this cycle, for :func:`word_of_mouth`.

    ``tell[i]``: the chance that customer ``i`` tells each contact
    (:func:`cxsim.behaviour.wom.telling_probability`: by NPS class, 0 for passives and for those
    who did not go, ``went``); ``positive[i]``: a promoter's story (``recommend >= 9``);
    ``told[i]``: the remembered value with NaN as 0 (``np.nan_to_num``); ``story[i]``: for each
    teller (``tell[i] > 0``) what they experienced per touchpoint, NaN where absent. Rows of
    customers who tell nobody are left as they are (never read). A listener then reads a teller's
    whole story from one row instead of a column per touchpoint.
    """
    n_t = perf.shape[0]
    for i0 in range(lo, hi):
        i = _UINDEX(i0)
        r = recommend[i]
        p = positive_reach if r >= 9 else (negative_reach if r <= 6 else 0.0)
        t = p if went[i] else 0.0
        tell[i] = t
        positive[i] = r >= 9
        x = remembered[i]
        if np.isnan(x):
            x = 0.0
        elif np.isinf(x):
            x = _BIG if x > 0.0 else -_BIG
        told[i] = x
        if t > 0.0:
            for j in range(n_t):
                story[i, j] = perf[j, i] if present[j, i] else np.nan


@numba.njit(nogil=True, cache=True)
def word_of_mouth(
    lo, hi, offsets, src, stream, tell, positive, remembered, story,
    active, expect, sat, expectation_weight, satisfaction_retention, update,
):  # pragma: no cover - compiled
    """Stories into the listeners ``lo..hi-1``, and their updates, in one pass per listener.

    Each tie's uniform (does the teller tell this contact?) is drawn here, in tie order, from the
    ``wom`` stream's PCG64 state at tie ``offsets[lo]`` (``stream``: :func:`cxsim.draws.states_at`):
    the numbers ``gen.random(n_ties)`` would give the ties, without the array.

    The network's ties are sorted by listener (``offsets``), so blocks of listeners run on
    separate threads without sharing a write. ``tell``, ``positive``, ``remembered`` (NaN as 0)
    and ``story`` are :func:`tellers`'s. The arithmetic and its order are
    those of :func:`cxsim.behaviour.wom.exchange` (``bincount`` adds a listener's ties in tie
    order, as this loop does) and the listeners' :func:`~cxsim.behaviour.satisfaction.adapt_expectations`
    and :func:`~cxsim.behaviour.memory.fade`. Returns the positive and negative stories heard.
    """
    n_t = story.shape[1]
    cnt = np.zeros(n_t)
    psum = np.zeros(n_t)
    n_positive = 0
    n_negative = 0
    w_hi, w_lo, inc_hi, inc_lo = stream[0], stream[1], stream[2], stream[3]
    for d0 in range(lo, hi):
        d = _UINDEX(d0)
        n_all = 0
        n_pos = 0
        rem = 0.0
        cnt[:] = 0.0
        psum[:] = 0.0
        for k in range(offsets[d], offsets[d + 1]):
            w_hi, w_lo = pcg64_step(w_hi, w_lo, inc_hi, inc_lo)
            s = _UINDEX(src[_UINDEX(k)])
            if not pcg64_double(w_hi, w_lo) < tell[s]:
                continue
            n_all += 1
            if positive[s]:
                n_pos += 1
            rem += remembered[s]
            for j in range(n_t):
                x = story[s, j]
                if not np.isnan(x):
                    cnt[j] += 1.0
                    psum[j] += x
        n_positive += n_pos
        n_negative += n_all - n_pos
        if update and n_all > 0 and active[d]:
            for j in range(n_t):
                if cnt[j] > 0.0:
                    e_ = expect[j, d]
                    expect[j, d] = (psum[j] / cnt[j] - e_) * expectation_weight + e_
            sat[d] = satisfaction_retention * sat[d] + (1.0 - satisfaction_retention) * (rem / n_all)
    return n_positive, n_negative
