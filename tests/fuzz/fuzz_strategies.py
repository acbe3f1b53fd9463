"""Hypothesis strategies for the fuzzing suite: CLI overrides and scenario files, valid and invalid."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Keys a user overrides, with the kind of value each normally takes.
KEYS = {
    "sim.n_customers": "int", "sim.n_cycles": "int", "sim.replications": "int", "sim.seed": "int",
    "sim.engine": "word", "runtime.threads": "int", "runtime.backend": "word", "outputs.customers": "word",
    "outputs.figures": "bool", "outputs.moments": "bool", "memory.w_peak": "unit", "memory.w_end": "unit",
    "memory.retention": "unit", "memory.noise": "float", "scenario.word_of_mouth.degree": "int",
    "scenario.word_of_mouth.network": "word", "scenario.word_of_mouth.rewire": "unit",
    "scenario.loyalty.base_repurchase": "unit", "scenario.loyalty.terrible_hazard": "unit",
    "scenario.economics.revenue_per_purchase": "float", "scenario.economics.currency": "word",
    "scenario.operations.scale": "float", "scenario.journey.touchpoints.0.performance.sd": "float",
    "scenario.journey.touchpoints.0.name": "word", "scenario.population.segments.0.share": "unit",
    "scenario.population.segments.0.name": "word", "scenario.name": "word",
}
#: Text a user might type: ASCII, accents, Chinese, emoji, control and quoting characters.
NAMES = st.one_of(
    st.sampled_from(["交付速度", "经销商", "品牌形象", "客户", "café", "naïve", "a b", "", " ", "x" * 200,
                     "null", "true", "1e3", "-", "'", '"', "[1,2]", "{a: 1}", "${oc.env:HOME}", "😀",
                     "line\nbreak", "tab\there", "\\", "$", "%", "a=b", "a,b"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
NUMBERS = st.one_of(
    st.integers(-3, 3), st.integers(-10**13, 10**13), st.sampled_from([0, 1, 2, 1e3, 2.0, 2.5, 1e-9, 1e12, -0.0]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
)


def _text(value: Any) -> str:
    """A value as a user types it on the command line."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, float) else str(value)


@st.composite
def override(draw: st.DrawFn) -> str:
    """One ``key=value``: the key from :data:`KEYS`, the value of its kind or of another."""
    key = draw(st.sampled_from(sorted(KEYS)))
    kind = KEYS[key]
    right = {
        "int": st.integers(1, 60), "unit": st.floats(0, 1), "float": st.floats(0, 10),
        "bool": st.booleans(), "word": st.sampled_from(["population", "numpy", "never", "random", "CNY", "mine"]),
    }[kind]
    value = draw(st.one_of(right, right, NUMBERS, NAMES, st.booleans()))
    return f"{key}={_text(value)}"


def overrides() -> st.SearchStrategy[list[str]]:
    """A few overrides, mostly plausible, some not."""
    return st.lists(override(), min_size=1, max_size=4)


@st.composite
def scenario(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario file's contents: a journey of 1-3 touchpoints, 1-2 segments, names of any script."""
    n_tp = draw(st.integers(1, 3))
    tp_names = draw(st.lists(NAMES, min_size=n_tp, max_size=n_tp))
    stages = draw(st.lists(NAMES, min_size=1, max_size=2))
    touchpoints = []
    for name in tp_names:
        tp: dict[str, Any] = {
            "name": name,
            "stage": draw(st.sampled_from(stages)) if draw(st.booleans()) or True else draw(NAMES),
            "performance": {"dist": "normal", "mean": draw(st.one_of(st.floats(1, 5), NUMBERS)),
                            "sd": draw(st.one_of(st.floats(0, 1), NUMBERS)), "low": 1, "high": 5},
            "expectation": {"dist": "normal", "mean": 3.5, "sd": 0.3, "low": 1, "high": 5},
        }
        if draw(st.booleans()):
            tp["importance"] = draw(st.one_of(st.floats(0, 10), NUMBERS))
        touchpoints.append(tp)
    n_seg = draw(st.integers(1, 2))
    seg_names = draw(st.lists(NAMES, min_size=n_seg, max_size=n_seg))
    shares = [1.0] if n_seg == 1 else [0.4, 0.6]
    if draw(st.integers(0, 4)) == 0:
        shares = [draw(NUMBERS) for _ in shares]
    segments = [{"name": n, "share": s} for n, s in zip(seg_names, shares)]
    doc: dict[str, Any] = {
        "name": draw(st.one_of(st.just("fuzzed"), NAMES)),
        "journey": {"stages": stages, "touchpoints": touchpoints},
        "population": {"segments": segments},
    }
    if draw(st.booleans()):
        doc["word_of_mouth"] = {"network": draw(st.sampled_from(["small_world", "random", "none", "mesh"])),
                                "degree": draw(st.one_of(st.integers(0, 8), NUMBERS))}
    return doc


PATHS = st.sampled_from(["sim.seed", "scenario.loyalty.base_repurchase", "memory.w_peak", "intervention",
                         "scenario.journey.touchpoints.0.performance.mean", "scenario.nope", "交付", ""])


@st.composite
def sweep_overrides(draw: st.DrawFn) -> list[str]:
    """``cxsim sweep`` overrides: a sampler, sizes and one or two parameters, valid or not."""
    sampler = draw(st.sampled_from(["grid", "lhs", "random", "sobol", "morris", "网格"]))
    n = draw(st.one_of(st.integers(1, 8), NUMBERS))
    params = []
    for _ in range(draw(st.integers(0, 2))):
        path = draw(PATHS)
        if draw(st.booleans()):
            values = draw(st.lists(st.one_of(st.integers(0, 5), NAMES), min_size=0, max_size=3))
            listed = ", ".join(f"'{v}'" for v in values)
            params.append(f"{{path: '{path}', values: [{listed}]}}")
        else:
            low, high = draw(st.floats(0, 1)), draw(st.one_of(st.floats(0, 1), NUMBERS))
            num = draw(st.one_of(st.integers(1, 4), NUMBERS))
            params.append(f"{{path: '{path}', low: {low}, high: {_text(high)}, num: {_text(num)}}}")
    return [f"sweep.sampler={sampler}", f"sweep.n_samples={_text(n)}",
            f"sweep.replications={_text(draw(st.one_of(st.integers(1, 2), NUMBERS)))}",
            "sweep.params=[" + ", ".join(params) + "]"]


@st.composite
def compare_overrides(draw: st.DrawFn) -> list[str]:
    """``cxsim compare`` overrides: replications, ranking, confidence and interventions, valid or not."""
    names = draw(st.lists(st.one_of(st.sampled_from(["dealer_gala", "faster_delivery", "staff_training"]), NAMES),
                          min_size=1, max_size=2))
    return [f"compare.replications={_text(draw(st.one_of(st.integers(2, 4), NUMBERS)))}",
            f"compare.rank_by={draw(st.one_of(st.sampled_from(['profit', 'nps', 'roi']), NAMES))}",
            f"compare.confidence={_text(draw(st.one_of(st.floats(0.5, 0.99), NUMBERS)))}",
            "compare.interventions=[" + ",".join(f"'{n}'" for n in names) + "]"]
