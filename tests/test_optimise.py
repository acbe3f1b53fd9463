"""Optimisation: settings and their bad input, the search under CRN, the budget, Pareto, selection, resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.objectives import OBJECTIVES, Objective, register_objective
from cxsim.optimise import optimise, pareto_mask, settings_from_dict

SMALL = ["sim.n_customers=400", "sim.n_cycles=6"]
DOSE = {"name": "days_saved", "unit": "days", "low": 0.5, "high": 3.0, "reference": 2.0, "cost_exponent": 1.5}


def raw(**extra) -> dict:
    data = {"candidates": {"faster_delivery": {"dose": dict(DOSE)}, "staff_training": None, "callback_service": None},
            "budget": 4_000_000, "objectives": ["profit"], "trials": 8, "replications": 3, "batch": 4,
            "selection": {"delta": 500_000, "alpha": 0.05, "n0": 3, "max_replications": 12}, "top": 2}
    data.update(extra)
    return data


@pytest.fixture(scope="module")
def config() -> dict:
    return compose_config(SMALL)


@pytest.fixture(scope="module")
def result(config, tmp_path_factory):
    out = tmp_path_factory.mktemp("opt")
    return optimise(config, settings_from_dict(raw(), "b2b_dealer"), out), out


def test_outputs_are_written(result):
    res, out = result
    for name in ("trials.csv", "pareto.csv", "selection.csv", "study.journal"):
        assert (out / name).is_file(), name
    trials = pd.read_csv(out / "trials.csv")
    assert 8 <= len(trials) < 8 + 4 and trials["portfolio"].is_unique  # stops after the batch reaching 8
    for col in ("portfolio", "profit", "profit_ci_low", "profit_ci_high", "spend", "feasible", "pareto",
                "dose:faster_delivery"):
        assert col in trials
    sel = pd.read_csv(out / "selection.csv")
    assert {"probability_correct_selection", "replications_used", "chosen", "statement"} <= set(sel.columns)
    assert sel["replications_used"].iloc[0] == res.chosen.selection.total_replications >= 3 * len(sel)


def test_single_interventions_come_first_at_their_reference_dose(result):
    res, _ = result
    first = res.trials.sort_values("trial").head(3)
    assert list(first["portfolio"]) == ["faster_delivery@2", "staff_training@1", "callback_service"]
    assert list(first["members"]) == [1, 1, 1]


def test_budget_marks_feasibility_and_the_best_is_within_it(result):
    res, _ = result
    t = res.trials
    assert (t["feasible"] == (t["spend"] <= 4_000_000)).all()
    best = t[t["best_for"].str.contains("profit", na=False)]
    assert len(best) == 1 and bool(best["feasible"].iloc[0])
    assert best["profit"].iloc[0] == t[t["feasible"]]["profit"].max()
    assert res.pareto["feasible"].all()


def test_best_portfolio_is_at_least_the_best_single_within_the_budget(result):
    """On the same replications the search's best is never below the best single intervention, and the
    selected one is not worse than it beyond the paired interval."""
    res, _ = result
    t = res.trials[res.trials["feasible"]]
    assert t["profit"].max() >= t[t["members"] == 1]["profit"].max()
    m, lo, hi, n = res.chosen.versus_single
    assert n >= 3 and hi >= 0.0 and lo <= m <= hi


def test_every_evaluation_uses_common_random_numbers(result, config):
    """A trial's outcome is reproduced by the paired difference of its own runs on replications 0..R-1."""
    from cxsim.evaluation import Evaluator
    from cxsim.optimise import make_portfolio

    res, _ = result
    s = res.settings
    row = res.trials.iloc[1]  # staff_training alone
    d = Evaluator(config, 3).paired([make_portfolio({"staff_training": None}, s)], [0, 1, 2])[0]
    assert row["profit"] == pytest.approx(d["profit"].mean())


def test_pareto_rows_are_not_dominated(result):
    res, _ = result
    front = res.pareto
    feas = res.trials[res.trials["feasible"]]
    for r in front.itertuples():
        dominated = ((feas["profit"] >= r.profit) & (feas["spend"] <= r.spend)
                     & ((feas["profit"] > r.profit) | (feas["spend"] < r.spend)))
        assert not dominated.any()


def test_pareto_mask_on_a_known_table():
    s = settings_from_dict(raw(), "b2b_dealer")
    t = pd.DataFrame({"profit": [1.0, 2.0, 2.0, 3.0, 5.0], "spend": [1.0, 1.0, 2.0, 3.0, 1.0],
                      "feasible": [True, True, True, True, False]})
    assert pareto_mask(t, s).tolist() == [False, True, False, True, False]


def test_same_settings_same_trials_and_the_search_resumes(config, result, tmp_path):
    """A search stopped after its first batch of 4 and resumed in the same folder ends exactly as the
    uninterrupted one (the sampler of each batch is seeded by the number of trials already told)."""
    res, _ = result
    a = optimise(config, settings_from_dict(raw(trials=4), "b2b_dealer"), tmp_path)
    assert 4 <= len(a.trials) < 8
    b = optimise(config, settings_from_dict(raw(trials=8), "b2b_dealer"), tmp_path)  # resumes: 4 more
    cols = ["trial", "portfolio", "profit", "spend"]
    pd.testing.assert_frame_equal(b.trials[cols].head(len(a.trials)), a.trials[cols])
    pd.testing.assert_frame_equal(b.trials[cols], res.trials[cols])  # identical to the uninterrupted search


def test_a_folder_with_other_settings_is_refused(config, tmp_path):
    optimise(config, settings_from_dict(raw(trials=4), "b2b_dealer"), tmp_path)
    with pytest.raises(SpecError) as err:
        optimise(config, settings_from_dict(raw(trials=4, budget=1.0), "b2b_dealer"), tmp_path)
    assert err.value.field == "optimise" and "other settings" in err.value.allowed


