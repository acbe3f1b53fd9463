"""Property tests (hypothesis) for invariants of the fitting code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.fit import drivers
from cxsim.fit.gap import seven_step
from cxsim.fit.memory_fit import compare_memory_models
from cxsim.fit.survey import Scale, load_long
from cxsim.fit.synthetic import long_episodes

seeds = st.integers(0, 2**31 - 1)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, k=st.integers(2, 6))
def test_shapley_shares_sum_to_r2_and_are_non_negative(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, k)) + rng.normal(size=(200, 1))  # correlated touchpoints
    y = x @ rng.uniform(-1, 1, k) + rng.normal(size=200)
    phi, method = drivers.importance(x, y)
    r2 = sm.OLS(y, sm.add_constant(x)).fit().rsquared
    assert method == "shapley" and np.isclose(phi.sum(), r2, atol=1e-9) and (phi >= -1e-12).all()


@settings(max_examples=10, deadline=None)
@given(seed=seeds, a=st.floats(0.2, 5.0), b=st.floats(-10, 10))
def test_memory_weights_do_not_depend_on_the_retrospective_units(seed: int, a: float, b: float) -> None:
    """An affine change of the retrospective scale changes intercept and scale, not the weights."""
    df = long_episodes(np.random.default_rng(seed), 60, 2, truth="peak_end",
                       truth_params={"w_peak": 0.4, "w_end": 0.4}, scale=Scale(0, 10))
    kw = dict(episode="respondent,episode", order="order", rating="rating", retrospective="retrospective",
              scale=Scale(0, 10), retrospective_scale=Scale(-1e6, 1e6))
    one = compare_memory_models(load_long(df, **kw), bootstrap=0, models=["peak_end"])
    two = compare_memory_models(load_long(df.assign(retrospective=a * df["retrospective"] + b), **kw),
                                bootstrap=0, models=["peak_end"])
    p1, p2 = one.fitted["peak_end"].params, two.fitted["peak_end"].params
    assert np.isclose(p1["w_peak"], p2["w_peak"], atol=1e-7) and np.isclose(p1["w_end"], p2["w_end"], atol=1e-7)
    assert np.isclose(p2["scale"], a * p1["scale"], rtol=1e-7)
    assert np.isclose(one.table["cv_r"].iloc[0], two.table["cv_r"].iloc[0], atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(exp_=st.lists(st.integers(1, 10), min_size=1, max_size=8), data=st.data())
def test_gap_key_experience_is_the_most_negative_product(exp_: list[int], data) -> None:  # type: ignore[no-untyped-def]
    n = len(exp_)
    expect = data.draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    imp = data.draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    t = pd.DataFrame({"factor": [f"f{i}" for i in range(n)], "experience": exp_, "expectation": expect,
                      "importance": imp, "ideal": [10] * n})
    a = seven_step(t)
    key = np.array(imp) * (np.array(exp_) - np.array(expect))
    assert a.table["key_experience"].min() == key.min()
    assert a.row(a.key_experience)["key_experience"] == key.min()
    assert (a.table["gap_to_ideal"] == np.array(exp_) - 10).all()
