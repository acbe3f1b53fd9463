"""``cxsim run`` (also plain ``cxsim``): run a scenario, write tables and figures, print a summary.

    cxsim                                         # default scenario (b2b_dealer), peak-end memory
    cxsim run scenario=retail_street memory=mean sim.n_customers=50000 hydra.run.dir=outputs/run
    cxsim run scenario=path/to/my_scenario.yaml   # a scenario file of your own
    cxsim run sim.n_customers=1000000 operations.scale=100   # the same business, 100 times larger

Configs are composed by Hydra from the package's ``configs`` (installed as ``cxsim.configs``) and
the user's own (:mod:`cxsim.config`). Bad input never gives a traceback or a half-written run: the
whole config is composed and validated *before* Hydra creates the run directory, and any error is
printed as one line naming the field, the value and what is allowed, with exit status 2.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from cxsim import sanity
from cxsim.cli.hydra_app import launch
from cxsim.cli.multirun import multirun_done, multirun_job
from cxsim.cli.report import phase_line, summary_table
from cxsim.config import load_run_spec
from cxsim.engine.run import Progress, run
from cxsim.errors import SpecError, fail
from cxsim.resources import PROGRESS_SECONDS, announce, check_run, estimate_run, human_seconds
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.scenario import RunSpec

HELP = """\
usage: cxsim [run] [key=value ...]

Simulate the customers of a scenario (journeys, remembered experience, loyalty, word of mouth,
cost) and write summary.csv, cycles.csv, customers.parquet and figures to the run directory.

examples:
  cxsim run scenario=retail_street memory=mean sim.n_customers=50000 hydra.run.dir=outputs/street
  cxsim run scenario=path/to/my_scenario.yaml sim.seed=3

A run estimated not to fit in the available memory is refused; --force runs it anyway. A run
estimated to take more than a few seconds (or any run on a terminal) shows its progress on stderr.
"""
#: Progress lines that do not overwrite each other (not a terminal) come at most this often.
PROGRESS_EVERY = 1.0


def cycle_progress(spec: RunSpec, prog: str, stream: TextIO | None = None) -> Progress | None:
    """A progress reporter for :func:`cxsim.engine.run.run`, or ``None`` for a short run off a terminal.

    Prints ``prog: replication 1/3, cycle 4/12 (11 %), 20 s, about 2 min left``: on a terminal
    one line rewritten in place (cleared at the end), elsewhere a line per cycle, at most one a
    second and always the last.
    """
    out = sys.stderr if stream is None else stream
    tty = out.isatty()
    if not tty and estimate_run(spec).seconds <= PROGRESS_SECONDS:
        return None
    reps, cycles = spec.sim.replications, spec.sim.n_cycles
    total = reps * cycles
    start = time.perf_counter()
    last = [-PROGRESS_EVERY]

    def show(replication: int, done: int) -> None:
        now = time.perf_counter() - start
        step = replication * cycles + done
        final = step == total
        if not (tty or final or now - last[0] >= PROGRESS_EVERY):
            return
        last[0] = now
        left = now / step * (total - step)
        line = (f"{prog}: replication {replication + 1}/{reps}, cycle {done}/{cycles} "
                f"({100 * step / total:.0f} %), {human_seconds(now)}, about {human_seconds(left)} left")
        if tty:
            out.write("\r\033[K" + ("" if final else line))
        else:
            out.write(line + "\n")
        out.flush()

    return show


def _task(cfg: DictConfig, prog: str) -> None:
    data = OmegaConf.to_container(cfg, resolve=True)
    try:
        spec = run_spec_from_dict(data)  # type: ignore[arg-type]
    except SpecError as err:
        fail(prog, err)
    out = Path(HydraConfig.get().runtime.output_dir)
    if multirun_done(cfg):  # cxsim run -m re-run into the same sweep dir: this job has finished
        print(f"cxsim: {out} already has a finished result for this config; skipped")
        return
    warned = sanity.check(spec)  # model sanity warnings: stderr and the run's log, then warnings.csv
    sanity.report(warned, prog)
    # customers.parquet is written cycle by cycle as the run goes, never gathered in memory
    results = run(spec, progress=cycle_progress(spec, prog), customers_file=out / "customers.parquet")
    written = results.save(out)
    warned += sanity.report(sanity.check_results(results.summary, results.cycles), prog)
    written += sanity.save(warned, out)
    if spec.outputs.figures:
        written += results.figures(out)
    if (table := multirun_job(cfg, results)) is not None:  # cxsim run -m: the job's tidy rows
        written.append(table)
    print(summary_table(results.summary, spec.scenario.economics.currency))
    print(f"\nwrote {', '.join(p.name for p in written)}\n   to {out}")
    left_out = ("records include writing customers.parquet; the other files and the figures are not included"
                if results.customers_file is not None else "files and figures not included")
    print(f"run time {phase_line(results.seconds)} ({left_out})")


def check(argv: Sequence[str], prog: str = "cxsim") -> RunSpec:
    """Compose and validate the run, and check that it fits in memory (raises SpecError)."""
    spec = load_run_spec(argv)
    line = announce(prog, check_run(spec, customers_streamed=True), "replication")
    if line:
        print(line, file=sys.stderr)
    return spec


def main(argv: Sequence[str] | None = None, prog: str = "cxsim") -> None:
    """``cxsim run``: compose, validate, run and save (arguments default to ``sys.argv[1:]``)."""

    def task(cfg: DictConfig) -> None:
        _task(cfg, prog)

    launch(prog, task, lambda args: check(args, prog), argv, HELP)


if __name__ == "__main__":
    main()
