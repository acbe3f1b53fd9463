"""The compiled journey step (cxsim.engine.kernel) against the numpy reference, on every model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from cxsim.behaviour import memory as M
from cxsim.config import load_run_spec
from cxsim.engine.compiled import compile_scenario
from cxsim.engine.run import run

SCENARIOS = ["b2b_dealer", "retail_street", "ecommerce_delivery_survey"]  # difference and ratio form, branches; operations or not
#: Every shipped memory config (one or more per model of the registry; a new model's config joins here).
MEMORIES = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "configs" / "memory").glob("*.yaml"))


def _both(overrides: list[str]):
    base = ["sim.n_customers=300", "sim.n_cycles=12", "sim.replications=1", "outputs.moments=true",
            "memory.noise=0.2", *overrides]
    return run(load_run_spec([*base, "sim.backend=kernel"])), run(load_run_spec([*base, "sim.backend=numpy"]))


#: Loyalty's hazard forms: escalation (the scenario's), and a per-count table that falls then jumps.
HAZARDS = {"escalation": [], "table": ["scenario.loyalty.terrible_hazards=[0.35,0.05,0.9]"]}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("memory", MEMORIES)
@pytest.mark.parametrize("hazards", list(HAZARDS))
def test_kernel_equals_numpy_reference(scenario, memory, hazards):
    kernel, ref = _both([f"scenario={scenario}", f"memory={memory}", *HAZARDS[hazards]])
    # Same switching decisions and recommendation scores, so the same customers in every cycle...
    for col in ("customer_id", "cycle", "churned", "recommend_score", "terrible_moments"):
        assert np.array_equal(kernel.customers[col], ref.customers[col]), col
    # ...and the same values to rounding (the kernel sums moments in a loop, numpy pairwise).
    for col in ("experienced_mean", "remembered", "satisfaction"):
        np.testing.assert_allclose(kernel.customers[col], ref.customers[col], rtol=1e-12, atol=1e-12)
    for col in ("performance", "expectation", "affect"):
        np.testing.assert_allclose(kernel.moments[col], ref.moments[col], rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(kernel.cycles, ref.cycles, check_exact=False, rtol=1e-10)
    assert ref.customers["churned"].any()
    if hazards == "table":  # the table is read past its first entry
        assert ref.customers.groupby("customer_id")["terrible_moments"].sum().max() >= 2


def _with_segment_models(spec, *models):
    """``spec`` with segment ``k`` remembering by ``models[k]`` (the Python API allows any mix)."""
    segs = spec.scenario.population.segments
    new = tuple(replace(s, memory=replace(spec.scenario.memory_of(s), model=m)) for s, m in zip(segs, models))
    return replace(spec, scenario=replace(spec.scenario, population=replace(spec.scenario.population, segments=new)))


#: The second segment's memory model, the first's being the mean: with more than one model the
#: kernel's memory loop reads each customer's through their segment; some weigh moment by moment.
SEGMENT_MODELS = {"peak_end": M.PeakEnd(0.5, 0.3), "recency": M.Recency(1.5), "total": M.Total(4.0),
                  "key_moments": M.KeyMoments({"service": 0.4, "shop_visit": 0.3})}


@pytest.mark.parametrize("other", list(SEGMENT_MODELS))
def test_memory_models_vary_by_segment_in_the_kernel(other):
    """Two segments remembering by different models: each customer by their own segment's."""
    base = ["scenario=retail_street", "sim.n_customers=400", "sim.n_cycles=6", "sim.replications=1", "memory.noise=0"]
    specs = {b: _with_segment_models(load_run_spec([*base, f"sim.backend={b}"]), M.Mean(), SEGMENT_MODELS[other])
             for b in ("kernel", "numpy")}
    table = compile_scenario(specs["kernel"].scenario).memory_table
    assert table is not None and len(set(table.kind.tolist())) == 2
    kernel, ref = run(specs["kernel"]), run(specs["numpy"])
    np.testing.assert_allclose(kernel.customers["remembered"], ref.customers["remembered"], rtol=1e-12, atol=1e-12)
    first = kernel.customers[kernel.customers["cycle"] == 1]
    mean_seg = first["segment"] == first["segment"].cat.categories[0]
    np.testing.assert_allclose(first.loc[mean_seg, "remembered"], first.loc[mean_seg, "experienced_mean"], rtol=1e-12)
    assert not np.allclose(first.loc[~mean_seg, "remembered"], first.loc[~mean_seg, "experienced_mean"])


