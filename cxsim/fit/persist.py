"""Save fitted models as JSON and apply them to new files (never pickle).

A saved model is a small JSON document (``"cxsim_model": "drivers"`` or ``"memory"``, a format
``version``, the columns it reads, its coefficients and how the data was prepared). Applying it to a
file whose columns are named differently takes a rename map ``{old column in the new file: name
the model uses}``. Loading checks every field, so a hand-edited or foreign JSON file gives a
one-line :class:`~cxsim.errors.SpecError`, never code execution.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.errors import SpecError
from cxsim.files import write_atomic
from cxsim.fit.survey import Scale, load_long, numeric, on_scale, require_columns
from cxsim.specs import checks

FORMAT_VERSION = 1
KINDS = ("drivers", "memory")


def write_json(document: Mapping[str, Any], path: Path) -> Path:
    """Write a model document atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, allow_nan=False)
    return write_atomic(path, lambda p: Path(p).write_text(text + "\n"))


def read_json(path: str | Path) -> dict[str, Any]:
    """Read and check a saved model document."""
    p = Path(path)
    if not p.is_file():
        raise SpecError(p.name, str(p), "no such model file")
    try:
        doc = json.loads(p.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SpecError(p.name, str(p), f"a JSON model saved by cxsim-fit is required ({err})") from None
    if not isinstance(doc, dict) or doc.get("cxsim_model") not in KINDS:
        raise SpecError(f"{p.name}: cxsim_model", doc.get("cxsim_model") if isinstance(doc, dict) else doc,
                        "allowed: " + ", ".join(KINDS))
    if doc.get("version") != FORMAT_VERSION:
        raise SpecError(f"{p.name}: version", doc.get("version"), f"this cxsim reads version {FORMAT_VERSION}")
    return doc


def parse_rename(text: str | None) -> dict[str, str]:
    """``"OLD=NEW,OLD2=NEW2"`` -> ``{OLD: NEW, …}`` (names may contain spaces)."""
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise SpecError("--rename", item, "OLD=NEW pairs separated by commas are required")
        out[old.strip()] = new.strip()
    return out


def memory_document(fitted: Any, survey: Any) -> dict[str, Any]:
    """The JSON document of a fitted memory model (:class:`~cxsim.fit.memory_fit.FittedMemory`)."""
    return {
        "cxsim_model": "memory", "version": FORMAT_VERSION, "model": fitted.name,
        "function": fitted.function, "params": fitted.params, "midpoint": fitted.midpoint,
        "scale": [survey.scale.low, survey.scale.high], "na_zero": survey.scale.na_zero,
        "columns": survey.columns, "touchpoints": list(survey.touchpoint_names),
        "source": survey.source, "n": survey.n,
    }


def drivers_document(fit: Any) -> dict[str, Any]:
    """The JSON document of a fitted key-driver model (:class:`~cxsim.fit.drivers.DriverFit`)."""
    s = fit.survey
    return {
        "cxsim_model": "drivers", "version": FORMAT_VERSION, "kind": fit.kind,
        "touchpoints": list(s.touchpoints), "outcome": s.outcome_name, "positive": s.positive,
        "intercept": fit.intercept, "coefficients": dict(zip(s.touchpoints, fit.coefficients)),
        "fill": dict(zip(s.touchpoints, fit.fill)),
        "scale": [s.scale.low, s.scale.high], "na_zero": s.scale.na_zero,
        "source": s.source, "n": s.n,
    }


def _field(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise SpecError(f"{where}: {key}", None, "missing from the model file")
    return doc[key]


def predict(doc: Mapping[str, Any], frame: pd.DataFrame, source: str, rename: Mapping[str, str] | None = None,
            blanks: str = "fill") -> pd.DataFrame:
    """Apply a saved model to a table: the input rows with a ``predicted`` column added.

    Drivers: one prediction per row (a probability for a binary outcome); a blank or
    not-applicable rating takes the value it was imputed with when fitting (the training mean),
    or with ``blanks="drop"`` the row gets a blank prediction. Memory: one row per episode with
    the episode keys and ``predicted``.
    """
    data = frame.rename(columns=dict(rename or {}))
    kind = doc["cxsim_model"]
    lo, hi = (checks.number("scale", v) for v in _field(doc, "scale", "model"))
    scale = Scale(lo, hi, bool(doc.get("na_zero", False)))
    if kind == "drivers":
        tps = [str(t) for t in _field(doc, "touchpoints", "model")]
        require_columns(data, source, tps)
        coef = np.array([checks.number(f"coefficients.{t}", doc["coefficients"][t]) for t in tps])
        fill = np.array([checks.number(f"fill.{t}", doc["fill"][t]) for t in tps])
        x = np.column_stack([on_scale(numeric(data, source, t), scale, source, t) for t in tps])
        holes = np.isnan(x)
        x = np.where(holes, fill, x)
        eta = checks.number("intercept", doc["intercept"]) + x @ coef
        pred = 1.0 / (1.0 + np.exp(-eta)) if doc.get("kind") == "logistic" else eta
        if blanks == "drop":
            pred[holes.any(axis=1)] = np.nan
        out = frame.copy()
        out["predicted"] = pred
        return out
    # numba kernels: loaded only when a memory model is read
    from cxsim.fit.memory_fit import FittedMemory

    cols = _field(doc, "columns", "model")
    has_retro = cols["retrospective"] in data.columns
    if not has_retro:  # applying to new episodes: no retrospective rating needed
        data = data.assign(**{cols["retrospective"]: 0.0})
    survey = load_long(data, cols["episode"], cols["order"], cols["rating"], cols["retrospective"],
                       duration=cols.get("duration"), scale=scale, source=source,
                       retrospective_scale=Scale(-1e300, 1e300), touchpoint=cols.get("touchpoint"))
    params = {str(k): checks.number(f"params.{k}", v) for k, v in _field(doc, "params", "model").items()}
    fitted = FittedMemory(str(doc["model"]), str(doc["function"]), params, float(doc["midpoint"]))
    out = survey.episodes.copy()
    if fitted.function == "key_moments":  # per-touchpoint ratings, in the fitted touchpoints' order
        names = [str(t) for t in _field(doc, "touchpoints", "model")]
        have = {t: j for j, t in enumerate(survey.touchpoint_names)}
        bt = np.full((survey.n, len(names)), np.nan)
        for k, t in enumerate(names):
            if t in have and survey.by_touchpoint is not None:
                bt[:, k] = survey.by_touchpoint[:, have[t]]
        if has_retro:
            out[cols["retrospective"]] = survey.retrospective
        out["predicted"] = fitted.predict(bt, ~np.isnan(bt))
        return out
    if has_retro:
        out[cols["retrospective"]] = survey.retrospective
    out["predicted"] = fitted.predict(survey.ratings, survey.present, survey.durations)
    return out
