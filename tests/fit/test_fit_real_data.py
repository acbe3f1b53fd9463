"""Real survey files from ../shared/data (skipped with the reason when the folder is absent).

Measured figures (README, "Fitting to survey data"): the airline survey's logistic driver model
reaches a cross-validated AUC of about 0.90 (0.88 treating 0 as a rating), well above the mean of
the ratings (0.81; paired DeLong interval of the difference +0.090 to +0.099). On the Skytrax lounge
reviews the fitted weights only tie with the mean of ratings (0.8567 vs 0.8564, difference -0.002 to
+0.003), and so do the principled variants tried — missing-value indicators, the worst-rated
aspect, a ridge penalty: no interval lies above 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsim.fit import drivers
from cxsim.fit.survey import Scale, load_wide

AIRLINE = ("Inflight wifi service,Departure/Arrival time convenient,Ease of Online booking,Gate location,"
           "Food and drink,Online boarding,Seat comfort,Inflight entertainment,On-board service,"
           "Leg room service,Baggage handling,Checkin service,Inflight service,Cleanliness")
LOUNGE = ("comfort_rating,cleanliness_rating,bar_beverages_rating,catering_rating,washrooms_rating,"
          "wifi_connectivity_rating,staff_service_rating")


def test_airline_loader_counts(shared) -> None:
    path = shared("airline_passenger_satisfaction_20k.csv")
    s = load_wide(path, "satisfaction", AIRLINE, positive="satisfied", scale=Scale(0, 5))
    assert s.n == 20_000 and int(s.outcome.sum()) == 8_759 and int((1 - s.outcome).sum()) == 11_241
    raw = pd.read_csv(path)
    assert raw["Arrival Delay in Minutes"].isna().sum() == 51
    dropped = load_wide(path, "satisfaction", AIRLINE + ",Arrival Delay in Minutes", positive="satisfied",
                        scale=Scale(0, 100_000))
    assert dropped.dropped == 51 and dropped.n == 19_949


def test_airline_drivers_auc(shared) -> None:
    path = shared("airline_passenger_satisfaction_20k.csv")
    s = load_wide(path, "satisfaction", AIRLINE, positive="satisfied", scale=Scale(1, 5, na_zero=True),
                  blanks="impute")
    fit = drivers.fit_drivers(s)
    m = fit.models.set_index("model")["cv_auc"]
    assert 0.88 <= m["drivers"] <= 0.93  # "about 0.89" for a logistic model on the 14 ratings
    assert m["drivers"] > m["mean_of_ratings"] + 0.05 > m["peak_end"]
    beats = fit.models.set_index("model").loc["drivers"]
    assert beats["vs_mean_ci_low"] > 0.08  # a clear win: the paired interval lies well above 0
    assert fit.key_drivers()[0] == "Online boarding"


def test_airline_zero_as_rating(shared) -> None:
    s = load_wide(shared("airline_passenger_satisfaction_20k.csv"), "satisfaction", AIRLINE,
                  positive="satisfied", scale=Scale(0, 5))
    m = drivers.fit_drivers(s).models.set_index("model")["cv_auc"]
    assert m["drivers"] > 0.86 and m["drivers"] > m["mean_of_ratings"] + 0.05


def test_skytrax_lounge(shared) -> None:
    path = shared("skytrax_lounge_reviews.csv")
    s = load_wide(path, "recommended", LOUNGE, positive="1", scale=Scale(1, 5, na_zero=True), blanks="impute")
    assert abs(s.outcome.mean() - 0.36) < 0.01
    fit = drivers.fit_drivers(s)
    m = fit.models.set_index("model")["cv_auc"]
    assert m["drivers"] > 0.84
    # measured: fitted weights 0.8567 vs mean of ratings 0.8564 - a tie, not a win (README): the
    # paired interval of the difference (DeLong) straddles 0 and is narrow.
    d = fit.models.set_index("model")
    assert d.loc["drivers", "vs_mean_ci_low"] < 0 < d.loc["drivers", "vs_mean_ci_high"] < 0.005
    assert d.loc["peak_end", "vs_mean_ci_high"] < -0.02  # peak-end is clearly worse
    assert m["drivers"] > m["peak_end"] + 0.02
    overall = load_wide(path, "overall_rating", LOUNGE, scale=Scale(1, 5, na_zero=True), blanks="impute",
                        outcome_scale=Scale(1, 10))
    r = drivers.fit_drivers(overall).models.set_index("model")["cv_r"]
    assert r["drivers"] > 0.8 and r["drivers"] >= r["mean_of_ratings"] - 0.002 and r["drivers"] > r["peak_end"]


def _lounge_variants(path):
    """Principled driver models for the lounge reviews, each scored with the same 5 folds (seed 0)."""
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.tools import add_constant

    from cxsim.fit import crossval

    s = load_wide(path, "recommended", LOUNGE, positive="1", scale=Scale(1, 5, na_zero=True), blanks="impute")
    raw = pd.read_csv(path)[LOUNGE.split(",")].to_numpy(float)
    raw[raw == 0] = np.nan  # 0 = not rated, as the loader reads it
    x, y = s.ratings, s.outcome
    not_rated = np.isnan(raw)
    indicators = not_rated[:, not_rated.sum(axis=0) >= 10].astype(float)  # washrooms, wifi, staff ...
    worst = np.where(not_rated.all(axis=1), np.nan, np.nanmin(np.where(not_rated, np.inf, raw), axis=1))
    worst = np.where(np.isnan(worst), np.nanmean(worst), worst)  # 3 reviews rate no aspect at all
    fold = crossval.fold_ids(s.n, 5, crossval.generators(0)[0])

    def oof(feats, ridge=0.0):
        out = np.empty(s.n)
        for train, test in crossval.splits(fold, 5):
            mu, sd = feats[train].mean(0), feats[train].std(0)
            z_tr, z_te = add_constant((feats[train] - mu) / sd), add_constant((feats[test] - mu) / sd, has_constant="add")
            model = GLM(y[train], z_tr, family=Binomial())
            res = (model.fit_regularized(alpha=np.r_[0.0, np.full(feats.shape[1], ridge)], L1_wt=0.0) if ridge
                   else model.fit())
            out[test] = res.predict(z_te)
        return out

    base = oof(x.mean(axis=1, keepdims=True))
    variants = {
        "drivers": oof(x), "drivers + not-rated indicators": oof(np.c_[x, indicators]),
        "drivers + worst aspect": oof(np.c_[x, worst]), "drivers + indicators + worst": oof(np.c_[x, indicators, worst]),
        "drivers, ridge (alpha 0.05)": oof(x, ridge=0.05), "mean + worst aspect": oof(np.c_[x.mean(axis=1), worst]),
    }
    return {name: crossval.delong_difference(y, o, base) for name, o in variants.items()}, crossval.auc(y, base)


def test_skytrax_lounge_no_principled_driver_model_beats_the_mean(shared) -> None:
    """Missing-value indicators, the worst-rated aspect (the lounge case of DESIGN.md) and a ridge
    penalty were tried; measured (README): every AUC difference from the mean of ratings lies within
    ±0.001 and every paired 95 % interval includes 0 — a tie, reported as such."""
    diffs, base_auc = _lounge_variants(shared("skytrax_lounge_reviews.csv"))
    assert abs(base_auc - 0.8564) < 0.0005
    for name, (d, lo, hi) in diffs.items():
        assert abs(d) < 0.002 and lo < 0 < hi and hi < 0.006, (name, d, lo, hi)
