"""What every experiment script shares: arguments, the one-line error, the printed table.

A bad argument prints one line naming the argument, the bad value and what is allowed, and exits
with status 2 (argparse's usual usage banner is left out), before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxsim.errors import EXIT_BAD_INPUT, OneLineParser, SpecError
from cxsim.specs import checks

if TYPE_CHECKING:
    import pandas as pd



def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            return checks.integer("value", text, minimum)
        except SpecError:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed; an integer >= {minimum} is required") from None
    return parse


def _seed(text: str) -> int:
    return _int_at_least(0)(text)


def parser(prog: str, description: str, n_default: int, n_help: str, n_min: int = 1) -> OneLineParser:
    """The common arguments: ``--n``, ``--seed``, ``--out`` and ``--no-figure``."""
    p = OneLineParser(prog=prog, description=description,
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=_int_at_least(n_min), default=n_default, help=n_help)
    p.add_argument("--seed", type=_seed, default=0, help="root seed (integer >= 0; 0 is a seed)")
    p.add_argument("--out", type=Path, default=Path("outputs", "figures"),
                   help="folder for the figure (PNG and SVG); default ./outputs/figures")
    p.add_argument("--no-figure", action="store_true", help="print the table only")
    return p


def format_table(table: pd.DataFrame) -> str:
    """The published-vs-simulated table as aligned text (numbers to 3 significant places)."""
    def show(v: Any) -> str:
        if isinstance(v, float):
            if v != v:  # NaN
                return "—"
            return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)
    cols = list(table.columns)
    rows = [[show(v) for v in r] for r in table.itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths)))
    out = [line, "-" * len(line)]
    for r in rows:
        out.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    return "\n".join(out)


def run(prog: str, argv: Sequence[str] | None, build: Callable[[argparse.Namespace], Any],
        args_parser: argparse.ArgumentParser) -> int:
    """Parse ``argv``, run ``build(args)`` (which prints and saves), map SpecError to exit 2."""
    args = args_parser.parse_args(argv)
    try:
        build(args)
    except SpecError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def experiment_main(prog: str, description: str, module: str, argv: Sequence[str] | None,
                    n_default: int, n_help: str, n_min: int = 1) -> int:
    """The whole command of one experiment script: parse, simulate, print the table, save the figure.

    ``module`` names a module (imported only once the arguments are good) with
    ``simulate(n, seed)`` returning an object with a ``table`` DataFrame, and
    ``figure(result, directory)`` returning the saved paths.
    """
    p = parser(prog, description, n_default, n_help, n_min)

    def build(args: argparse.Namespace) -> None:
        experiment = import_module(module)
        if not args.no_figure and args.out.exists() and not args.out.is_dir():
            raise SpecError("--out", str(args.out), "a folder is required (it exists as a file)")
        result = experiment.simulate(n=args.n, seed=args.seed)
        title = description.strip().splitlines()[0]
        print(f"{prog} · {title}\nn = {args.n:,}, seed {args.seed}\n")
        print(format_table(result.table))
        if not args.no_figure:
            paths = experiment.figure(result, args.out)
            print(f"\nwrote {', '.join(p.name for p in paths)}\n   to {args.out}")

    return run(prog, argv, build, p)
