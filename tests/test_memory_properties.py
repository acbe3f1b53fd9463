"""Property tests (hypothesis) for every memory model, and exact tests of the Delta law."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxsim.behaviour import memory as M
from cxsim.behaviour.affect import moment_affect
from cxsim.errors import SpecError

values = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
episodes = st.lists(values, min_size=1, max_size=12)
# Weights >= 0 only: the bounds and monotonicity below hold for non-negative weights. Negative
# weights (valid, see M.signed_weights) keep only what test_signed_weights_* checks.
weights2 = st.tuples(st.floats(0, 1), st.floats(0, 1)).filter(lambda w: w[0] + w[1] <= 1)
signed = st.floats(-1, 1)


def models(n_moments: int) -> list[M.MemoryModel]:
    names = [f"t{i}" for i in range(n_moments)]
    return [
        M.PeakEnd(0.4, 0.4), M.PeakEnd(0.3, 0.3, "best_worst", 0.2), M.PeakEnd(0.0, 0.0), M.Mean(),
        M.Integral(), M.End(), M.Peak(), M.Recency(1.5),
        M.KeyMoments(((names[0], 0.5), (names[-1], 0.3)) if n_moments > 1 else ((names[0], 0.5),)),
    ]


@settings(max_examples=150, deadline=None)
@given(episodes, st.data())
def test_bounded_by_min_and_max(ep, data):
    """Every model of ``models`` (all weights >= 0) lies between the worst and the best moment."""
    a = np.array(ep)
    d = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=a.size, max_size=a.size)))
    present = np.array(data.draw(st.lists(st.booleans(), min_size=a.size, max_size=a.size)))
    assume(present.any())
    names = [f"t{i}" for i in range(a.size)]
    lo, hi = a[present].min(), a[present].max()
    for model in models(a.size):
        v = float(model.remember(a, d, present, names))
        assert lo - 1e-9 <= v <= hi + 1e-9, (model, v, lo, hi)


@settings(max_examples=150, deadline=None)
@given(episodes, values, signed, signed, signed, st.sampled_from(["intense", "best_worst"]))
def test_signed_weights_keep_constants_and_shifts(ep, c, wp, we, wt, kind):
    """Any valid weights, negative ones too: a constant episode is remembered as the constant, and
    with the best and worst moments as peaks moving every moment by c moves the memory by c (the
    weights sum to 1; the most intense moment is not shift-invariant: a shift can change which it is)."""
    assume(wp + we + (wt if kind == "best_worst" else 0.0) <= 1.0)
    model = M.PeakEnd(wp, we, kind, wt if kind == "best_worst" else 0.0)
    a = np.array(ep)
    const = float(model.remember(np.full(a.size, c), 1.0))
    assert const == pytest.approx(c, rel=1e-9, abs=1e-9)
    if kind == "best_worst":
        shifted = float(model.remember(a + c, 1.0))
        assert shifted == pytest.approx(float(model.remember(a, 1.0)) + c, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(values, st.integers(1, 12))
def test_constant_episode_is_remembered_as_the_constant(c, m):
    a = np.full(m, c)
    names = [f"t{i}" for i in range(m)]
    for model in models(m):
        assert float(model.remember(a, np.ones(m), None, names)) == pytest.approx(c, rel=1e-12, abs=1e-12)


weights3 = st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)).filter(lambda w: sum(w) <= 1)


@settings(max_examples=200, deadline=None)
@given(episodes, st.floats(0.01, 5), weights2)
def test_raising_the_peak_or_the_end_never_lowers_peak_end(ep, delta, w):
    a = np.array(ep)
    base = float(M.peak_end(a, None, *w))
    for k in (int(np.argmax(np.abs(a))), a.size - 1):  # the peak, then the end
        up = a.copy()
        up[k] += delta
        assert float(M.peak_end(up, None, *w)) >= base - 1e-9, (k, up)


@settings(max_examples=300, deadline=None)
@given(episodes, st.integers(0, 11), st.floats(0.01, 5), weights3, st.sampled_from(["intense", "best_worst"]))
def test_peak_end_is_monotone_in_every_moment(ep, i, delta, w, kind):
    a = np.array(ep)
    i %= a.size
    up = a.copy()
    up[i] += delta
    w_peak, w_end, w_trough = w if kind == "best_worst" else (w[0], w[1], 0.0)
    m = M.PeakEnd(w_peak, w_end, kind, w_trough)
    assert float(m.remember(up, 1.0)) >= float(m.remember(a, 1.0)) - 1e-9


def test_peak_end_regression_best_worst_tie():
    """The counterexample that broke the old mean-of-the-rest form (see peak_end's docstring)."""
    m = M.PeakEnd(0.3, 0.3, "best_worst", 0.2)
    assert float(m.remember(np.array([1.0, 3.0, 0.5]), 1.0)) >= float(m.remember(np.array([0.5, 3.0, 0.5]), 1.0))


@settings(max_examples=100, deadline=None)
@given(episodes, st.randoms(use_true_random=False))
def test_mean_ignores_order(ep, rnd):
    a = np.array(ep)
    b = a.copy()
    rnd.shuffle(b)
    assert float(M.mean(b)) == pytest.approx(float(M.mean(a)), rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(episodes, st.data())
def test_peak_end_ignores_duration_integral_does_not(ep, data):
    a = np.array(ep)
    d = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=a.size, max_size=a.size)))
    assert float(M.PeakEnd().remember(a, d)) == float(M.PeakEnd().remember(a, np.ones(a.size)))


