"""Tallies of operations records: numpy's figures bit for bit at float64, within a stated
relative accuracy at float32 with nothing of the population's size kept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.config import load_run_spec
from cxsim.engine.model import CustomerModel
from cxsim.engine.streams import replication_seeds
from cxsim.operations.runner import OperationsRunner
from cxsim.operations.tally import BLOCK, RELATIVE_ACCURACY, Tally

TOL = RELATIVE_ACCURACY * (1 + 1e-9)  # the sketch's accuracy, and the rounding of its bucket bounds


def _cycles(seed: int, sizes: list[int], zero_cycles: list[bool], signed: bool) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for k, zero in zip(sizes, zero_cycles):
        x = np.zeros(k) if zero else np.where(rng.random(k) < 0.6, 0.0, rng.lognormal(0.5, 1.0, k))
        if signed and not zero:
            x *= np.where(rng.random(k) < 0.3, -1.0, 1.0)
        out.append(x)
    return out


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(0, 2000), min_size=1, max_size=6), seed=st.integers(0, 2**31 - 1),
       zero=st.lists(st.booleans(), min_size=6, max_size=6), signed=st.booleans())
def test_float64_tally_is_numpys_figure_bit_for_bit(sizes: list[int], seed: int, zero: list[bool],
                                                     signed: bool) -> None:
    parts = _cycles(seed, sizes, zero, signed)
    t = Tally("float64")
    for x in parts:
        t.add(x)
    allv = np.concatenate(parts)
    if allv.size == 0:
        assert np.isnan(t.mean()) and np.isnan(t.quantile(0.9))
        return
    assert t.mean() == float(np.mean(allv))
    assert t.quantile(0.9) == float(np.quantile(allv, 0.9))
    zero_runs = sum(x.size > 0 and not x.any() and not np.signbit(x).any() for x in parts)
    assert sum(isinstance(p, int) for p in t.parts) == zero_runs  # cycles without a wait: a length
    assert zero_runs >= sum(z and k > 0 for z, k in zip(zero, sizes))
    flags = allv > 1.0
    b = Tally("float64")
    for x in parts:
        b.add(x > 1.0)
    assert b.mean() == float(np.mean(flags)) and not b.parts  # a yes/no record keeps two counts


def test_negative_zero_and_nan_are_kept_as_values() -> None:
    t = Tally()
    t.add(np.array([-0.0, -0.0]))
    assert len(t.parts) == 1 and not isinstance(t.parts[0], int)
    assert np.signbit(t.mean()) == np.signbit(np.mean(np.array([-0.0, -0.0])))
    r = Tally()
    r.add(np.array([np.nan, 3.0]))
    r.add(np.zeros(3))
    assert r.nanmean() == np.nanmean(np.array([np.nan, 3.0, 0.0, 0.0, 0.0]))
    assert np.isnan(r.mean()) and np.isnan(r.quantile(0.5))
    assert np.isnan(Tally().nanmean()) and np.isnan(Tally().mean())


@pytest.mark.parametrize("shape", ["lognormal", "mostly_zero", "signed", "narrow"])
def test_float32_tally_is_within_its_accuracy_and_keeps_no_values(shape: str) -> None:
    rng = np.random.default_rng(3)
    parts = []
    for _ in range(6):
        x = rng.lognormal(1.0, 0.8, 50_000)
        if shape == "mostly_zero":
            x[rng.random(x.size) < 0.93] = 0.0
        elif shape == "signed":
            x -= 3.0
        elif shape == "narrow":  # delivery days: a few days, spread over a narrow range
            x = 5.0 + 0.01 * x
        parts.append(x)
    t = Tally("float32")
    for x in parts:
        t.add(x)
    allv = np.concatenate(parts)
    for q in (0.1, 0.5, 0.9, 0.99):
        exact = float(np.quantile(allv, q))
        assert abs(t.quantile(q) - exact) <= TOL * abs(exact), q
    assert t.mean() == pytest.approx(float(np.mean(allv)), rel=1e-12)
    assert not t.parts
    assert t.sketch.n == allv.size
    kept = t.sketch.positive.counts.size + t.sketch.negative.counts.size
    for x in parts:  # as many values again over the same range: no more buckets
        t.add(x)
    assert t.sketch.positive.counts.size + t.sketch.negative.counts.size == kept
    assert t.quantile(0.9) == pytest.approx(float(np.quantile(allv, 0.9)), rel=TOL)


def test_float32_tally_of_nan_and_infinity_follows_numpy() -> None:
    t = Tally("float32")
    t.add(np.array([1.0, np.nan]))
    assert np.isnan(t.mean()) and np.isnan(t.quantile(0.9)) and t.nanmean() == 1.0
    u = Tally("float32")
    u.add(np.array([1.0, 2.0, np.inf]))
    assert u.mean() == np.inf and u.quantile(0.0) == pytest.approx(1.0, rel=TOL)


def test_unknown_precision_names_the_field() -> None:
    with pytest.raises(ValueError, match="precision: 'float16' is not allowed; allowed: float64, float32"):
        Tally("float16")


@pytest.mark.parametrize("scenario", ["b2b_dealer", "ecommerce_delivery", "retail_street"])
def test_float32_summary_of_a_run_agrees_with_the_exact_one(scenario: str) -> None:
    """The same run's operations summarised both ways (the records do not depend on the tally)."""
    spec = load_run_spec([f"scenario={scenario}", "sim.n_customers=4000", "sim.n_cycles=6", "sim.replications=1",
                          "outputs.figures=false"])
    model = CustomerModel(spec.scenario, spec.sim, replication_seeds(spec.sim.seed, 1)[0], keep_operations=False)
    exact = model.operations
    inexact = OperationsRunner(spec.scenario, model.streams, keep_records=False, precision="float32")
    keep = exact._keep

    def both(process, cycle, rows, rec, customer_id=None):  # type: ignore[no-untyped-def]
        keep(process, cycle, rows, rec, customer_id)
        inexact._keep(process, cycle, rows, rec, customer_id)

    exact._keep = both  # type: ignore[method-assign]
    for _ in range(spec.sim.n_cycles):
        model.step()
    a = exact.summary()
    inexact._busy, inexact._capacity, inexact._cost = exact._busy, exact._capacity, exact._cost
    b = inexact.summary()
    assert a.keys() == b.keys() and len(a) > 3
    for key in a:
        if key.endswith("_p90"):
            assert b[key] == pytest.approx(a[key], rel=TOL, abs=1e-12), key
        else:
            assert b[key] == pytest.approx(a[key], rel=1e-12, nan_ok=True), key


