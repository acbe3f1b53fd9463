"""The held-out posterior predictive check, and the copula underneath the survey model."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from cxsim.errors import SpecError
from cxsim.fit import copula
from cxsim.fit.ppc import LIMITS, compare_surveys, figure, holdout_check, tv_distance

FIXTURE = Path(__file__).with_name("survey_fixture.csv")
TPS = ["booking", "checkin", "wifi", "lounge", "food", "staff"]


@pytest.fixture(scope="module")
def check():
    return holdout_check(FIXTURE, TPS, "satisfaction", scale=(1, 5), positive="satisfied", not_applicable=0,
                         recommend="recommend", test_share=0.25, seed=4)


def test_split_is_reported_and_disjoint(check) -> None:
    assert check.split == {"train": 1800.0, "test": 600.0, "test_share": 0.25, "seed": 4.0, "simulated": 20_000.0}
    assert check.fitted.data.n == 1800
    assert "fitted on 1,800 rows, checked on 600 held-out rows (25%, seed 4)" in check.summary()


def test_table_has_an_item_per_check(check) -> None:
    t = check.table
    for c in ("rating shares", "blank share", "correlation with outcome"):
        assert sorted(t.loc[t["check"] == c, "item"]) == sorted(TPS)
    assert sorted(t.loc[t["check"] == "not applicable share", "item"]) == sorted(TPS)
    assert set(t["check"]) <= set(LIMITS)
    assert (t["limit"] == t["check"].map(LIMITS)).all()
    assert (t["ok"] == (t["distance"] <= t["limit"])).all()
    assert check.ok


def test_the_check_catches_a_wrong_simulation(check) -> None:
    """Shuffling the simulated outcome keeps its share but breaks every touchpoint's correlation with it."""
    fitted = check.fitted
    sim = fitted.simulate_survey(5000, seed=1)
    rng = np.random.default_rng(0)
    sim["satisfaction"] = rng.permutation(sim["satisfaction"].to_numpy())
    test = pd.read_csv(FIXTURE)
    t = compare_surveys(fitted, test, sim)
    corr = t[t["check"] == "correlation with outcome"]
    strong = corr[corr["observed"].abs() > 0.2]  # a weak correlation stays near 0 either way
    assert len(strong) >= 4 and not strong["ok"].any()
    assert t.loc[t["check"] == "outcome", "ok"].all()


def test_the_check_catches_wrong_rating_shares(check) -> None:
    fitted = check.fitted
    sim = fitted.simulate_survey(5000, seed=1)
    sim["booking"] = np.where(sim.index % 10 == 0, sim["booking"], 5.0)  # nine in ten now rate 5
    t = compare_surveys(fitted, pd.read_csv(FIXTURE), sim)
    row = t[(t["check"] == "rating shares") & (t["item"] == "booking")].iloc[0]
    assert row["distance"] > 0.5 and not row["ok"]


def test_tv_distance() -> None:
    assert tv_distance(np.array([1.0, 2.0]), np.array([1.0, 2.0, np.nan])) == 0.0
    assert tv_distance(np.array([1.0, 1.0]), np.array([2.0, 2.0])) == 1.0
    assert tv_distance(np.array([1.0, 2.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0, 3.0])) == pytest.approx(0.25)


def test_figure_is_written_without_global_state(check, tmp_path) -> None:
    before = dict(matplotlib.rcParams)
    path = figure(check, tmp_path / "ppc.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("share", [0.0, 1.0, -0.2, 1.5])
def test_bad_test_share(share) -> None:
    with pytest.raises(SpecError, match="test_share"):
        holdout_check(FIXTURE, TPS, "satisfaction", positive="satisfied", not_applicable=0, test_share=share)


# --------------------------------------------------------------------------- the copula
@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.0, 0.4, 0.8, 0.99])
def test_bivariate_normal_cdf_matches_scipy(rho) -> None:
    pts = [(0.0, 0.0), (1.2, -0.5), (-2.0, -2.5), (2.0, 2.0), (0.3, 0.31), (-1.0, 1.5)]
    for h, k in pts:
        exact = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([h, k])
        assert float(copula.bvn_cdf(np.array(h), np.array(k), rho)) == pytest.approx(exact, abs=2e-6)


def test_polychoric_recovers_the_latent_correlation() -> None:
    rng = np.random.default_rng(3)
    truth = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, -0.4], [0.3, -0.4, 1.0]])
    z = copula.latent_normal(rng, truth, 20_000)
    cuts = [np.array([-1.0, 0.0, 0.5, 1.5]), np.array([-0.5, 0.2, 1.0]), np.array([-1.5, -0.2, 0.3, 0.8])]
    codes = np.column_stack([copula.discretise(z[:, j], cuts[j]) for j in range(3)])
    est = [copula.thresholds(np.bincount(codes[:, j])) for j in range(3)]
    assert np.allclose(est[0], cuts[0], atol=0.05)
    r = copula.polychoric_matrix(codes, est)
    assert np.allclose(r, truth, atol=0.03)
    # the plain correlation of the ratings is attenuated; the polychoric one is not
    assert abs(np.corrcoef(codes[:, 0], codes[:, 1])[0, 1]) < 0.59


def test_missing_answers_are_left_out_pair_by_pair() -> None:
    rng = np.random.default_rng(5)
    z = copula.latent_normal(rng, np.array([[1.0, 0.5], [0.5, 1.0]]), 10_000)
    cuts = np.array([-0.5, 0.5])
    codes = np.column_stack([copula.discretise(z[:, j], cuts) for j in range(2)])
    codes[rng.random(10_000) < 0.3, 0] = -1
    est = [copula.thresholds(np.bincount(codes[codes[:, j] >= 0, j])) for j in range(2)]
    assert copula.polychoric_matrix(codes, est)[0, 1] == pytest.approx(0.5, abs=0.04)


def test_nearest_correlation_makes_a_valid_matrix() -> None:
    bad = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    fixed = copula.nearest_correlation(bad)
    assert np.allclose(np.diag(fixed), 1.0) and np.linalg.eigvalsh(fixed).min() > 0
    np.linalg.cholesky(fixed)
    good = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert np.array_equal(copula.nearest_correlation(good), good)
