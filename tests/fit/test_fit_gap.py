"""The seven-step gap analysis: the Meisu figures of DESIGN.md exactly, ratio form, step 5 simulated, step 7."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.cli import fit as cli
from cxsim.errors import SpecError
from cxsim.fit import gap


def test_meisu_figures_exactly() -> None:
    a = gap.seven_step(gap.meisu_table())
    t = a.table.set_index("factor")
    # step 2a experience, 2b expectation as in the case studies
    assert t["experience"].to_dict() == {"price": 7, "brand_image": 7, "service": 6, "product": 6,
                                         "convenience": 5, "relationship": 4}
    # 2c = 2a - 2b: convenience -2, product -1, price and brand image 0
    assert t.loc["convenience", "satisfaction"] == -2 and t.loc["product", "satisfaction"] == -1
    assert t.loc["price", "satisfaction"] == 0 and t.loc["brand_image", "satisfaction"] == 0
    assert np.isnan(t.loc["service", "satisfaction"])  # the case studies give no expectation for service
    # step 3: key experience = importance x satisfaction = 9 x -2 = -18
    assert t.loc["convenience", "key_experience"] == -18 and a.key_experience == "convenience"
    # step 4: gap to the ideal (10 for convenience, the actual elsewhere) = -5
    assert t.loc["convenience", "gap_to_ideal"] == -5 and a.largest_gap == "convenience"
    assert (t.drop(index="convenience")["gap_to_ideal"] == 0).all()
    assert "9 x satisfaction -2 = -18" in a.summary()


def test_ratio_form() -> None:
    a = gap.seven_step(gap.meisu_table(), form="ratio")
    t = a.table.set_index("factor")
    assert t.loc["convenience", "satisfaction"] == pytest.approx(5 / 7)
    assert t.loc["convenience", "key_experience"] == pytest.approx(9 * (5 / 7 - 1))
    assert t.loc["convenience", "gap_to_ideal"] == pytest.approx(0.5)
    assert a.key_experience == a.largest_gap == "convenience"


def test_requirement_is_an_intervention_that_closes_the_gap() -> None:
    from cxsim.specs.intervention import apply_changes, resolve

    req = gap.requirement(gap.seven_step(gap.meisu_table()), "retail_street")
    assert req["name"] == "close_gap_convenience"
    iv = resolve(req, "retail_street")
    cfg = {"scenario": {"journey": {"touchpoints": [{"name": "convenience", "performance": {"mean": 5.0}}]}}}
    assert apply_changes(cfg, iv)["scenario"]["journey"]["touchpoints"][0]["performance"]["mean"] == 10.0


def test_simulated_step_five_raises_satisfaction() -> None:
    req = gap.requirement(gap.seven_step(gap.meisu_table()), "retail_street")
    comp = gap.simulate_requirement(req, ["scenario=retail_street", "sim.n_customers=400", "sim.n_cycles=3"],
                                    replications=2)
    t = comp.table.set_index("metric")
    assert t.loc["satisfaction", "delta"] > 0 and t.loc["nps", "delta"] > 0


SMALL_RUN = ["scenario=retail_street", "sim.n_customers=600", "sim.n_cycles=4", "sim.seed=0"]


def test_step_seven_closes_the_loop() -> None:
    """After the requirement the re-measured convenience gap shrinks and its key experience turns
    positive; sales grow with the number of shops (direction only: the ratios are the model's)."""
    analysis = gap.seven_step(gap.meisu_table())
    fb = gap.feedback(analysis, gap.requirement(analysis, "retail_street"), SMALL_RUN, replications=1)
    r = fb.remeasured()
    assert list(r.index) == list(analysis.table["factor"])  # the analysis's factors, not shop_visit in minutes
    conv = r.loc["convenience"]
    assert conv["gap_to_ideal_before"] < -4 and abs(conv["gap_to_ideal_after"]) < 0.5 * abs(conv["gap_to_ideal_before"])
    assert conv["experience_after"] > conv["experience_before"] + 3
    assert conv["satisfaction_after"] > conv["satisfaction_before"]
    assert conv["key_experience_before"] < 0 < conv["key_experience_after"]
    # Expectations adapt to the better convenience: satisfaction rises by less than experience does.
    assert conv["expectation_after"] > conv["expectation_before"]
    assert conv["satisfaction_after"] - conv["satisfaction_before"] < conv["experience_after"] - conv["experience_before"]
    others = r.drop(index="convenience")
    assert (others["gap_to_ideal_before"] == 0).all() and (others["gap_to_ideal_after"] == 0).all()
    assert fb.largest_gap_before == "convenience" and fb.cycle == 4
    shops = fb.shops()
    rev = shops[shops["quantity"] == "revenue"].set_index("item")["ratio"]
    assert list(rev.index) == ["1 shop", "2 shops", "3 shops", "4 shops"]
    assert rev["1 shop"] == 1.0 and rev.is_monotonic_increasing and rev["4 shops"] > 1.2
    ret = shops[shops["quantity"] == "retention_rate"].set_index("item")["after"]
    assert ret.is_monotonic_increasing  # the only way to more sales here: no new customers are drawn in


def test_step_seven_without_the_shops_sweep() -> None:
    analysis = gap.seven_step(gap.meisu_table())
    req = gap.requirement(analysis, "retail_street")
    fb = gap.feedback(analysis, req, SMALL_RUN, replications=1, shops=())
    assert fb.shops().empty and not fb.remeasured().empty


BAD = {
    "no experience column": (pd.DataFrame({"factor": ["a"], "expectation": [3]}), r"column 'experience': missing"),
    "blank experience": (pd.DataFrame({"factor": ["a", "b"], "experience": [3, None]}), r"column 'experience', line 3"),
    "duplicate factor": (pd.DataFrame({"factor": ["a", "a"], "experience": [3, 4]}), r"column 'factor', line 3: 'a'"),
    "negative importance": (pd.DataFrame({"factor": ["a"], "experience": [3], "importance": [-1]}), r"column 'importance', line 2"),
    "text": (pd.DataFrame({"factor": ["a"], "experience": ["high"]}), r"column 'experience', line 2: 'high'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_tables(case) -> None:
    frame, pattern = BAD[case]
    with pytest.raises(SpecError, match=pattern):
        gap.seven_step(frame)


def test_ratio_needs_positive_expectations() -> None:
    with pytest.raises(SpecError, match=r"column 'expectation', line 2: 0.0 is not allowed; the ratio form"):
        gap.seven_step(pd.DataFrame({"factor": ["a"], "experience": [3], "expectation": [0]}), form="ratio")


def test_gap_command(tmp_path, capsys) -> None:
    table = tmp_path / "factors.csv"
    gap.meisu_table().to_csv(table, index=False)
    cli.main(["gap", str(table), "--out", str(tmp_path / "g")])
    out = capsys.readouterr().out
    assert "convenience (importance 9 x satisfaction -2 = -18)" in out
    assert pd.read_csv(tmp_path / "g" / "gap.csv").shape[0] == 6 and (tmp_path / "g" / "gap.png").is_file()


def test_gap_command_simulates_steps_five_and_seven(tmp_path, capsys) -> None:
    cli.main(["gap", "--example", "meisu", "--simulate", "retail_street", "--customers", "400", "--cycles", "3",
              "--replications", "2", "--shops", "1,4", "--quiet", "--out", str(tmp_path / "g")])
    out = capsys.readouterr().out
    assert "step 7, the feedback loop" in out and "4 shops  revenue x" in out
    fb = pd.read_csv(tmp_path / "g" / "feedback.csv")
    assert list(fb.columns) == ["section", "item", "quantity", "before", "after", "change", "ratio", "published"]
    assert set(fb["section"]) == {"remeasured", "shops"}
    assert (tmp_path / "g" / "requirement_comparison.csv").is_file()


def test_gap_command_bad_shops_is_one_line(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["gap", "--example", "meisu", "--simulate", "retail_street", "--shops", "1,0", "--out", str(tmp_path / "g")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "--shops: '0' is not allowed" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "g").exists()


def test_gap_command_bad_scenario_writes_nothing(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["gap", "--example", "meisu", "--simulate", "nowhere", "--out", str(tmp_path / "g")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "scenario: 'nowhere' is not allowed" in err and not (tmp_path / "g").exists()
