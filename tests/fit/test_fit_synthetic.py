"""The synthetic survey layer: questionnaire answers, parameter recovery, the Zhijiang-like survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.behaviour import memory as mem
from cxsim.errors import SpecError
from cxsim.fit.drivers import fit_drivers
from cxsim.fit.survey import Scale, load_wide
from cxsim.fit.synthetic import (
    SurveySpec,
    answer_questionnaire,
    survey_spec_from_dict,
    zhijiang_survey,
)

TPS = ["a", "b", "c", "d", "e"]


def test_answers_on_the_scale_with_blanks_and_nonresponse() -> None:
    rng = np.random.default_rng(0)
    aff = rng.normal(0, 1.5, (4000, 5))
    aff[:, 2][rng.random(4000) < 0.3] = np.nan  # touchpoint c not met by 30 %
    spec = SurveySpec(enabled=True, scale_low=0, scale_high=10, nonresponse=0.2, item_nonresponse=0.05)
    df = answer_questionnaire(aff, np.nanmean(aff, axis=1), TPS, spec, np.random.default_rng(1),
                              extra={"customer_id": np.arange(4000)})
    assert list(df.columns) == ["respondent", "customer_id", *TPS, "overall"]
    assert abs(len(df) / 4000 - 0.8) < 0.03
    vals = df[TPS + ["overall"]].to_numpy()
    ok = ~np.isnan(vals)
    assert ((vals[ok] >= 0) & (vals[ok] <= 10) & (vals[ok] == np.rint(vals[ok]))).all()
    assert abs(df["c"].isna().mean() - (0.3 + 0.7 * 0.05)) < 0.03
    assert abs(df["a"].isna().mean() - 0.05) < 0.02
    again = answer_questionnaire(aff, np.nanmean(aff, axis=1), TPS, spec, np.random.default_rng(1),
                                 extra={"customer_id": np.arange(4000)})
    assert df.equals(again)  # same seed, same answers


def test_scale_use_shifts_all_answers_of_a_respondent() -> None:
    aff = np.zeros((3000, 5))
    spec = SurveySpec(scale_low=0, scale_high=100, points_per_affect=10, noise=0.0, scale_use=8.0)
    df = answer_questionnaire(aff, aff[:, 0], TPS, spec, np.random.default_rng(2))
    corr = np.corrcoef(df["a"], df["b"])[0, 1]
    assert corr > 0.95 and df["a"].std() == pytest.approx(8.0, rel=0.1)


def test_recovers_key_moment_weights() -> None:
    """Overall = key moments (0.4 on b, 0.3 on e, the rest on the mean): the driver model's raw
    coefficients recover the effective weights w_k + (1 - Σw)/K within ±0.03, and only b and e
    come out as key drivers."""
    rng = np.random.default_rng(3)
    aff = rng.normal(0, 1.0, (5000, 5))
    w = np.array([0.0, 0.4, 0.0, 0.0, 0.3])
    overall = mem.key_moments(aff, w)
    spec = SurveySpec(scale_low=0, scale_high=100, anchor=50, points_per_affect=10, noise=1.0, scale_use=0.0)
    df = answer_questionnaire(aff, overall, TPS, spec, np.random.default_rng(4))
    fit = fit_drivers(load_wide(df, "overall", TPS, scale=Scale(0, 100)))
    effective = w + (1 - w.sum()) / 5
    np.testing.assert_allclose(fit.coefficients, effective, atol=0.03)
    assert fit.key_drivers()[:2] == ["b", "e"]


def test_survey_spec_validation() -> None:
    assert survey_spec_from_dict({"enabled": True}).enabled
    with pytest.raises(SpecError, match=r"survey.noise: -1 is not allowed"):
        survey_spec_from_dict({"noise": -1})
    with pytest.raises(SpecError, match=r"survey.anchor: 9 is not allowed; must lie on the scale 1-5"):
        survey_spec_from_dict({"anchor": 9})
    with pytest.raises(SpecError, match=r"survey.colour"):
        survey_spec_from_dict({"colour": "red"})


def test_zhijiang_like_survey() -> None:
    """The dealers remember delivery speed and the dealer meeting (key moments): driver analysis
    finds exactly those two as the most important, and peak-end over-predicts the overall."""
    survey, spec = zhijiang_survey(n_customers=1500, seed=0)
    tps = list(spec.scenario.journey.names)
    fit = fit_drivers(load_wide(survey, "overall", tps))
    top = fit.drivers.sort_values("importance", ascending=False)["touchpoint"].tolist()
    assert set(top[:2]) == {"delivery_speed", "dealer_meeting"}
    assert fit.key_drivers()[:2] == top[:2]
    assert fit.peak_end.overshoot > 0.15  # from the touchpoint means, as the case study computed it
    assert fit.peak_end.per_respondent > fit.peak_end.observed + 0.3
    m = fit.models.set_index("model")
    assert m.loc["drivers", "cv_rmse"] < m.loc["peak_end", "cv_rmse"]


def test_cxsim_writes_the_survey(tmp_path) -> None:
    from cxsim import load_run_spec, run

    spec = load_run_spec(["sim.n_customers=300", "sim.n_cycles=3", "sim.replications=1", "outputs.moments=true",
                          "outputs.survey.enabled=true", "outputs.survey.respondents=100", "outputs.figures=false"])
    written = run(spec).save(tmp_path)
    assert tmp_path / "survey.csv" in written
    df = pd.read_csv(tmp_path / "survey.csv")
    assert len(df) == 100 and list(df.columns)[-1] == "overall"
    assert set(spec.scenario.journey.names) <= set(df.columns)


def test_survey_needs_moments() -> None:
    from cxsim import load_run_spec

    with pytest.raises(SpecError, match=r"outputs.survey.enabled: True is not allowed; the survey is answered from the moment records"):
        load_run_spec(["outputs.survey.enabled=true"])
