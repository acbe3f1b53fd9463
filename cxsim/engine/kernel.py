"""The journey step and word of mouth fused into compiled passes (numba).

:func:`cxsim.engine.cycle.journey_step` is written with the library's pure numpy functions —
Delta law (:mod:`~cxsim.behaviour.affect`), memory models (:mod:`~cxsim.behaviour.memory`),
satisfaction and loyalty — which make about twenty passes over a block's ``(customers ×
touchpoints)`` arrays. This module does the same arithmetic for one customer at a time in a
single compiled loop, with no temporaries, and releases the GIL so blocks of customers run on
all cores. It is the engine's default for the built-in memory models; the numpy path stays the
reference (``backend="numpy"``) and ``tests/test_kernel.py`` checks that both agree to 1e-12 on
every memory model, affect form, branch and absent moment.

Each formula below repeats, operation for operation, the numpy function named beside it, so
that the two round the same way; change them together.
"""

from __future__ import annotations

import numba
import numpy as np

from cxsim.draws import pcg64_double, pcg64_step


@numba.njit(nogil=True, cache=True, fastmath=False)
def journey_block(
    rows, perf, present, expect, seg, sat, bad, active,  # state and draws; (T, n) arrays
    memory_z, churn_u, recommend_z,
    sign, factor, duration, ratio_form, ratio_floor,  # touchpoints; factor = sign / unit
    tolerance, loss_aversion, adaptation, retention, noise,  # per segment
    group_of_segment, kind, params, weights,  # memory table
    logit_base, slope, floor, hazard, escalation, bad_retention, rec_a, rec_b, rec_noise,
    experienced, remembered, terrible_out, recommend, churned, affect_out, keep_affect, expect_out, keep_expect,
    sample_row, sample_affect,  # one customer's affect per moment (for the figures)
    hazard_table, terrible_count,  # loyalty's optional table per lifetime count (empty: escalation)
):  # pragma: no cover - compiled
    """Take the customers ``rows`` through the journey, in place; see the module docstring."""
    n_t = perf.shape[0]
    a = np.empty(n_t)
    for r in range(rows.size):
        i = rows[r]
        s = seg[i]
        tol = tolerance[s]
        la = loss_aversion[s]
        rate = adaptation[s]
        # 1. Delta law (affect.disconfirmation, affect.tolerate), expectation adaptation
        #    (satisfaction.adapt_expectations) and the sums every memory model needs.
        count = 0.0
        total = 0.0
        dsum = 0.0
        adsum = 0.0
        best = -np.inf
        worst = np.inf
        last = np.nan
        terrible = 0.0
        for j in range(n_t):
            if not present[j, i]:
                a[j] = 0.0
                if keep_expect:
                    expect_out[j, i] = expect[j, i]
                continue
            p = perf[j, i]
            e = expect[j, i]
            if ratio_form:
                ef = max(e, ratio_floor)
                g = (p - ef) / ef * sign[j]
            else:
                g = (p - e) * factor[j]
            x = max(g - tol, 0.0)
            low = min(g + tol, 0.0)
            low *= la
            x += low
            a[j] = x
            if keep_affect:
                affect_out[j, i] = x
            if i == sample_row:
                sample_affect[j] = x
            if keep_expect:
                expect_out[j, i] = e
            expect[j, i] = (p - e) * rate + e
            count += 1.0
            total += x
            dsum += duration[j]
            adsum += x * duration[j]
            best = max(best, x)
            worst = min(worst, x)
            last = x
            if x < floor:
                terrible += 1.0
        # 2. Memory (memory.*): NaN for an episode without moments.
        if count == 0.0:
            value = np.nan
            avg = np.nan
        else:
            avg = total / count
            g_ = group_of_segment[s]
            k = kind[g_]
            if k == 0:
                value = avg
            elif k == 1:
                value = adsum / dsum
            elif k == 2:
                value = adsum / params[g_, 3]
            elif k == 3:
                value = last
            elif k == 4:
                value = best if best > -worst else worst
            elif k == 5:
                pk = best if best > -worst else worst
                value = params[g_, 0] * pk + params[g_, 1] * last + (1.0 - params[g_, 0] - params[g_, 1]) * avg
            elif k == 6:
                w_p = params[g_, 0]
                w_e = params[g_, 1]
                w_t = params[g_, 2]
                value = w_p * best + w_t * worst + w_e * last + (1.0 - w_p - w_t - w_e) * avg
            elif k == 7:
                age = count
                num = 0.0
                den = 0.0
                for j in range(n_t):
                    if present[j, i]:
                        age -= 1.0
                        w = np.exp2(-age / params[g_, 3])
                        num += a[j] * w
                        den += w
                value = num / den
            else:
                wsum = 0.0
                ws = 0.0
                for j in range(n_t):
                    if present[j, i]:
                        ws += a[j] * weights[g_, j]
                        wsum += weights[g_, j]
                value = ws + (1.0 - wsum) * avg
        value = value + noise[s] * memory_z[i]
        # 3. Satisfaction (satisfaction.update_satisfaction), switching and recommendation
        #    (loyalty.switch_probability, loyalty.recommend_score, loyalty.update_bad_memory).
        old = sat[i]
        new = old if np.isnan(value) else retention[s] * old + (1.0 - retention[s]) * value
        z = logit_base + slope * new
        rep = 1.0 / (1.0 + np.exp(-z))
        if hazard_table.size > 0:  # the table, by the count of earlier terrible moments
            keep_ = 1.0
            for m in range(int(terrible)):
                keep_ *= 1.0 - hazard_table[min(terrible_count[i] + m, hazard_table.size - 1)]
            stay = rep * keep_
        else:
            h = min(1.0, hazard * (1.0 + escalation * bad[i]))
            stay = rep * (1.0 - h) ** terrible if terrible > 0.0 else rep  # x ** 0 is exactly 1
        gone = churn_u[i] < 1.0 - stay
        score = np.rint(rec_a + rec_b * new + rec_noise * recommend_z[i])
        sat[i] = new
        bad[i] = bad_retention * bad[i] + terrible
        terrible_count[i] += int(terrible)
        active[i] = not gone
        experienced[i] = avg
        remembered[i] = value
        terrible_out[i] = terrible
        recommend[i] = min(max(score, 0.0), 10.0)
        churned[i] = gone


@numba.njit(nogil=True, cache=True)
def stories(lo, hi, tell, perf, present, out):  # pragma: no cover - compiled
    """``out[i]``: what teller ``i`` (``tell[i] > 0``) experienced per touchpoint, NaN where absent.

    For ``lo..hi-1``; rows of customers who tell nobody are left as they are (never read). A
    listener then reads a teller's whole story from one row instead of a column per touchpoint.
    """
    n_t = perf.shape[0]
    for i in range(lo, hi):
        if tell[i] > 0.0:
            for j in range(n_t):
                out[i, j] = perf[j, i] if present[j, i] else np.nan


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
    separate threads without sharing a write. ``tell`` is :func:`cxsim.behaviour.wom.telling_probability`,
    ``remembered`` has NaN as 0, ``story`` is :func:`stories`. The arithmetic and its order are
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
    for d in range(lo, hi):
        n_all = 0
        n_pos = 0
        rem = 0.0
        cnt[:] = 0.0
        psum[:] = 0.0
        for k in range(offsets[d], offsets[d + 1]):
            w_hi, w_lo = pcg64_step(w_hi, w_lo, inc_hi, inc_lo)
            s = src[k]
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
