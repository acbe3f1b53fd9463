"""``cxsim optimise``: the best portfolio of interventions for a budget, and how sure we are.

    cxsim optimise                                         # the documented example (optimise=b2b_budget)
    cxsim optimise optimise.budget=20000000 optimise.trials=80 sim.n_customers=5000 hydra.run.dir=out
    cxsim optimise hydra.run.dir=out                       # the same folder again: the search resumes
    cxsim optimise optimise=b2b_profit_nps                 # two objectives: NSGA-II, a Pareto front

Arguments are overrides as for ``cxsim run``: ``optimise=NAME`` picks ``configs/optimise/NAME.yaml``,
``optimise.KEY=VALUE`` changes a setting of it, anything else (``scenario=``, ``sim.n_customers=``,
``memory=``) changes the simulated scenario, and ``hydra.run.dir=DIR`` chooses the run folder
(default ``outputs/optimise/<scenario>/<time>``); ``scenario=path/to/mine.yaml`` and
``--config-dir DIR`` work as for the other commands. Everything is composed and validated before
the folder is created; bad input is one line naming the field, exit status 2.

Writes ``trials.csv`` (every evaluated portfolio), ``pareto.csv`` and ``pareto.png``,
``selection.csv`` (the chosen portfolio, its probability of correct selection and the
replications used), ``robustness.csv`` and ``prim_boxes.csv`` (when uncertain parameters are
given), ``report.html`` and the study journal ``study.journal`` that makes the search resumable.
"""

from __future__ import annotations

import datetime as _dt
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from cxsim.cli.hydra_app import HELP_FLAGS, note_unused, take_config_dirs, take_force, use_config_dirs
from cxsim.config import compose_config
from cxsim.errors import SpecError, fail
from cxsim.evaluation import Evaluator
from cxsim.files import check_output_dir, io_errors
from cxsim.locks import check_unlocked, folder_guard
from cxsim.optimise import (
    OptimiseSettings,
    make_portfolio,
    optimise,
    robustness_candidates,
    settings_from_dict,
)
from cxsim.report.document import optimisation_report, write_report
from cxsim.report.figures import pareto_figure, save_png
from cxsim.resources import (
    PROGRESS_SECONDS,
    Estimate,
    announce,
    check_fits,
    estimate_run,
    largest_setting,
    plan_estimate,
)
from cxsim.robustness import RobustnessSettings, assess, check_paths
from cxsim.robustness import settings_from_dict as robustness_settings
from cxsim.specs.mapping import whole_ints
from cxsim.sweep import atomic_csv, git_commit

PROG = "cxsim optimise"
DEFAULT = "b2b_budget"


@dataclass
class Prepared:
    """A validated optimisation: the baseline config, the settings and the run folder."""

    config: dict[str, Any]
    settings: OptimiseSettings
    robustness: RobustnessSettings
    directory: Path
    argv: list[str]


def _split(argv: Sequence[str]) -> tuple[list[str], Path | None]:
    """Hydra-style overrides for composition, and the run folder if one is given."""
    overrides, out = [], None
    chosen = False
    for item in argv:
        key, sep, value = item.partition("=")
        if not sep and not item.startswith("~"):  # ~KEY deletes a key, as in Hydra
            raise SpecError("arguments", item, "overrides KEY=VALUE, e.g. optimise.trials=20 or hydra.run.dir=out")
        if key == "hydra.run.dir":
            out = Path(value)
        elif key.lstrip("+") == "optimise":
            overrides.append(f"+optimise={value}")
            chosen = True
        else:
            overrides.append(item)
    if not chosen:
        overrides.insert(0, f"+optimise={DEFAULT}")
    return overrides, out