def test_two_objectives_use_nsga2(config, tmp_path):
    s = settings_from_dict(raw(objectives=["profit", "nps"], trials=8, budget=None), "b2b_dealer")
    assert s.sampler_name == "nsga2"
    res = optimise(config, s, tmp_path)
    t = res.trials
    assert t["feasible"].all()
    x = np.column_stack([t["profit"], t["nps"], -t["spend"]])
    for i in np.flatnonzero(t["pareto"]):
        assert not np.any(np.all(x >= x[i], axis=1) & np.any(x > x[i], axis=1))


def test_no_feasible_portfolio_is_a_clear_error(config, tmp_path):
    s = settings_from_dict(raw(budget=0.0, trials=3), "b2b_dealer")
    with pytest.raises(SpecError) as err:
        optimise(config, s, tmp_path)
    assert err.value.field == "optimise.budget"


def test_registered_objective_extension_point():
    register_objective(Objective("clv_test", "profit", "maximize", "Δ CLV"))
    try:
        s = settings_from_dict(raw(objectives=["clv_test"]), "b2b_dealer")
        assert s.primary.column == "profit"
    finally:
        OBJECTIVES.pop("clv_test")
    s = settings_from_dict(raw(objectives=[{"metric": "terrible_moments", "direction": "minimize"}]), "b2b_dealer")
    assert s.primary.column == "terrible_moments" and s.primary.sign == -1.0


@pytest.mark.parametrize("change, field", [
    ({"colour": 1}, "optimise.colour"),
    ({"candidates": {}}, "optimise.candidates"),
    ({"candidates": {"no_such": None}}, "optimise.candidates.no_such"),
    ({"candidates": {"callback_service": {"low": 1}}}, "optimise.candidates.callback_service.low"),
    ({"candidates": {"dealer_gala": {"low": 5}}}, "optimise.candidates.dealer_gala.levels"),
    ({"candidates": {"faster_delivery": {"dose": {"name": "d", "low": 3, "high": 1}}}},
     "optimise.candidates.faster_delivery.dose.low"),
    ({"objectives": ["happiness"]}, "optimise.objectives[0].metric"),
    ({"objectives": [{"metric": "profit", "direction": "up"}]}, "optimise.objectives[0].direction"),
    ({"objectives": ["profit", "profit"]}, "optimise.objectives"),
    ({"budget": -1}, "optimise.budget"),
    ({"replications": 1}, "optimise.replications"),
    ({"trials": 0}, "optimise.trials"),
    ({"sampler": "grid"}, "optimise.sampler"),
    ({"selection": {"delta": 0}}, "optimise.selection.delta"),
    ({"selection": {"max_replications": 2}}, "optimise.selection.max_replications"),
    ({"selection": {"speed": 2}}, "optimise.selection.speed"),
])
def test_bad_settings_name_the_field(change, field):
    with pytest.raises(SpecError) as err:
        settings_from_dict(raw(**change), "b2b_dealer")
    assert err.value.field == field, str(err.value)


def test_narrowed_dose_range(config):
    s = settings_from_dict(raw(candidates={"faster_delivery": {"dose": dict(DOSE), "low": 1.0, "high": 2.5}}),
                           "b2b_dealer")
    assert s.candidates[0].dose.bounds == (1.0, 2.5) and s.candidates[0].dose.reference == 2.0


@pytest.mark.parametrize("name, objectives", [("b2b_budget", ["profit"]), ("b2b_profit_nps", ["profit", "nps"])])
def test_shipped_example_settings_are_valid(name, objectives):
    data = compose_config([f"+optimise={name}"])["optimise"]
    s = settings_from_dict({k: v for k, v in data.items() if k != "robustness"}, "b2b_dealer")
    assert len(s.candidates) == 5 and sum(c.dose is not None for c in s.candidates) == 4
    assert [o.metric for o in s.objectives] == objectives
    assert s.sampler_name == ("tpe" if len(objectives) == 1 else "nsga2")
    assert Path(__file__).parent.joinpath("..", "configs", "optimise", f"{name}.yaml").resolve().is_file()


def test_dose_grid_holds_the_reference_and_the_levels():
    from cxsim.optimise import dose_grid
    from cxsim.portfolio import Dose

    grid = dose_grid(Dose(name="d", low=0.5, high=2.0, reference=1.0), 10)
    assert 1.0 in grid and grid[0] == 0.5 and grid[-1] == 2.0 and len(grid) == 12
    assert dose_grid(Dose(name="d", levels=(1.0, 2.0, 3.0), reference=2.0), 10) == [1.0, 2.0, 3.0]
    assert dose_grid(Dose(name="d", low=0.5, high=2.0, reference=1.0), 0) is None


def test_narrowing_levels_keeps_the_levels_between():
    s = settings_from_dict(raw(candidates={"dealer_gala": {"low": 2}}), "b2b_dealer")
    assert s.candidates[0].dose.levels == (2.0, 3.0) or list(s.candidates[0].dose.levels) == [2, 3]


def test_worker_processes_give_the_same_search(config, result, tmp_path):
    """The batch, not the number of workers, shapes the search: n_jobs=2 reproduces n_jobs=1 exactly."""
    res, _ = result
    two = optimise(config, settings_from_dict(raw(n_jobs=2), "b2b_dealer"), tmp_path)
    cols = ["trial", "portfolio", "profit", "nps", "spend", "feasible", "pareto"]
    pd.testing.assert_frame_equal(two.trials[cols], res.trials[cols])
    pd.testing.assert_frame_equal(two.chosen.table, res.chosen.table)