def test_segments_with_their_own_memory_kind_from_the_config():
    """``segments[k].memory: {kind: ...}`` from a config: each segment by its own model, in both backends."""
    base = ["scenario=retail_street", "sim.n_customers=400", "sim.n_cycles=6", "sim.replications=1",
            "+scenario.population.segments.0.memory={kind: mean}", "memory=peak_end_best_worst"]
    kernel, ref = (run(load_run_spec([*base, f"sim.backend={b}"])) for b in ("kernel", "numpy"))
    np.testing.assert_allclose(kernel.customers["remembered"], ref.customers["remembered"], rtol=1e-12, atol=1e-12)
    seg0 = kernel.customers["segment"] == kernel.customers["segment"].cat.categories[0]
    c = kernel.customers
    np.testing.assert_allclose(c.loc[seg0, "remembered"], c.loc[seg0, "experienced_mean"], rtol=1e-12)
    assert not np.allclose(c.loc[~seg0, "remembered"], c.loc[~seg0, "experienced_mean"])
    first = kernel.customers["segment"].cat.categories[0]
    assert kernel.summary["memory_model"].iloc[0] == f"peak_end_best_worst ({first}: mean)"


@dataclass(frozen=True)
class Median:
    """A user's own memory model: the kernel does not know it, so the numpy path must run it."""

    kind: ClassVar[str] = "median"

    def remember(self, affect, durations, present=None, touchpoints=None):
        a = np.where(present, affect, np.nan) if present is not None else np.asarray(affect)
        return np.nanmedian(a, axis=-1)


def test_custom_memory_model_falls_back_to_numpy():
    spec = load_run_spec(["sim.n_customers=200", "sim.n_cycles=3", "sim.replications=1"])
    custom = _with_segment_models(spec, *[Median()] * len(spec.scenario.population.segments))
    assert compile_scenario(custom.scenario).memory_table is None
    assert compile_scenario(spec.scenario).memory_table is not None
    with pytest.raises(ValueError, match="numpy backend"):
        compile_scenario(custom.scenario).kernel_tables  # noqa: B018 - the property raises
    res = run(custom)
    last = res.customers[res.customers["cycle"] == 1]
    assert last["remembered"].notna().all()
    assert not np.allclose(last["remembered"], last["experienced_mean"])  # a median is not the mean


@pytest.mark.parametrize("scenario", ["b2b_dealer_survey", "ecommerce_delivery_survey"])  # difference, ratio; branches
def test_tiles_with_absent_customers_equal_one_customer_at_a_time(scenario):
    """Blocks wider than the kernel's tile, with customers who left between the ones who came:
    the tile loop computes the absent ones and discards them. Stepping the population in blocks
    equals stepping each customer alone (the agent engine), bit for bit, and the numpy reference."""
    from cxsim.engine.kernel import TILE

    n = 2 * TILE + 300  # two full tiles and a part, one block
    base = [f"scenario={scenario}", f"sim.n_customers={n}", "sim.n_cycles=5", "sim.replications=1",
            "memory.noise=0.3", "outputs.moments=true",
            "scenario.loyalty.base_repurchase=0.8",  # many leave, so later blocks are full of gaps
            "scenario.loyalty.terrible_floor=-0.3"]  # terrible moments common, absent ones must not count
    pop = run(load_run_spec(base))
    agent = run(load_run_spec([*base, "sim.engine=agent"]))
    ref = run(load_run_spec([*base, "sim.backend=numpy"]))
    pd.testing.assert_frame_equal(pop.customers, agent.customers, check_exact=True)
    pd.testing.assert_frame_equal(pop.moments, agent.moments, check_exact=True)
    for col in ("churned", "recommend_score", "terrible_moments"):
        assert np.array_equal(pop.customers[col], ref.customers[col]), col
    np.testing.assert_allclose(pop.moments["expectation"], ref.moments["expectation"], rtol=1e-12, atol=1e-12)
    assert pop.cycles["retention_rate"].iloc[-1] < 0.6  # gaps between the customers of a tile
    assert (pop.customers["terrible_moments"] > 0).mean() > 0.2
    assert (pop.moments.groupby(["cycle", "customer_id"]).size() < len(pop.moments["touchpoint"].unique())).any()


