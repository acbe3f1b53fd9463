"""The intervention specs, importable under this name for one release; they live in :mod:`cxsim.specs.intervention`."""

from cxsim.specs.intervention import (
    COST_FIELDS,
    NONE,
    OPERATIONS,
    TOP_KEYS,
    Change,
    Intervention,
    InterventionCost,
    NotApplicable,
    applies_to,
    apply_changes,
    check_touchpoints,
    cycle_costs,
    get_path,
    resolve,
    set_path,
)

__all__ = [
    "COST_FIELDS",
    "Change",
    "Intervention",
    "InterventionCost",
    "NONE",
    "NotApplicable",
    "OPERATIONS",
    "TOP_KEYS",
    "applies_to",
    "apply_changes",
    "check_touchpoints",
    "cycle_costs",
    "get_path",
    "resolve",
    "set_path",
]
