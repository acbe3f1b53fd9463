"""cxsim.engine.exp: within one unit in the last place of math.exp, specials included."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.engine.exp import OVERFLOW, exp


@numba.njit
def _exps(x, out):  # the loop the kernel writes: inlined, vectorised
    for i in range(x.size):
        out[i] = exp(x[i])


def _ulps(x: np.ndarray) -> np.ndarray:
    """|exp(x) − math.exp(x)| in units in the last place of math.exp(x) (0 where both agree)."""
    got = np.empty_like(x)
    _exps(x, got)
    want = np.array([math.exp(v) if v <= OVERFLOW else math.inf for v in x])
    same = got == want
    ulp = np.spacing(np.abs(want))
    with np.errstate(invalid="ignore"):
        return np.where(same, 0.0, np.abs(got - want) / ulp)


@pytest.mark.parametrize(("lo", "hi"), [(-1.0, 1.0), (-40.0, 40.0), (-708.0, 709.78), (-745.1, -708.0),
                                        (709.0, OVERFLOW), (-1e-12, 1e-12)])
def test_within_one_unit_in_the_last_place(lo, hi):
    x = np.random.default_rng(7).uniform(lo, hi, 200_000)
    err = _ulps(x)
    assert err.max() <= 1.0
    assert np.mean(err == 0.0) > 0.8  # mostly the correctly rounded value itself


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-745.0, max_value=OVERFLOW))
def test_any_finite_argument(x):
    assert _ulps(np.array([x]))[0] <= 1.0


def test_special_values():
    x = np.array([0.0, -0.0, 0.5, -0.5, np.inf, -np.inf, np.nan, OVERFLOW, np.nextafter(OVERFLOW, np.inf), 1000.0,
                  -745.13, -745.14, -1000.0, 1e-300, 5e-324, -5e-324])
    got = np.empty_like(x)
    _exps(x, got)
    want = np.array([1.0, 1.0, math.exp(0.5), math.exp(-0.5), np.inf, 0.0, np.nan, math.exp(OVERFLOW), np.inf, np.inf,
                     math.exp(-745.13), 0.0, 0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(got, want)
    assert np.isfinite(got[7]) and got[11] == 0.0 and got[12] == 0.0
    assert got[10] == 5e-324  # the smallest subnormal


def test_exact_powers_of_e_at_integers():
    """e**n for n = −30 … 30 against math.exp: the range reduction (n·ln 2 in two parts) is exact."""
    n = np.arange(-30.0, 31.0)
    assert _ulps(n).max() <= 1.0
    got = np.empty_like(n)
    _exps(n, got)
    assert np.all(np.diff(got) > 0)
