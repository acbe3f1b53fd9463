"""Each kernel against its SimPy model on identical draws: the same result for every customer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.operations import callcentre, events, kernels, pipeline, stores
from cxsim.specs.operations import operations_from_dict

N = 4000


def poisson(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    return np.cumsum(rng.exponential(1.0 / rate, n))


def same_station(a: stores.StationResult, b: stores.StationResult) -> None:
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.store, b.store)
    np.testing.assert_array_equal(a.queue_length, b.queue_length)
    np.testing.assert_allclose(a.start, b.start, rtol=0, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("servers", [1, 5, 37])
def test_fcfs_kernel_equals_simpy(servers: int) -> None:
    rng = np.random.default_rng(servers)
    d = stores.station_draws(poisson(N, 0.9 * servers, rng), rng.exponential(1.0, N), servers=(servers,))
    k, s = stores.run_kernel(d), stores.run_simpy(d)
    same_station(k, s)
    assert np.array_equal(k.start, s.start)  # bit-identical, not only within 1e-9
    assert (k.start > d.arrival).mean() > 0.3  # customers really queued


@pytest.mark.parametrize("servers", [1, 5])
def test_general_kernel_reduces_to_lindley_and_per_server_free_times(servers: int) -> None:
    rng = np.random.default_rng(10 + servers)
    a, b = poisson(N, 0.95 * servers, rng), rng.exponential(1.0, N)
    fast = kernels.lindley(a, b) if servers == 1 else kernels.multi_server(a, b, servers)
    d = stores.station_draws(a, b, servers=(servers,), balk_at=np.full(N, 10**9))  # forces serve()
    assert np.array_equal(stores.run_kernel(d).start, fast)


@pytest.mark.parametrize("servers", [1, 5])
def test_abandonment_equals_simpy(servers: int) -> None:
    rng = np.random.default_rng(20 + servers)
    d = stores.station_draws(poisson(N, 1.1 * servers, rng), rng.exponential(1.0, N),
                             patience=rng.exponential(1.5, N), servers=(servers,))
    k = stores.run_kernel(d)
    same_station(k, stores.run_simpy(d))
    assert 0.05 < (k.outcome == kernels.ABANDONED).mean() < 0.5


@pytest.mark.parametrize("servers", [1, 5])
def test_opening_hours_equal_simpy(servers: int) -> None:
    spec = operations_from_dict({"stores": {
        "sites": [{"name": "a"}], "counters": servers, "days_per_cycle": 7,
        "hours": {"default": [10, 12], "sat": [9, 11], "sun": None},
        "service_minutes": {"dist": "lognormal", "mean": 5, "sd": 3},
        "patience_minutes": {"dist": "lognormal", "mean": 20, "sd": 10}}}).stores
    rng = np.random.default_rng(30 + servers)
    d = stores.draw_store_visits(spec, np.zeros(150 * servers, dtype=np.intp), ["all"], rng)
    day = (d.arrival // 1440).astype(int)
    assert not (day == 6).any()  # closed on Sunday
    minute = d.arrival % 1440
    assert ((minute >= 9 * 60) & (minute < 12 * 60)).all()
    k = stores.run_kernel(d)
    same_station(k, stores.run_simpy(d))
    assert (k.outcome == kernels.CLOSED).any()  # some are turned away at closing
    started = k.start[k.outcome == kernels.SERVED]
    assert (started < d.close[k.outcome == kernels.SERVED]).all()


def test_balking_and_store_choice_equal_simpy() -> None:
    rng = np.random.default_rng(40)
    travel = np.array([[1.0, 4.0, 6.0], [5.0, 2.0, 1.0]])
    for weight in (0.0, 1.0):
        d = stores.station_draws(poisson(N, 3.0, rng), rng.exponential(1.0, N),
                                 balk_at=rng.integers(2, 6, N), group=rng.integers(0, 2, N),
                                 travel=travel, servers=(1, 2, 1), mean_service=(1.0, 1.0, 1.0),
                                 patience=rng.exponential(3.0, N), wait_weight=weight)
        k = stores.run_kernel(d)
        same_station(k, stores.run_simpy(d))
        assert (k.outcome == kernels.BALKED).any()
        if weight == 0.0:  # nearest store only
            np.testing.assert_array_equal(k.store, travel.argmin(axis=1)[d.group])
        else:  # some customers walk further to a shorter queue
            assert (k.store != travel.argmin(axis=1)[d.group]).any()


def test_store_visits_records_equal_between_backends() -> None:
    spec = operations_from_dict({"stores": {
        "sites": [{"name": "a", "travel_minutes": {"x": 2, "y": 8}},
                  {"name": "b", "travel_minutes": {"x": 7, "y": 3}}],
        "count": 2, "counters": 1, "days_per_cycle": 3, "hours": {"default": [10, 18]},
        "choice": "shortest_wait", "balk_queue_length": 6,
        "service_minutes": {"dist": "lognormal", "mean": 4, "sd": 2},
        "patience_minutes": {"dist": "lognormal", "mean": 15, "sd": 5}}}).stores
    seg = np.random.default_rng(1).integers(0, 2, 500)
    k = stores.simulate_stores(spec, seg, ["x", "y"], np.random.default_rng(7), "kernel")
    s = stores.simulate_stores(spec, seg, ["x", "y"], np.random.default_rng(7), "simpy")
    for key in k:
        np.testing.assert_allclose(k[key], s[key], rtol=0, atol=1e-9, err_msg=key)
    np.testing.assert_allclose(k["visit_minutes"],
                               k["travel_minutes"] + k["wait_minutes"] + 30.0 * ~k["served"])


PIPE = {"production_days": {"dist": "lognormal", "mean": 0.9, "sd": 0.5},
        "shipping_days": {"dist": "lognormal", "mean": 1.5, "sd": 0.5}, "promised_days": 3}


@pytest.mark.filterwarnings("ignore::cxsim.specs.operations.UnboundedQueueWarning")  # busy on purpose
@pytest.mark.parametrize("extra", [{"lines": 1}, {"lines": 3, "trucks": 2}, {"lines": 2, "trucks": 5},
                                   {"make_to_order": False, "trucks": 1},
                                   {"lines": 2, "trucks": 3, "batch_every_days": 2.5}])
def test_pipeline_kernel_equals_simpy(extra: dict) -> None:
    spec = operations_from_dict({"pipeline": {**PIPE, **extra}}).pipeline
    n = 30 * extra.get("lines", 1)
    k = pipeline.simulate_pipeline(spec, n, np.random.default_rng(5), "kernel")
    s = pipeline.simulate_pipeline(spec, n, np.random.default_rng(5), "simpy")
    for key in k:
        np.testing.assert_allclose(k[key], s[key], rtol=0, atol=1e-9, err_msg=key)
    assert (k["delivery_days"] >= k["production_wait_days"]).all()
    np.testing.assert_array_equal(k["on_time"], k["delivery_days"] <= 3)


def test_call_centre_kernel_equals_simpy() -> None:
    spec = operations_from_dict({"callcentre": {
        "agents": 3, "specialists": 1, "transfer_probability": 0.3, "repeat_probability": 0.45,
        "handle_minutes": {"dist": "lognormal", "mean": 6, "sd": 3},
        "patience_minutes": {"dist": "lognormal", "mean": 4, "sd": 2},
        "hours": {"default": [8, 12]}, "days_per_cycle": 5}}).callcentre
    k = callcentre.simulate_calls(spec, 300, np.random.default_rng(9), "kernel")
    s = callcentre.simulate_calls(spec, 300, np.random.default_rng(9), "simpy")
    for key in k:
        np.testing.assert_allclose(k[key], s[key], rtol=0, atol=1e-9, err_msg=key)
    assert k["abandoned"].any() and k["repeated"].any()
    assert not (k["repeated"] & ~k["transferred"]).any()


def test_event_kernel_equals_simpy() -> None:
    spec = operations_from_dict({"events": {"m": {"capacity": 40, "budget": 80000}}}).events["m"]
    k = events.simulate_event(spec, 100, np.random.default_rng(2), "kernel")
    s = events.simulate_event(spec, 100, np.random.default_rng(2), "simpy")
    np.testing.assert_array_equal(k["attended"], s["attended"])
    np.testing.assert_array_equal(k["rating"], s["rating"])
    assert k["attended"].sum() == 40


def test_event_quality_rises_with_budget_per_head() -> None:
    spec = operations_from_dict({"events": {"m": {"capacity": 40, "budget": 80000}}}).events["m"]
    assert spec.quality(40) < operations_from_dict(
        {"events": {"m": {"capacity": 40, "budget": 160000}}}).events["m"].quality(40) < spec.high


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), c=st.integers(1, 4), n=st.integers(1, 60),
       rate=st.floats(0.2, 3.0))
def test_property_kernel_equals_simpy_with_patience(seed: int, c: int, n: int, rate: float) -> None:
    rng = np.random.default_rng(seed)
    d = stores.station_draws(poisson(n, rate, rng), rng.exponential(1.0, n),
                             patience=rng.exponential(1.0, n), servers=(c,))
    same_station(stores.run_kernel(d), stores.run_simpy(d))


def test_time_of_day_pattern_shapes_arrivals_and_both_backends_agree() -> None:
    weights = [0.0] * 24
    weights[10], weights[11] = 1.0, 3.0  # a late-morning peak
    spec = operations_from_dict({"stores": {
        "sites": [{"name": "a"}], "counters": 2, "days_per_cycle": 7, "hours": {"default": [9, 13]},
        "hourly_weights": weights, "service_minutes": {"dist": "lognormal", "mean": 3, "sd": 1},
        "patience_minutes": {"dist": "lognormal", "mean": 10, "sd": 5}}}).stores
    d = stores.draw_store_visits(spec, np.zeros(4000, dtype=np.intp), ["all"], np.random.default_rng(8))
    hour = (d.arrival % 1440) // 60
    assert set(np.unique(hour)) == {10, 11}  # open 9-13, but nobody comes at 9 or 12
    assert (hour == 11).mean() == pytest.approx(0.75, abs=0.03)
    same_station(stores.run_kernel(d), stores.run_simpy(d))


def test_batch_production_waits_for_the_next_campaign() -> None:
    spec = operations_from_dict({"pipeline": {**PIPE, "lines": 100, "batch_every_days": 7}}).pipeline
    k = pipeline.simulate_pipeline(spec, 200, np.random.default_rng(4), "kernel")
    start = k["arrival"] + k["production_wait_days"]  # production starts at a campaign (lines are ample)
    np.testing.assert_allclose(start / 7, np.round(start / 7), atol=1e-9)
    assert (k["production_wait_days"] < 7 + 1e-9).all() and k["production_wait_days"].mean() > 2


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), servers=st.integers(1, 40), load=st.floats(0.05, 1.5), seed=st.integers(0, 2**31 - 1),
       tied=st.booleans())
def test_fcfs_starts_equals_the_server_recursion(n, servers, load, seed, tied) -> None:
    """The no-waiting shortcut and the recursion give the same starts, whoever waits or not."""
    rng = np.random.default_rng(seed)
    arrival = rng.random(n) * n / (load * servers)
    if tied:  # released together (campaigns) or zero service: the boundary cases of never_full
        arrival = np.floor(arrival)
    service = rng.exponential(1.0, n) * (rng.random(n) < 0.9)
    order = np.argsort(arrival, kind="stable")
    want = np.empty(n)
    want[order] = kernels.multi_server(arrival[order], service[order], servers)
    got = kernels.fcfs_starts(arrival, service, servers, order)
    np.testing.assert_array_equal(got, want)
    if kernels.never_full(arrival, service, servers):
        np.testing.assert_array_equal(want, arrival)  # the shortcut is only taken when nobody waits


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 400), servers=st.integers(1, 60), load=st.floats(0.05, 2.0), seed=st.integers(0, 2**31 - 1),
       tied=st.booleans())
def test_binned_never_full_is_sufficient_and_the_answer_exact(n, servers, load, seed, tied) -> None:
    """The sort-free binned test says "never full" only when the sorted test does; never_full's
    answer is the sorted test's whatever the binned one says (near capacity, where they differ)."""
    rng = np.random.default_rng(seed)
    arrival = rng.random(n) * n / (load * servers)
    if tied:
        arrival = np.floor(arrival)
    service = rng.exponential(1.0, n) * (rng.random(n) < 0.9)
    exact = bool(kernels._never_full(np.sort(arrival), np.sort(arrival + service), servers))
    if kernels._never_full_binned(arrival, service, servers):
        assert exact
    assert kernels.never_full(arrival, service, servers) == (exact or servers >= n)


