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


# ---------------------------------------------------------------------------- segments with draws of their own

def test_segment_round_trip_and_bad_segments() -> None:
    data = {"touchpoints": ["a", "b"], "correlation": [[1.0, 0.4], [0.4, 1.0]],
            "segments": [{"name": "biz", "correlation": [[1.0, -0.3], [-0.3, 1.0]],
                          "performance": {"a": {"dist": "empirical", "values": [1.0, 2.0], "probs": [0.3, 0.7]}}}]}
    c = copula_from_dict("journey.copula", data)
    assert c.segments[0].name == "biz" and copula_to_dict(c) == data
    bad = [({"name": "biz", "performance": {"x": {"dist": "constant", "value": 1}}},
            "journey.copula.segments[0].performance.x", "names no touchpoint of the copula"),
           ({"name": "biz", "correlation": [[1.0, 0.5], [0.4, 1.0]]}, "journey.copula.segments[0].correlation[0][1]",
            "must equal"),
           ({"name": "biz", "performance": {"a": {"dist": "uniform", "low": 0, "high": 1}}},
            "journey.copula.segments[0].performance.a", "allowed"),
           ({"name": "biz", "colour": 1}, "journey.copula.segments[0]", "colour")]
    for seg, field, message in bad:
        with pytest.raises(SpecError) as err:
            copula_from_dict("journey.copula", {**data, "segments": [seg]})
        assert err.value.field.startswith(field) and message in str(err.value), str(err.value)
    with pytest.raises(SpecError, match="named once"):
        copula_from_dict("journey.copula", {**data, "segments": [{"name": "biz"}, {"name": "biz"}]})


def test_a_segment_draws_its_own_margins_and_correlation_and_leaves_the_others_alone() -> None:
    plain = GaussianCopula(("a", "b"), ((1.0, 0.7), (0.7, 1.0)))
    own = copula_from_dict("journey.copula", {
        "touchpoints": ["a", "b"], "correlation": [[1.0, 0.7], [0.7, 1.0]],
        "segments": [{"name": "biz", "correlation": [[1.0, -0.6], [-0.6, 1.0]],
                      "performance": {"a": {"dist": "empirical", "values": [1, 2, 3], "probs": [0.6, 0.3, 0.1]}}}]})
    dists = [Empirical((1.0, 2.0, 3.0), (0.1, 0.3, 0.6)), Normal(3, 1)]
    n = 60_000
    segment = np.random.default_rng(5).integers(0, 2, n)  # 0: leisure, 1: biz
    a, b = np.full((2, n), -7.0), np.full((2, n), -7.0)
    draw_correlated(plain, dists, {"a": 0, "b": 1}, {0, 1}, np.random.default_rng(2), a)
    draw_correlated(own, dists, {"a": 0, "b": 1}, {0, 1}, np.random.default_rng(2), b, segment, ("leisure", "biz"))
    biz, rest = segment == 1, segment == 0
    assert np.array_equal(a[:, rest], b[:, rest])  # the same normals: other segments draw exactly as before
    shares = [np.mean(b[0, biz] == v) for v in (1, 2, 3)]
    assert np.allclose(shares, [0.6, 0.3, 0.1], atol=0.015)
    assert b[1, biz].mean() == pytest.approx(3.0, abs=0.03)  # no own distribution: the journey's
    assert np.corrcoef(b[0, biz], b[1, biz])[0, 1] < -0.4 and np.corrcoef(b[0, rest], b[1, rest])[0, 1] > 0.5
    with pytest.raises(ValueError, match="segment"):
        draw_correlated(own, dists, {"a": 0, "b": 1}, {0, 1}, np.random.default_rng(2), b)


def test_engine_draws_each_segment_from_its_own_distribution() -> None:
    """b2b_dealer_survey: key dealers rate price from a distribution of their own, regular dealers as before."""
    import dataclasses

    from cxsim.config import load_run_spec
    from cxsim.engine.run import run

    base = load_run_spec(["scenario=b2b_dealer_survey"]).scenario
    corr = ((1.0, 0.5), (0.5, 1.0))
    plain = GaussianCopula(("price", "technology"), corr)
    own = copula_from_dict("journey.copula", {
        "touchpoints": ["price", "technology"], "correlation": [list(r) for r in corr],
        "segments": [{"name": "key_dealers", "performance": {"price": {"dist": "constant", "value": 9.5}}}]})
    n = 2000
    spec = load_run_spec([f"sim.n_customers={n}", "sim.n_cycles=1", "outputs.moments=true",
                          f"outputs.moments_limit={n}", "outputs.customers=always"])

    def price(copula):
        scenario = dataclasses.replace(base, journey=dataclasses.replace(base.journey, copula=copula))
        res = run(dataclasses.replace(spec, scenario=scenario))
        seg = res.customers.set_index("customer_id")["segment"]
        p = res.moments[res.moments["touchpoint"] == "price"].set_index("customer_id")["performance"]
        return p, seg.reindex(p.index)

    p0, seg = price(plain)
    p1, _ = price(own)
    key = seg == "key_dealers"
    assert key.any() and (~key).any()
    assert (p1[key] == 9.5).all() and not (p0[key] == 9.5).any()
    assert p1[~key].equals(p0[~key])


def test_scenario_rejects_a_copula_segment_that_is_not_in_the_population() -> None:
    import dataclasses

    from cxsim.config import load_run_spec

    base = load_run_spec(["scenario=b2b_dealer_survey"]).scenario
    cop = copula_from_dict("journey.copula", {"touchpoints": ["price", "technology"],
                                              "correlation": [[1.0, 0.0], [0.0, 1.0]], "segments": [{"name": "nope"}]})
    with pytest.raises(SpecError) as err:
        dataclasses.replace(base, journey=dataclasses.replace(base.journey, copula=cop))
    assert err.value.field == "journey.copula.segments[0].name" and "key_dealers" in str(err.value)