def test_runner_refuses_an_unknown_precision() -> None:
    spec = load_run_spec(["scenario=b2b_dealer", "sim.n_customers=100"])
    model = CustomerModel(spec.scenario, spec.sim, replication_seeds(0, 1)[0])
    with pytest.raises(ValueError, match="precision: 'half' is not allowed; allowed: float64, float32"):
        OperationsRunner(spec.scenario, model.streams, precision="half")


def test_float32_tally_in_blocks_counts_as_one_pass() -> None:
    rng = np.random.default_rng(5)
    x = rng.lognormal(0.0, 1.0, 2 * BLOCK + 77)
    x[rng.random(x.size) < 0.2] = 0.0
    x[3], x[BLOCK + 1] = np.nan, -2.5
    blocked = Tally("float32")
    blocked.add(x)
    whole = Tally("float32")  # one block of everything: what the tally counted before blocks
    whole.sketch.add(x)
    assert blocked.sketch.n == whole.sketch.n == x.size and blocked.sketch.nan == whole.sketch.nan == 1
    assert blocked.sketch.zeros == whole.sketch.zeros
    assert blocked.sketch.positive.items() == whole.sketch.positive.items()
    assert blocked.sketch.negative.items() == whole.sketch.negative.items()
    assert blocked.nanmean() == pytest.approx(np.nanmean(x), rel=1e-12)
    assert blocked.counted == x.size - 1


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # numpy's quantile of inf - inf
@settings(max_examples=60, deadline=None)
@given(value=st.sampled_from([0.0, -0.0, 2.5, -7.25, 1e-300, np.inf, -np.inf, np.nan]),
       count=st.integers(1, 3 * BLOCK + 5), precision=st.sampled_from(["float32", "float64"]))
def test_one_value_seen_many_times_tallies_as_the_whole_array(value: float, count: int, precision: str) -> None:
    """A stride-0 view (a free flow's waits: one zero seen by every order) is tallied as its values."""
    viewed, whole = Tally(precision), Tally(precision)
    viewed.add(np.broadcast_to(np.float64(value), (count,)))
    whole.add(np.full(count, value))
    for t in (viewed, whole):
        t.add(np.array([1.0, 3.0]))  # and a cycle of other values after it
    assert viewed.n == whole.n and viewed.counted == whole.counted and viewed.total == whole.total
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        a, b = viewed.quantile(q), whole.quantile(q)
        assert a == b or (np.isnan(a) and np.isnan(b)), (q, a, b)
    m, w = viewed.mean(), whole.mean()
    assert m == w or (np.isnan(m) and np.isnan(w))
