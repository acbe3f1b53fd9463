"""Fast paths of the operations against their general form: the same draws, records and stream."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cxsim.config import load_run_spec
from cxsim.operations import events, kernels, pipeline
from cxsim.specs.operations import operations_from_dict

PIPE = {"production_days": {"dist": "lognormal", "mean": 2.5, "sd": 1.0},
        "shipping_days": {"dist": "lognormal", "mean": 3.0, "sd": 1.0}, "promised_days": 5,
        "days_per_cycle": 30}
NEEDED = {"wait_days", "delivery_days", "on_time", "production_days", "production_wait_days", "shipping_wait_days"}
N = 20_000


def general(spec, n, seed, rows, records):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    d = pipeline.draw_orders(spec, n, rng, rows)
    return pipeline.pipeline_records(spec, d, pipeline.run_kernel(d), records), rng


@pytest.mark.filterwarnings("ignore::cxsim.specs.operations.UnboundedQueueWarning")
@pytest.mark.parametrize("capacity", [{"lines": 2000, "trucks": 2500}, {"lines": 60, "trucks": 2500},
                                      {"lines": 2000, "trucks": 70}, {"lines": 2000},
                                      {"make_to_order": False, "trucks": 2500}, {"make_to_order": False, "trucks": 40}])
@pytest.mark.parametrize("records", [None, NEEDED])
def test_free_flow_gives_the_general_paths_records_bit_for_bit(capacity: dict, records: set | None) -> None:
    spec = operations_from_dict({"pipeline": {**PIPE, **capacity}}).pipeline
    rows = np.flatnonzero(np.random.default_rng(1).random(N) < 0.8)
    rng = np.random.default_rng(7)
    fast = pipeline.free_flow(spec, N, rng, rows, records, {}, ())
    slow, rng_slow = general(spec, N, 7, rows, records)
    assert rng.bit_generator.state == rng_slow.bit_generator.state  # the same draws were made
    if records is not None:  # the runner adds the wait of the general path; the free flow gives it
        slow["wait_days"] = slow["production_wait_days"] + slow["shipping_wait_days"]
        fast.setdefault("wait_days", fast["production_wait_days"] + fast["shipping_wait_days"])
    else:
        assert list(fast) == list(slow)  # the table's columns in the same order
    assert set(fast) == set(slow)
    for key in slow:
        assert fast[key].dtype == slow[key].dtype, key
        assert fast[key].tobytes() == slow[key].tobytes(), key


@pytest.mark.filterwarnings("ignore::cxsim.specs.operations.UnboundedQueueWarning")
@pytest.mark.parametrize(("capacity", "queue"), [
    ({"lines": 2000, "trucks": 2500}, False), ({"lines": 60, "trucks": 2500}, True),
    ({"make_to_order": False, "trucks": 40}, True),
    ({"lines": 2000, "shipping_days": {"dist": "beta", "a": 2, "b": 5, "low": 1, "high": 6}}, False)])
def test_float32_free_flow_is_the_64_bit_one_rounded(capacity: dict, queue: bool) -> None:
    """At float32 the draws are made in 64 bits and rounded (by blocks where drawn value by value):
    the same stream, records within the rounding of the days when nobody waits, and when a queue
    forms the orders drawn again in 64 bits: the 64-bit records exactly."""
    spec = operations_from_dict({"pipeline": {**PIPE, **capacity}}).pipeline
    rows = np.flatnonzero(np.random.default_rng(1).random(N) < 0.8)
    wide, narrow = np.random.default_rng(7), np.random.default_rng(7)
    scratch: dict[str, np.ndarray] = {}
    r64 = pipeline.free_flow(spec, N, wide, rows, NEEDED, {}, ())
    r32 = pipeline.free_flow(spec, N, narrow, rows, NEEDED, scratch, (), floats=np.float32)
    assert wide.bit_generator.state == narrow.bit_generator.state  # the same draws were made
    assert scratch["u"].dtype == scratch["shipping"].dtype == np.float32  # no 64-bit row kept
    assert bool(r64["production_wait_days"].any() or r64["shipping_wait_days"].any()) == queue
    for key in ("delivery_days", "production_days", "production_wait_days", "on_time"):
        if queue:
            np.testing.assert_array_equal(r32[key], r64[key], err_msg=key)
        else:
            np.testing.assert_allclose(r32[key], r64[key], rtol=1e-6, atol=1e-5, err_msg=key)


def test_the_free_flow_is_taken_only_when_nobody_waits() -> None:
    spec = operations_from_dict({"pipeline": {**PIPE, "lines": 2000, "trucks": 2500}}).pipeline
    rows = np.arange(N)

    def flows(s) -> bool:  # type: ignore[no-untyped-def]
        u = np.random.default_rng(0).random(N)
        prod, ship = (d.sample(np.random.default_rng(k), N) for k, d in ((1, s.production_days), (2, s.shipping_days)))
        return kernels.free_flow_tandem(rows, u, 30.0, prod, ship, 5.0, s.lines, s.trucks, 30.0 + prod.max(),
                                        np.empty(N), np.empty(N), np.empty(N, bool))

    assert flows(spec)
    assert not flows(dataclasses.replace(spec, lines=60))  # about 1,700 orders in production at once
    assert not flows(dataclasses.replace(spec, trucks=70))
    busy = pipeline.free_flow(dataclasses.replace(spec, lines=60), N, np.random.default_rng(0), rows, NEEDED, {}, ())
    assert busy["production_wait_days"].max() > 0


def test_kept_records_survive_the_next_cycle_and_the_others_are_reused() -> None:
    spec = operations_from_dict({"pipeline": {**PIPE, "lines": 2000, "trucks": 2500}}).pipeline
    scratch: dict[str, np.ndarray] = {}
    rows = np.arange(N)
    first = pipeline.free_flow(spec, N, np.random.default_rng(0), rows, NEEDED, scratch, ("delivery_days",))
    kept = first["delivery_days"].copy()
    second = pipeline.free_flow(spec, N, np.random.default_rng(1), rows, NEEDED, scratch, ("delivery_days",))
    np.testing.assert_array_equal(first["delivery_days"], kept)  # fresh: not overwritten
    assert not np.array_equal(second["delivery_days"], kept)
    assert np.shares_memory(first["production_days"], second["production_days"])  # reused
    assert not first["wait_days"].flags.writeable and not first["wait_days"].any()
    with pytest.raises(ValueError, match="read-only"):
        first["wait_days"][0] = 1.0


@pytest.mark.parametrize("capacity", [0, 1, 7, 500, 999, 1000, 5000])
@pytest.mark.parametrize("ties", [False, True])
def test_event_seats_go_to_the_stable_orders_first(capacity: int, ties: bool) -> None:
    """The selection of seats equals the first ``capacity`` of numpy's stable sort (ties by invitee)."""
    rng = np.random.default_rng(capacity)
    reg = np.floor(rng.random(1000) * 20) if ties else rng.random(1000)
    got = events.run_kernel(events.EventDraws(reg, np.zeros(1000), capacity))
    want = np.zeros(1000, dtype=bool)
    want[np.argsort(reg, kind="stable")[:capacity]] = True
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("pick", ["some", "none", "all", "unsorted"])
def test_event_draws_in_blocks_are_the_draws_of_everyone_taken_at_the_rows(pick: str) -> None:
    n = 2 * events.BLOCK + 99
    rng = np.random.default_rng(11)
    rows = {"some": np.flatnonzero(rng.random(n) < 0.3), "none": np.zeros(0, dtype=np.intp),
            "all": np.arange(n), "unsorted": rng.permutation(n)[:500]}[pick]
    spec = load_run_spec(["scenario=b2b_dealer", "sim.n_customers=100"]).scenario.operations.events["dealer_meeting"]
    got, gen = events.draw_event(spec, n, np.random.default_rng(3), rows), np.random.default_rng(3)
    reg, z = gen.random(n), gen.standard_normal(n)
    np.testing.assert_array_equal(got.registration, reg[rows])
    np.testing.assert_array_equal(got.rating_z, z[rows])
