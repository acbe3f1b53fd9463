"""Runtime settings: apart from the model, set by ``runtime.*`` (or their old keys), no number changes."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsim.cli import main as cli
from cxsim.config import compose_config, load_run_spec
from cxsim.engine.run import run
from cxsim.errors import SpecError
from cxsim.specs import Runtime, Sim
from cxsim.specs.build import run_spec_from_dict

SMALL = ["sim.n_customers=300", "sim.n_cycles=2", "sim.replications=1", "outputs.figures=false"]


def test_default_runtime_and_the_runtime_block() -> None:
    assert load_run_spec(SMALL).runtime == Runtime()
    rt = load_run_spec([*SMALL, "runtime.threads=1", "runtime.backend=numpy", "runtime.huge_pages=true",
                        "runtime.reuse_memory=false", "runtime.operations_backend=simpy"]).runtime
    assert rt == Runtime(threads=1, backend="numpy", operations_backend="simpy", huge_pages=True, reuse_memory=False)
    assert not {"threads", "backend", "huge_pages", "reuse_memory"} & set(Sim.__dataclass_fields__)


@pytest.mark.parametrize("old, new", [
    ("sim.threads=2", Runtime(threads=2)),
    ("sim.backend=numpy", Runtime(backend="numpy")),
    ("sim.huge_pages=true", Runtime(huge_pages=True)),
    ("sim.reuse_memory=false", Runtime(reuse_memory=False)),
    ("scenario.operations.backend=simpy", Runtime(operations_backend="simpy")),
])
def test_old_keys_still_set_the_runtime(old: str, new: Runtime) -> None:
    assert load_run_spec([*SMALL, old]).runtime == new


def test_old_operations_scale_is_the_scenario_key() -> None:
    new = load_run_spec(["scenario=retail_street", "scenario.operations.scale=3"]).scenario.operations
    old = load_run_spec(["scenario=retail_street", "operations.scale=3"]).scenario.operations
    plain = load_run_spec(["scenario=retail_street"]).scenario.operations
    assert new == old != plain
    assert new.stores is not None and plain.stores is not None
    assert new.stores.counters == 3 * plain.stores.counters


@pytest.mark.parametrize("overrides, field", [
    (["runtime.threads=-1"], "runtime.threads"),
    (["runtime.backend=gpu"], "runtime.backend"),
    (["runtime.operations_backend=fast"], "runtime.operations_backend"),
    (["runtime.huge_pages=sometimes"], "runtime.huge_pages"),
    (["+runtime.cores=4"], "runtime.cores"),
    (["sim.threads=-1"], "sim.threads"),
    (["scenario.operations.scale=0"], "scenario.operations.scale"),
])
def test_bad_runtime_is_one_line_and_exit_2(overrides: list[str], field: str, rejects) -> None:  # type: ignore[no-untyped-def]
    rejects(cli.main, "cxsim", overrides, field)


def test_bad_runtime_mapping_names_the_key() -> None:
    cfg = {"scenario": load_run_spec_cfg(), "memory": {"kind": "mean"}, "runtime": {"threads": 1.5}}
    with pytest.raises(SpecError) as err:
        run_spec_from_dict(cfg)
    assert err.value.field == "runtime.threads"


def load_run_spec_cfg() -> dict:
    return compose_config(SMALL)["scenario"]


def test_runtime_argument_changes_no_number() -> None:
    spec = load_run_spec(["scenario=retail_street", *SMALL])
    base = run(spec)
    other = run(spec, runtime=Runtime(threads=1, backend="numpy", operations_backend="simpy", reuse_memory=False))
    pd.testing.assert_frame_equal(base.summary, other.summary)
    pd.testing.assert_frame_equal(base.cycles, other.cycles)
    assert other.spec.runtime.backend == "numpy" and spec.runtime == Runtime()
