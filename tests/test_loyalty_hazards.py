"""loyalty.switch_probability's hazard table (per lifetime count of terrible moments)."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.behaviour import loyalty
from cxsim.config import load_run_spec
from cxsim.errors import SpecError
from cxsim.specs.scenario import Loyalty

TABLE = [0.4, 0.25, 0.78]


def test_table_hazard_per_count_of_earlier_terrible_moments() -> None:
    # base 0.5 and slope 0 make r(S) = 0.5 for everyone.
    sat = np.zeros(6)
    k = np.array([0, 1, 1, 1, 2, 3])
    earlier = np.array([5, 0, 1, 7, 0, 0])
    p = loyalty.switch_probability(sat, k, np.full(6, 9.0), 0.5, 0.0, 0.3, 10.0, TABLE, earlier)
    keep = np.array([1, 0.6, 0.75, 0.22, 0.6 * 0.75, 0.6 * 0.75 * 0.22])
    np.testing.assert_allclose(p, 1 - 0.5 * keep, rtol=0, atol=1e-15)  # hazard, escalation, B unused


def test_no_table_is_the_escalation_form() -> None:
    args = (np.array([0.2, -1.0]), np.array([1.0, 2.0]), np.array([0.0, 1.5]), 0.9, 1.0, 0.3, 0.5)
    expected = loyalty.switch_probability(*args)
    for empty in (None, [], ()):
        assert np.array_equal(loyalty.switch_probability(*args, empty, np.array([3, 4])), expected)


def test_survey_rates_need_a_table() -> None:
    """With r = 1 the table [0.40, 0.25, 0.78] gives 40 / 55 / 90 % after 1, 2, 3 bad experiences."""
    left, count = 1.0, np.zeros(1, dtype=np.int64)
    shares = []
    for _ in range(3):
        left *= 1 - loyalty.switch_probability(np.zeros(1), np.ones(1), np.zeros(1), 1 - 1e-15, 0.0, 0.0,
                                               0.0, TABLE, count)[0]
        count = loyalty.update_terrible_count(count, np.ones(1))
        shares.append(1 - left)
    np.testing.assert_allclose(shares, [0.40, 0.55, 0.901], atol=1e-3)


# The table is Loyalty.terrible_hazard_by_count (renamed from terrible_hazards, which beside
# terrible_hazard read like its plural; the old config key and attribute still work).
@pytest.mark.parametrize("bad, field", [([0.4, 1.5], r"terrible_hazard_by_count\[1\]: 1.5"),
                                        ([-0.1], r"terrible_hazard_by_count\[0\]"),
                                        ("high", "terrible_hazard_by_count: 'high'"),
                                        ([None], r"terrible_hazard_by_count\[0\]")])
def test_bad_tables(bad, field) -> None:
    with pytest.raises(SpecError, match=field):
        Loyalty(terrible_hazard_by_count=bad)


def test_empty_table_is_none() -> None:
    assert Loyalty(terrible_hazard_by_count=[]).terrible_hazard_by_count is None
    assert Loyalty(terrible_hazard_by_count=[0.5, 1]).terrible_hazard_by_count == (0.5, 1.0)


def test_old_key_and_attribute_still_work() -> None:
    new = load_run_spec(["scenario.loyalty.terrible_hazard_by_count=[0.4,0.25,0.78]"]).scenario.loyalty
    old = load_run_spec(["scenario.loyalty.terrible_hazards=[0.4,0.25,0.78]"]).scenario.loyalty
    assert new == old and old.terrible_hazards == old.terrible_hazard_by_count == (0.4, 0.25, 0.78)
    with pytest.raises(SpecError) as err:
        load_run_spec(["scenario.loyalty.terrible_hazards=[0.4,1.5]"])
    assert err.value.field == "scenario.loyalty.terrible_hazards[1]"  # as the user wrote it
