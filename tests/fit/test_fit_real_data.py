"""Real survey files from ../shared/data (skipped with the reason when the folder is absent).

Measured figures (README, "Fitting to survey data"): the airline survey's logistic driver model
reaches a cross-validated AUC of about 0.90 (0.88 treating 0 as a rating), well above the mean of
the ratings (0.81); on the Skytrax lounge reviews fitted weights only tie with the mean of ratings.
"""

from __future__ import annotations

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
    # measured: fitted weights 0.8567 vs mean of ratings 0.8564 - a tie, not a clear win (README)
    assert m["drivers"] >= m["mean_of_ratings"] - 0.002
    assert m["drivers"] > m["peak_end"] + 0.02
    overall = load_wide(path, "overall_rating", LOUNGE, scale=Scale(1, 5, na_zero=True), blanks="impute",
                        outcome_scale=Scale(1, 10))
    r = drivers.fit_drivers(overall).models.set_index("model")["cv_r"]
    assert r["drivers"] > 0.8 and r["drivers"] >= r["mean_of_ratings"] - 0.002 and r["drivers"] > r["peak_end"]
