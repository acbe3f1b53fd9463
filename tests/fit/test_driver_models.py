"""Driver models with covariates, linear and gradient boosting, compared out of sample."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from cxsim.errors import SpecError
from cxsim.fit.driver_models import compare_driver_models

AIRLINE = ["Inflight wifi service", "Departure/Arrival time convenient", "Ease of Online booking", "Gate location",
           "Food and drink", "Online boarding", "Seat comfort", "Inflight entertainment", "On-board service",
           "Leg room service", "Baggage handling", "Checkin service", "Inflight service", "Cleanliness"]


needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                   reason="scikit-learn is not installed (pip install 'cxsim[fit]')")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """Satisfied when (business travel and seat >= 4) or (leisure and price >= 4): an interaction
    no additive model of the ratings can draw; ``noise`` is a covariate that does not matter."""
    rng = np.random.default_rng(8)
    n = 1500
    seat = rng.integers(1, 6, n).astype(float)
    price = rng.integers(1, 6, n).astype(float)
    wifi = rng.integers(0, 6, n).astype(float)  # 0 = not applicable
    trip = np.where(rng.random(n) < 0.5, "business", "leisure")
    good = np.where(trip == "business", seat >= 4, price >= 4)
    flip = rng.random(n) < 0.05
    return pd.DataFrame({"seat": seat, "price": price, "wifi": wifi, "trip": trip,
                         "noise": rng.normal(size=n), "sat": np.where(good ^ flip, "yes", "no"),
                         "overall": np.where(good, 4.0, 2.0) + rng.integers(0, 2, n)})


@needs_sklearn
def test_boosting_finds_the_interaction_and_the_covariate_matters(table) -> None:
    res = compare_driver_models(table, ["seat", "price", "wifi"], "sat", covariates=["trip", "noise"], positive="yes",
                                not_applicable=0, folds=3, repeats=2)
    t = res.models.set_index("model")
    assert list(t.index) == ["linear", "linear + covariates", "boosting", "boosting + covariates"]
    assert t.loc["boosting + covariates", "cv_auc"] > 0.93
    assert t.loc["boosting + covariates", "cv_auc"] > t.loc["linear + covariates", "cv_auc"] + 0.05
    assert t.loc["boosting + covariates", "cv_auc"] > t.loc["boosting", "cv_auc"] + 0.05
    assert (t["rows"] == len(table)).all() and (t["folds"] == 3).all()
    assert "best gradient boosting boosting + covariates" in res.gap()
    imp = res.importance[res.importance["model"] == "boosting + covariates"].set_index("column")
    assert set(imp.index) == {"seat", "price", "wifi", "trip", "noise"}
    assert imp.loc["trip", "kind"] == "category" and imp.loc["noise", "kind"] == "number"
    assert imp["importance"].idxmin() in ("noise", "wifi")
    assert imp.loc["trip", "importance"] > imp.loc["noise", "importance"] + 0.02


@needs_sklearn
def test_rating_outcome_reports_r_and_rmse(table) -> None:
    res = compare_driver_models(table, ["seat", "price"], "overall", covariates="trip", folds=3, repeats=0)
    assert {"cv_r", "cv_rmse"} <= set(res.models.columns) and res.importance.empty
    t = res.models.set_index("model")
    assert t.loc["boosting + covariates", "cv_r"] > t.loc["linear + covariates", "cv_r"]


@needs_sklearn
def test_same_seed_same_table(table) -> None:
    a = compare_driver_models(table, ["seat", "price"], "sat", positive="yes", folds=3, repeats=1, seed=3)
    b = compare_driver_models(table, ["seat", "price"], "sat", positive="yes", folds=3, repeats=1, seed=3)
    pd.testing.assert_frame_equal(a.models, b.models)
    pd.testing.assert_frame_equal(a.importance, b.importance)


@needs_sklearn
@pytest.mark.parametrize("kwargs, message", [
    ({"covariates": ["nope"]}, "column 'nope'"),
    ({"covariates": ["seat"]}, "may not also be a touchpoint"),
    ({"folds": 1}, "folds"),
])
def test_bad_input(table, kwargs, message) -> None:
    args = {"touchpoints": ["seat", "price"], "outcome": "sat", "positive": "yes"} | kwargs
    with pytest.raises(SpecError) as err:
        compare_driver_models(table, **args)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_without_scikit_learn_the_error_names_the_extra(table, monkeypatch) -> None:
    for name in ("sklearn", "sklearn.ensemble", "sklearn.linear_model"):
        monkeypatch.setitem(sys.modules, name, None)  # None in sys.modules: the import fails
    with pytest.raises(SpecError, match=r"pip install 'cxsim\[fit\]'"):
        compare_driver_models(table, ["seat", "price"], "sat", positive="yes")


@needs_sklearn
def test_airline_gap(shared) -> None:
    """On the airline file gradient boosting reaches AUC 0.99 where the linear driver model has 0.93."""
    res = compare_driver_models(shared("airline_passenger_satisfaction_20k.csv"), AIRLINE, "satisfaction",
                                covariates=["Customer Type", "Type of Travel", "Class", "Departure Delay in Minutes"],
                                positive="satisfied", not_applicable=0, repeats=0)
    t = res.models.set_index("model")
    assert 0.90 < t.loc["linear", "cv_auc"] < 0.95
    assert t.loc["boosting + covariates", "cv_auc"] > 0.98
