"""A sweep on a Dask LocalCluster (started and closed by the backend) equals the local sweep."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsim import sweep
from cxsim.cli.sweep import base_config
from cxsim.config import compose_config
from cxsim.execution import Execution

pytest.importorskip("distributed", reason="needs the dask extra: pip install 'cxsim[dask]'")

DELIVERY = "scenario.journey.touchpoints.delivery_speed.performance.mean"
TINY = ["scenario=b2b_dealer_survey", "sim.n_customers=200", "sim.n_cycles=3"]


def test_sweep_on_dask_is_identical_to_local_and_resumes(tmp_path):
    s = sweep.settings_from_dict({"params": [{"path": DELIVERY, "low": 3, "high": 7, "num": 3}],
                                  "replications": 2, "progress": False})
    p = sweep.plan(base_config(compose_config(TINY)), s)
    sweep.execute(p, tmp_path / "local", commit="c")
    dask = Execution(backend="dask", workers=2, batch=2)
    assert sweep.execute(p, tmp_path / "dask", commit="c", execution=dask) == len(p)
    pd.testing.assert_frame_equal(sweep.collect(p, tmp_path / "dask").table,
                                  sweep.collect(p, tmp_path / "local").table)
    assert sweep.execute(p, tmp_path / "dask", commit="c", execution=dask) == 0  # resumes: nothing left