def test_kernel_step_needs_ascending_rows():
    """The kernel steps the range its rows span; rows out of order are refused, not misread."""
    from cxsim.engine.cycle import CycleDraws, CycleOutcome, draw_cycle, journey_step
    from cxsim.engine.state import init_state
    from cxsim.engine.streams import Streams, replication_seeds

    spec = load_run_spec(["scenario=b2b_dealer_survey", "sim.n_customers=50"])  # performance from draws alone
    compiled = compile_scenario(spec.scenario)
    streams = Streams(replication_seeds(0, 1)[0])
    state = init_state(compiled, 50, streams)
    draws = draw_cycle(compiled, 50, 0, streams, CycleDraws.empty(50, compiled.n_touchpoints))
    outcome = CycleOutcome.empty(50, compiled.n_touchpoints)
    for rows in ([5, 3, 9], [9, 3], [4, 4]):
        with pytest.raises(ValueError, match="rows: must be ascending"):
            journey_step(compiled, state, draws, outcome, np.array(rows))
    journey_step(compiled, state, draws, outcome, np.array([3, 5, 9]))
    assert np.isfinite(outcome.remembered[[3, 5, 9]]).all() and np.isnan(outcome.remembered[[0, 4, 10]]).all()


def test_step_journeys_clears_the_outcome_of_those_who_did_not_go():
    """The kernel resets, as it passes them, the outcome rows of customers who did not go this
    cycle (they held last cycle's values), exactly as the numpy path's clearing does."""
    from cxsim.engine.cycle import JOURNEY_BLOCK, CycleDraws, CycleOutcome, draw_cycle, step_journeys
    from cxsim.engine.state import init_state
    from cxsim.engine.streams import Streams, replication_seeds
    from cxsim.workers import Workers

    n = JOURNEY_BLOCK + 3000  # two blocks, the second partly filled
    spec = load_run_spec(["scenario=b2b_dealer_survey", f"sim.n_customers={n}"])
    compiled = compile_scenario(spec.scenario)
    went = np.random.default_rng(4).random(n) < 0.6
    went[:JOURNEY_BLOCK // 2] = True  # a run of tiles where all went, and tiles with gaps
    went[-2500:] = False  # and tiles where nobody went
    results = {}
    for backend in ("kernel", "numpy"):
        streams = Streams(replication_seeds(3, 1)[0])
        state = init_state(compiled, n, streams)
        outcome = CycleOutcome.empty(n, compiled.n_touchpoints)
        with Workers(2) as workers:
            for cycle, mask in enumerate((np.ones(n, dtype=bool), went)):
                draws = draw_cycle(compiled, n, cycle, streams, CycleDraws.empty(n, compiled.n_touchpoints))
                step_journeys(compiled, state, draws, outcome, mask, workers, backend)
        results[backend] = outcome
    kernel, reference = results["kernel"], results["numpy"]
    assert np.isnan(kernel.experienced[~went]).all() and np.isnan(kernel.remembered[~went]).all()
    assert not kernel.terrible[~went].any() and not kernel.recommend[~went].any()
    assert not kernel.churned[~went].any()
    assert np.isfinite(kernel.remembered[went]).all()
    for name in ("terrible", "recommend", "churned"):
        np.testing.assert_array_equal(getattr(kernel, name), getattr(reference, name))
    for name in ("experienced", "remembered"):
        np.testing.assert_allclose(getattr(kernel, name), getattr(reference, name), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tellers_equal_the_numpy_functions(seed):
    """The compiled pass over tellers gives word of mouth's inputs exactly as numpy does: the
    reach of each customer's code is telling_probability, promoters' codes are those of
    recommend >= 9, and each teller's story, in blocks that split the customers anywhere."""
    from cxsim.behaviour import wom
    from cxsim.engine.wom_kernel import DETRACTOR, PROMOTER, SILENT, tellers

    rng = np.random.default_rng(seed)
    n, n_t = 1000, 5
    recommend = rng.integers(0, 11, n).astype(np.int8)
    went = rng.random(n) < 0.8
    perf = rng.normal(size=(n_t, n))
    present = rng.random((n_t, n)) < 0.7
    code, story = np.full(n, -1, dtype=np.int8), np.full((n, n_t), -1.0)
    for lo, hi in [(0, 137), (137, 138), (138, n)]:
        tellers(lo, hi, recommend, went, perf, present, code, story)

    expected_tell = wom.telling_probability(recommend, went, 0.3, 0.6)
    assert set(np.unique(code)) == {SILENT, PROMOTER, DETRACTOR}
    np.testing.assert_array_equal(np.array([0.0, 0.3, 0.6])[code], expected_tell)
    says = expected_tell > 0
    np.testing.assert_array_equal(code[says] == PROMOTER, recommend[says] >= 9)
    assert says.any() and (~says).any()
    np.testing.assert_array_equal(story[says], np.where(present.T, perf.T, np.nan)[says])
    assert (story[~says] == -1.0).all()  # rows of those who tell nobody: untouched


@pytest.mark.parametrize("memory", ["peak_end", "recency"])
def test_the_sample_episode_equals_the_numpy_reference(memory):
    """The figures' sample customer: the kernel stores a tile's affect only where it is read, and
    the sample's tile is read even without the moments table and with a memory that reads only sums."""
    base = ["scenario=retail_street", "sim.n_customers=5000", "sim.n_cycles=3", "sim.replications=1", f"memory={memory}"]
    kernel, ref = (run(load_run_spec([*base, f"sim.backend={b}"])) for b in ("kernel", "numpy"))
    a, b = kernel.first.sample, ref.first.sample
    assert a["customer_id"] == b["customer_id"] and a["cycle"] == b["cycle"]
    assert np.isfinite(a["affect"]).sum() >= 2
    np.testing.assert_allclose(a["affect"], b["affect"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(np.isnan(a["affect"]), ~a["present"])


@pytest.mark.parametrize(("scenario", "memory"), [("b2b_dealer", "integral"), ("ecommerce_delivery", "peak_end")])
def test_one_segment_equals_the_numpy_reference(scenario, memory):
    """A population of one segment: the kernel fills the segment's parameters once for all tiles
    (3,000 customers: two tiles in the first block, whose duration sums start again at zero)."""
    base = [f"scenario={scenario}", f"memory={memory}", "sim.n_customers=3000", "sim.n_cycles=6",
            "sim.replications=1", "memory.noise=0.3",
            "scenario.market.enabled=false"]  # the market block names the segments this test removes
    specs = {}
    for b in ("kernel", "numpy"):
        spec = load_run_spec([*base, f"sim.backend={b}"])
        seg = spec.scenario.population.segments[-1]
        one = replace(seg, share=1.0, tolerance=0.2, loss_aversion=1.7, adaptation=0.15)
        specs[b] = replace(spec, scenario=replace(spec.scenario, population=replace(spec.scenario.population,
                                                                                    segments=(one,))))
    assert len(compile_scenario(specs["kernel"].scenario).tolerance) == 1
    kernel, ref = run(specs["kernel"]), run(specs["numpy"])
    for col in ("churned", "recommend_score", "terrible_moments"):
        assert np.array_equal(kernel.customers[col], ref.customers[col]), col
    for col in ("experienced_mean", "remembered", "satisfaction"):
        np.testing.assert_allclose(kernel.customers[col], ref.customers[col], rtol=1e-12, atol=1e-12)
    assert ref.customers["churned"].any()


@pytest.mark.parametrize("backend", ["kernel", "numpy"])
def test_row_stepper_equals_journey_step_of_all_rows(backend):
    """The agent engine's one-customer stepper (the kernel's entry point for the cycle's records,
    or the numpy path) leaves state and outcome exactly as one journey_step of every row does,
    whatever the order of the customers, with the sample customer's moments kept."""
    from cxsim.engine.cycle import CycleDraws, CycleOutcome, RowStepper, draw_cycle, journey_step
    from cxsim.engine.state import init_state
    from cxsim.engine.streams import Streams, replication_seeds

    n = 60
    spec = load_run_spec(["scenario=b2b_dealer_survey", f"sim.n_customers={n}"])
    compiled = compile_scenario(spec.scenario)
    results = []
    for one_by_one in (False, True):
        streams = Streams(replication_seeds(3, 1)[0])
        state = init_state(compiled, n, streams)
        outcome = CycleOutcome.empty(n, compiled.n_touchpoints, True)
        for cycle in range(2):
            draws = draw_cycle(compiled, n, cycle, streams, CycleDraws.empty(n, compiled.n_touchpoints))
            rows = np.flatnonzero(state.active)
            outcome.reset(sample_row=int(rows[0]))
            if one_by_one:
                stepper = RowStepper(compiled, state, draws, outcome, backend)
                for row in np.random.default_rng(cycle).permutation(rows):
                    stepper(int(row))
            else:
                journey_step(compiled, state, draws, outcome, rows, backend)
        results.append((state, outcome))
    (s0, o0), (s1, o1) = results
    for name in ("expectation", "satisfaction", "bad_memory", "active", "terrible_count"):
        np.testing.assert_array_equal(getattr(s1, name), getattr(s0, name), err_msg=name)
    for name in ("experienced", "remembered", "terrible", "recommend", "churned", "affect", "sample_affect"):
        np.testing.assert_array_equal(getattr(o1, name), getattr(o0, name), err_msg=name)
    assert np.isfinite(o1.sample_affect).any() and not s1.active.all()
