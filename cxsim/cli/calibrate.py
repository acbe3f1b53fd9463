r"""``cxsim calibrate``: fit scenario parameters to observed aggregates (common random numbers).

    cxsim calibrate calibrate=switching calibrate.out=outputs/calib       # the shipped example
    cxsim calibrate calibrate=my_calibration.yaml calibrate.out=outputs/calib sim.n_customers=20000
    cxsim calibrate calibrate=switching scenario=path/to/mine.yaml calibrate.out=outputs/calib
    cxsim calibrate calibrate=switching calibrate.method=differential-evolution \
        calibrate.max_evaluations=300 calibrate.out=outputs/calib
    cxsim calibrate calibrate=b2b_dealer_bayes calibrate.out=outputs/posterior    # a posterior (NPE)
    cxsim calibrate calibrate=switching calibrate.method=npe calibrate.simulations=600 calibrate.out=outputs/p

The command's own settings are ``calibrate=NAME|FILE`` and ``calibrate.KEY=VALUE`` (``out``,
``method``, ``max_evaluations``, ``simulations``, ``seed``, ``quiet``); every other ``key=value`` is a Hydra
override of the run, as for ``cxsim run`` (including a scenario file of the user's own and
``--config-dir DIR``). ``cxsim-calibrate`` is an alias kept for one release, which also takes the
older form ``cxsim-calibrate NAME --out DIR [--method M] [--max-evaluations N] [--seed S]
[--quiet]``.

Writes ``calibration.csv`` (fit per target), ``parameters.csv`` (start and best values),
``history.csv`` (every evaluation), ``calibration.png`` and ``calibrated_overrides.txt`` (the
fitted values as cxsim overrides). Bad input: one line, exit status 2, nothing written.

**Bayesian calibration** (:mod:`cxsim.fit.bayes`): a file with ``method: npe`` or ``abc-smc``
(priors, targets with observation noise), or ``calibrate.method=npe|abc-smc`` on any file (bounds
become uniform priors, each target's ``sd`` its noise). ``calibrate.simulations`` sets the
simulator budget. Writes ``posterior.parquet`` (the draws: ``cxsim compare posterior=FILE``
carries them into a comparison), ``posterior_summary.csv`` (means, 90 % intervals, sd against the
prior's), ``predictive_check.csv`` / ``.png``, ``posterior_pairs.png``, ``simulations.parquet``,
``diagnostics.json`` and ``calibrated_overrides.txt`` (the posterior means).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from cxsim.cli.hydra_app import alias_note, take_config_dirs, take_force, use_config_dirs
from cxsim.config import UnknownKeyError, compose_config, config_dirs, is_path
from cxsim.errors import OneLineParser, SpecError, fail
from cxsim.execution.settings import execution_from_dict
from cxsim.file_sets import write_all
from cxsim.files import write_atomic
from cxsim.fit import bayes, calibrate, posterior
from cxsim.resources import BYTES, announce, calibration_estimate, check_fits, largest_setting
from cxsim.specs.build import run_spec_from_dict
from cxsim.yaml_files import check_yaml_file

PROG = "cxsim-calibrate"
#: ``calibrate.KEY=VALUE`` settings and the flag each stands for (``None``: a switch).
SETTINGS = {
    "out": "--out",
    "method": "--method",
    "max_evaluations": "--max-evaluations",
    "simulations": "--simulations",
    "seed": "--seed",
    "quiet": None,
}

HELP = """\
Fit named scenario parameters (dotted config paths with bounds) to observed aggregates, every
evaluation a simulation with the same seeds; write the fit, the history and the fitted overrides.
With calibrate.method=npe or abc-smc (or a file that asks for it): a posterior with intervals,
a predictive check and diagnostics instead of one best value.

examples:
  cxsim calibrate calibrate=switching calibrate.out=outputs/calib
  cxsim calibrate calibrate=my_calibration.yaml scenario=path/to/mine.yaml calibrate.out=outputs/c
  cxsim calibrate calibrate=b2b_dealer_bayes calibrate.out=outputs/posterior

