"""Bayesian calibration on cheap synthetic simulators: priors, likelihood, methods, coverage."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxsim.errors import SpecError
from cxsim.fit import bayes
from cxsim.fit import observations as obs
from cxsim.fit.priors import Prior, prior_from_dict, to_values

HAS_NPE = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("sbi") is not None
needs_npe = pytest.mark.skipif(not HAS_NPE, reason="neural posterior estimation needs the optional packages torch "
                               "and sbi (pip install 'cxsim[bayes]')")
needs_abc = pytest.mark.skipif(importlib.util.find_spec("pyabc") is None,
                               reason="ABC-SMC needs the optional package pyabc (pip install 'cxsim[bayes]')")

PRIORS = (Prior("a", "uniform", low=0.0, high=2.0), Prior("b", "normal", mean=0.5, sd=0.3, low=0.0, high=1.0))


def toy(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """A cheap simulator with the layout of two value targets and one 2-rating distribution."""
    a, b = x[:, 0], x[:, 1]
    return np.column_stack([a * b, a + b, 0.25 + 0.5 * (1 - b), 0.25 + 0.5 * b])


def toy_targets(observed: np.ndarray) -> tuple[obs.Target, ...]:
    base = (obs.ValueTarget("m1", "summary.x", 0.0, sd=0.05), obs.ValueTarget("m2", "summary.y", 0.0, sd=0.1),
            obs.DistributionTarget("d", "survey.overall", (100.0, 100.0), (1, 2)))  # n = 200 answers
    return obs.with_observed(base, observed)


# --------------------------------------------------------------------------- priors
@pytest.mark.parametrize("prior, ref", [
    (Prior("p", "uniform", low=1.0, high=3.0), stats.uniform(1.0, 2.0)),
    (Prior("p", "normal", mean=0.5, sd=0.2), stats.norm(0.5, 0.2)),
    (Prior("p", "beta", a=2.0, b=5.0), stats.beta(2.0, 5.0)),
])
def test_prior_matches_scipy_and_round_trips(prior, ref):
    u = np.linspace(0.01, 0.99, 25)
    np.testing.assert_allclose(prior.ppf(u), ref.ppf(u), rtol=1e-9)
    x = prior.ppf(u)
    np.testing.assert_allclose(prior.from_z(prior.to_z(x)), x, rtol=1e-7)
    np.testing.assert_allclose(prior.logpdf(x), ref.logpdf(x), rtol=1e-9)


def test_lognormal_prior_has_the_stated_mean_and_sd():
    m, s = Prior("p", "lognormal", mean=6.0, sd=2.0).moments()
    assert m == pytest.approx(6.0, rel=0.01) and s == pytest.approx(2.0, rel=0.05)


def test_truncated_normal_stays_in_its_bounds_and_integrates_to_one():
    p = Prior("p", "normal", mean=0.0, sd=1.0, low=0.5, high=2.0)
    x = p.sample(np.random.default_rng(0), 5000)
    assert x.min() >= 0.5 and x.max() <= 2.0
    grid = np.linspace(0.5, 2.0, 20001)
    assert np.trapezoid(np.exp(p.logpdf(grid)), grid) == pytest.approx(1.0, abs=1e-4)
    assert np.isneginf(p.logpdf(np.array([0.4, 2.1]))).all()


@pytest.mark.parametrize("data, field", [
    ({"dist": "gamma", "low": 0, "high": 1}, "parameters.x.dist"),
    ({"dist": "uniform", "low": 0}, "parameters.x.high"),
    ({"dist": "uniform", "low": 1, "high": 1}, "parameters.x.high"),
    ({"dist": "normal", "mean": 0, "sd": -1}, "parameters.x.sd"),
    ({"dist": "normal", "mean": 0, "sd": 1, "shape": 2}, "parameters.x.shape"),
    ({"dist": "lognormal", "mean": 1, "sd": 1, "low": -1}, "parameters.x.low"),
    ({"dist": "beta", "a": 2}, "parameters.x.b"),
    ({"dist": "normal", "mean": 0, "sd": 0.01, "low": 50, "high": 60}, "parameters.x.low"),
    ({"dist": "uniform", "low": "zero", "high": 1}, "parameters.x.low"),
])
def test_bad_priors_name_the_field(data, field):
    with pytest.raises(SpecError) as err:
        prior_from_dict("x", data)
    assert err.value.field == field


# --------------------------------------------------------------------------- targets and likelihood
def test_likelihood_peaks_at_the_observation_and_draws_around_it():
    lik = obs.Likelihood(toy_targets(toy(np.array([[1.2, 0.3]]), np.zeros(1))[0]))
    s = toy(np.array([[1.2, 0.3], [1.0, 0.3], [1.2, 0.5]]), np.zeros(3))
    ll = lik.log_likelihood(s)
    assert ll[0] > ll[1] and ll[0] > ll[2]
    assert lik.max_log_likelihood == pytest.approx(ll[0], abs=1e-2)
    draws = lik.draw(np.repeat(s[:1], 4000, axis=0), np.random.default_rng(0))
    assert draws[:, 0].std() == pytest.approx(0.05, rel=0.1)
    assert draws[:, 2].std() == pytest.approx(np.sqrt(0.6 * 0.4 / 200), rel=0.1)  # multinomial of n=200
    np.testing.assert_allclose(draws[:, 2] + draws[:, 3], 1.0)
    assert lik.features(draws).shape == (4000, 3)  # the redundant last share dropped


def test_binomial_share_target():
    t = obs.ValueTarget("after_1", "switched", 0.4, cycle=1, n=300)
    lik = obs.Likelihood((t,))
    ll = lik.log_likelihood(np.array([[0.4], [0.3], [0.5]]))
    assert ll[0] > ll[1] and ll[0] > ll[2]
    assert ll[0] == pytest.approx(stats.binom.logpmf(120, 300, 0.4), abs=2e-3)


def test_distribution_counts_from_a_survey_file(tmp_path):
    f = tmp_path / "survey.csv"
    pd.DataFrame({"overall": [1, 2, 2, 5, None, 4, 4, 4]}).to_csv(f, index=False)
    t = obs.target_from_dict(0, {"name": "o", "metric": "survey.overall", "survey": "survey.csv"}, base=tmp_path)
    assert t.counts == (1.0, 2.0, 0.0, 3.0, 1.0) and t.n == 7


@pytest.mark.parametrize("data, field", [
    ({"name": "r", "metric": "summary.retention_rate", "value": 0.8}, "targets.r.sd"),
    ({"name": "r", "metric": "summary.retention_rate", "value": 0.8, "sd": 0.1, "n": 10}, "targets.r.sd"),
    ({"name": "r", "metric": "summary.retention_rate", "value": 1.5, "n": 10}, "targets.r.value"),
    ({"name": "r", "metric": "retention", "value": 0.8, "sd": 0.1}, "targets.r.metric"),
    ({"name": "r", "metric": "cycles.nps", "value": 1, "sd": 0.1}, "targets.r.cycle"),
    ({"name": "r", "metric": "summary.nps", "sd": 0.1}, "targets[0].value"),
    ({"name": "o", "metric": "survey.overall", "counts": {0: 3, 2: 1}}, "targets.o.counts"),
    ({"name": "o", "metric": "survey.overall", "counts": {6: 3}}, "targets.o.counts"),
    ({"name": "o", "metric": "survey.overall"}, "targets.o.counts"),
    ({"name": "o", "metric": "survey.overall", "survey": "nope.csv"}, "targets.o.survey"),
    ({"name": "o", "metric": "survey.overall", "counts": {1: 1}, "sd": 1}, "targets[0].sd"),
])
def test_bad_targets_name_the_field(data, field, tmp_path):
    with pytest.raises(SpecError) as err:
        obs.target_from_dict(0, data, base=tmp_path)
    assert err.value.field == field


def test_a_survey_file_with_ratings_off_the_scale_is_refused(tmp_path):
    f = tmp_path / "s.csv"
    pd.DataFrame({"overall": [1, 7]}).to_csv(f, index=False)
    with pytest.raises(SpecError, match="7.0 is not allowed; ratings must be whole numbers on the scale 1..5"):
        obs.target_from_dict(0, {"name": "o", "metric": "survey.overall", "survey": str(f)})


@pytest.mark.parametrize("change, field", [
    ({"method": "mcmc"}, "method"), ({"simulations": 5}, "simulations"), ({"crn": "yes"}, "crn"),
    ({"budget": 3}, "budget"), ({"parameters": {}}, "parameters"), ({"targets": []}, "targets"),
])
def test_bad_calibration_files_name_the_field(change, field):
    data = {"name": "t", "parameters": {"a": {"low": 0, "high": 1}},
            "targets": [{"name": "r", "metric": "summary.nps", "value": 1, "sd": 1}], **change}
    with pytest.raises(SpecError) as err:
        bayes.spec_from_dict(data)
    assert err.value.field == field


def test_duplicate_target_names_are_refused():
    t = {"name": "r", "metric": "summary.nps", "value": 1, "sd": 1}
    with pytest.raises(SpecError, match="target names must be unique"):
        bayes.spec_from_dict({"parameters": {"a": {"low": 0, "high": 1}}, "targets": [t, t]})


# --------------------------------------------------------------------------- the methods
def _spec(method: str, observed: np.ndarray, **kw) -> bayes.BayesSpec:
    return bayes.BayesSpec("toy", PRIORS, toy_targets(observed), method=method, **kw)


@needs_npe
def test_npe_result_is_reproducible_and_leaves_global_random_state_alone(tmp_path, monkeypatch):
    import torch  # an optional dependency: only where it is needed

    monkeypatch.chdir(tmp_path)  # nothing may be written into the working folder (sbi's default logs)
    y = toy(np.array([[1.2, 0.3]]), np.zeros(1))[0]
    spec = _spec("npe", y, simulations=500, posterior_samples=500, predictive_runs=20)
    np_state, torch_state = np.random.get_state()[1].copy(), torch.random.get_rng_state().clone()
    threads = torch.get_num_threads()
    r1 = bayes.calibrate_bayes(spec, simulate=toy, seed=3)
    assert np.array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.random.get_rng_state(), torch_state) and torch.get_num_threads() == threads
    r2 = bayes.calibrate_bayes(spec, simulate=toy, seed=3)
    pd.testing.assert_frame_equal(r1.samples, r2.samples)
    r3 = bayes.calibrate_bayes(spec, simulate=toy, seed=4)
    assert not r1.samples.equals(r3.samples)
    s = r1.summary.set_index("parameter")
    assert s.loc["a", "q05"] <= 1.2 <= s.loc["a", "q95"] and s.loc["b", "q05"] <= 0.3 <= s.loc["b", "q95"]
    assert (s["sd_ratio"] < 0.6).all() and not s["prior_only"].any()
    assert r1.predictive["inside"].all()
    assert r1.diagnostics["simulations"] == 500 and r1.diagnostics["importance_ess"] > 0
    assert list(r1.samples.columns) == ["a", "b"] and len(r1.samples) == 500
    assert not any(tmp_path.iterdir())


@needs_npe
@needs_npe
def test_progress_reports_only_finished_simulations():
    y = toy(np.array([[1.2, 0.3]]), np.zeros(1))[0]
    done, said = [0], []

    def counted(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        out = toy(x, idx)
        done[0] += len(x)
        return out

    def show(message: str) -> None:  # "N simulations": never more than have finished
        said.append(message)
        assert int(message.split()[0]) <= done[0], (message, done[0])

    bayes.calibrate_bayes(_spec("npe", y, simulations=500, posterior_samples=200, predictive_runs=20),
                          simulate=counted, seed=3, progress=show)
    assert said and said[-1].endswith("simulations")


def test_a_parameter_the_targets_ignore_is_flagged_as_prior_only():
    priors = (*PRIORS, Prior("c", "uniform", low=0.0, high=1.0))
    y = toy(np.array([[1.2, 0.3]]), np.zeros(1))[0]
    spec = bayes.BayesSpec("toy", priors, toy_targets(y), simulations=400, posterior_samples=500, predictive_runs=10)
    r = bayes.calibrate_bayes(spec, simulate=lambda x, i: toy(x[:, :2], i), seed=0)
    s = r.summary.set_index("parameter")
    assert s.loc["c", "prior_only"] and not s.loc["a", "prior_only"]
    assert any(w.startswith("c: the posterior is about the prior") for w in r.warnings)


@needs_abc
def test_abc_smc_recovers_the_truth_and_restores_numpy_global_state():
    y = toy(np.array([[1.2, 0.3]]), np.zeros(1))[0]
    spec = _spec("abc-smc", y, simulations=3000, posterior_samples=1000, predictive_runs=20)
    state = np.random.get_state()[1].copy()
    r = bayes.calibrate_bayes(spec, simulate=toy, seed=1)
    assert np.array_equal(np.random.get_state()[1], state)
    s = r.summary.set_index("parameter")
    assert s.loc["a", "q05"] <= 1.2 <= s.loc["a", "q95"] and s.loc["b", "q05"] <= 0.3 <= s.loc["b", "q95"]
    d = r.diagnostics
    assert d["method"] == "abc-smc" and d["generations"] >= 2 and 0 < d["ess"] <= d["population"]
    assert d["simulations"] >= 3000 * 0.9


@needs_npe
def test_npe_coverage_on_synthetic_experiments():
    """Simulation-based calibration (Talts et al. 2018), as coverage of the 90 % interval.

    M data sets are simulated from truths drawn from the prior (with observation noise); the
    posterior of each comes from the same code path as a calibration (one amortised network).
    With a calibrated posterior the number of data sets whose truth lies inside a parameter's
    90 % interval is Binomial(M, 0.9); the test accepts the central 99.7 % of that distribution.
    """
    m = 150
    lik = obs.Likelihood(toy_targets(toy(np.array([[1.0, 0.5]]), np.zeros(1))[0]))
    k = len(PRIORS)

    def sim_z(z, idx):
        return toy(to_values(PRIORS, z), idx)

    net = bayes.NeuralPosterior(sim_z, k, lik, 2000, seed=11)
    rng = np.random.default_rng(12)
    truth = to_values(PRIORS, rng.standard_normal((m, k)))
    ys = lik.draw(toy(truth, np.zeros(m)), rng)
    inside = np.zeros((m, k), bool)
    for i, y in enumerate(ys):
        x = to_values(PRIORS, net.sample(y[None, :], 1000, seed=i))
        lo, hi = np.quantile(x, [0.05, 0.95], axis=0)
        inside[i] = (truth[i] >= lo) & (truth[i] <= hi)
    low, high = stats.binom.interval(0.997, m, 0.9)
    for j, p in enumerate(PRIORS):
        assert low <= inside[:, j].sum() <= high, (p.path, inside[:, j].mean())


def test_a_missing_optional_library_is_a_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sbi", None)  # as if not installed: importing it raises ImportError
    monkeypatch.setitem(sys.modules, "sbi.inference", None)
    monkeypatch.setitem(sys.modules, "pyabc", None)
    err = bayes.missing_method_dependency("npe")
    assert err is not None and "pip install 'cxsim[bayes]'" in str(err) and "sbi" in str(err)
    assert "pyabc" in str(bayes.missing_method_dependency("abc-smc"))
