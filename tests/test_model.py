"""The engine: agent-by-agent equals population-wide, reproducibility, streams, outputs."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from cxsim.config import load_run_spec
from cxsim.engine.model import CustomerModel
from cxsim.engine.run import run
from cxsim.engine.streams import replication_seeds

SCENARIOS = ["b2b_dealer", "b2b_dealer_survey", "retail_street", "ecommerce_delivery"]  # with and without operations


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_agent_engine_equals_population_engine(scenario):
    """Same seed, two engines: every customer row and every cycle aggregate identical, bit for bit."""
    base = [f"scenario={scenario}", "sim.n_customers=250", "sim.n_cycles=12", "sim.replications=2",
            "outputs.moments=true", "memory.noise=0.3"]
    pop = run(load_run_spec(base))
    agent = run(load_run_spec([*base, "sim.engine=agent"]))
    pd.testing.assert_frame_equal(pop.customers, agent.customers, check_exact=True)
    pd.testing.assert_frame_equal(pop.moments, agent.moments, check_exact=True)
    pd.testing.assert_frame_equal(pop.cycles, agent.cycles, check_exact=True)
    assert pop.customers["churned"].any(), "the comparison should cover customers who switch"


def test_journey_block_size():
    """The numpy path in blocks of JOURNEY_BLOCK; the kernel in multiples of it, about eight a thread."""
    from cxsim.engine.cycle import BLOCKS_PER_THREAD, JOURNEY_BLOCK, journey_block_size

    assert journey_block_size(1_000_000, 2, kernel=False) == JOURNEY_BLOCK
    assert journey_block_size(1_000_000, 2, kernel=True) == 8 * JOURNEY_BLOCK  # 16 blocks of 65,536
    for n in (1, 5000, JOURNEY_BLOCK, 100_000, 1_000_000, 5_000_000):
        for threads in (1, 2, 8):
            size = journey_block_size(n, threads, kernel=True)
            assert size % JOURNEY_BLOCK == 0 and size >= JOURNEY_BLOCK
            blocks = -(-n // size)
            assert blocks <= BLOCKS_PER_THREAD * threads
            assert size == JOURNEY_BLOCK or blocks > BLOCKS_PER_THREAD * threads // 2  # no larger than needed


@pytest.mark.parametrize("scenario", ["b2b_dealer", "b2b_dealer_survey", "ecommerce_delivery_survey", "retail_street"])
def test_threads_and_blocks_do_not_change_results(monkeypatch, scenario):
    """Blocks of customers (journeys, word of mouth) on several threads, or one: bit-identical
    results, and equal to the numpy reference, with operations and without."""
    import cxsim.engine.cycle as engine_cycle

    monkeypatch.setattr(engine_cycle, "JOURNEY_BLOCK", 37)  # many blocks, some of index arrays after churn
    monkeypatch.setattr(engine_cycle, "WOM_BLOCK", 41)  # many blocks of listeners for word of mouth
    base = [f"scenario={scenario}", "sim.n_customers=1000", "sim.n_cycles=6", "sim.replications=1",
            "memory.noise=0.3"]
    one = run(load_run_spec([*base, "sim.threads=1"]))
    two = run(load_run_spec([*base, "sim.threads=2"]))
    agent = run(load_run_spec([*base, "sim.engine=agent"]))
    for other in (two, agent):
        pd.testing.assert_frame_equal(one.customers, other.customers, check_exact=True)
        pd.testing.assert_frame_equal(one.cycles, other.cycles, check_exact=True)
    ref = run(load_run_spec([*base, "sim.backend=numpy"]))
    pd.testing.assert_frame_equal(one.cycles, ref.cycles, check_exact=False, rtol=1e-10)
    assert one.cycles["wom_negative"].sum() > 0
    assert one.customers["churned"].any()


def test_agent_order_does_not_change_results():
    """Agents acting in different random orders give identical results."""
    spec = load_run_spec(["sim.n_customers=200", "sim.n_cycles=6", "sim.engine=agent", "memory.noise=0.2"])
    tables = []
    for order_seed in (1, 2):
        model = CustomerModel(spec.scenario, spec.sim, replication_seeds(0, 1)[0])
        model.random = random.Random(order_seed)  # only decides activation order
        model.agents._random = model.random
        for _ in range(spec.sim.n_cycles):
            model.step()
        tables.append(model.recorder.customers())
    pd.testing.assert_frame_equal(*tables, check_exact=True)


def test_same_seed_same_files(tmp_path, small_spec):
    a = run(small_spec).save(tmp_path / "a")
    b = run(small_spec).save(tmp_path / "b")
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_seed_zero_is_a_seed_and_seeds_differ(small):
    s0 = run(load_run_spec([*small, "sim.seed=0"])).summary
    s1 = run(load_run_spec([*small, "sim.seed=1"])).summary
    s0b = run(load_run_spec([*small, "sim.seed=0"])).summary
    pd.testing.assert_frame_equal(s0, s0b)
    assert not np.allclose(s0["satisfaction_mean"], s1["satisfaction_mean"])
    assert s0["replication"].tolist() == [0, 1]
    assert s0.loc[0, "satisfaction_mean"] != s0.loc[1, "satisfaction_mean"], "replications are independent"


def test_common_random_numbers_across_scenarios():
    """Changing one touchpoint leaves every other touchpoint's draws, and everyone's segment, alone."""
    base = ["sim.n_customers=300", "sim.n_cycles=2", "sim.replications=1", "outputs.moments=true"]
    a = run(load_run_spec(base)).moments
    b = run(load_run_spec([*base, "scenario.journey.touchpoints.1.performance.mean=4.5"])).moments
    key = ["customer_id", "cycle", "touchpoint"]
    first = a[a["cycle"] == 1].set_index(key).sort_index()
    second = b[b["cycle"] == 1].set_index(key).sort_index()
    same = first.index.get_level_values("touchpoint") != "price"
    assert np.array_equal(first.loc[same, "performance"], second.loc[same, "performance"])
    price_a = first.loc[~same, "performance"].to_numpy()
    price_b = second.loc[~same, "performance"].to_numpy()
    assert not np.array_equal(price_a, price_b)
    # the price draws differ only by the shift of the mean (same standard normal draws), up to clipping
    inside = (price_a > 1.001) & (price_a < 4.999) & (price_b < 4.999)
    assert np.allclose(price_b[inside] - price_a[inside], 4.5 - 3.62)


def test_outputs_columns_and_limits(small):
    res = run(load_run_spec([*small, "outputs.moments=true"]))
    for col in ["scenario", "replication", "seed", "satisfaction_mean", "retention_rate", "nps",
                "revenue", "cost", "profit"]:
        assert col in res.summary.columns
    for col in ["customer_id", "cycle", "segment", "experienced_mean", "remembered", "satisfaction",
                "recommend_score", "churned"]:
        assert col in res.customers.columns
    assert res.customers["recommend_score"].between(0, 10).all()
    assert set(res.moments["touchpoint"].unique()) <= set(res.first.compiled.names)
    assert (res.summary["profit"] == res.summary["revenue"] - res.summary["cost"]).all()
    # customers.parquet is skipped above the limit unless asked for
    big = run(load_run_spec([*small, "outputs.customers_limit=100"]))
    assert big.customers is None
    forced = run(load_run_spec([*small, "outputs.customers_limit=100", "outputs.customers=always"]))
    assert forced.customers is not None


def test_annual_meeting_is_the_end_of_the_year():
    """The dealer meeting happens only in cycle 12 and is then the last moment of everyone's journey."""
    res = run(load_run_spec(["sim.n_customers=200", "sim.n_cycles=12", "sim.replications=1", "outputs.moments=true"]))
    m = res.moments
    meeting = m[m["touchpoint"] == "dealer_meeting"]
    assert set(meeting["cycle"]) == {12}
    last = m[m["cycle"] == 12].sort_values("position").groupby("customer_id")["touchpoint"].last()
    assert (last == "dealer_meeting").all()


