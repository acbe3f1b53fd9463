"""What every experiment script shares: arguments, the one-line error, the printed table.

A bad argument prints one line naming the argument, the bad value and what is allowed, and exits
with status 2 (argparse's usual usage banner is left out), before anything is written.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxsim.errors import EXIT_BAD_INPUT, OneLineParser, SpecError
from cxsim.specs import checks
from cxsim.teach import i18n

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


def _lang(text: str) -> str:
    try:
        return i18n.check_language(text)
    except SpecError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; allowed: {', '.join(i18n.LANGUAGES)}") from None


def parser(prog: str, description: str, n_default: int, n_help: str, n_min: int = 1) -> OneLineParser:
    """The common arguments: ``--n``, ``--seed``, ``--out``, ``--no-figure`` and ``--lang``."""
    p = OneLineParser(prog=prog, description=description,
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=_int_at_least(n_min), default=n_default, help=n_help)
    p.add_argument("--seed", type=_seed, default=0, help="root seed (integer >= 0; 0 is a seed)")
    p.add_argument("--out", type=Path, default=Path("outputs", "figures"),
                   help="folder for the figure (PNG and SVG); default ./outputs/figures")
    p.add_argument("--no-figure", action="store_true", help="print the table only")
    p.add_argument("--lang", type=_lang, default=None,
                   help="language of the table and the figure: en or zh (default: $CXSIM_TEACH_LANG, "
                        "else the system locale)")
    return p


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, left: bool) -> str:
    fill = " " * max(0, width - text_width(text))
    return text + fill if left else fill + text


def translate_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``table`` with its column names and text cells in ``lang`` (see :func:`~cxsim.teach.i18n.translate_text`)."""
    out = table.rename(columns={c: i18n.translate_text(str(c), lang) for c in table.columns})
    for col in out.columns:
        if any(isinstance(v, str) for v in out[col]):
            out[col] = [i18n.translate_text(v, lang) if isinstance(v, str) else v for v in out[col]]
    return out


def format_table(table: pd.DataFrame) -> str:
    """The published-vs-simulated table as aligned text (3 significant places; wide characters count twice)."""
    def show(v: Any) -> str:
        if isinstance(v, float):
            if v != v:  # NaN
                return "—"
            return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)
    cols = list(table.columns)
    rows = [[show(v) for v in r] for r in table.itertuples(index=False)]
    widths = [max(text_width(c), *(text_width(r[i]) for r in rows)) if rows else text_width(c)
              for i, c in enumerate(cols)]
    line = "  ".join(_pad(c, w, i == 0) for i, (c, w) in enumerate(zip(cols, widths)))
    out = [line, "-" * text_width(line)]
    for r in rows:
        out.append("  ".join(_pad(v, w, i == 0) for i, (v, w) in enumerate(zip(r, widths))))
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
        lang = args.lang or i18n.default_language()
        _ = i18n.translator(lang)
        result = experiment.simulate(n=args.n, seed=args.seed)
        title = _(description.strip().splitlines()[0])
        print(f"{prog} · {title}\n" + _("n = {n:,}, seed {seed}").format(n=args.n, seed=args.seed) + "\n")
        print(format_table(translate_table(result.table, lang)))
        if not args.no_figure:
            paths = experiment.figure(result, args.out, lang=lang)
            print("\n" + _("wrote {files}\n   to {folder}").format(files=", ".join(p.name for p in paths),
                                                                 folder=args.out))

    return run(prog, argv, build, p)
