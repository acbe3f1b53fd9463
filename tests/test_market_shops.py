"""Meisu's feedback loop: sales by number of shops (cxsim.fit.shops), its calibration hook and script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.fit import calibrate
from cxsim.fit.shops import DESIGN, sales_by_shops, with_shop_count

ROOT = Path(__file__).resolve().parents[1]
SMALL = [*DESIGN, "sim.n_customers=100", "sim.n_cycles=14", "sim.replications=1"]


def test_sales_by_shops_table():
    table = sales_by_shops(compose_config(SMALL), shops=(1, 2, 4))
    assert table["shops"].tolist() == [1, 2, 4]
    assert table.loc[0, "sales_ratio"] == 1.0
    np.testing.assert_allclose(table["sales_ratio"], table["sales"] / table.loc[0, "sales"])
    assert table["sales_ratio"].iloc[-1] > table["sales_ratio"].iloc[1] > 1.0  # more shops, more sales
    assert table["market_share"].is_monotonic_increasing
    assert table["case"].tolist() == [1.0, 2.0, 4.0]


def test_shop_count_bounds_and_market_needed():
    cfg = compose_config(SMALL)
    assert with_shop_count(cfg, 2)["scenario"]["operations"]["stores"]["count"] == 2
    assert cfg["scenario"]["operations"]["stores"]["count"] == 4  # the config itself is untouched
    with pytest.raises(SpecError, match="shops"):
        with_shop_count(cfg, 7)
    with pytest.raises(SpecError) as info:
        sales_by_shops(compose_config([*SMALL, "scenario.market.enabled=false"]), shops=(1, 2))
    assert info.value.field == "scenario.market"


def test_calibration_targets_validated():
    spec = calibrate.load("meisu_shops")
    assert spec.experiment == "meisu_shops" and tuple(spec.overrides) == DESIGN
    base = {"name": "x", "parameters": {"scenario.market.referral": {"low": 0, "high": 1}}}
    with pytest.raises(SpecError) as info:
        calibrate.spec_from_dict({**base, "targets": [{"name": "two", "metric": "sales_ratio.2", "value": 2}]})
    assert info.value.field == "targets.two.metric"  # needs experiment: meisu_shops
    with pytest.raises(SpecError) as info:
        calibrate.spec_from_dict({**base, "experiment": "meisu_shops",
                                  "targets": [{"name": "two", "metric": "sales_ratio.two", "value": 2}]})
    assert info.value.field == "targets.two.metric"


def test_calibration_problem_reads_sales_ratios():
    spec = calibrate.spec_from_dict({
        "name": "small", "overrides": SMALL, "experiment": "meisu_shops",
        "parameters": {"scenario.market.referral": {"low": 0.0, "high": 1.0}},
        "targets": [{"name": "two", "metric": "sales_ratio.2", "value": 2.0}],
    })
    prob = calibrate.Problem(spec)
    direct = sales_by_shops(prob.config(np.array(prob.start)), shops=(2,))
    assert prob.simulate(np.array(prob.start))[0] == direct.loc[0, "sales_ratio"]


def _script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "experiments" / "meisu_shops.py"), *args], check=False,
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def test_script_bad_argument_one_line_exit_2(tmp_path):
    res = _script("--n", "10", cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip() == "meisu_shops: error: argument --n: '10' is not allowed; an integer >= 50 is required"
    assert list(tmp_path.iterdir()) == []


def test_script_writes_table_and_figure(tmp_path):
    res = _script("--n", "60", "--table", str(tmp_path / "t.csv"), "--out", str(tmp_path / "figs"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    t = pd.read_csv(tmp_path / "t.csv")
    assert t["shops"].tolist() == [1, 2, 3, 4, 5, 6] and t["sales_ratio"].iloc[0] == 1.0
    assert "sales_ratio" in res.stdout
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["meisu_shops.png", "meisu_shops.svg"]


def test_calibrated_scenario_reproduces_the_case():
    """The shipped retail_street market (calibrated with ``cxsim calibrate calibrate=meisu_shops``) in the
    experiment's design: two shops at least x1.8 the sales of one, four at least x4 (the case:
    x2 and more than x4)."""
    table = sales_by_shops(compose_config(list(DESIGN)), shops=(2, 4)).set_index("shops")
    assert table.loc[2, "sales_ratio"] >= 1.8
    assert table.loc[4, "sales_ratio"] >= 4.0
