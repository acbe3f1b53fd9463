"""The decision report: self-contained HTML from a template, with every section, and escaped text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxsim.config import compose_config
from cxsim.optimise import make_portfolio, optimise, settings_from_dict
from cxsim.report.document import header_comment, optimisation_report, write_report
from cxsim.robustness import assess
from cxsim.robustness import settings_from_dict as robustness_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    cfg = compose_config(["sim.n_customers=300", "sim.n_cycles=3"])
    s = settings_from_dict({"candidates": {"staff_training": None, "callback_service": None},
                            "budget": 3_000_000, "trials": 4, "replications": 2, "question": "Train <or> call?",
                            "selection": {"delta": 100_000, "n0": 2, "max_replications": 4}}, "b2b_dealer")
    res = optimise(cfg, s, tmp_path_factory.mktemp("rep"))
    rs = robustness_settings({"params": [{"path": "scenario.loyalty.satisfaction_slope", "low": 0.5, "high": 1.5}],
                              "worlds": 3, "replications": 1})
    ports = {lab: make_portfolio(d, s) for lab, d in zip(res.chosen.table["portfolio"], res.chosen.doses)}
    rob = assess(cfg, ports, rs)
    return optimisation_report(res, rob, "cxsim optimise sim.n_customers=300 hydra.run.dir=NEW", "peak_end", 0, "abc")


def test_every_section_is_there(report):
    for heading in ("The question", "Scenario and assumptions", "Ranked portfolios", "Pareto front",
                    "Selecting the best", "Robustness", "PRIM", "Reproduce"):
        assert heading in report, heading
    assert "cxsim optimise sim.n_customers=300 hydra.run.dir=NEW" in report
    assert "Kim &amp; Nelson (2001)" in report


def test_self_contained_figures_embedded(report):
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', report)) >= 3
    assert not re.search(r'(src|href)="(https?:)?//', report), "no external resources"


def test_text_is_escaped(report):
    assert "Train &lt;or&gt; call?" in report and "Train <or> call?" not in report


def test_scenario_sources_are_quoted_from_the_config():
    lines = header_comment("scenario", "b2b_dealer")
    assert lines and any("Zhijiang" in line for line in lines)
    assert header_comment("scenario", "no_such") == []


def test_no_html_is_written_in_code():
    """The report's markup lives in the template only."""
    for path in (ROOT / "cxsim" / "report").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"<(table|div|tr|td|p|h[1-6]|html|body)[ >]", text), path.name


def test_write_report(tmp_path, report):
    out = write_report(report, tmp_path / "report.html")
    assert out.read_text(encoding="utf-8") == report


def test_comparison_report(tmp_path):
    from cxsim.compare import CompareSettings, compare, composer_from_overrides
    from cxsim.report.document import comparison_report

    res = compare(composer_from_overrides(["sim.n_customers=300", "sim.n_cycles=3"]),
                  CompareSettings(interventions=("staff_training", "dealer_gala"), replications=3, progress=False))
    html = comparison_report(res, "cxsim-compare compare.replications=3 hydra.run.dir=NEW")
    for heading in ("The question", "Scenario and assumptions", "Interventions compared", "Ranked interventions",
                    "Can the replications tell them apart?", "Reproduce"):
        assert heading in html, heading
    assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', html)
    assert "nan" not in re.sub(r"<img[^>]*>", "", html).lower().split("<body>")[1]
    # the gala's NPS gain over 3 cycles is nil (the meeting comes in cycle 12): its cost per point is undefined
    assert "undefined" in html