def test_branch_takes_exactly_one_alternative():
    res = run(load_run_spec(["scenario=ecommerce_delivery", "sim.n_customers=2000", "sim.n_cycles=1",
                             "sim.replications=1", "outputs.moments=true"]))
    m = res.moments
    per = m[m["touchpoint"].isin(["home_delivery", "parcel_locker"])].groupby("customer_id").size()
    assert (per == 1).all() and len(per) == 2000
    share = (m["touchpoint"] == "home_delivery").sum() / 2000
    assert abs(share - 0.7) < 0.04  # 4 standard errors at n = 2000


@pytest.mark.parametrize("kind", ["small_world", "random"])
def test_network_ties_are_sorted_by_listener_both_ways(kind):
    from cxsim.behaviour import network

    rng = np.random.default_rng(0)
    net = network.small_world(500, 6, 0.2, rng) if kind == "small_world" else network.random_network(500, 6, rng)
    offsets = net.listener_offsets()
    assert offsets[-1] == net.n_ties and np.all(np.diff(net.dst) >= 0)
    for d in (0, 17, 499):
        assert np.all(net.dst[offsets[d]:offsets[d + 1]] == d)
    pairs = set(zip(net.src.tolist(), net.dst.tolist()))
    assert all((b, a) in pairs for a, b in pairs), "every tie goes both ways"
    assert not np.any(net.src == net.dst)


