"""The ``cxsim`` command: run a scenario, write the tables and figures, print a summary.

    cxsim                                         # default scenario (b2b_dealer), peak-end memory
    cxsim sim.n_customers=1000000 operations.scale=100   # the same business, 100 times larger
    cxsim scenario=retail_street memory=mean sim.n_customers=50000 sim.seed=3 hydra.run.dir=out

Configs are composed by Hydra from the package's ``configs`` (installed as ``cxsim.configs``).
Bad input never gives a traceback or a half-written run: the whole config is composed and
validated *before* Hydra creates the run directory, and any error is printed as one line naming
the field, the value and what is allowed, with exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxsim.errors import SpecError, fail


def _fail(err: SpecError) -> None:
    fail("cxsim", err)


def _plain_run(argv: list[str]) -> bool:
    """A single run with overrides only (no Hydra flags such as --help, -m, --cfg)."""
    return all(not a.startswith("-") for a in argv)


def _task(cfg) -> None:  # type: ignore[no-untyped-def]
    import logging

    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from cxsim.cli.report import phase_line, summary_table
    from cxsim.engine.run import run
    from cxsim.specs.build import run_spec_from_dict

    from cxsim.cli.sweep import multirun_done, multirun_job

    data = OmegaConf.to_container(cfg, resolve=True)
    try:
        spec = run_spec_from_dict(data)  # type: ignore[arg-type]
    except SpecError as err:
        _fail(err)
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    out = Path(HydraConfig.get().runtime.output_dir)
    if multirun_done(cfg):  # cxsim -m re-run into the same sweep dir: this job has finished
        print(f"cxsim: {out} already has a finished result for this config; skipped")
        return
    results = run(spec)
    written = results.save(out)
    if spec.outputs.figures:
        written += results.figures(out)
    if (table := multirun_job(cfg, spec, results)) is not None:  # cxsim -m: the job's tidy rows
        written.append(table)
    print(summary_table(results.summary, spec.scenario.economics.currency))
    print(f"\nwrote {', '.join(p.name for p in written)}\n   to {out}")
    print(f"run time {phase_line(results.seconds)} (files and figures not included)")


def launch(prog: str, task: Callable[[Any], None], validate: Callable[[list[str]], object]) -> None:
    """Run a Hydra command on the package's configs, bad input caught before anything is written.

    For a plain run (overrides only), ``validate(overrides)`` composes and checks everything first;
    a :class:`SpecError` becomes one line ``prog: error: …`` and exit status 2. Then Hydra takes
    over (``--help``, ``-m`` and the rest are Hydra's).
    """
    argv = sys.argv[1:]
    if _plain_run(argv):
        try:
            validate(argv)
        except SpecError as err:
            fail(prog, err)
    import hydra

    app = hydra.main(config_path="pkg://cxsim.configs", config_name="config", version_base="1.3")(task)
    app()


def main() -> None:
    """Entry point of the ``cxsim`` console script."""
    from cxsim.cli.sweep import check_launcher
    from cxsim.config import load_run_spec

    try:
        check_launcher(sys.argv[1:])  # also for -m, where the overrides themselves cannot be pre-composed
    except SpecError as err:
        _fail(err)
    launch("cxsim", _task, load_run_spec)


if __name__ == "__main__":
    main()