def test_vectorised_equals_row_by_row():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 7))
    present = rng.random((50, 7)) < 0.7
    present[:, 0] = True
    d = rng.uniform(0.5, 3, 7)
    names = [f"t{i}" for i in range(7)]
    for model in models(7):
        whole = model.remember(a, d, present, names)
        rows = np.array([model.remember(a[i:i + 1], d, present[i:i + 1], names)[0] for i in range(50)])
        assert np.array_equal(whole, rows), model


def test_worked_examples():
    # 0.4·peak(−5) + 0.4·end(3) + 0.2·mean(1, −5, 2, 3)
    assert float(M.peak_end(np.array([1.0, -5, 2, 3]))) == pytest.approx(-0.75)
    # colonoscopy-like: B adds a long mild tail to A's episode; peak-end remembers B as less painful,
    # total pain (duration-weighted sum) says B was worse.
    a = np.array([-2.0, -8, -7])
    b = np.array([-2.0, -8, -7, -4, -1])
    assert M.peak_end(b) > M.peak_end(a)
    assert M.total(b, np.ones(5)) < M.total(a, np.ones(3))
    # absent moments are ignored even when they hold NaN; an empty episode is NaN
    assert float(M.mean(np.array([1.0, np.nan, 3]), np.array([True, False, True]))) == 2.0
    assert np.isnan(M.mean(np.array([1.0]), np.array([False])))


def test_memory_model_errors_name_the_field():
    with pytest.raises(SpecError) as e:
        M.memory_model_from_dict("memory", {"kind": "median"})
    assert e.value.field == "memory.kind"
    with pytest.raises(SpecError) as e:
        M.memory_model_from_dict("memory", {"kind": "peak_end", "w_peak": 1.2})
    assert e.value.field == "memory.w_peak"
    with pytest.raises(SpecError) as e:
        M.memory_model_from_dict("memory", {"kind": "peak_end", "w_end": -1.01})
    assert e.value.field == "memory.w_end"
    assert M.memory_model_from_dict("memory", {"kind": "peak_end", "w_peak": -0.15}) == M.PeakEnd(-0.15, 0.4)
    with pytest.raises(SpecError) as e:
        M.memory_model_from_dict("memory", {"kind": "mean", "w_peak": 0.2})
    assert e.value.field == "memory.w_peak"
    with pytest.raises(SpecError):
        M.KeyMoments((("nope", 0.2),)).vector(["a", "b"])


@pytest.mark.parametrize(
    ("p", "e", "sign", "form", "unit", "expected"),
    [
        (5.0, 7.0, 1, "difference", 1.0, -2.0),  # Meisu convenience: 5 - 7
        (9.0, 7.0, 1, "difference", 2.0, 1.0),
        (1.0, 3.0, -1, "difference", 1.0, 2.0),  # 3 days expected, 1 delivered
        (1.0, 3.0, -1, "ratio", 1.0, 2.0 / 3.0),  # the spare part: 1 - 1/3
        (6.0, 3.0, -1, "ratio", 1.0, -1.0),
        (8.0, 4.0, 1, "ratio", 1.0, 1.0),  # 8 / 4 - 1
        (2.0, 4.0, 1, "ratio", 1.0, -0.5),
    ],
)
def test_delta_law_exact(p, e, sign, form, unit, expected):
    assert float(moment_affect(p, e, sign, form, unit)) == pytest.approx(expected, rel=1e-15)


def test_tolerance_and_loss_aversion_exact():
    gaps = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    out = moment_affect(gaps, 0.0, tolerance=0.5, loss_aversion=2.0)
    assert out.tolist() == [-5.0, 0.0, 0.0, 0.0, 2.5]