@pytest.mark.parametrize("engine, backend", [("population", "kernel"), ("population", "numpy"), ("agent", "kernel")])
def test_sample_episode_is_the_first_customers_moments(engine, backend):
    """The figure's sample episode (kept without every moment's affect) is the first active
    customer's last episode: the same affect as the moments table, NaN where a moment was absent."""
    base = ["scenario=retail_street", "sim.n_customers=60", "sim.n_cycles=4", "sim.replications=1",
            f"sim.engine={engine}", f"sim.backend={backend}",
            "scenario.market.enabled=false"]  # rows are ids (an open market gives freed rows new ids)
    res = run(load_run_spec([*base, "outputs.moments=true"]))
    s = res.first.sample
    assert s is not None and s["cycle"] == 4
    assert s["customer_id"] == res.customers[res.customers["cycle"] == 4]["customer_id"].min()
    m = res.moments[(res.moments["customer_id"] == s["customer_id"]) & (res.moments["cycle"] == 4)]
    j = m["touchpoint"].map(res.first.compiled.names.index).to_numpy()
    present = np.asarray(s["present"])
    np.testing.assert_array_equal(np.flatnonzero(present), np.sort(j))
    np.testing.assert_array_equal(np.asarray(s["affect"])[j], m["affect"].to_numpy())
    assert np.isnan(np.asarray(s["affect"])[~present]).all()
    lean = run(load_run_spec(base)).first.sample  # without the moments table: the same episode
    np.testing.assert_array_equal(lean["affect"], s["affect"])


def test_memory_settings_change_no_result_and_are_undone():
    """NumPy's huge-page advice and glibc's reuse of freed memory apply only inside a run, and
    results are the same with and without them."""
    import numpy._core.multiarray as multiarray

    from cxsim.engine.allocation import memory_settings

    base = ["scenario=b2b_dealer", "sim.n_customers=300", "sim.n_cycles=3", "sim.replications=2"]
    before = multiarray._set_madvise_hugepage(True)  # returns the previous value
    multiarray._set_madvise_hugepage(before)
    tuned = run(load_run_spec([*base, "sim.huge_pages=true"]))
    plain = run(load_run_spec([*base, "sim.reuse_memory=false"]))
    pd.testing.assert_frame_equal(tuned.cycles, plain.cycles, check_exact=True)
    pd.testing.assert_frame_equal(tuned.summary, plain.summary, check_exact=True)
    with memory_settings(huge_pages=not before):
        assert multiarray._set_madvise_hugepage(not before) == (not before)  # set inside
        with memory_settings(huge_pages=before):  # nested: its own advice, then the outer's again
            assert multiarray._set_madvise_hugepage(before) == before
        assert multiarray._set_madvise_hugepage(not before) == (not before)
    assert multiarray._set_madvise_hugepage(before) == before  # restored after


def test_run_says_where_its_time_went(monkeypatch):
    """``Results.seconds`` adds up each phase over the replications; every phase of a run with
    operations and word of mouth takes time, and together they are the run's wall time."""
    import time

    from cxsim.engine.cycle import exchange_word_of_mouth

    spec = load_run_spec(overrides=["sim.n_customers=3000", "sim.n_cycles=3", "sim.replications=2"])
    assert spec.scenario.word_of_mouth.network != "none"
    def exchange(*args, **kwargs):  # word of mouth made 20 ms slower a cycle: it must show there
        time.sleep(0.02)
        return exchange_word_of_mouth(*args, **kwargs)

    monkeypatch.setattr("cxsim.engine.model.exchange_word_of_mouth", exchange)
    start = time.perf_counter()
    res = run(spec)
    wall = time.perf_counter() - start
    market = ["market"] if spec.scenario.market is not None else []  # the open market's step, when there is one
    assert list(res.seconds) == [*CustomerModel.PHASES, *market, "tables"]
    assert all(t > 0 for t in res.seconds.values()), res.seconds
    assert res.seconds["word_of_mouth"] >= 2 * 3 * 0.02
    assert sum(res.seconds.values()) <= wall
    assert sum(res.seconds.values()) >= 0.8 * wall


@pytest.mark.parametrize("engine", ["population", "agent"])
def test_the_figures_read_the_last_cycles_customers(engine):
    """``Recorder.last_satisfaction``: the rows of the run's last cycle (taken at that cycle only),
    the same numbers as the per-customer table's last cycle; and each cycle's counts in the
    ``cycles`` table are the per-customer table's."""
    spec = load_run_spec(["scenario=retail_street", "sim.n_customers=1500", "sim.n_cycles=4", "sim.replications=1",
                          f"sim.engine={engine}", "outputs.customers=always"])
    res = run(spec)
    assert res.customers is not None and res.first is not None
    last = res.first.last_satisfaction
    final = res.customers[res.customers["cycle"] == 4]
    assert last is not None and len(last) == len(final) == res.cycles["customers_start"].iloc[-1]
    np.testing.assert_array_equal(last["satisfaction"].to_numpy(), final["satisfaction"].to_numpy())
    np.testing.assert_array_equal(last["remembered"].to_numpy(), final["remembered"].to_numpy())
    assert last["segment"].astype(str).tolist() == final["segment"].astype(str).tolist()
    by_cycle = res.customers.groupby("cycle")
    assert res.cycles["churned"].tolist() == by_cycle["churned"].sum().tolist()
    assert res.cycles["terrible_moments"].tolist() == by_cycle["terrible_moments"].sum().tolist()
    promoters = by_cycle["recommend_score"].apply(lambda r: (r >= 9).mean())
    assert res.cycles["promoters"].tolist() == promoters.tolist()
