"""Meisu Electronics: sales with one to six shops on the street, in an open market.

    python experiments/meisu_shops.py [--table T.csv] [--no-figure] [--n 400] [--seed 0] [--out figures]
                                      [--lang en|zh]

Runs the shipped retail_street scenario with its open market (prospects, the other shops of the
district as a competitor, Huff's convenience of the open shops, referrals) from a small customer
base in a large market, with 1, 2, ... 6 shops open and the same seed, and prints the sales of the
fourth year relative to one shop beside the case's figures; --table writes the table as CSV
(columns shops, sales_ratio, ...). The convenience and word-of-mouth parameters of the scenario's
market block were fitted to the case with `cxsim calibrate calibrate=meisu_shops`. Model and design:
cxsim.fit.shops.

Sources:
    Case studies 001 and 004 (docs, "Seven-step CEM method", step 7): one shop -> two doubled sales;
    three shops tripled them; four gave more than four times.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cxsim.errors import SpecError
from cxsim.teach import typeface
from cxsim.teach.cli import format_table, parser, run, translate_table
from cxsim.teach.i18n import N_, default_language, translator


def main(argv: list[str] | None = None) -> int:
    """Run the experiment; return the exit status."""
    p = parser("meisu_shops", __doc__, n_default=400, n_min=50,
               n_help="Meisu's customers at the start (50 or more; default 400)")
    p.add_argument("--table", type=Path, default=None, help="write the table as CSV to this file")

    def build(args) -> None:  # type: ignore[no-untyped-def]
        from cxsim.config import compose_config
        from cxsim.fit.shops import DESIGN, figure, sales_by_shops

        if args.table is not None and args.table.is_dir():
            raise SpecError("--table", str(args.table), "a CSV file name is required (it is a folder)")
        if not args.no_figure and args.out.exists() and not args.out.is_dir():
            raise SpecError("--out", str(args.out), "a folder is required (it exists as a file)")
        lang = args.lang or default_language()
        _ = translator(lang)
        cfg = compose_config([*DESIGN, f"sim.n_customers={args.n}", f"sim.seed={args.seed}"])
        table = sales_by_shops(cfg, shops=(1, 2, 3, 4, 5, 6))
        print("meisu_shops · " + _("sales relative to one shop (last year of four)") + "\n"
              + _("n = {n:,} starting customers, seed {seed}").format(n=args.n, seed=args.seed) + "\n")
        shown = table[[N_("shops"), N_("sales_ratio"), N_("case"), N_("customers"), N_("market_share"),
                       N_("new_customers")]]  # the columns, named in --lang
        print(format_table(translate_table(shown, lang)))
        if args.table is not None:
            args.table.parent.mkdir(parents=True, exist_ok=True)
            table.to_csv(args.table, index=False)
            print("\n" + _("wrote {file}").format(file=args.table))
        if not args.no_figure:
            path = figure(table, args.out / "meisu_shops.png", translate=translator(lang),
                          localise=lambda fig: typeface.localise(fig, lang))
            print(_("wrote {files}\n   to {folder}").format(files=f"{path.name}, {path.with_suffix('.svg').name}",
                                                       folder=args.out))

    return run("meisu_shops", argv, build, p)


if __name__ == "__main__":
    sys.exit(main())
