"""The population's state is held at the smallest exact types."""

from __future__ import annotations

import numpy as np

from cxsim.config import load_run_spec
from cxsim.engine.model import CustomerModel
from cxsim.engine.state import segment_dtype
from cxsim.engine.streams import replication_seeds


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