def test_binned_never_full_decides_the_ample_case() -> None:
    """With capacity to spare the binned test alone answers (no sort); near capacity it defers."""
    rng = np.random.default_rng(1)
    arrival = rng.random(200_000) * 30
    service = rng.lognormal(0.8, 0.4, 200_000)  # about 16,000 in service at once
    assert kernels._never_full_binned(arrival, service, 20_000)
    assert not kernels.never_full(arrival, service, 15_000)


def test_never_full_takes_the_shortcut_only_without_waiting() -> None:
    rng = np.random.default_rng(0)
    arrival = np.sort(rng.random(10_000) * 100)
    service = rng.exponential(1.0, 10_000)  # offered load 100 busy servers on average
    assert kernels.never_full(arrival, service, 300)
    assert not kernels.never_full(arrival, service, 50)
    assert kernels.never_full(arrival[:5], service[:5], 5)  # as many servers as customers


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 3000), shape=st.sampled_from(["uniform", "lognormal", "ties", "sorted", "outlier", "nan"]),
       seed=st.integers(0, 2**31 - 1))
def test_stable_argsort_is_numpys_stable_sort(n, shape, seed) -> None:
    """The bucket sort gives NumPy's stable permutation exactly, ties in index order included."""
    rng = np.random.default_rng(seed)
    x = {"uniform": lambda: rng.random(n) * 30, "lognormal": lambda: rng.lognormal(1.0, 1.0, n),
         "ties": lambda: np.floor(rng.random(n) * 7), "sorted": lambda: np.cumsum(rng.exponential(1.0, n)),
         "outlier": lambda: np.r_[rng.random(max(n - 1, 0)), 1e12][:n],
         "nan": lambda: np.where(rng.random(n) < 0.1, np.nan, rng.random(n))}[shape]()
    np.testing.assert_array_equal(kernels.stable_argsort(x), np.argsort(x, kind="stable"))


@settings(max_examples=60, deadline=None)
@given(a=st.lists(st.integers(0, 20), max_size=60), b=st.lists(st.integers(0, 20), max_size=60))
def test_merge_count_is_searchsorted_right(a, b) -> None:
    x, y = np.sort(np.array(a, dtype=float)), np.sort(np.array(b, dtype=float))
    np.testing.assert_array_equal(kernels.merge_count(x, y), np.searchsorted(x, y, side="right"))
