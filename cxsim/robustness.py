"""Robustness: do the chosen portfolios hold up when the model's assumptions are wrong?

The scenario's uncertain parameters are given as ranges (``{path, low, high}``: a dotted config
path, as in sweeps). A Latin hypercube (McKay, Beckman & Conover 1979) draws ``worlds`` parameter
sets; in each world the baseline and every portfolio run the same replications (common random
numbers within the world). Per portfolio the report gives

* the **probability of beating the baseline**: the share of worlds in which its mean paired
  difference on the metric is positive (negative for a metric to minimise);
* its **regret** in each world: how far it falls short of the best of the compared portfolios
  (and of doing nothing) in that world, summarised by the mean and the maximum (Savage 1951;
  the minimax-regret criterion of robust decision making, Lempert, Popper & Bankes 2003);
* **scenario discovery** with PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010), using the EMA
  Workbench's implementation (Kwakkel 2017): the worlds where a portfolio *loses* (its
  difference against the baseline is below zero: it costs more than it earns on ``profit``) are
  described by a box on the parameters — "it loses money when the expectation of delivery is above
  x and the meeting's rating below y" — with its coverage (share of the losing worlds inside the
  box) and density (share of the worlds inside the box that lose).

**Posterior draws.** Instead of ranges, :func:`assess` accepts the worlds as a table, one row per
draw and one column per config path: the posterior draws of a calibration plug in here unchanged.
"""

from __future__ import annotations

import json
import warnings
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.stats import qmc

from cxsim.errors import MISSING, SpecError
from cxsim.evaluation import Evaluator, differences, run_tasks
from cxsim.extras import require
from cxsim.portfolio import Portfolio
from cxsim.specs import checks
from cxsim.specs.intervention import get_path, set_path


@dataclass(frozen=True)
class Uncertain:
    """An uncertain scenario parameter: a dotted config path and its plausible range."""

    path: str
    low: float
    high: float

    def __post_init__(self) -> None:
        checks.name("path", self.path)
        lo, hi = checks.number("low", self.low), checks.number("high", self.high)
        if lo > hi:
            raise SpecError("low", self.low, f"must be <= high ({self.high})")


@dataclass(frozen=True)
class RobustnessSettings:
    """The ``robustness`` block of the ``optimise`` settings.

    Attributes:
        params: the uncertain parameters (none: no robustness step).
        worlds: parameter sets drawn (Latin hypercube).
        replications: paired replications per portfolio and world.
        seed: seeds the Latin hypercube.
        metric: the outcome judged (a column of the paired differences: ``profit``, ``nps`` …).
        direction: ``maximize`` or ``minimize`` the metric.
        portfolios: how many of the selection's leading portfolios are assessed.
        density: PRIM's box is the one with the largest coverage whose density reaches this.
        peel_alpha: the share of worlds PRIM peels off a box at each step (Friedman & Fisher 1999
            suggest 0.05-0.1; larger steps suit a few dozen worlds).
    """

    params: tuple[Uncertain, ...] = ()
    worlds: int = 32
    replications: int = 3
    seed: int = 0
    metric: str = "profit"
    direction: str = "maximize"
    portfolios: int = 3
    density: float = 0.8
    peel_alpha: float = 0.1

    def __post_init__(self) -> None:
        checks.integer("worlds", self.worlds, 2)
        checks.integer("replications", self.replications, 1)
        checks.integer("seed", self.seed, 0)
        checks.name("metric", self.metric)
        checks.choice("direction", self.direction, ("maximize", "minimize"))
        checks.integer("portfolios", self.portfolios, 1)
        d = checks.number("density", self.density)
        if not 0.0 < d <= 1.0:
            raise SpecError("density", self.density, "must lie in (0, 1]")
        a = checks.number("peel_alpha", self.peel_alpha)
        if not 0.0 < a < 0.5:
            raise SpecError("peel_alpha", self.peel_alpha, "must lie in (0, 0.5)")
        paths = [p.path for p in self.params]
        for p in paths:
            if paths.count(p) > 1:
                raise SpecError("params", p, "each parameter may appear once")

    @property
    def enabled(self) -> bool:
        return bool(self.params)


def settings_from_dict(data: Any) -> RobustnessSettings:
    """:class:`RobustnessSettings` from ``optimise.robustness`` (errors name that path)."""
    where = "optimise.robustness"
    data = dict(checks.mapping(where, data or {}))
    checks.no_unknown_keys(where, data, RobustnessSettings.__dataclass_fields__)
    params = []
    for k, raw in enumerate(checks.sequence(f"{where}.params", data.get("params") or [])):
        at = f"{where}.params[{k}]"
        raw = dict(checks.mapping(at, raw))
        checks.no_unknown_keys(at, raw, ("path", "low", "high"))
        for key in ("path", "low", "high"):
            if key not in raw:
                raise SpecError(f"{at}.{key}", MISSING, "an uncertain parameter needs path, low and high")
        try:
            params.append(Uncertain(**raw))
        except SpecError as err:
            raise err.at(at) from None
    data["params"] = tuple(params)
    try:
        return RobustnessSettings(**data)
    except SpecError as err:
        raise err.at(where) from None


