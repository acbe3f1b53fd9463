"""The checks the point fit and the Bayesian calibration share: one check, one message, for both."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsim.errors import SpecError
from cxsim.fit import bayes
from cxsim.fit import calibrate as cal
from cxsim.fit.calibration_checks import metric_value, read, shipped
from cxsim.fit.observations import ValueTarget

RUN = ["scenario=b2b_dealer", "sim.n_customers=100", "sim.n_cycles=2"]
TARGET = {"name": "r", "metric": "summary.retention_rate", "value": 0.8, "sd": 0.05}


def _error(make, *args) -> SpecError:
    with pytest.raises(SpecError) as err:
        make(*args)
    return err.value


def _same(point: SpecError, bayesian: SpecError) -> str:
    assert (point.field, point.value, point.allowed) == (bayesian.field, bayesian.value, bayesian.allowed)
    assert "\n" not in str(point)
    return str(point)


@pytest.mark.parametrize("content, expected", [
    (None, "c.yaml: '{path}' is not allowed; no such calibration file"),
    ("parameters: [unclosed\n", "c.yaml: 'invalid YAML' is not allowed;"),
    ("- a list\n", "calibration: ['a list'] is not allowed;"),
])
def test_both_read_a_bad_file_with_one_message(tmp_path, content, expected):
    path = tmp_path / "c.yaml"
    if content is not None:
        path.write_text(content)
    message = _same(_error(cal.load, path), _error(bayes.load, path))
    assert message.startswith(expected.format(path=path))


def test_both_refuse_an_unknown_name_listing_the_shipped_ones():
    message = _same(_error(cal.load, "nowhere"), _error(bayes.load, "nowhere"))
    assert message == "calibration: 'nowhere' is not allowed; a YAML file or a shipped name: " + ", ".join(shipped())
    assert {"switching", "b2b_dealer_bayes"} <= set(shipped())


def test_a_shipped_file_is_read_with_no_folder():
    data, folder = read("switching")
    assert folder is None and data["name"] == "switching" and data["targets"]


@pytest.mark.parametrize("change, expected", [
    ({"targets": []}, "targets: [] is not allowed; at least one target is required"),
    ({"targets": [TARGET, TARGET]}, "targets: ['r', 'r'] is not allowed; target names must be unique"),
    ({"name": "  "}, "name: '  ' is not allowed; a non-empty name is required"),
])
def test_both_specs_refuse_the_same_targets_and_name_alike(change, expected):
    data = {"name": "t", "parameters": {"scenario.loyalty.satisfaction_slope": {"low": 0, "high": 2}},
            "targets": [TARGET], **change}
    message = _same(_error(cal.spec_from_dict, data), _error(bayes.spec_from_dict, data))
    assert message.startswith(expected)


@pytest.mark.parametrize("change, expected", [
    ({"parameters": {"scenario.loyalty.nope": {"low": 0, "high": 1}}},
     "parameters.scenario.loyalty.nope: 'nope' is not allowed"),
    ({"parameters": {"scenario.name": {"low": 0, "high": 1}}}, "parameters.scenario.name: 'b2b_dealer' is not allowed"),
    ({"targets": [{"name": "c", "metric": "cycles.nps", "cycle": 5, "value": 1, "sd": 1}]},
     "targets.c.cycle: 5 is not allowed; the run has sim.n_cycles = 2"),
])
def test_both_check_parameters_and_cycles_against_the_run_alike(change, expected):
    data = {"name": "t", "overrides": RUN, "parameters": {"scenario.loyalty.satisfaction_slope": {"low": 0, "high": 2}},
            "targets": [TARGET], **change}
    point = _error(cal.Problem, cal.spec_from_dict(data))
    bayesian = _error(bayes.Simulator, bayes.spec_from_dict(data))
    assert _same(point, bayesian).startswith(expected)


class _Results:
    summary = pd.DataFrame({"replication": [0, 1], "retention_rate": [0.6, 0.8]})
    cycles = pd.DataFrame({"cycle": [1, 1, 2, 2], "retention_rate": [0.9, 0.7, 0.5, 0.7], "nps": [10, 20, 30, 50]})


@pytest.mark.parametrize("metric, cycle, expected", [
    ("summary.retention_rate", None, 0.7),    # the mean over replications
    ("cycles.nps", 2, 40.0),                  # the mean at the cycle
    ("switched", 1, 0.2),                     # 1 - retention at the cycle
])
def test_metric_value_reads_the_runs_tables(metric, cycle, expected):
    point = cal.Target("t", metric, 0.0, cycle=cycle)
    bayesian = ValueTarget("t", metric, 0.0, cycle=cycle, sd=1.0)
    assert metric_value(_Results(), point) == pytest.approx(expected)
    assert metric_value(_Results(), bayesian) == pytest.approx(expected)


def test_metric_value_refuses_a_missing_column_naming_the_target():
    err = _error(metric_value, _Results(), cal.Target("t", "summary.joy", 0.0))
    assert err.field == "targets.t.metric" and "no column 'joy' in the run's summary table" in str(err)
