"""Objectives of an optimisation: which outcome, in which direction.

An objective is the paired difference of a run-summary column against the baseline
(:mod:`cxsim.evaluation`), or ``spend``. The named ones are in :data:`OBJECTIVES`; any numeric
column of the run summary can be an objective with an explicit direction
(``{metric: clv, direction: maximize}``), and :func:`register_objective` names a new one — the
extension point for outcomes other models add to the summary (customer lifetime value, market
share).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxsim.engine.run import SUMMARY_COLUMNS
from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks

DIRECTIONS = ("maximize", "minimize")


@dataclass(frozen=True)
class Objective:
    """An objective: a metric (a run-summary column, or ``spend``), its direction and its label."""

    metric: str
    column: str
    direction: str = "maximize"
    label: str = ""

    def __post_init__(self) -> None:
        checks.name("metric", self.metric)
        checks.choice("direction", self.direction, DIRECTIONS)

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "maximize" else -1.0


#: Named objectives: the paired difference of a run-summary column against the baseline.
OBJECTIVES: dict[str, Objective] = {
    "profit": Objective("profit", "profit", "maximize", "Δ profit"),
    "nps": Objective("nps", "nps", "maximize", "Δ NPS (points)"),
    "retention": Objective("retention", "retention_rate", "maximize", "Δ retention"),
    "satisfaction": Objective("satisfaction", "satisfaction_mean", "maximize", "Δ satisfaction"),
    "revenue": Objective("revenue", "revenue", "maximize", "Δ revenue"),
    "cost": Objective("cost", "cost", "minimize", "Δ cost"),
    "spend": Objective("spend", "spend", "minimize", "spend"),
}


def register_objective(objective: Objective) -> None:
    """Make a named objective available (e.g. customer lifetime value from the market model)."""
    OBJECTIVES[objective.metric] = objective


def objective_from(item: Any, where: str) -> Objective:
    """An objective from ``profit`` or ``{metric: profit, direction: maximize}``."""
    if isinstance(item, str):
        item = {"metric": item}
    data = dict(checks.mapping(where, item))
    checks.no_unknown_keys(where, data, ("metric", "direction"))
    metric = data.get("metric")
    if metric is None:
        raise SpecError(f"{where}.metric", MISSING, "an objective needs a metric")
    numeric = [c for c in SUMMARY_COLUMNS if c not in ("scenario", "replication", "seed", "intervention",
                                                        "memory_model", "engine", "n_customers", "n_cycles")]
    if metric in OBJECTIVES:
        known = OBJECTIVES[metric]
        direction = data.get("direction", known.direction)
        checks.choice(f"{where}.direction", direction, DIRECTIONS)
        return Objective(known.metric, known.column, direction, known.label)
    if "direction" not in data:
        raise SpecError(f"{where}.metric", metric, "a named objective (" + ", ".join(OBJECTIVES)
                        + ") or a run-summary column with an explicit direction; columns: " + ", ".join(numeric))
    checks.choice(f"{where}.direction", data["direction"], DIRECTIONS)
    return Objective(str(metric), str(metric), data["direction"], f"Δ {metric}")
