"""Bayesian calibration with the real simulator: recovery on b2b_dealer_survey, outputs, and a
posterior carried into a paired comparison."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from cxsim.errors import SpecError
from cxsim.fit import bayes
from cxsim.fit import posterior as post

needs_npe = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("sbi") is None,
    reason="neural posterior estimation needs the optional packages torch and sbi (pip install 'cxsim[bayes]')")

#: The values b2b_dealer_survey_bayes.yaml's synthetic survey was simulated at (see that file).
TRUTH = {"scenario.journey.touchpoints.6.performance.mean": 4.46,
         "scenario.journey.touchpoints.4.performance.mean": 6.0}


@pytest.fixture(scope="module")
def survey_fit(tmp_path_factory):
    spec = replace(bayes.load("b2b_dealer_survey_bayes"), simulations=300, predictive_runs=20, posterior_samples=2000)
    result = bayes.calibrate_bayes(spec, seed=0)
    out = tmp_path_factory.mktemp("bayes")
    return result, post.save(result, out), out


@needs_npe
def test_parameter_recovery_on_the_dealer_survey(survey_fit):
    result, _, _ = survey_fit
    s = result.summary.set_index("parameter")
    for path, value in TRUTH.items():
        assert s.loc[path, "q05"] <= value <= s.loc[path, "q95"], (path, s.loc[path].to_dict())
    meeting = "scenario.journey.touchpoints.6.performance.mean"
    assert s.loc[meeting, "sd_ratio"] < 0.5  # the meeting's own ratings pin it down
    assert result.predictive["inside"].mean() >= 0.8  # 15 rating shares, each against its 90 % interval
    assert result.diagnostics["simulations"] == 300 and result.diagnostics["predictive_runs"] == 20


@needs_npe
def test_outputs_are_written_and_read_back(survey_fit):
    result, written, out = survey_fit
    assert {p.name for p in written} == {"posterior.parquet", "posterior_summary.csv", "predictive_check.csv",
                                         "simulations.parquet", "diagnostics.json", "posterior_pairs.png",
                                         "predictive_check.png"}
    back = post.Posterior.load(out)
    pd.testing.assert_frame_equal(back.samples, result.samples)
    diag = json.loads((out / "diagnostics.json").read_text())
    assert diag["method"] == "npe" and diag["simulations"] == 300
    sims = pd.read_parquet(out / "simulations.parquet")
    assert len(sims) == 300 and "overall:rating=4" in sims.columns


def test_simulator_refuses_a_path_or_column_it_does_not_have():
    base = {"overrides": ["scenario=b2b_dealer_survey", "sim.n_customers=100", "sim.n_cycles=2"],
            "targets": [{"name": "r", "metric": "summary.retention_rate", "value": 0.9, "sd": 0.05}]}
    with pytest.raises(SpecError) as err:
        bayes.Simulator(bayes.spec_from_dict({**base, "parameters": {"scenario.loyalty.nope": {"low": 0, "high": 1}}}))
    assert err.value.field == "parameters.scenario.loyalty.nope"
    bad = {**base, "parameters": {"scenario.loyalty.satisfaction_slope": {"low": 0, "high": 2}},
           "targets": [{"name": "x", "metric": "summary.nope", "value": 1, "sd": 1}]}
    with pytest.raises(SpecError) as err:
        bayes.Simulator(bayes.spec_from_dict(bad))
    assert err.value.field == "targets.x.metric"
    late = {**base, "parameters": {"scenario.loyalty.satisfaction_slope": {"low": 0, "high": 2}},
            "targets": [{"name": "c", "metric": "cycles.nps", "cycle": 5, "value": 1, "sd": 1}]}
    with pytest.raises(SpecError) as err:
        bayes.Simulator(bayes.spec_from_dict(late))
    assert err.value.field == "targets.c.cycle"


# --------------------------------------------------------------------------- posterior in comparisons
def _posterior(tmp_path, values: np.ndarray):
    path = tmp_path / "posterior.parquet"
    pd.DataFrame({"scenario.loyalty.recommend_intercept": values}).to_parquet(path, index=False)
    return post.Posterior.load(path)


def test_posterior_draw_is_keyed_by_replication_only(tmp_path):
    p = _posterior(tmp_path, np.linspace(5.0, 9.0, 50))
    assert p.draw(3, seed=0) == p.draw(3, seed=0)
    draws = {p.draw(r, seed=0)["scenario.loyalty.recommend_intercept"] for r in range(20)}
    assert len(draws) > 5


@pytest.mark.parametrize("content, match", [
    (None, "no such posterior samples file"),
    ("text", "not a Parquet or CSV samples file"),
])
def test_bad_posterior_files_are_one_line_errors(tmp_path, content, match):
    path = tmp_path / "posterior.parquet"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SpecError, match=match):
        post.Posterior.load(path)


def test_posterior_with_a_path_the_config_lacks_is_refused(tmp_path):
    from cxsim.config import compose_config

    path = tmp_path / "p.parquet"
    pd.DataFrame({"scenario.loyalty.nope": [1.0, 2.0]}).to_parquet(path, index=False)
    with pytest.raises(SpecError) as err:
        post.Posterior.load(path).check(compose_config(["sim.n_customers=100"]))
    assert err.value.field == "posterior.scenario.loyalty.nope"


def test_uncertainty_table_matches_its_definition():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"intervention": ["a"] * 40, "replication": range(40), "nps": rng.normal(1.0, 2.0, 40)})
    t = post.uncertainty_table(d, ["nps"], level=0.9).iloc[0]
    assert t["delta"] == pytest.approx(d["nps"].mean())
    assert (t["cred_low"], t["cred_high"]) == pytest.approx(tuple(np.quantile(d["nps"], [0.05, 0.95])))
    assert t["p_better"] == pytest.approx((d["nps"] > 0).mean())
