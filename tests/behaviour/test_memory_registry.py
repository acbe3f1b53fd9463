"""The memory-model registry: each model defined once, and every part of cxsim reading it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from cxsim.behaviour import memory as M
from cxsim.behaviour.memory_parts import KernelFormula, MemoryKind, MemoryModel, kernel_row_of
from cxsim.config import load_run_spec
from cxsim.engine.compiled import compile_scenario
from cxsim.engine.modes import Backend, EngineMode
from cxsim.engine.run import run
from cxsim.errors import SpecError
from cxsim.fit import memory_fit
from cxsim.teach import episode

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "memory"

#: One instance of each built-in model, with parameters away from their defaults where it has some.
INSTANCES = {
    "peak_end": M.PeakEnd(0.3, 0.5),
    "peak_end_best_worst": M.PeakEnd(0.25, 0.3, "best_worst", 0.2),
    "peak_end_negative": M.PeakEnd(-0.15, 0.4),
    "mean": M.Mean(),
    "integral": M.Integral(),
    "total": M.Total(2.5),
    "end": M.End(),
    "peak": M.Peak(),
    "recency": M.Recency(1.5),
    "key_moments": M.KeyMoments({"t1": 0.4, "t3": -0.2}),
}


def _formula(code: MemoryKind) -> KernelFormula:
    return {f.code: f for f in M.kernel_formulas()}[code]


def _kernel_value(model: MemoryModel, affect: np.ndarray, durations: np.ndarray, present: np.ndarray,
                  names: list[str]) -> float:
    """One episode through the model's kernel formula, run as plain Python (as the kernel sums it)."""
    row = kernel_row_of(model, names)
    assert row is not None
    f = _formula(row.code)
    on = [j for j in range(affect.size) if present[j]]
    count = float(len(on))
    total = dsum = adsum = 0.0
    best, worst, last = -math.inf, math.inf, math.nan
    for j in on:
        total += affect[j]
        dsum += durations[j]
        adsum += affect[j] * durations[j]
        best, worst, last = max(best, affect[j]), min(worst, affect[j]), affect[j]
    mean = total / count
    if f.value is not None:
        return f.value(*row.params, count, total, dsum, adsum, best, worst, last, mean)
    acc = wsum = 0.0
    age = count
    weights = row.weights if row.weights is not None else np.zeros(affect.size)
    for j in on:
        age -= 1.0
        acc, wsum = f.step(acc, wsum, affect[j], age, weights[j], *row.params)
    return f.finish(acc, wsum, mean)


@pytest.mark.parametrize("name", list(INSTANCES))
def test_kernel_formula_equals_the_numpy_function(name):
    """Each model's compiled formula, run in Python on random episodes with gaps, gives the value
    of its vectorised numpy function (the kernel-vs-numpy runs test the compiled one)."""
    model = INSTANCES[name]
    rng = np.random.default_rng(7)
    for _ in range(200):
        m = int(rng.integers(4 if model.definition.needs_touchpoints else 1, 9))  # key moments: t1 and t3 exist
        names = [f"t{j}" for j in range(m)]
        a = rng.normal(0, 2, m)
        d = rng.uniform(0.5, 3, m)
        present = rng.random(m) < 0.7
        if not present.any():
            continue
        expected = float(model.remember(a, d, present, names))
        assert _kernel_value(model, a, d, present, names) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_every_kernel_code_has_one_formula_and_every_model_one_definition():
    codes = [f.code for f in M.kernel_formulas()]
    assert sorted(codes) == sorted(MemoryKind)  # each code once, none without a formula
    for kind, cls in M.MEMORY_MODELS.items():
        assert cls.kind == kind and isinstance(cls(), MemoryModel) if kind != "key_moments" else True
        fields = [f for f in cls.__dataclass_fields__ if f != "kind"]
        assert [p.name for p in cls.definition.parameters] == fields, kind
        for p in cls.definition.parameters:  # the default of each stated parameter is the field's
            assert cls.__dataclass_fields__[p.name].default == p.default, (kind, p.name)


def test_every_memory_config_names_a_registered_model_and_every_model_has_one():
    kinds = {yaml.safe_load(p.read_text())["kind"] for p in CONFIGS.glob("*.yaml")}
    assert kinds == set(M.MEMORY_MODELS)


