"""The ``cxsim-calibrate`` command: fit scenario parameters to observed aggregates.

    cxsim-calibrate switching --out calib                 # the shipped example (configs/calibrate/)
    cxsim-calibrate my_calibration.yaml --out calib sim.n_customers=20000
    cxsim-calibrate switching --method differential-evolution --max-evaluations 300 --out calib

Extra arguments ``key=value`` are Hydra overrides of the run. Writes ``calibration.csv`` (fit per
target), ``parameters.csv`` (start and best values), ``history.csv`` (every evaluation),
``calibration.png`` and ``calibrated_overrides.txt`` (the fitted values as cxsim overrides).
Bad input: one line, exit status 2, nothing written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from cxsim.errors import OneLineParser, SpecError, fail
PROG = "cxsim-calibrate"


_Parser = OneLineParser


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``cxsim-calibrate``."""
    p = _Parser(prog=PROG, description="Fit scenario parameters to observed aggregates (common random numbers).")
    p.add_argument("calibration", help="a shipped calibration (e.g. switching) or a YAML file")
    p.add_argument("overrides", nargs="*", help="Hydra overrides of the run, e.g. sim.n_customers=20000")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--method", choices=["nelder-mead", "differential-evolution"], help="optimiser (default: the file's)")
    p.add_argument("--max-evaluations", type=int, help="simulation runs at most (default: the file's)")
    p.add_argument("--seed", type=int, default=0, help="seed of differential evolution's search (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``cxsim-calibrate`` console script."""
    import logging

    args = parser().parse_args(argv)
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        _run(args)
    except SpecError as err:
        fail(PROG, err)


def _run(args: argparse.Namespace) -> None:
    from cxsim.engine.run import _atomic
    from cxsim.fit import calibrate

    spec = calibrate.load(args.calibration)
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

    result = calibrate.calibrate(spec, args.overrides, seed=args.seed, progress=None if args.quiet else show)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        _atomic(out / "calibration.csv", lambda p: result.targets.to_csv(p, index=False)),
        _atomic(out / "parameters.csv", lambda p: result.parameters.to_csv(p, index=False)),
        _atomic(out / "history.csv", lambda p: result.history.to_csv(p, index=False)),
        _atomic(out / "calibration.png", lambda p: calibrate.figure(result, p)),
        _atomic(out / "calibrated_overrides.txt", lambda p: Path(p).write_text(" ".join(result.overrides) + "\n")),
    ]
    print(f"{spec.name}: {spec.method}, {result.evaluations} simulation runs with common random numbers, "
          f"{result.seconds:.1f} s; loss {result.loss_start:.4g} -> {result.loss_best:.4g}\n")
    print(result.parameters.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print()
    print(result.targets.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
    print(f"\ncalibrated overrides: {' '.join(result.overrides)}")
    print(f"wrote {', '.join(p.name for p in written)}\n   to {out}")


if __name__ == "__main__":
    main()