def available() -> list[str]:
    """The shipped optimisation examples (``configs/optimise/*.yaml``)."""
    folder = resources.files("cxsim.configs").joinpath("optimise")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def prepare(argv: Sequence[str]) -> Prepared:
    """Compose and validate everything (raises :class:`SpecError`); nothing is written."""
    overrides, out = _split(argv)
    name = next(o.split("=", 1)[1] for o in overrides if o.startswith("+optimise="))
    if name not in available():
        raise SpecError("optimise", name, "allowed: " + ", ".join(available()))
    config = compose_config(overrides)
    block = config.pop("optimise", None) or {}
    scenario = str(config["scenario"]["name"])
    settings = settings_from_dict(whole_ints(OptimiseSettings, {k: v for k, v in block.items() if k != "robustness"}),
                                  scenario)
    robustness = robustness_settings(whole_ints(RobustnessSettings, block.get("robustness")))
    ev = Evaluator(config, 2)
    for c in settings.candidates:  # every candidate applies here and builds a valid run at its bounds
        for dose in ((None,) if c.dose is None else sorted({*c.dose.bounds, c.dose.reference})):
            try:
                ev.spec(make_portfolio({c.name: dose}, settings))
            except SpecError as err:
                raise SpecError(f"optimise.candidates.{c.name}", err.value, f"{err.field}: {err.allowed}") from None
    ev.spec(make_portfolio({c.name: None if c.dose is None else c.dose.reference for c in settings.candidates},
                           settings))  # all together: conflicts between members are found now
    check_paths(config, robustness)
    if out is None:
        stamp = _dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        out = Path("outputs") / "optimise" / scenario / stamp
    return Prepared(config, settings, robustness, out, list(argv))


def run(p: Prepared, progress: bool = False, evaluator: Evaluator | None = None) -> list[Path]:
    """Search, select, assess robustness and write every output; the files written.

    ``evaluator`` may be given to reuse its cached runs or to count them (benchmarks).
    """
    out = p.directory
    out.mkdir(parents=True, exist_ok=True)
    ev = evaluator or Evaluator(p.config, p.settings.selection.max_replications, p.settings.n_jobs)
    result = optimise(p.config, p.settings, out, progress=progress, evaluator=ev)
    written = [out / "trials.csv", out / "pareto.csv", out / "selection.csv",
               save_png(pareto_figure(result), out / "pareto.png")]
    rob = None
    if p.robustness.enabled:
        portfolios = robustness_candidates(result, p.robustness.portfolios)
        rob = assess(p.config, portfolios, p.robustness, n_jobs=p.settings.n_jobs)
        written.append(atomic_csv(out / "robustness.csv", rob.table))
        written.append(atomic_csv(out / "prim_boxes.csv", rob.boxes))
    command = " ".join(["cxsim optimise", *(shlex.quote(a) for a in p.argv if not a.startswith("hydra.run.dir=")),
                        "hydra.run.dir=NEW_FOLDER"])
    html = optimisation_report(result, rob, command, _memory_label(p.config),
                               int(p.config["sim"]["seed"]), git_commit())
    written.append(write_report(html, out / "report.html"))
    print(result.summary())
    if rob is not None:
        print("\n".join(rob.notes))
    return written


def check_resources(p: Prepared) -> Estimate:
    """Refuse a search whose runs cannot fit in memory (:mod:`cxsim.resources`), before the folder exists;
    the search's estimate."""
    spec = Evaluator(p.config, 1).spec(None)  # the baseline
    one = estimate_run(replace(spec, sim=replace(spec.sim, replications=1)))
    workers = p.settings.n_jobs if p.settings.n_jobs > 0 else (os.cpu_count() or 1)
    estimate = plan_estimate(p.settings.trials, p.settings.selection.max_replications, one, workers)
    check_fits(estimate, "this search", *largest_setting(spec))
    return estimate


def _memory_label(config: dict[str, Any]) -> str:
    memory = config.get("memory") or {}
    model = memory.get("model", memory) if isinstance(memory, dict) else {}
    return str(model.get("kind", "")) if isinstance(model, dict) else ""


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> None:
    """``cxsim optimise``; arguments default to ``sys.argv[1:]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in HELP_FLAGS for a in args):
        print(__doc__.strip())
        return
    try:
        args = take_force(args)
        args, dirs = take_config_dirs(args)
        use_config_dirs(dirs)
        prepared = prepare(args)
        estimate = check_resources(prepared)
        note_unused(args, "sim.replications", f"cxsim optimise runs optimise.replications "
                    f"({prepared.settings.replications}) per evaluation, up to "
                    f"optimise.selection.max_replications ({prepared.settings.selection.max_replications})", prog)
        check_output_dir(prepared.directory)
        check_unlocked(prepared.directory)
        if line := announce(prog, estimate, "run"):
            print(line, file=sys.stderr, flush=True)
        with io_errors(prog), folder_guard(prepared.directory, prepared.config, prog):
            # progress bars on a terminal, and for a search estimated longer than a few seconds
            written = run(prepared, progress=sys.stderr.isatty() or estimate.seconds > PROGRESS_SECONDS)
    except SpecError as err:
        fail(prog, err)
    print(f"\nwrote {', '.join(p.name for p in written)}\n   to {prepared.directory}")


if __name__ == "__main__":
    main()
