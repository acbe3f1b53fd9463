"""Sales by number of shops in an open market: Meisu's feedback loop (step 7 of the seven steps).

Meisu Electronics (case studies 001 and 004; "Seven-step CEM method", step 7, in the docs): going from one
shop to two *doubled* sales, three shops tripled them and four gave more than four times. A
closed cohort cannot have that loop; with an open market (:mod:`cxsim.engine.market`) it comes
from convenience (Huff's pull of the open shops wins prospects and rivals' customers, shorter
walks and queues keep customers) and word of mouth (happier customers refer more).

:func:`sales_by_shops` runs a composed ``retail_street``-like config with 1, 2, … shops open
(``scenario.operations.stores.count``; every run with the same seed: common random numbers) and
reports the sales of the last :data:`SALES_WINDOW` cycles relative to one shop. The design
(:data:`DESIGN`): the shop starts from a small customer base in a large market, so that after a
run-in each number of shops has grown to the sales it can sustain; the rows allocated for
customers are many enough never to bind. ``experiments/meisu_shops.py`` prints the table and the
figure; ``cxsim calibrate calibrate=meisu_shops`` fits the convenience and word-of-mouth
parameters to the case's ×2, ×3 and ×4.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.engine.run import run
from cxsim.errors import SpecError
from cxsim.figures import subplots
from cxsim.files import write_atomic
from cxsim.specs.build import run_spec_from_dict

#: Cycles (months) at the end of each run whose sales are compared.
SALES_WINDOW = 12

#: The case's sales relative to one shop (step 7; "more than four times" with four).
CASE = {1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0}

#: Overrides of the experiment: Meisu's first shop has just opened on a street where the other
#: shops serve most of a large market (30 of its customers for each of Meisu's 400, and 60 locals
#: and 120 tourists who could buy per Meisu customer); four years, of which the last is compared.
#: Each shop has one counter (the scenario's operations), so one shop also meets its queue.
DESIGN = (
    "scenario=retail_street",
    "sim.n_customers=400",
    "sim.n_cycles=48",
    "sim.replications=2",
    "sim.seed=0",
    "scenario.market.capacity=40",    # rows for up to 16,000 customers: never binding
    "scenario.market.prospects.locals=60",
    "scenario.market.prospects.tourists=120",
    "scenario.market.competitors.0.customers.locals=30",
    "scenario.market.competitors.0.customers.tourists=30",
    "outputs.figures=false",
    "outputs.customers=never",
    "outputs.operations=never",
)


def with_shop_count(cfg: Mapping[str, Any], shops: int) -> dict[str, Any]:
    """A copy of the composed config with ``shops`` shops open (the first ``shops`` sites)."""
    out = copy.deepcopy(dict(cfg))
    stores = ((out.get("scenario") or {}).get("operations") or {}).get("stores")
    if stores is None:
        raise SpecError("scenario.operations.stores", None, "sales by number of shops needs the store operations")
    if not 1 <= shops <= len(stores["sites"]):
        raise SpecError("shops", shops, f"between 1 and the number of sites ({len(stores['sites'])})")
    stores["count"] = int(shops)
    return out


def sales_by_shops(cfg: Mapping[str, Any], shops: Sequence[int] = (1, 2, 3, 4, 5, 6),
                   window: int = SALES_WINDOW) -> pd.DataFrame:
    """Sales (revenue) of the last ``window`` cycles with each number of ``shops``, relative to one.

    ``cfg`` is a composed config with an open market and store operations (e.g. :data:`DESIGN`).
    Returns one row per number of shops: ``shops, sales, sales_ratio, customers, market_share,
    new_customers`` (means over replications; ``sales_ratio`` is 1 at one shop).
    """
    counts = sorted({1, *(int(k) for k in shops)})
    rows = []
    for k in counts:
        res = run(run_spec_from_dict(with_shop_count(cfg, k)))
        c = res.cycles
        if "market_share" not in c.columns:
            raise SpecError("scenario.market", None, "sales by number of shops needs an open market")
        last = c[c["cycle"] > c["cycle"].max() - window]
        per_rep = last.groupby("replication")
        rows.append({
            "shops": k,
            "sales": float(per_rep["revenue"].sum().mean()),
            "customers": float(per_rep["customers_start"].mean().mean()),
            "market_share": float(per_rep["market_share"].mean().mean()),
            "new_customers": float(per_rep["new_customers"].sum().mean()),
        })
    table = pd.DataFrame(rows)
    table.insert(2, "sales_ratio", table["sales"] / float(table.loc[table["shops"] == 1, "sales"].iloc[0]))
    table["case"] = [CASE.get(k, np.nan) for k in table["shops"]]
    return table[table["shops"].isin([int(k) for k in shops])].reset_index(drop=True)


def figure(table: pd.DataFrame, path: str | Path, translate: Callable[[str], str] = str,
           localise: Callable[[Any], Any] | None = None) -> Path:
    """Sales relative to one shop, simulated against the case's figures (PNG; and SVG beside it).

    ``translate`` turns each English label into the figure's language; ``localise(fig)``, when
    given, sets the language's typeface and lays the figure out (else ``tight_layout``).
    """
    _ = translate
    fig, ax = subplots(figsize=(6.0, 4.2))
    ax.plot(table["shops"], table["shops"], ls=":", color="0.5", label=_("proportional (x shops)"))
    case = table.dropna(subset=["case"])
    ax.plot(case["shops"], case["case"], "D", color="black", ms=8, label=_("Meisu case (step 7)"))
    ax.plot(table["shops"], table["sales_ratio"], "o-", color="#C44E52", lw=2, label=_("simulated, open market"))
    ax.set_xlabel(_("shops open on the street"))
    ax.set_ylabel(_("sales relative to one shop"))
    ax.set_title(_("Meisu's feedback loop: convenience, footfall, word of mouth"))
    ax.legend(frameon=False)
    if localise is None:
        fig.tight_layout()
    else:
        localise(fig)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, lambda p: fig.savefig(p, dpi=120, format="png"))
    write_atomic(out.with_suffix(".svg"), lambda p: fig.savefig(p, format="svg"))
    return out
