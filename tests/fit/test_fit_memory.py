"""Memory-model fitting on long data: recovery of known weights, honest ranking, grouped CV."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.behaviour import memory as mem
from cxsim.errors import SpecError
from cxsim.fit.memory_fit import compare_memory_models, memory_value
from cxsim.fit.survey import Scale, load_long
from cxsim.fit.synthetic import long_episodes


def _survey(frame, **kw):
    return load_long(frame, "respondent,episode", "order", "rating", "retrospective", duration="duration",
                     group="respondent", scale=Scale(0, 10), retrospective_scale=Scale(-50, 50), **kw)


def test_memory_value_uses_the_core_functions() -> None:
    a = np.array([[1.0, -3.0, 2.0, 0.5]])
    p = np.ones_like(a, dtype=bool)
    assert memory_value("first", a, p, None) == 1.0
    assert memory_value("best", a, p, None) == 2.0 and memory_value("worst", a, p, None) == -3.0
    np.testing.assert_allclose(memory_value("peak_end", a, p, None, w_peak=0.3, w_end=0.5),
                               mem.peak_end(a, p, 0.3, 0.5))


def test_recovers_peak_end_weights(long_frame) -> None:
    """Simulated with w_peak 0.5, w_end 0.3: recovered within ±0.05, intervals cover the truth."""
    res = compare_memory_models(_survey(long_frame), bootstrap=100, seed=1)
    assert res.best == "peak_end"
    w = res.weights[res.weights.model == "peak_end"].set_index("parameter")
    assert abs(w.loc["w_peak", "estimate"] - 0.5) < 0.05
    assert abs(w.loc["w_end", "estimate"] - 0.3) < 0.05
    for k, truth in (("w_peak", 0.5), ("w_end", 0.3)):
        assert w.loc[k, "ci_low"] - 0.02 <= truth <= w.loc[k, "ci_high"] + 0.02
    assert "beats the plain average" in res.verdict()


def test_recovers_recency_half_life() -> None:
    df = long_episodes(np.random.default_rng(3), 300, 2, moments=(6, 10), truth="recency",
                       truth_params={"half_life": 2.0}, scale=Scale(0, 10), noise=0.3)
    res = compare_memory_models(_survey(df), bootstrap=0)
    assert res.best == "recency"
    assert res.fitted["recency"].params["half_life"] == pytest.approx(2.0, rel=0.45)


def test_honest_when_the_mean_is_the_truth() -> None:
    """When people remember the average, no peak-end variant is reported as better than the mean."""
    df = long_episodes(np.random.default_rng(4), 300, 2, truth="mean", scale=Scale(0, 10), noise=0.5)
    res = compare_memory_models(_survey(df), bootstrap=0)
    t = res.table.set_index("model")
    assert res.best in ("mean", "peak_end", "mean_peak_trough_end", "recency")
    assert (t["mse_vs_mean_ci_high"] >= 0).all()  # nothing significantly beats the mean
    assert t.loc["mean", "cv_rmse"] < t.loc["peak_end_avg", "cv_rmse"]
    assert "peak" not in res.best or "NOT significantly better" in res.verdict()


def test_grouped_folds_keep_respondents_together(long_frame) -> None:
    from cxsim.fit import crossval

    s = _survey(long_frame)
    fold = crossval.fold_ids(s.n, 5, np.random.default_rng(0), s.groups)
    for g in np.unique(s.groups):
        assert len(np.unique(fold[s.groups == g])) == 1


def test_reproducible(long_frame) -> None:
    a = compare_memory_models(_survey(long_frame), bootstrap=20, seed=7)
    b = compare_memory_models(_survey(long_frame), bootstrap=20, seed=7)
    assert a.table.equals(b.table) and a.weights.equals(b.weights)


def test_fitted_model_predicts_like_the_fit(long_frame) -> None:
    s = _survey(long_frame)
    res = compare_memory_models(s, bootstrap=0)
    for name in ("peak_end", "mean_peak_trough_end", "recency", "peak_end_avg", "first"):
        pred = res.fitted[name].predict(s.ratings, s.present, s.durations)
        r = np.corrcoef(pred, s.retrospective)[0, 1]
        assert r == pytest.approx(res.table.set_index("model").loc[name, "r_in_sample"], abs=1e-9)


def test_too_few_episodes(long_frame) -> None:
    small = long_frame[(long_frame.respondent == 1) & (long_frame.episode <= 2)]
    with pytest.raises(SpecError, match=r"data: rows: 2 is not allowed; the largest memory model has 5 parameters"):
        compare_memory_models(_survey(small), folds=2, bootstrap=0, grouped=False)


def test_bad_settings(long_frame) -> None:
    with pytest.raises(SpecError, match="folds"):
        compare_memory_models(_survey(long_frame), folds=1)
    with pytest.raises(SpecError, match="models"):
        compare_memory_models(_survey(long_frame), models=["nope"])


def test_recovers_key_moment_weights_from_long_data(tmp_path) -> None:
    """Episodes whose retrospective rating is the key-moments memory (0.5 on 'delivery', 0.2 on
    'meeting'): with a touchpoint column the key_moments model wins and recovers the weights;
    the saved model predicts new episodes whatever order their touchpoints come in."""
    import pandas as pd

    from cxsim.fit.persist import memory_document, predict

    rng = np.random.default_rng(8)
    names = np.array(["brand", "price", "delivery", "service", "meeting"])
    n = 600
    ratings = np.clip(np.rint(5 + rng.normal(0, 2, (n, 5))), 0, 10)
    w = np.array([0.0, 0.0, 0.5, 0.0, 0.2])
    retro = 5 + mem.key_moments(ratings - 5, w) + rng.normal(0, 0.3, n)
    order = np.argsort(rng.random((n, 5)), axis=1)  # touchpoints met in varying order
    e = np.repeat(np.arange(n), 5)
    df = pd.DataFrame({"episode": e, "order": np.tile(np.arange(5), n), "touchpoint": names[order].ravel(),
                       "rating": ratings[e, order.ravel()], "retrospective": retro[e]})
    s = load_long(df, "episode", "order", "rating", "retrospective", touchpoint="touchpoint",
                  scale=Scale(0, 10), retrospective_scale=Scale(-50, 50))
    res = compare_memory_models(s, bootstrap=50)
    assert res.best == "key_moments"
    p = res.fitted["key_moments"].params
    for t, truth in zip(names, w):
        assert abs(p[f"w_{t}"] - truth) < 0.05
    doc = memory_document(res.fitted["key_moments"], s)
    pred = predict(doc, df.drop(columns="retrospective"), "new.csv")
    assert np.corrcoef(pred["predicted"], retro)[0, 1] > 0.95