A calibration estimated not to fit in the available memory is refused; --force (or CXSIM_FORCE=1)
runs it anyway.
"""


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser of ``cxsim calibrate`` (after :func:`as_flags`)."""
    p = OneLineParser(
        prog=prog,
        description=alias_note(prog, "calibrate") + HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=f"{prog} calibrate=NAME|FILE calibrate.out=DIR [calibrate.KEY=VALUE ...] [k=v ...]",
    )
    p.add_argument(
        "calibration", help="a shipped calibration (e.g. switching) or a YAML file (calibrate=...)"
    )
    p.add_argument(
        "overrides", nargs="*", help="Hydra overrides of the run, e.g. sim.n_customers=20000"
    )
    p.add_argument("--out", required=True, help="output directory (calibrate.out=DIR)")
    p.add_argument(
        "--method",
        choices=list(calibrate.ALL_METHODS),
        help="optimiser or Bayesian method (calibrate.method=...; default: the file's)",
    )
    p.add_argument(
        "--max-evaluations", type=int, help="simulation runs at most (calibrate.max_evaluations=N)"
    )
    p.add_argument(
        "--simulations", type=int, help="simulator budget of a Bayesian method (calibrate.simulations=N)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of differential evolution's search (calibrate.seed=S; default 0)",
    )
    p.add_argument(
        "--quiet", action="store_true", help="no progress messages (calibrate.quiet=true)"
    )
    p.add_argument(
        "--config-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of your own configs (DIR/scenario/NAME.yaml), like CXSIM_CONFIG_PATH",
    )
    return p


def as_flags(argv: Sequence[str]) -> list[str]:
    """Turn ``calibrate=NAME`` and ``calibrate.KEY=VALUE`` into the parser's positional and flags.

    Raises:
        SpecError: an unknown ``calibrate.KEY`` (with the closest known one).
    """
    head: list[str] = []
    rest: list[str] = []
    for item in argv:
        key, sep, value = item.partition("=")
        if sep and key == "calibrate":
            head.insert(0, value)
        elif sep and key.startswith("calibrate."):
            name = key.partition(".")[2]
            if name not in SETTINGS:
                raise UnknownKeyError(key, [f"calibrate.{k}" for k in SETTINGS])
            if name == "method" and value not in calibrate.ALL_METHODS:  # named as the user wrote it
                raise SpecError(key, value, "allowed: " + ", ".join(calibrate.ALL_METHODS))
            flag = SETTINGS[name]
            if flag is None:
                if value.lower() in ("true", "1", "yes"):
                    rest.append("--" + name)
            else:
                rest += [flag, value]
        else:
            rest.append(item)
    return [*head, *rest]


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> None:
    """``cxsim calibrate`` (alias ``cxsim-calibrate``); arguments default to ``sys.argv[1:]``."""
    try:
        args_list, dirs = take_config_dirs(take_force(sys.argv[1:] if argv is None else argv))
        flags = as_flags(args_list)
    except SpecError as err:
        fail(prog, err)
    args = parser(prog).parse_intermixed_args(flags)  # overrides may follow calibrate.out
    try:
        use_config_dirs([*dirs, *args.config_dir])
        _run(args, prog)
    except SpecError as err:
        fail(prog, err)


def find_calibration(name: str) -> str:
    """A calibration's name or file; a name found in the user's config folders becomes its path.

    The user's folders (``--config-dir``, ``CXSIM_CONFIG_PATH``) hold ``DIR/calibrate/NAME.yaml``;
    the shipped calibrations come first.
    """
    if is_path(name) or name in calibrate.shipped():
        return name
    for folder in config_dirs():
        if (folder / "calibrate" / f"{name}.yaml").is_file():
            return str(folder / "calibrate" / f"{name}.yaml")
    return name


