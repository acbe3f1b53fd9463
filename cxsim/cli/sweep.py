"""``cxsim sweep``: many runs over a grid or a sample of parameters, in one tidy table.

    cxsim sweep sweep=b2b_lhs sweep.n_samples=100 sweep.n_jobs=2 hydra.run.dir=outputs/lhs
    cxsim sweep sweep=b2b_lhs ... hydra.run.dir=outputs/lhs   # again: resumes, skips finished runs

``cxsim-sweep`` is an alias kept for one release. A Hydra app like ``cxsim run`` (same groups and
overrides, including ``scenario=path/to/my_scenario.yaml``). It plans every run (points ×
replications) and validates every point before anything is written, then runs them in this
process, in ``sweep.n_jobs`` local worker processes or on the backend of the ``execution`` group
(``execution.backend=local|ray|dask``; batches of runs per task, no per-run Hydra overhead),
writing each finished task's rows at once to the Parquet dataset ``rows/``. At the end it writes ``sweep.parquet``
(one tidy table), ``points.csv`` and, when runs are missing, ``missing.csv``; with
``sweep.sampler=sobol|morris`` also ``sensitivity.csv`` and ``sensitivity.png``. With a posterior of a
Bayesian calibration (``posterior=FILE``, short for ``sweep.posterior=FILE``) every point runs at the
posterior means and at one posterior draw per replication (the same draws at every point), and
``uncertainty.csv`` puts each point's interval with the parameters fixed beside the one with
parameter uncertainty.

The Hydra multirun hooks of ``cxsim run -m`` live in :mod:`cxsim.cli.multirun`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from cxsim import resources, sanity, sensitivity, sweep
from cxsim.cli.hydra_app import alias_note, launch, note_unused
from cxsim.cli.multirun import SweepTable, base_config, check_launcher, launchers
from cxsim.config import compose_config
from cxsim.errors import SpecError, fail
from cxsim.execution.settings import Execution, execution_from_dict
from cxsim.fit.posterior import sweep_uncertainty
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.mapping import whole_ints

__all__ = ["SweepTable", "base_config", "check", "check_launcher", "launchers", "main"]

HELP = """\
usage: cxsim sweep [key=value ...]

Run a scenario over a grid or a sample (lhs, sobol, morris) of parameters with replications, in
parallel and resumable; write one tidy table (sweep.parquet) and, for sobol/morris, sensitivity
indices.

examples:
  cxsim sweep sweep=b2b_lhs sweep.n_samples=100 sweep.replications=3 hydra.run.dir=outputs/lhs
  cxsim sweep sweep=b2b_sobol sweep.n_jobs=2 hydra.run.dir=outputs/sobol
  cxsim sweep sweep=b2b_lhs execution=ray execution.address=auto hydra.run.dir=outputs/lhs
  cxsim sweep sweep=b2b_grid posterior=outputs/calib/posterior.parquet hydra.run.dir=outputs/grid_uncertain
