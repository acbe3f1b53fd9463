"""The population's state is held at the smallest exact types."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.config import load_run_spec
from cxsim.engine.compiled import compile_scenario
from cxsim.engine.model import CustomerModel
from cxsim.engine.state import init_state, segment_dtype
from cxsim.engine.streams import Streams, replication_seeds
from cxsim.workers import Workers


def test_segments_take_one_byte_up_to_127_and_more_bytes_beyond():
    assert segment_dtype(1) is np.int8 and segment_dtype(127) is np.int8
    assert segment_dtype(128) is np.int32


def test_state_types_after_a_cycle():
    spec = load_run_spec(["scenario=retail_street", "sim.n_customers=800", "sim.replications=1"])
    model = CustomerModel(spec.scenario, spec.sim, replication_seeds(3, 1)[0], keep_customers=False)
    model.step()
    st = model.state
    assert st.segment.dtype == np.int8 and st.terrible_count.dtype == np.int32
    assert st.network.src.dtype == np.int32 and st.network.offsets.dtype == np.int64
    assert model._wom.code.dtype == np.int8
    n_segments = len(spec.scenario.population.segments)
    assert st.segment.min() >= 0 and st.segment.max() < n_segments
    assert np.bincount(st.segment, minlength=n_segments).size == n_segments


@pytest.mark.parametrize("overrides", [[], ["scenario.word_of_mouth.degree=40"],
                                       ["scenario.word_of_mouth.network=random", "scenario.word_of_mouth.degree=40"]])
def test_the_population_is_the_same_on_any_number_of_threads(overrides):
    """The network built in blocks and the touchpoints' draws side by side give the state a single
    thread draws (small worlds of 6 and 40 ties a customer, a random network)."""
    compiled = compile_scenario(load_run_spec(overrides).scenario)
    states = []
    for threads in (1, 2, 3):
        with Workers(threads) as workers:
            states.append(init_state(compiled, 3000, Streams(replication_seeds(7, 1)[0]), workers))
    for other in states[1:]:
        np.testing.assert_array_equal(other.network.src, states[0].network.src)
        np.testing.assert_array_equal(other.network.offsets, states[0].network.offsets)
        np.testing.assert_array_equal(other.expectation, states[0].expectation)
        np.testing.assert_array_equal(other.segment, states[0].segment)
