r"""``cxsim compare``: every intervention against the baseline, paired, with intervals.

    cxsim compare                                              # every shipped intervention, R = 10
    cxsim compare compare.interventions=[dealer_gala,faster_delivery] compare.replications=20 \
                  sim.n_customers=5000 hydra.run.dir=outputs/compare
    cxsim compare scenario=path/to/my_scenario.yaml            # a scenario file of your own
    cxsim compare posterior=outputs/calib/posterior.parquet    # with parameter uncertainty

``cxsim-compare`` is an alias kept for one release. A Hydra app like ``cxsim run``: the same config
groups and overrides. The composed config (with ``intervention=none`` unless chosen otherwise) is
the baseline; each arm is the same config with ``intervention=<name>``. Everything is composed and
validated before Hydra creates the run directory; bad input is one line naming the field, exit
status 2. Writes ``comparison.csv``, ``ranking.csv``, ``pairs.csv``, ``runs.csv``, ``notes.txt``,
``comparison.png`` and ``report.html`` (the comparison as one self-contained page). With a posterior
of a Bayesian calibration (``posterior=FILE``, short for
``compare.posterior=FILE``) those tables hold the parameters fixed at the posterior means, and
``uncertainty.csv`` / ``runs_posterior.csv`` add the effects with parameter uncertainty: each
replication at its own posterior draw, the same in every arm, with credible intervals and the
probability that each intervention beats the baseline.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from hydra import compose
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim import resources, sanity
from cxsim.cli.hydra_app import alias_note, launch, note_unused
from cxsim.compare import (
    CompareSettings,
    Composer,
    compare,
    composer_from_overrides,
    load_posterior,
    plan,
    settings_from_dict,
)
from cxsim.config import Prepared, compose_config, explain
from cxsim.errors import SpecError, fail
from cxsim.execution.settings import Execution, execution_from_dict
from cxsim.report.comparison import report
from cxsim.report.document import comparison_report, write_report
from cxsim.specs.mapping import whole_ints

HELP = """\
usage: cxsim compare [key=value ...]

Run every intervention (or those in compare.interventions) against the baseline with paired
replications and common random numbers; report effects with confidence intervals and a ranking.

examples:
  cxsim compare compare.interventions=[dealer_gala,faster_delivery] compare.replications=20
  cxsim compare scenario=retail_street sim.n_customers=5000 hydra.run.dir=outputs/compare
  cxsim compare execution=ray execution.workers=8 hydra.run.dir=outputs/compare
  cxsim compare posterior=outputs/calib/posterior.parquet compare.replications=40
"""


def _hydra_composer(overrides: list[str], searchpath: Sequence[str]) -> Composer:
    """Compose arms inside the running Hydra app (same search path and overrides)."""

    def composer(name: str) -> dict[str, Any]:
        arm = [*overrides, f"intervention={name}"] if name else list(overrides)
        try:
            cfg = compose(
                "config", overrides=Prepared(tuple(arm), tuple(searchpath)).hydra_overrides()
            )
        except (HydraException, OmegaConfBaseException) as err:
            raise explain(err, arm, searchpath) from None
        data = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(data, dict)
        data.pop("hydra", None)
        return cast(dict[str, Any], data)

    return composer


def _task(cfg: DictConfig, prog: str) -> None:
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    try:
        settings = settings_from_dict(whole_ints(CompareSettings, OmegaConf.to_container(cfg.compare, resolve=True)))
        execution = execution_from_dict(whole_ints(Execution, OmegaConf.to_container(cfg.execution, resolve=True)))
        composer = _hydra_composer(list(hc.overrides.task), list(hc.searchpath))
        arms = plan(composer, settings)
        specs = [a.spec for a in (arms.baseline, *arms.arms)]
        warned = sanity.report(sanity.combine([sanity.check(spec) for spec in specs], "arms"), prog)
        result = compare(composer, settings, execution)
    except SpecError as err:
        fail(prog, err)
    written = result.save(out)
    warned += sanity.report(sanity.combine(sanity.check_runs(result.runs, "arm"), "arms"), prog)
    written += sanity.save(warned, out)
    written.append(result.figure(out / "comparison.png"))
    command = " ".join(["cxsim compare", *(shlex.quote(o) for o in hc.overrides.task if not o.startswith("hydra.")),
                        "hydra.run.dir=NEW_FOLDER"])
    written.append(write_report(comparison_report(result, command), out / "report.html"))
    print(report(result))
    print(f"\nwrote {', '.join(p.name for p in written)}\n   to {out}")


def check(argv: list[str]) -> None:
    """Compose and validate the baseline, every arm and the compare settings (raises SpecError)."""
    cfg = compose_config(argv)
    settings = settings_from_dict(whole_ints(CompareSettings, cfg.get("compare")))
    if settings.posterior is not None:  # its parameters must exist in the config, before anything runs
        load_posterior(settings.posterior).check(cfg)
    execution = execution_from_dict(whole_ints(Execution, cfg.get("execution")))
    note_unused(argv, "sim.replications", f"cxsim compare runs compare.replications ({settings.replications}) "
                "per arm", "cxsim compare")
    p = plan(composer_from_overrides(argv), settings)
    one = resources.estimate_run(replace(p.baseline.spec, sim=replace(p.baseline.spec.sim, replications=1)))
    workers = max(settings.n_jobs if settings.n_jobs > 0 else (os.cpu_count() or 1), execution.cores or 1)
    estimate = resources.plan_estimate(1 + len(p.arms), settings.replications, one, workers)
    resources.check_fits(estimate, f"this comparison ({1 + len(p.arms)} arms x {settings.replications} replications)",
                         *resources.largest_setting(p.baseline.spec))
    line = resources.announce("cxsim compare", estimate)
    if line:
        print(line, file=sys.stderr)


def shorthand(arg: str) -> str:
    """``posterior=FILE`` is short for ``compare.posterior=FILE``; other arguments pass unchanged."""
    return "compare." + arg if arg.startswith("posterior=") else arg


def main(argv: Sequence[str] | None = None, prog: str = "cxsim-compare") -> None:
    """``cxsim compare`` (alias ``cxsim-compare``); arguments default to ``sys.argv[1:]``."""

    def task(cfg: DictConfig) -> None:
        _task(cfg, prog)

    args = [shorthand(a) for a in (sys.argv[1:] if argv is None else argv)]
    launch(
        prog, task, check, args, alias_note(prog, "compare") + HELP
    )  # check: before the run dir exists


if __name__ == "__main__":
    main()
