"""The files of a survey fit: a config folder that ``cxsim --config-dir`` reads, and the check.

:func:`write` lays out, in one output folder::

    scenario/<name>.yaml            the fitted scenario (all rows), with its provenance comments
    intervention/improve_<tp>.yaml  one rating step better at each 'concentrate here' touchpoint
    check.csv, check.png            the held-out posterior predictive check (:mod:`cxsim.fit.ppc`)
    memory_models.csv               the cross-validated ranking of the memory models
    simulated_survey.csv            simulated respondents (as many as the survey has rows)

so that ``cxsim run --config-dir OUT scenario=<name>`` runs the scenario and
``cxsim compare --config-dir OUT scenario=<name> compare.interventions=[improve_<tp>]`` compares
(``scenario=OUT/scenario/<name>.yaml`` works as well).
Every file is written atomically, after every fit has succeeded.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cxsim.files import write_atomic
from cxsim.fit import ppc, scenario_document
from cxsim.fit.scenario_from_survey import FittedSurvey


def write(fitted: FittedSurvey, check: ppc.CheckResult, out: str | Path, seed: int = 0) -> list[Path]:
    """Write the folder described in the module docstring; returns the paths written."""
    out = Path(out)
    name = fitted.scenario.name
    (out / "scenario").mkdir(parents=True, exist_ok=True)
    written = [fitted.to_yaml(out / "scenario" / f"{name}.yaml")]
    targets = scenario_document.concentrate_here(fitted.document, fitted.drivers)
    if targets:
        (out / "intervention").mkdir(exist_ok=True)
    for tp in targets:
        doc = scenario_document.improvement(fitted.document, tp)
        text = ("# A what-if built from the survey: the touchpoint's ratings one answer better. The cost is a\n"
                "# placeholder (0): put in what the change would cost.\n"
                + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=120))
        def write_text(p: str, t: str = text) -> int:
            return Path(p).write_text(t)
        written.append(write_atomic(out / "intervention" / f"{doc['name']}.yaml", write_text))
    written.append(write_atomic(out / "check.csv", lambda p: check.table.to_csv(p, index=False)))
    written.append(ppc.figure(check, out / "check.png"))
    written.append(write_atomic(out / "memory_models.csv", lambda p: fitted.memory.table.to_csv(p, index=False)))
    sim = fitted.simulate_survey(fitted.data.n, seed)
    written.append(write_atomic(out / "simulated_survey.csv", lambda p: sim.to_csv(p, index=False)))
    return [Path(p) for p in written]