def check_resources(config: dict[str, Any], runs: tuple[str, int], extra: int, workers: int, prog: str) -> None:
    """Refuse a calibration whose runs cannot fit in memory (unless forced); say how long a long one takes.

    Args:
        config: the composed config every simulation starts from.
        runs: the setting counting the simulations and its value (a point fit's
            ``calibrate.max_evaluations``, a posterior's ``calibrate.simulations``).
        extra: simulations beyond those (a posterior's predictive check).
        workers: simulations side by side.
        prog: the command's name for the announcement.
    """
    spec = run_spec_from_dict(config)
    total = runs[1] + extra
    estimate = calibration_estimate(spec, total, workers)
    records = total * BYTES["simulation"]  # the records of the simulations, or each run, made it large
    check_fits(estimate, f"this calibration ({total} simulations)",
               *(runs if records >= estimate.bytes - records else largest_setting(spec)))
    line = announce(prog, estimate, "simulation")
    if line:
        print(line, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, prog: str = PROG) -> None:
    name = find_calibration(args.calibration)
    if is_path(name) and Path(name).exists():
        check_yaml_file(name, "calibrate")  # binary, non-UTF-8 or broken YAML: one line naming FILE:LINE:COL
    try:
        posterior_spec = calibrate.bayesian(name, args.method)
    except SpecError as err:
        raise (err.at("calibrate") if err.field == "method" else err) from None
    if posterior_spec is not None:
        _run_bayes(args, posterior_spec, prog)
        return
    if args.simulations is not None:
        raise SpecError("calibrate.simulations", args.simulations,
                        "sets the budget of a Bayesian method; a point fit takes calibrate.max_evaluations")
    spec = calibrate.load(name)
    changes = {}
    if args.method:
        changes["method"] = args.method
    if args.max_evaluations is not None:
        changes["max_evaluations"] = args.max_evaluations
    if changes:
        try:
            spec = replace(spec, **changes)
        except SpecError as err:
            raise err.at("--" + next(iter(changes)).replace("_", "-")) from None
    bad = [o for o in args.overrides if "=" not in o]
    if bad:
        raise SpecError("overrides", bad[0], "key=value Hydra overrides are required")
    start = time.perf_counter()

    def show(msg: str) -> None:
        print(f"  {time.perf_counter() - start:6.1f}s  {msg}", file=sys.stderr, flush=True)

    execution = execution_from_dict(compose_config(args.overrides).get("execution"))
    base = compose_config([*spec.overrides, *args.overrides])
    if base.get("intervention") is None:
        base.pop("intervention", None)
    parallel = spec.method == "differential-evolution" and execution.backend == "local"
    check_resources(base, ("calibrate.max_evaluations", spec.max_evaluations), 0,
                    (execution.cores or 1) if parallel else 1, prog)
    result = calibrate.calibrate(
        spec, args.overrides, seed=args.seed, progress=None if args.quiet else show,
        execution=execution,
    )
    out = Path(args.out)
    written = write_all(out, [
        ("calibration.csv", lambda p: result.targets.to_csv(p, index=False)),
        ("parameters.csv", lambda p: result.parameters.to_csv(p, index=False)),
        ("history.csv", lambda p: result.history.to_csv(p, index=False)),
        ("calibration.png", lambda p: calibrate.figure(result, p)),
        ("calibrated_overrides.txt", lambda p: Path(p).write_text(" ".join(result.overrides) + "\n")),
    ])
    print(
        f"{spec.name}: {spec.method}, {result.evaluations} simulation runs "
        "with common random numbers, "
        f"{result.seconds:.1f} s; loss {result.loss_start:.4g} -> {result.loss_best:.4g}\n"
    )
    print(result.parameters.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print()
    print(result.targets.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
    print(f"\ncalibrated overrides: {' '.join(result.overrides)}")
    print(f"wrote {', '.join(p.name for p in written)}\n   to {out}")


def _run_bayes(args: argparse.Namespace, spec: bayes.BayesSpec, prog: str = PROG) -> None:
    """The Bayesian path: the posterior, its checks and files (nothing written on bad input)."""
    if args.max_evaluations is not None:
        raise SpecError("calibrate.max_evaluations", args.max_evaluations,
                        "a Bayesian method takes calibrate.simulations (its simulator budget)")
    if args.simulations is not None:
        try:
            spec = replace(spec, simulations=args.simulations)
        except SpecError as err:
            raise err.at("calibrate") from None
    missing = bayes.missing_method_dependency(spec.method)
    if missing is not None:
        raise missing
    bad = [o for o in args.overrides if "=" not in o]
    if bad:
        raise SpecError("overrides", bad[0], "key=value Hydra overrides are required")
    check_resources(bayes.simulation_config(spec, args.overrides), ("calibrate.simulations", spec.simulations),
                    spec.predictive_runs, 1, prog)
    start = time.perf_counter()

    def show(msg: str) -> None:
        print(f"  {time.perf_counter() - start:6.1f}s  {msg}", file=sys.stderr, flush=True)

    result = bayes.calibrate_bayes(spec, args.overrides, seed=args.seed, progress=None if args.quiet else show)
    out = Path(args.out)
    written = posterior.save(result, out)
    means = " ".join(bayes.posterior_overrides(result)) + "\n"
    written.append(write_atomic(out / "calibrated_overrides.txt", lambda p: Path(p).write_text(means)))
    print(bayes.report(result))
    print(f"\nposterior means as overrides: {means.strip()}")
    print(f"wrote {', '.join(p.name for p in written)}\n   to {out}")


if __name__ == "__main__":
    main()