"""


def _task(cfg: DictConfig, prog: str) -> None:
    out = Path(HydraConfig.get().runtime.output_dir)
    raw = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(raw, dict)
    try:
        settings = sweep.settings_from_dict(OmegaConf.to_container(cfg.sweep, resolve=True))  # type: ignore[arg-type]
        settings, rounded = sensitivity.settle_samples(settings)  # Sobol: a power of two
        p = sweep.plan(base_config(raw), settings)
        warned = sanity.combine([sanity.check(run_spec_from_dict(c)) for c in p.configs], "points")
        execution = execution_from_dict(whole_ints(Execution, OmegaConf.to_container(cfg.execution, resolve=True)))
    except SpecError as err:
        fail(prog, err)
    warned = sanity.report([*([rounded] if rounded else []), *warned], prog)  # stderr and the log
    done_before = len(sweep.finished(out) & set(p.run_ids))
    print(
        f"{prog} · {settings.sampler} · {len(p.points)} point(s) × {p.replications} "
        f"replication(s) = {len(p)} runs · {done_before} already done"
    )
    if settings.params:
        print(sweep.describe(settings.params))
    if p.posterior is not None:
        print(f"  each point twice: parameters fixed at the posterior means, and drawn from {settings.posterior}")
    sweep.atomic_csv(out / "points.csv", p.points)
    ran = sweep.execute(
        p, out, n_jobs=settings.workers, progress=settings.progress, commit=sweep.git_commit(),
        execution=execution,
    )
    collected = sweep.collect(p, out)
    written = sweep.save(collected, out)
    warned += sanity.report(sanity.combine(sanity.check_runs(collected.table, "point"), "points"), prog)
    if p.posterior is not None and not collected.table.empty:  # fixed beside with parameter uncertainty
        table = sweep_uncertainty(collected.table, p.params, settings.outputs)
        written.append(sweep.atomic_csv(out / "uncertainty.csv", table))
        print(table.to_string(index=False))
    if settings.sampler in ("sobol", "morris") and collected.complete:
        indices = sensitivity.analyse(p, collected.table, settings)
        written.append(sweep.atomic_csv(out / "sensitivity.csv", indices))
        written.append(sensitivity.figure(indices, out / "sensitivity.png"))
        warned += sanity.report(sensitivity.check_indices(indices, settings.n_samples), prog)
        print(indices.to_string(index=False))
    written += sanity.save(warned, out)
    print(f"ran {ran} run(s); table has {len(collected.table)} of {len(p)} runs")
    if not collected.complete:
        print(
            f"missing {len(collected.missing)} run(s): see missing.csv; "
            "run the same command again to finish them"
        )
    print(f"wrote {', '.join(q.name for q in written)}\n   to {out}")


def check_size(data: dict[str, Any], settings: sweep.SweepSettings, prog: str = "cxsim sweep") -> str | None:
    """Refuse a sweep whose plan or runs cannot fit in memory, before its points are built
    (:mod:`cxsim.resources`); for a long one, the line that says how long it will take."""
    base = run_spec_from_dict(base_config(data))
    sizes = [len(p.values) if p.values is not None else int(p.num) for p in settings.params]
    points = resources.sweep_points(settings.sampler, settings.n_samples, sizes)
    one = resources.estimate_run(replace(base, sim=replace(base.sim, replications=1)))
    estimate = resources.plan_estimate(points, settings.replications, one, settings.workers)
    plan_bytes = points * resources.BYTES["sweep_point"]  # the plan itself, or the runs, made it large
    field, value = (("sweep", f"{points} points") if plan_bytes >= estimate.bytes - plan_bytes
                    else resources.largest_setting(base))
    resources.check_fits(estimate, f"this sweep ({points} points x {settings.replications} replications)",
                         field, value)
    return resources.announce(prog, estimate)


def check(argv: list[str], prog: str = "cxsim sweep") -> None:
    """Compose and validate the sweep and every point before anything is written."""
    check_launcher(argv)
    data = compose_config(argv)
    settings = sensitivity.settle_samples(sweep.settings_from_dict(data.get("sweep")))[0]  # the points that run
    line = check_size(data, settings, prog)
    sweep.plan(base_config(data), settings)
    execution_from_dict(whole_ints(Execution, data.get("execution")))
    note_unused(argv, "sim.replications", f"cxsim sweep runs sweep.replications ({settings.replications}) per point",
                prog)
    if line:  # said once everything is valid: a refused sweep prints its error alone
        print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None, prog: str = "cxsim-sweep") -> None:
    """``cxsim sweep`` (and its alias ``cxsim-sweep``); arguments default to ``sys.argv[1:]``."""

    def task(cfg: DictConfig) -> None:
        _task(cfg, prog)

    args = [shorthand(a) for a in (sys.argv[1:] if argv is None else argv)]
    launch(prog, task, lambda a: check(a, prog), args, alias_note(prog, "sweep") + HELP)


def shorthand(arg: str) -> str:
    """``posterior=FILE`` is short for ``sweep.posterior=FILE`` (which every sweep option accepts)."""
    if arg.startswith(("posterior=", "sweep.posterior=")):
        return "++sweep." + arg.removeprefix("sweep.")
    return arg


if __name__ == "__main__":
    main()