def check_paths(config: Mapping[str, Any], settings: RobustnessSettings) -> None:
    """Every uncertain parameter names an existing numeric field of ``config``."""
    for k, p in enumerate(settings.params):
        at = f"optimise.robustness.params[{k}].path"
        try:
            value = get_path(config, p.path)
        except SpecError as err:
            raise SpecError(at, p.path, err.allowed) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(at, p.path, f"holds {value!r}, not a number; only numeric fields can be uncertain")


def sample_worlds(settings: RobustnessSettings) -> pd.DataFrame:
    """The worlds: one row per parameter set, one column per path (Latin hypercube, reproducible)."""
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, zlib.crc32(b"robustness-worlds")]))
    u = qmc.LatinHypercube(d=len(settings.params), seed=rng).random(settings.worlds)
    return pd.DataFrame({p.path: p.low + u[:, k] * (p.high - p.low) for k, p in enumerate(settings.params)})


def world_config(config: Mapping[str, Any], world: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with a world's parameter values (an integer field gets the nearest integer)."""
    cfg = json.loads(json.dumps(config))
    for path, value in world.items():
        old = get_path(cfg, path)
        v = float(value)
        set_path(cfg, path, round(v) if isinstance(old, int) and not isinstance(old, bool) else v)
    return cfg


@dataclass
class Robustness:
    """Outcomes of the portfolios across the worlds.

    Attributes:
        worlds: the parameter sets (index = world).
        outcomes: ``world, portfolio, delta`` (mean paired difference on the metric in that world) and
            ``regret``.
        table: per portfolio: probability of beating the baseline, mean and worst difference, mean
            and maximum regret.
        boxes: PRIM boxes on each portfolio's losing worlds: ``portfolio, path, low, high`` with the
            box's ``coverage`` and ``density`` (none for a portfolio that never loses, always loses
            or loses in too few worlds to describe).
        notes: one plain sentence per portfolio about where it loses.
        settings: the settings.
    """

    worlds: pd.DataFrame
    outcomes: pd.DataFrame
    table: pd.DataFrame
    boxes: pd.DataFrame
    notes: list[str]
    settings: RobustnessSettings
    portfolios: list[str] = field(default_factory=list)

    @property
    def prim_note(self) -> str:
        """The notes as one paragraph."""
        return " ".join(self.notes)

    def loses(self, label: str) -> np.ndarray:
        """Per world (in order), whether ``label`` does worse than doing nothing."""
        sign = 1.0 if self.settings.direction == "maximize" else -1.0
        d = self.outcomes[self.outcomes["portfolio"] == label].sort_values("world")["delta"].to_numpy()
        return sign * d < 0


def assess(config: Mapping[str, Any], portfolios: Mapping[str, Portfolio], settings: RobustnessSettings,
           worlds: pd.DataFrame | None = None, n_jobs: int = 1) -> Robustness:
    """Run every portfolio (and the baseline) in every world; probabilities, regret and PRIM boxes.

    Args:
        config: the composed, resolved baseline config.
        portfolios: ``{label: portfolio}``; the first is the one PRIM explains.
        settings: the robustness settings.
        worlds: the worlds as a table (e.g. posterior draws); default: :func:`sample_worlds`.
        n_jobs: worker processes for the runs.
    """
    check_paths(config, settings)
    worlds = sample_worlds(settings) if worlds is None else worlds.reset_index(drop=True)
    labels = list(portfolios)
    reps = list(range(settings.replications))
    tasks, index = [], []
    for w, world in enumerate(worlds.to_dict("records")):
        ev = Evaluator(world_config(config, cast(dict[str, Any], world)), settings.replications)
        for label in [None, *labels]:
            spec = ev.spec(portfolios[label] if label is not None else None)
            for r in reps:
                tasks.append((spec, r))
                index.append((w, label))
    rows = run_tasks(tasks, n_jobs)
    frame = pd.DataFrame(rows)
    frame["_world"] = [w for w, _ in index]
    frame["_label"] = [lab if lab is not None else "" for _, lab in index]
    out = []
    for w in range(len(worlds)):
        here = frame[frame["_world"] == w]
        base = here[here["_label"] == ""].drop(columns=["_world", "_label"])
        for label in labels:
            arm = here[here["_label"] == label].drop(columns=["_world", "_label"])
            d = differences(arm, base)
            if settings.metric not in d:
                raise SpecError("optimise.robustness.metric", settings.metric,
                                "a column of the run summary or spend; columns: " + ", ".join(map(str, d.columns)))
            out.append({"world": w, "portfolio": label, "delta": float(d[settings.metric].mean())})
    outcomes = pd.DataFrame(out)
    sign = 1.0 if settings.direction == "maximize" else -1.0
    best = outcomes.groupby("world")["delta"].agg(lambda x: max(float((sign * x).max()), 0.0))
    outcomes["regret"] = best.loc[outcomes["world"]].to_numpy() - sign * outcomes["delta"].to_numpy()
    table = summary_table(outcomes, labels, sign)
    frames, notes = [], []
    for label in labels:
        delta = outcomes[outcomes["portfolio"] == label].sort_values("world")["delta"].to_numpy()
        boxes, note = discover(worlds, sign * delta < 0, settings.density, label, settings.peel_alpha)
        frames.append(boxes.assign(portfolio=label)[["portfolio", *boxes.columns]])
        notes.append(note)
    boxes = pd.concat(frames, ignore_index=True) if any(not f.empty for f in frames) else frames[0].iloc[:0]
    return Robustness(worlds, outcomes, table, boxes, notes, settings, labels)


def summary_table(outcomes: pd.DataFrame, labels: Sequence[str], sign: float) -> pd.DataFrame:
    """Per portfolio: ``p_beats_baseline``, mean and worst difference, mean and maximum regret."""
    rows = []
    for label in labels:
        g = outcomes[outcomes["portfolio"] == label]
        rows.append({"portfolio": label, "worlds": len(g),
                     "p_beats_baseline": float(np.mean(sign * g["delta"] > 0)),
                     "mean_delta": float(g["delta"].mean()),
                     "worst_delta": float((sign * g["delta"]).min() * sign),
                     "mean_regret": float(g["regret"].mean()), "max_regret": float(g["regret"].max())})
    return pd.DataFrame(rows)


def discover(worlds: pd.DataFrame, y: np.ndarray, density: float, label: str,
             peel_alpha: float = 0.1) -> tuple[pd.DataFrame, str]:
    """PRIM (EMA Workbench) boxes on the worlds where ``y`` is true; ``(boxes, note)``.

    The box chosen on the peeling trajectory is the one with the largest coverage among those
    whose density reaches ``density`` (else the densest). Only the parameters the box restricts
    are listed.
    """
    columns = ["path", "low", "high", "range_low", "range_high", "coverage", "density", "worlds_in_box"]
    n_lose = int(np.sum(y))
    if n_lose == 0:
        return pd.DataFrame(columns=columns), f"{label} beats the baseline in every sampled world: no box to find"
    if n_lose == len(y):
        return pd.DataFrame(columns=columns), f"{label} loses in every sampled world: no box to find"
    with warnings.catch_warnings():  # the workbench warns at import about optional parallel back ends
        warnings.simplefilter("ignore")
        prim = require("ema_workbench.analysis.prim", "decide", "PRIM scenario discovery")

        alg = prim.Prim(worlds.astype(float), np.asarray(y, dtype=bool), threshold=density, peel_alpha=peel_alpha)
        box = alg.find_box()
    traj = box.peeling_trajectory
    ok = traj[traj["density"] >= density]
    i = int(ok.sort_values(["coverage", "density"], ascending=False).index[0]) if not ok.empty \
        else int(traj["density"].idxmax())
    lims, start = box.box_lims[i], box.box_lims[0]
    rows = []
    for path in worlds.columns:
        lo, hi = float(lims[path].iloc[0]), float(lims[path].iloc[1])
        lo0, hi0 = float(start[path].iloc[0]), float(start[path].iloc[1])
        if lo > lo0 or hi < hi0:
            rows.append({"path": path, "low": lo, "high": hi, "range_low": lo0, "range_high": hi0})
    cov, den, n = float(traj.loc[i, "coverage"]), float(traj.loc[i, "density"]), int(traj.loc[i, "n"])
    boxes = pd.DataFrame(rows, columns=columns[:5])
    boxes["coverage"], boxes["density"], boxes["worlds_in_box"] = cov, den, n
    if boxes.empty:
        return boxes, f"{label} loses in {n_lose} of {len(y)} worlds, with no parameter range that separates them"
    rows_in_box = cast(Iterable[Any], boxes.itertuples())  # the stubs type a row's fields as any scalar
    where = " and ".join(_limit(r.path, r.low, r.high, r.range_low, r.range_high) for r in rows_in_box)
    note = (f"{label} loses in {n_lose} of {len(y)} worlds; PRIM: it loses when {where} "
            f"(this box holds {cov:.0%} of the losing worlds; {den:.0%} of the worlds in it lose)")
    return boxes, note


def _limit(path: str, low: float, high: float, range_low: float, range_high: float) -> str:
    """``path <= high``, ``path >= low`` or ``path in [low, high]``: only the sides the box restricts."""
    if low <= range_low:
        return f"{path} <= {high:.4g}"
    if high >= range_high:
        return f"{path} >= {low:.4g}"
    return f"{path} in [{low:.4g}, {high:.4g}]"
