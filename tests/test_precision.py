"""``runtime.precision=float32``: the customers × touchpoints arrays in 32 bits, results within
a stated tolerance of the default 64-bit run (which stays bit-identical to itself).

Stated tolerance (the docs quote it): on the cycle table, the mean experienced and remembered
values and mean satisfaction within 1e-5 in affect units (a 32-bit float carries seven
significant digits; the values are of order one), and the counts — customers, switching, NPS,
stories told — within 0.5 % (a customer whose switching draw falls within rounding of their
chance to switch may decide the other way; none did in these runs).
"""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.cli import main as cli
from cxsim.config import load_run_spec
from cxsim.draws import ROUND_BLOCK, random_into, rounded_into, standard_normal_into
from cxsim.engine.compiled import compile_scenario
from cxsim.engine.cycle import CycleDraws, draw_cycle
from cxsim.engine.model import CustomerModel
from cxsim.engine.run import run
from cxsim.engine.streams import Streams, replication_seeds
from cxsim.specs.distribution import LogNormal, Normal, sample_into
from cxsim.specs.runtime import Runtime

MEANS = ["experienced_mean", "remembered_mean", "satisfaction_mean"]
COUNTS = ["customers_start", "churned", "customers_end", "nps", "wom_positive", "wom_negative", "revenue"]


@pytest.mark.parametrize("overrides", [
    ["scenario=b2b_dealer"],  # operations, word of mouth over a small world, the open market
    ["scenario=retail_street", "memory=recency", "runtime.backend=numpy"],
    ["scenario=ecommerce_delivery_survey", "memory=integral", "sim.engine=agent"],
])
def test_float32_agrees_with_float64_within_the_stated_tolerance(overrides):
    base = [*overrides, "sim.n_customers=3000", "sim.n_cycles=6", "sim.replications=1", "outputs.figures=false"]
    wide = run(load_run_spec(base)).cycles
    narrow = run(load_run_spec([*base, "runtime.precision=float32"])).cycles
    np.testing.assert_allclose(narrow[MEANS].to_numpy(), wide[MEANS].to_numpy(), rtol=0, atol=1e-5)
    np.testing.assert_allclose(narrow[COUNTS].to_numpy(float), wide[COUNTS].to_numpy(float), rtol=5e-3, atol=0.5)
    assert not narrow[MEANS].equals(wide[MEANS]), "the 32-bit run computes in 32 bits"


def test_float32_holds_the_large_arrays_in_32_bits_and_float64_is_the_default():
    spec = load_run_spec(["scenario=b2b_dealer", "sim.n_customers=500", "sim.n_cycles=1", "sim.replications=1"])
    assert spec.runtime.precision == "float64"
    for precision, dtype in (("float64", np.float64), ("float32", np.float32)):
        model = CustomerModel(spec.scenario, spec.sim, replication_seeds(0, 1)[0], keep_customers=False,
                              runtime=Runtime(precision=precision))
        model.step()
        assert model.state.expectation.dtype == dtype and model.draws.performance.dtype == dtype
        assert {model.draws.memory_z.dtype, model.draws.churn_u.dtype, model.draws.recommend_z.dtype} == {np.dtype(dtype)}
        assert model._wom.story.shape[0] == (model.state.n if dtype == np.float64 else 0)  # float32: no story buffer
        assert model.state.satisfaction.dtype == model.state.bad_memory.dtype == model.outcome.remembered.dtype == dtype
        assert model.outcome.experienced.dtype == model.outcome.terrible.dtype == dtype
        last = model.recorder.last_satisfaction  # the last cycle's rows, kept for the figures: in `dtype`
        assert last["satisfaction"].dtype == last["remembered"].dtype == dtype and len(last) > 0


def test_bad_precision_is_one_line_and_exit_2(rejects):
    rejects(cli.main, "cxsim", ["runtime.precision=float16"], "runtime.precision")


@pytest.mark.parametrize("fill", [
    random_into, standard_normal_into,
    lambda rng, buf: sample_into(Normal(mean=5.0, sd=2.0, low=0.0, high=9.0), rng, buf),
    lambda rng, buf: sample_into(LogNormal(mean=3.0, sd=1.5), rng, buf),
])
def test_rounded_into_blocks_give_the_numbers_of_one_call_rounded(fill):
    n = 2 * ROUND_BLOCK + 123  # two whole blocks and a part
    whole = np.empty(n)
    fill(np.random.default_rng(7), whole)
    out, rng = np.empty(n, dtype=np.float32), np.random.default_rng(7)
    rounded_into(lambda buf: fill(rng, buf), out)
    np.testing.assert_array_equal(out, whole.astype(np.float32))
    after = np.empty(3)
    fill(rng, after)  # the stream is left where the one call leaves it
    check, rng2 = np.empty(n + 3), np.random.default_rng(7)
    fill(rng2, check)
    np.testing.assert_array_equal(after, check[n:])


def test_float32_draws_are_the_64_bit_draws_rounded():
    spec = load_run_spec(["scenario=b2b_dealer_survey", "sim.n_customers=70000", "sim.replications=1"])
    compiled = compile_scenario(spec.scenario)
    n, t = spec.sim.n_customers, compiled.n_touchpoints
    wide = draw_cycle(compiled, n, 0, Streams(replication_seeds(3, 1)[0]), CycleDraws.empty(n, t))
    narrow = draw_cycle(compiled, n, 0, Streams(replication_seeds(3, 1)[0]), CycleDraws.empty(n, t, np.float32))
    np.testing.assert_array_equal(narrow.present, wide.present)
    for name in ("performance", "memory_z", "churn_u", "recommend_z"):
        np.testing.assert_array_equal(getattr(narrow, name), getattr(wide, name).astype(np.float32), err_msg=name)
