"""The journey's Gaussian copula: validation, quantile functions, correlated draws."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.engine.correlated import draw_correlated
from cxsim.errors import SpecError
from cxsim.specs.copula import (
    GaussianCopula,
    check_copula,
    copula_from_dict,
    copula_to_dict,
    quantile,
)
from cxsim.specs.distribution import Beta, Constant, Empirical, LogNormal, Normal


def test_round_trip() -> None:
    data = {"touchpoints": ["a", "b"], "correlation": [[1.0, 0.4], [0.4, 1.0]]}
    c = copula_from_dict("journey.copula", data)
    assert c.touchpoints == ("a", "b") and copula_to_dict(c) == data


@pytest.mark.parametrize("data, field, message", [
    ({"touchpoints": ["a"], "correlation": [[1.0]]}, "journey.copula.touchpoints", "at least two"),
    ({"touchpoints": ["a", "a"], "correlation": [[1, 0], [0, 1]]}, "journey.copula.touchpoints", "named once"),
    ({"touchpoints": ["a", "b"], "correlation": [[1, 0.5]]}, "journey.copula.correlation", "one row per touchpoint"),
    ({"touchpoints": ["a", "b"], "correlation": [[1, 0.5], [0.4, 1]]}, "journey.copula.correlation[0][1]", "must equal"),
    ({"touchpoints": ["a", "b"], "correlation": [[0.9, 0.5], [0.5, 1]]}, "journey.copula.correlation[0][0]", "diagonal"),
    ({"touchpoints": ["a", "b"], "correlation": [[1, 1.5], [1.5, 1]]}, "journey.copula.correlation[0][1]", "[-1, 1]"),
    ({"touchpoints": ["a", "b", "c"], "correlation": [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]},
     "journey.copula.correlation", "positive definite"),
    ({"touchpoints": ["a", "b"]}, "journey.copula.correlation", "required"),
    ({"touchpoints": ["a", "b"], "correlation": [[1, 0], [0, 1]], "rho": 1}, "journey.copula", "rho"),
])
def test_bad_copula_is_one_line(data, field, message) -> None:
    with pytest.raises(SpecError) as err:
        copula_from_dict("journey.copula", data)
    assert err.value.field.startswith(field) and message in str(err.value) and "\n" not in str(err.value)


def test_check_against_the_journey() -> None:
    c = GaussianCopula(("a", "b"), ((1.0, 0.2), (0.2, 1.0)))
    check_copula(c, {"a": Normal(3, 1), "b": Empirical((1.0, 2.0))})
    with pytest.raises(SpecError, match="names no touchpoint"):
        check_copula(c, {"a": Normal(3, 1), "x": Normal(3, 1)})
    with pytest.raises(SpecError, match="a copula draws touchpoints whose performance"):
        check_copula(c, {"a": Normal(3, 1), "b": object()})


@pytest.mark.parametrize("dist", [Normal(3, 1, low=1, high=5), LogNormal(5, 2), Beta(2, 3, 1, 5),
                                  Empirical((5.0, 1.0, 3.0), (0.2, 0.5, 0.3)), Empirical((1.0, 2.0)), Constant(2.5)])
def test_quantile_reproduces_the_distribution(dist) -> None:
    rng = np.random.default_rng(0)
    via_quantile = quantile(dist, rng.random(200_000))
    direct = dist.sample(np.random.default_rng(1), 200_000)
    for q in (0.1, 0.5, 0.9):
        assert np.quantile(via_quantile, q) == pytest.approx(np.quantile(direct, q), abs=0.05)
    assert via_quantile.mean() == pytest.approx(direct.mean(), abs=0.02)


def test_draws_are_correlated_and_keep_their_margins() -> None:
    c = GaussianCopula(("a", "b", "c"), ((1.0, 0.7, 0.0), (0.7, 1.0, 0.0), (0.0, 0.0, 1.0)))
    dists = [Empirical((1.0, 2.0, 3.0, 4.0, 5.0), (0.1, 0.2, 0.3, 0.25, 0.15)), Normal(3, 1), Normal(0, 1)]
    perf = np.full((4, 50_000), -7.0)
    draw_correlated(c, dists + [Normal(0, 1)], {"a": 0, "b": 1, "c": 2}, {0, 1}, np.random.default_rng(2), perf)
    assert np.all(perf[2:] == -7.0)  # not due (c) and not in the copula: untouched
    shares = np.array([np.mean(perf[0] == v) for v in (1, 2, 3, 4, 5)])
    assert np.allclose(shares, [0.1, 0.2, 0.3, 0.25, 0.15], atol=0.01)
    assert perf[1].mean() == pytest.approx(3.0, abs=0.02)
    assert np.corrcoef(perf[0], perf[1])[0, 1] > 0.6


def _moments(scenario, n=3000):
    import dataclasses

    from cxsim.config import load_run_spec
    from cxsim.engine.run import run

    spec = load_run_spec([f"sim.n_customers={n}", "sim.n_cycles=1", "sim.replications=1", "outputs.moments=true",
                          f"outputs.moments_limit={n}"])
    res = run(dataclasses.replace(spec, scenario=scenario))
    return res.moments.pivot_table(index="customer_id", columns="touchpoint", values="performance")


def test_engine_draws_correlated_touchpoints_and_leaves_the_others_alone() -> None:
    """b2b_dealer_survey with a copula over price and technology: those two correlate, their
    margins stay, and every other touchpoint draws exactly what it drew without the copula."""
    import dataclasses

    from cxsim.config import load_run_spec

    base = load_run_spec(["scenario=b2b_dealer_survey"]).scenario
    cop = GaussianCopula(("price", "technology"), ((1.0, 0.8), (0.8, 1.0)))
    joint = dataclasses.replace(base, journey=dataclasses.replace(base.journey, copula=cop))
    a, b = _moments(base), _moments(joint)
    assert abs(a["price"].corr(a["technology"])) < 0.05
    assert b["price"].corr(b["technology"]) > 0.7
    assert b["price"].mean() == pytest.approx(a["price"].mean(), abs=0.03)
    for tp in ("brand_image", "product_quality"):
        assert a[tp].equals(b[tp]), tp


def test_journey_rejects_a_copula_over_an_unknown_or_operations_touchpoint() -> None:
    import dataclasses

    from cxsim.config import load_run_spec

    base = load_run_spec(["scenario=b2b_dealer_survey"]).scenario
    with pytest.raises(SpecError, match="names no touchpoint"):
        dataclasses.replace(base.journey, copula=GaussianCopula(("price", "nope"), ((1.0, 0.0), (0.0, 1.0))))
    ops = load_run_spec(["scenario=b2b_dealer"]).scenario
    with pytest.raises(SpecError, match="a copula draws touchpoints"):
        dataclasses.replace(ops.journey, copula=GaussianCopula(("price", "delivery_speed"), ((1.0, 0.0), (0.0, 1.0))))
