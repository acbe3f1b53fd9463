"""Key-driver analysis: statsmodels weights, Shapley importance, quadrants, the Zhijiang check, CV."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxsim.errors import SpecError
from cxsim.fit import drivers
from cxsim.fit.survey import load_wide


def test_linear_weights_match_statsmodels_on_standardised_data(wide_frame) -> None:
    s = load_wide(wide_frame, "overall", "a,b b,c,d")
    fit = drivers.fit_drivers(s)
    z = (s.ratings - s.ratings.mean(0)) / s.ratings.std(0, ddof=1)
    zy = (s.outcome - s.outcome.mean()) / s.outcome.std(ddof=1)
    ref = sm.OLS(zy, sm.add_constant(z)).fit()
    np.testing.assert_allclose(fit.drivers["weight"], ref.params[1:], rtol=1e-10)
    np.testing.assert_allclose(fit.drivers["p_value"], ref.pvalues[1:], rtol=1e-8)
    assert fit.key_drivers() == ["b b", "d"]
    # raw-scale coefficients reproduce statsmodels' fitted values
    raw = sm.OLS(s.outcome, sm.add_constant(s.ratings)).fit()
    np.testing.assert_allclose(fit.predict(s.ratings), raw.fittedvalues, rtol=1e-9)


def test_logistic_driver_model(wide_frame) -> None:
    s = load_wide(wide_frame, "label", "a,b b,c,d", positive="happy")
    fit = drivers.fit_drivers(s)
    assert fit.kind == "logistic" and set(fit.key_drivers()) == {"b b", "d"}
    m = fit.models.set_index("model")
    assert {"cv_auc", "cv_brier"} <= set(m.columns)
    assert m.loc["drivers", "cv_auc"] > m.loc["mean_of_ratings", "cv_auc"]
    p = fit.predict(s.ratings)
    assert ((p > 0) & (p < 1)).all()
    ref = sm.Logit(s.outcome, sm.add_constant(s.ratings)).fit(disp=0)
    assert fit.r2 == pytest.approx(ref.prsquared, rel=1e-8)  # McFadden, null model in closed form
    np.testing.assert_allclose(p, ref.predict(), rtol=1e-6)


def test_shapley_importance_sums_to_r2_and_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4))
    x[:, 1] += 0.5 * x[:, 0]
    y = x @ np.array([1.0, 0.5, 0.0, 0.2]) + rng.normal(size=500)
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    phi = drivers.shapley_r2(corr)
    r2_full = sm.OLS(y, sm.add_constant(x)).fit().rsquared
    assert phi.sum() == pytest.approx(r2_full, abs=1e-10)
    # subset R² agrees with statsmodels on an arbitrary subset
    r2 = drivers.r2_all_subsets(corr)
    assert r2[0b0101] == pytest.approx(sm.OLS(y, sm.add_constant(x[:, [0, 2]])).fit().rsquared, abs=1e-10)
    # relative weights approximate Shapley and also sum to R²
    rw = drivers.relative_weights(corr)
    assert rw.sum() == pytest.approx(r2_full, abs=1e-8)
    assert np.argsort(rw).tolist() == np.argsort(phi).tolist()


def test_quadrants_and_peak_end_check(wide_frame) -> None:
    fit = drivers.fit_drivers(load_wide(wide_frame, "overall", "a,b b,c,d"))
    assert set(fit.drivers["quadrant"]) <= set(drivers.QUADRANTS.values())
    assert fit.drivers["importance"].sum() == pytest.approx(1.0)
    chk = fit.peak_end
    means = wide_frame[["a", "b b", "c", "d"]].mean()
    assert chk.from_means == pytest.approx((means.max() + means["d"]) / 2)
    assert chk.end_touchpoint == "d" and chk.observed == pytest.approx(wide_frame["overall"].mean())


def test_zhijiang_published_means_overshoot() -> None:
    """The case study: peak (brand image 4.82) and end (dealer meeting 4.46) average 4.64 vs 4.17 observed."""
    means = {"brand_image": 4.82, "price": 3.62, "technology": 4.15, "product_quality": 4.54,
             "delivery_speed": 3.61, "service_staff": 4.23, "dealer_meeting": 4.46}
    x = np.array(list(means.values()))
    rows = np.vstack([x, x])  # two identical respondents reproduce the published means exactly
    check = drivers.PeakEndCheck(4.17, float(drivers.peak_end_scores(rows).mean()),
                                 float((x.max() + x[-1]) / 2), "brand_image", "dealer_meeting")
    assert round(check.from_means, 2) == 4.64 and round(check.overshoot, 2) == 0.47


def test_by_segment(wide_frame) -> None:
    s = load_wide(wide_frame, "overall", "a,b b,c,d", segment="segment")
    t = drivers.by_segment(s)
    assert set(t["segment"]) == {"x", "y"} and len(t) == 8


def test_reproducible_cv(wide_frame) -> None:
    s = load_wide(wide_frame, "overall", "a,b b,c,d")
    assert drivers.fit_drivers(s, seed=3).models.equals(drivers.fit_drivers(s, seed=3).models)


def test_constant_touchpoint_is_an_error(wide_frame) -> None:
    s = load_wide(wide_frame.assign(c=3), "overall", "a,b b,c,d")
    with pytest.raises(SpecError, match=r"data: column 'c': 'constant' is not allowed"):
        drivers.fit_drivers(s)


def test_perfect_separation_is_an_error(wide_frame) -> None:
    df = wide_frame.assign(label=np.where(wide_frame["a"] >= 4, "happy", "unhappy"))
    with pytest.raises(SpecError, match="separated"):
        drivers.fit_drivers(load_wide(df, "label", "a,b b,c,d", positive="happy"))


def _paired_bootstrap(y, a, b, metric, reps=2000, seed=0):
    rng = np.random.default_rng(seed)
    d = []
    for _ in range(reps):
        i = rng.integers(0, y.size, y.size)
        d.append(metric(y[i], a[i]) - metric(y[i], b[i]))
    return np.percentile(d, [2.5, 97.5])


def test_paired_intervals_agree_with_a_paired_bootstrap() -> None:
    """DeLong (AUC) and Zou (r) intervals of a difference on the same respondents ~ the bootstrap's."""
    from cxsim.fit import crossval

    rng = np.random.default_rng(3)
    n = 1500
    y = (rng.random(n) < 0.4).astype(float)
    a = np.round(rng.normal(size=n) + y, 1)  # ties, as ratings have
    b = a + 0.8 * rng.normal(size=n)
    d, lo, hi = crossval.delong_difference(y, a, b)
    assert d == pytest.approx(crossval.auc(y, a) - crossval.auc(y, b), abs=1e-12)
    np.testing.assert_allclose([lo, hi], _paired_bootstrap(y, a, b, crossval.auc), atol=0.004)
    yr = 0.5 * a + rng.normal(size=n)
    d, lo, hi = crossval.zou_difference(yr, a, b)
    assert d == pytest.approx(crossval.correlation(yr, a) - crossval.correlation(yr, b), abs=1e-12)
    np.testing.assert_allclose([lo, hi], _paired_bootstrap(yr, a, b, crossval.correlation), atol=0.006)


def test_models_report_the_difference_from_the_mean_with_an_interval(wide_frame) -> None:
    for outcome, positive in (("overall", None), ("label", "happy")):
        m = drivers.fit_drivers(load_wide(wide_frame, outcome, "a,b b,c,d", positive=positive)).models.set_index("model")
        assert m.loc["mean_of_ratings", ["vs_mean", "vs_mean_ci_low", "vs_mean_ci_high"]].isna().all()
        for model in ("drivers", "peak_end"):
            assert m.loc[model, "vs_mean_ci_low"] <= m.loc[model, "vs_mean"] <= m.loc[model, "vs_mean_ci_high"]
