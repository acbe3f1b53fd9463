"""Kim-Nelson selection: the stated probability of correct selection is met on a known problem."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cxsim.errors import SpecError
from cxsim.selection import SelectionSettings, kim_nelson, kn_constants


def _normal_systems(means: np.ndarray, sds: np.ndarray, rng: np.random.Generator, common: float = 0.0):
    """``sample(systems, r)``: normal outputs; ``common`` is the share of variance shared by all systems in
    one replication (common random numbers)."""
    cache: dict[int, np.ndarray] = {}

    def sample(systems, r):
        if r not in cache:
            z0 = rng.standard_normal()
            z = rng.standard_normal(means.size)
            cache[r] = means + sds * (np.sqrt(common) * z0 + np.sqrt(1 - common) * z)
        return cache[r][list(systems)]

    return sample


@pytest.mark.parametrize("common", [0.0, 0.7])
def test_probability_of_correct_selection_is_met_in_the_slippage_configuration(common):
    """The least favourable case: the best is exactly δ ahead of k - 1 equal systems. Over 300 independent
    experiments the share of correct selections is at least 1 - α (binomial tolerance, one-sided 0.1 %)."""
    settings = SelectionSettings(delta=0.5, alpha=0.1, n0=10, max_replications=10_000)
    k, experiments = 5, 300
    means = np.zeros(k)
    means[2] = settings.delta
    sds = np.array([1.0, 1.5, 1.0, 0.8, 1.2])
    rng = np.random.default_rng(2026)
    correct = 0
    for _ in range(experiments):
        sel = kim_nelson(_normal_systems(means, sds, rng, common), k, settings)
        assert sel.resolved
        correct += int(sel.chosen == 2)
    assert correct >= stats.binom.ppf(0.001, experiments, 1 - settings.alpha), correct


def test_a_wrong_rule_would_fail_the_same_check():
    """Picking the best first-stage mean (no sequential sampling) misses the stated probability here, so the
    check above can fail."""
    rng = np.random.default_rng(7)
    means, sds = np.array([0.0, 0.0, 0.5, 0.0, 0.0]), np.array([1.0, 1.5, 1.0, 0.8, 1.2])
    correct = 0
    for _ in range(300):
        x = means[:, None] + sds[:, None] * rng.standard_normal((5, 10))
        correct += int(np.argmax(x.mean(axis=1)) == 2)
    assert correct < stats.binom.ppf(0.001, 300, 0.9)


def test_common_random_numbers_need_fewer_replications():
    settings = SelectionSettings(delta=0.5, alpha=0.05, n0=10, max_replications=10_000)
    means, sds = np.array([0.0, 0.5, 0.2]), np.ones(3)
    used = {}
    for common in (0.0, 0.9):
        rng = np.random.default_rng(11)
        used[common] = np.mean([kim_nelson(_normal_systems(means, sds, rng, common), 3, settings).total_replications
                                for _ in range(40)])
    assert used[0.9] < 0.5 * used[0.0]


def test_budget_exhausted_names_no_winner():
    settings = SelectionSettings(delta=0.01, alpha=0.05, n0=5, max_replications=20)
    rng = np.random.default_rng(3)
    sel = kim_nelson(_normal_systems(np.zeros(3), np.ones(3), rng), 3, settings, names=["a", "b", "c"])
    assert not sel.resolved and sel.chosen is None and np.isnan(sel.pcs)
    assert sel.statement().startswith("no winner") and "cannot be told apart" in sel.statement()
    assert (sel.replications[sel.survivors] == 20).all()


def test_initial_replications_are_reused_and_minimising_works():
    rng = np.random.default_rng(5)
    means = np.array([3.0, 1.0, 2.0])
    initial = means[:, None] + rng.standard_normal((3, 12)) * 0.1
    calls = []

    def sample(systems, r):
        calls.append(r)
        return means[list(systems)] + rng.standard_normal(len(systems)) * 0.1

    sel = kim_nelson(sample, 3, SelectionSettings(delta=0.2, alpha=0.05, n0=5), initial=initial, maximise=False,
                     names=["x", "y", "z"])
    assert sel.chosen == 1 and calls == [] and sel.replications.tolist() == [12, 12, 12]
    assert "y is the best" in sel.statement() and sel.pcs == pytest.approx(0.95)


def test_kn_constants_match_the_paper_formula():
    eta, h2 = kn_constants(5, 0.1, 10)
    assert eta == pytest.approx(0.5 * ((0.05) ** (-2 / 9) - 1))
    assert h2 == pytest.approx(2 * eta * 9)


@pytest.mark.parametrize("kwargs, field", [
    ({"delta": 0}, "delta"), ({"alpha": 1.0}, "alpha"), ({"n0": 1}, "n0"),
    ({"n0": 10, "max_replications": 5}, "max_replications")])
def test_bad_settings(kwargs, field):
    with pytest.raises(SpecError) as err:
        SelectionSettings(**kwargs)
    assert err.value.field == field


def test_bad_initial_shape():
    with pytest.raises(SpecError) as err:
        kim_nelson(lambda s, r: np.zeros(len(s)), 3, SelectionSettings(), initial=np.zeros((2, 5)))
    assert err.value.field == "initial"
