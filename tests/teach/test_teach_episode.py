"""Episodes, presets and remembered values: the numbers the page and the notebooks show."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxsim.behaviour import memory
from cxsim.errors import SpecError
from cxsim.teach.episode import MODEL_LABELS, PRESETS, Episode, parse_moments, preset, remember


def test_colonoscopy_patients_by_hand() -> None:
    # A: peak 8, end 7, mean 41/8; B: peak 8, end 1, mean 95/24 (affect = -pain). Exact to 1e-12.
    a, b = preset("colonoscopy_A"), preset("colonoscopy_B")
    assert remember(a, "peak_end") == pytest.approx(-(0.4 * 8 + 0.4 * 7 + 0.2 * 41 / 8), abs=1e-12)
    assert remember(b, "peak_end") == pytest.approx(-(0.4 * 8 + 0.4 * 1 + 0.2 * 95 / 24), abs=1e-12)
    assert remember(b, "peak_end") > remember(a, "peak_end")  # B remembered as less painful
    assert remember(b, "total") == pytest.approx(-95.0, abs=1e-12)  # pain-minutes
    assert remember(b, "total") < remember(a, "total")  # ... though B suffered more


def test_cold_water_presets() -> None:
    short, long = preset("cold_water_short"), preset("cold_water_long")
    assert short.affect == (-3.0,) * 6 and long.affect[-1] == pytest.approx(-2.0)
    assert remember(long, "peak_end") > remember(short, "peak_end")
    assert remember(long, "total") < remember(short, "total")  # more pain in all
    assert remember(long, "integral") > remember(short, "integral")  # the time average rises


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("model", list(MODEL_LABELS))
def test_remember_is_the_library(name: str, model: str) -> None:
    ep = PRESETS[name]
    a, d = ep.values, ep.seconds
    expected = {
        "peak_end": memory.peak_end(a), "mean": memory.mean(a), "integral": memory.integral(a, d),
        "total": memory.total(a, d, per=60.0), "end": memory.end(a), "peak": memory.peak(a),
        "recency": memory.recency(a, half_life=2.0),
    }[model]
    assert remember(ep, model) == float(expected)


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=30))
def test_bounded_models_stay_between_worst_and_best(values: list[float]) -> None:
    ep = Episode("h", tuple(values))
    for model in ("peak_end", "mean", "integral", "end", "peak", "recency"):
        assert min(values) - 1e-9 <= remember(ep, model) <= max(values) + 1e-9


@pytest.mark.parametrize("text, field", [("", "moments"), ("  , ", "moments"), ("1, two, 3", "moments[1]"),
                                         ("1 nan", "moments[1]")])
def test_parse_moments_rejects(text: str, field: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_moments(text)
    assert err.value.field == field


def test_bad_episodes_and_presets() -> None:
    with pytest.raises(SpecError, match="at least one moment"):
        Episode("e", ())
    with pytest.raises(SpecError, match="preset: 'boiling_water' is not allowed"):
        preset("boiling_water")
    with pytest.raises(SpecError, match=r"moments\[2\]"):
        preset("cold_water_short").with_moment(2, "warm")
    with pytest.raises(SpecError, match="model"):
        remember(preset("cold_water_short"), "median")
    assert parse_moments("-3, -3 -1").affect == (-3.0, -3.0, -1.0)
    assert preset("cold_water_short").with_moment(5, "-1").affect[-1] == -1.0
    assert np.isfinite(remember(parse_moments("0"), "total"))