def test_fits_and_teaching_read_the_registry():
    plans = M.fit_plans()
    assert [p.order for p in plans] == sorted({p.order for p in plans})  # unique positions
    for p in plans:
        assert p.function in memory_fit.FUNCTIONS
        for fn, _ in p.columns:
            assert fn in memory_fit.FUNCTIONS
    assert set(memory_fit.FUNCTIONS) == set(M.fit_functions())
    taught = {k for k, cls in M.MEMORY_MODELS.items() if not cls.definition.needs_touchpoints}
    assert set(episode.MODEL_LABELS) == taught
    a = np.array([-1.0, -4.0, 2.0])
    assert memory_fit.memory_value("peak_end", a, None, None, w_peak=-0.2, w_end=0.5) == pytest.approx(
        float(M.PeakEnd(-0.2, 0.5).remember(a, np.ones(3))))


def test_memory_table_reads_each_models_kernel_row():
    spec = load_run_spec(["memory=peak_end_best_worst", "sim.n_customers=10"])
    table = compile_scenario(spec.scenario).memory_table
    assert table is not None
    assert table.kind.tolist() == [MemoryKind.PEAK_END_BEST_WORST]
    assert table.params[0, :3].tolist() == [0.25, 0.3, 0.25]  # w_peak, w_end, w_trough
    assert not table.durations and not table.by_moment.any()
    for memory, durations, by_moment in (("total", True, False), ("recency", False, True), ("mean", False, False)):
        table = compile_scenario(load_run_spec([f"memory={memory}"]).scenario).memory_table
        assert (table.durations, bool(table.by_moment.any())) == (durations, by_moment), memory


def test_negative_weights_are_valid_models():
    """A fitted weight below 0 (a peak that lowers the memory) is a model; beyond ±1 or with the
    mean's weight below 0 it is not."""
    a = np.array([0.0, -6.0, 1.0, 1.0])
    worse_peak = a.copy()
    worse_peak[1] = -8.0
    # the peak's own weight -0.5 outweighs its share of the mean's (1.1 / 4): a deeper trough is
    # remembered as better: 1.0 up from the peak term, 0.55 down from the mean
    model = M.PeakEnd(-0.5, 0.4)
    assert float(model.remember(worse_peak, 1.0)) == pytest.approx(float(model.remember(a, 1.0)) + 0.45, abs=1e-12)
    assert float(M.PeakEnd(-0.15, 0.4).remember(np.full(3, 2.5), 1.0)) == pytest.approx(2.5, abs=1e-12)
    M.KeyMoments({"a": -0.3, "b": 0.5})
    M.PeakEnd(0.4, 0.3, "best_worst", -1.0)
    with pytest.raises(SpecError) as e:
        M.PeakEnd(-1.2, 0.4)
    assert e.value.field == "w_peak" and "[-1, 1]" in str(e.value)
    with pytest.raises(SpecError) as e:
        M.memory_model_from_dict("memory", {"kind": "key_moments", "weights": {"a": 0.8, "b": 0.4}})
    assert e.value.field == "memory.weights" and "at most 1" in str(e.value)
    with pytest.raises(SpecError) as e:
        M.memory_model_from_dict("memory", {"kind": "peak_end", "w_end": "much"})
    assert e.value.field == "memory.w_end"


@pytest.mark.parametrize("engine", [EngineMode.POPULATION, EngineMode.AGENT])
def test_negative_weight_runs_in_both_backends(engine):
    base = ["memory.w_peak=-0.15", "sim.n_customers=200", "sim.n_cycles=3", "sim.replications=1",
            f"sim.engine={engine}",
            "scenario.market.enabled=false"]  # the same customers in every run (no acquisitions)
    kernel, ref = (run(load_run_spec([*base, f"sim.backend={b}"])) for b in (Backend.KERNEL, Backend.NUMPY))
    np.testing.assert_allclose(kernel.customers["remembered"], ref.customers["remembered"], rtol=1e-12, atol=1e-12)
    plain = run(load_run_spec(base[1:]))
    assert not np.allclose(kernel.customers["remembered"], plain.customers["remembered"])


def test_modes_equal_their_config_values():
    assert Backend.KERNEL == "kernel" and Backend.NUMPY == "numpy"
    assert EngineMode.POPULATION == "population" and EngineMode.AGENT == "agent"
