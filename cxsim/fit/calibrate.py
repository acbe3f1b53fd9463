"""Calibrate simulation parameters to observed aggregates (means, shares, a curve).

A calibration (``configs/calibrate/*.yaml``) names the run (Hydra overrides), the parameters to
fit — dotted paths into the composed config with bounds, e.g.
``scenario.loyalty.terrible_hazard: {low: 0.01, high: 0.95}`` — and the observed targets::

    targets:
      - {name: after_1, metric: switched, cycle: 1, value: 0.40}
      - {name: retention, metric: summary.retention_rate, value: 0.7}
      - {name: nps_month_12, metric: cycles.nps, cycle: 12, value: 20, sd: 10}

Metrics: ``summary.<column>`` (mean over replications of the run summary), ``cycles.<column>``
at ``cycle`` (a curve is several targets), and ``switched`` at ``cycle`` (share of the starting
customers who have left by then, ``1 − retention_rate``). With ``experiment: bad_experience``
every customer meets one terrible moment a month and word of mouth is off — the design of
:mod:`cxsim.teach.switching`, reused here — so ``switched`` at cycle k is the share who switch
after k bad experiences.

With ``experiment: meisu_shops`` the run is repeated with 1, 2, … shops open and the metric
``sales_ratio.<k>`` is the sales of the last year with ``k`` shops relative to one shop
(:func:`cxsim.fit.shops.sales_by_shops`; Meisu's feedback loop, ``configs/calibrate/meisu_shops.yaml``).

The objective is ``Σ weight·((simulated − value)/sd)²``. **Common random numbers**: every
evaluation runs with the same seed, so two parameter values see the same customers, draws and
churn dice; the objective is then a deterministic function of the parameters whose only roughness
is the 1/n granularity of simulated shares, instead of fresh Monte Carlo noise at every call.

**Optimiser** (scipy.optimize, already a dependency): bounded Nelder–Mead (Nelder & Mead 1965;
derivative-free, robust to the small steps of CRN objectives, few evaluations for a handful of
parameters) on parameters rescaled to the unit cube, or ``differential-evolution`` (Storn & Price
1997) when the objective may have several basins. We chose scipy over Optuna (built for noisy,
high-dimensional hyper-parameter searches: its samplers need many more evaluations here).

The point fit is the fast option. How sure the data make us is the job of the **Bayesian
calibration** (:mod:`cxsim.fit.bayes`): a file with ``method: npe`` or ``abc-smc``, priors and
targets with observation noise — or any point-fit file run with ``method=npe``
(:func:`bayesian` picks the path).

**Many runs at once**: with an ``execution`` backend of several workers (local processes, Ray,
Dask), differential evolution evaluates each generation's population in parallel (SciPy's
``workers`` map with ``updating="deferred"``); the search is then the same on every backend and
with any number of workers (but differs from the one-worker search, which updates the population
after each evaluation). Nelder–Mead is sequential by nature and runs in this process.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from cxsim.config import compose_config
from cxsim.errors import MISSING, SpecError
from cxsim.execution.backend import Backend, open_backend
from cxsim.execution.settings import Execution
from cxsim.figures import figure_style, subplots
from cxsim.fit import bayes
from cxsim.fit.calibration_checks import check_cycles, check_spec, metric_value, parameter_values, read
from cxsim.fit.calibration_checks import shipped as shipped  # re-exported: the command lists the shipped names
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.intervention import set_path
from cxsim.specs.mapping import from_mapping
from cxsim.teach.switching import with_bad_experience

METHODS = ("nelder-mead", "differential-evolution")
ALL_METHODS = (*METHODS, *bayes.METHODS)  # the point fit's optimisers, then the Bayesian methods
EXPERIMENTS = ("none", "bad_experience", "meisu_shops")
TOP_KEYS = ("name", "description", "overrides", "experiment", "parameters", "targets", "method",
            "max_evaluations")


@dataclass(frozen=True)
class Parameter:
    """A parameter to fit: a dotted path of the composed config and its bounds."""

    path: str
    low: float
    high: float

    def __post_init__(self) -> None:
        lo = checks.number(f"parameters.{self.path}.low", self.low)
        hi = checks.number(f"parameters.{self.path}.high", self.high)
        if not lo < hi:
            raise SpecError(f"parameters.{self.path}.high", self.high, f"must be above low ({lo:g})")


@dataclass(frozen=True)
class Target:
    """An observed aggregate: ``metric`` (at ``cycle`` for curves) should equal ``value``."""

    name: str
    metric: str
    value: float
    cycle: int | None = None
    sd: float = 1.0
    weight: float = 1.0

    def __post_init__(self) -> None:
        where = f"targets.{self.name}"
        checks.name(f"{where}.name", self.name)
        checks.number(f"{where}.value", self.value)
        checks.positive(f"{where}.sd", self.sd)
        checks.non_negative(f"{where}.weight", self.weight)
        kind, _, column = self.metric.partition(".")
        if kind == "sales_ratio":
            if not column.isdigit() or int(column) < 1:
                raise SpecError(f"{where}.metric", self.metric, "sales_ratio.<shops>, e.g. sales_ratio.2")
            if self.cycle is not None:
                raise SpecError(f"{where}.cycle", self.cycle, "sales ratios are over the last year; remove cycle")
        elif self.metric == "switched" or kind == "cycles":
            if self.cycle is None:
                raise SpecError(f"{where}.cycle", MISSING, f"metric {self.metric} needs the cycle it is read at")
            checks.integer(f"{where}.cycle", self.cycle, 1)
        elif kind == "summary" and column:
            if self.cycle is not None:
                raise SpecError(f"{where}.cycle", self.cycle, "summary metrics are over the whole run; remove cycle")
        else:
            raise SpecError(f"{where}.metric", self.metric,
                            "allowed: switched, summary.<column>, cycles.<column>, sales_ratio.<shops>")


def _parameters(path: str, data: Any) -> tuple[Parameter, ...]:
    """``{dotted.path: {low: ..., high: ...}}`` → :class:`Parameter` per path."""
    params = []
    for where, b in checks.mapping(path, data or {}).items():
        b = checks.mapping(f"{path}.{where}", b)
        checks.no_unknown_keys(f"{path}.{where}", b, ("low", "high"))
        if "low" not in b or "high" not in b:
            raise SpecError(f"{path}.{where}", dict(b), "bounds {low: ..., high: ...} are required")
        params.append(Parameter(str(where), b["low"], b["high"]))
    return tuple(params)


def _targets(path: str, data: Any) -> tuple[Target, ...]:
    """The list of targets; a target's errors name it by its name (``targets.<name>.*``)."""
    targets = []
    for i, t in enumerate(checks.sequence(path, data or [])):
        t = checks.mapping(f"{path}[{i}]", t)
        checks.no_unknown_keys(f"{path}[{i}]", t, Target.__dataclass_fields__)
        for key in ("name", "metric", "value"):
            if key not in t:
                raise SpecError(f"{path}[{i}].{key}", MISSING, "every target needs name, metric and value")
        targets.append(Target(**dict(t)))
    return tuple(targets)


def _override_list(path: str, data: Any) -> tuple[str, ...]:
    return tuple(str(o) for o in checks.sequence(path, data or []))


@dataclass(frozen=True)
class CalibrationSpec:
    """A calibration problem (see the module docstring)."""

    name: str
    parameters: tuple[Parameter, ...] = field(metadata={"convert": _parameters})
    targets: tuple[Target, ...] = field(metadata={"convert": _targets})
    overrides: tuple[str, ...] = field(default=(), metadata={"convert": _override_list})
    experiment: str = "none"
    method: str = "nelder-mead"
    max_evaluations: int = 150
    description: str = ""

    def __post_init__(self) -> None:
        check_spec(self.name, self.parameters, self.targets, "at least one parameter to fit is required")
        checks.choice("experiment", self.experiment, EXPERIMENTS)
        ratios = [t.name for t in self.targets if t.metric.startswith("sales_ratio.")]
        if ratios and self.experiment != "meisu_shops":
            raise SpecError(f"targets.{ratios[0]}.metric", "sales_ratio",
                            "sales ratios by number of shops need experiment: meisu_shops")
        checks.choice("method", self.method, METHODS)
        checks.integer("max_evaluations", self.max_evaluations, 2)


def spec_from_dict(data: Mapping[str, Any]) -> CalibrationSpec:
    """Build and validate a :class:`CalibrationSpec` from plain data (a parsed YAML file), through
    the generic builder (:func:`~cxsim.specs.mapping.from_mapping`); ``name`` and ``description``
    may be left out or ``null``."""
    data = dict(checks.mapping("calibration", data))
    data["name"] = str(data.get("name") or "calibration")
    data["description"] = str(data.get("description") or "")
    for key, empty in (("parameters", {}), ("targets", [])):  # none given: the spec says what is missing
        data[key] = data.get(key) or empty
    return from_mapping(CalibrationSpec, data)


def load(name_or_path: str | Path) -> CalibrationSpec:
    """A shipped calibration by name (``switching``) or a YAML file."""
    return spec_from_dict(read(name_or_path)[0])


def bayesian(name_or_path: str | Path, method: str | None = None) -> bayes.BayesSpec | None:
    """The Bayesian calibration that a file or a method asks for, or ``None`` for a point fit.

    A file whose ``method`` is ``npe`` or ``abc-smc`` (priors, targets with observation noise;
    :mod:`cxsim.fit.bayes`) is Bayesian; ``method`` (the command's ``calibrate.method``) overrides
    the file's: a point-fit file asked for ``npe`` becomes a Bayesian calibration with uniform
    priors over its bounds (:func:`cxsim.fit.bayes.from_point_fit`); a Bayesian file cannot be
    point-fitted (its priors are not bounds).
    """
    data, base = read(name_or_path)
    if method is not None:
        checks.choice("method", method, ALL_METHODS)
    if bayes.is_bayesian(data):
        if method in METHODS:
            raise SpecError("method", method, "this calibration has priors and observation noise: "
                            + " or ".join(bayes.METHODS))
        return bayes.spec_from_dict({**data, **({"method": method} if method else {})}, base)
    if method in bayes.METHODS:
        return bayes.from_point_fit(spec_from_dict(data), method)
    return None


# --------------------------------------------------------------------------- the objective
class Problem:
    """The calibration's objective over the unit cube, with common random numbers.

    Every evaluation composes the same base config (same seed), sets the parameters, runs
    ``cxsim.run`` and reads the targets' metrics. Evaluations are recorded in ``history``.
    """

    def __init__(self, spec: CalibrationSpec, extra_overrides: Sequence[str] = ()) -> None:
        self.spec = spec
        self.base = compose_config([*spec.overrides, *extra_overrides])
        self.base.pop("intervention", None) if self.base.get("intervention") is None else None
        values = parameter_values(self.base, [p.path for p in spec.parameters])
        self.start = [min(max(v, p.low), p.high) for p, v in zip(spec.parameters, values)]
        check_cycles(spec.targets, int(self.base["sim"]["n_cycles"]))
        self.lows = np.array([p.low for p in spec.parameters])
        self.highs = np.array([p.high for p in spec.parameters])
        self.history: list[dict[str, float]] = []
        self._cache: dict[tuple[float, ...], np.ndarray] = {}
        self.simulate(np.array(self.start))  # validates the metrics' columns before the search

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Parameter values -> unit cube."""
        return (np.asarray(x) - self.lows) / (self.highs - self.lows)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Unit cube -> parameter values (clipped to the bounds)."""
        return self.lows + np.clip(np.asarray(u), 0.0, 1.0) * (self.highs - self.lows)

    def config(self, x: np.ndarray) -> dict[str, Any]:
        """The composed config with parameter values ``x``."""
        cfg = copy.deepcopy(self.base)
        for p, v in zip(self.spec.parameters, x):
            set_path(cfg, p.path, float(v))
        if self.spec.experiment == "bad_experience":

            cfg = with_bad_experience(cfg, cycles=int(cfg["sim"]["n_cycles"]))
        return cfg

    def simulate(self, x: np.ndarray) -> np.ndarray:
        """The targets' metrics simulated at parameter values ``x``."""
        key = tuple(float(v) for v in x)
        if key in self._cache:
            return self._cache[key]
        values = simulate_targets((self.config(np.asarray(x)), self.spec.targets))
        self._cache[key] = values
        return values

    def simulate_many(self, xs: Sequence[np.ndarray], backend: Backend) -> None:
        """Simulate the parameter values ``xs`` not simulated yet on ``backend`` (fills the cache)."""
        keys = list(dict.fromkeys(tuple(float(v) for v in x) for x in xs if tuple(float(v) for v in x)
                                  not in self._cache))
        jobs = [(_one_thread(self.config(np.array(k))), self.spec.targets) for k in keys]
        for index, values in backend.map_unordered(simulate_targets, jobs):
            self._cache[keys[index]] = values

    def loss(self, values: np.ndarray) -> float:
        """``Σ weight·((simulated − value)/sd)²``."""
        t = self.spec.targets
        r = (values - np.array([x.value for x in t])) / np.array([x.sd for x in t])
        return float(np.sum(np.array([x.weight for x in t]) * r ** 2))

    def __call__(self, u: np.ndarray) -> float:
        x = self.from_unit(u)
        values = self.simulate(x)
        loss = self.loss(values)
        row = {"evaluation": len(self.history) + 1, "loss": loss}
        row |= {p.path: float(v) for p, v in zip(self.spec.parameters, x)}
        row |= {t.name: float(v) for t, v in zip(self.spec.targets, values)}
        self.history.append(row)
        return loss


def _one_thread(cfg: dict[str, Any]) -> dict[str, Any]:
    """The config with the engine on one thread (workers already use the cores); same results."""
    cfg["runtime"] = {**(cfg.get("runtime") or {}), "threads": 1}
    cfg["sim"] = {**(cfg.get("sim") or {}), "threads": None}  # the old place must not win
    return cfg


def simulate_targets(job: tuple[Mapping[str, Any], Sequence[Target]]) -> np.ndarray:
    """The targets' metrics of one run of ``config``; module-level so that workers can import it."""
    from cxsim.engine.run import run  # the engine (numba, Mesa): loaded only when needed

    config, targets = job
    if targets and all(t.metric.startswith("sales_ratio.") for t in targets):  # experiment meisu_shops
        from cxsim.fit.shops import sales_by_shops  # the engine (numba, Mesa): loaded only when needed

        shops = [int(t.metric.partition(".")[2]) for t in targets]  # sales with 1, 2, ... shops
        table = sales_by_shops(dict(config), shops).set_index("shops")
        return np.array([float(cast(float, table.loc[k, "sales_ratio"])) for k in shops])
    results = run(run_spec_from_dict(dict(config)))
    return np.array([metric_value(results, t) for t in targets])


# --------------------------------------------------------------------------- the fit
@dataclass(frozen=True)
class CalibrationResult:
    """The outcome of :func:`calibrate`.

    Attributes:
        parameters: ``parameter, low, high, start, best``.
        targets: ``target, metric, cycle, observed, simulated_start, simulated_best, error``.
        history: every evaluation: its parameters, simulated targets and loss.
        loss_start, loss_best: the objective at the start and at the best parameters.
        evaluations: objective evaluations (runs of the simulation).
        seconds: wall time of the search.
    """

    spec: CalibrationSpec
    parameters: pd.DataFrame
    targets: pd.DataFrame
    history: pd.DataFrame
    loss_start: float
    loss_best: float
    evaluations: int
    seconds: float
    message: str = ""
    overrides: tuple[str, ...] = field(default_factory=tuple)


def calibrate(spec: CalibrationSpec, extra_overrides: Sequence[str] = (), seed: int = 0,
              progress: Callable[[str], None] | None = None,
              execution: Execution | None = None) -> CalibrationResult:
    """Fit the parameters of ``spec`` to its targets (see the module docstring).

    Args:
        spec: the calibration.
        extra_overrides: further Hydra overrides of the run (sizes, seed …).
        seed: seed of differential evolution's own search (the simulation's seed is
            ``sim.seed`` of the run, the same for every evaluation: common random numbers).
        progress: called with a short message every few evaluations.
        execution: where differential evolution's generations run (default: this process; see
            the module docstring).
    """
    from scipy import optimize  # SciPy: loaded only for the search

    start_time = time.perf_counter()
    prob = Problem(spec, extra_overrides)
    k = len(spec.parameters)
    u0 = prob.to_unit(np.array(prob.start))

    def objective(u: np.ndarray) -> float:
        loss = prob(u)
        if progress is not None and len(prob.history) % 10 == 0:
            best = min(h["loss"] for h in prob.history)
            progress(f"{len(prob.history)} evaluations, best loss {best:.5f}")
        return loss

    loss_start = objective(u0)
    if spec.method == "nelder-mead":
        simplex = np.vstack([u0] + [u0 + np.where(np.arange(k) == i, 0.25 if u0[i] <= 0.75 else -0.25, 0.0)
                                     for i in range(k)])
        res = optimize.minimize(objective, u0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * k,
                                options={"initial_simplex": simplex, "maxfev": spec.max_evaluations - 1,
                                         "xatol": 1e-3, "fatol": 1e-6})
    else:
        res = _evolve(prob, objective, u0, seed, execution or Execution())
    hist = pd.DataFrame(prob.history)
    best_row = hist.loc[hist["loss"].idxmin()]  # type: ignore[call-overload]
    best = np.array([best_row[p.path] for p in spec.parameters])
    sim_best = prob.simulate(best)
    sim_start = prob.simulate(np.array(prob.start))
    params = pd.DataFrame({
        "parameter": [p.path for p in spec.parameters], "low": prob.lows, "high": prob.highs,
        "start": prob.start, "best": best,
    })
    targets = pd.DataFrame({
        "target": [t.name for t in spec.targets], "metric": [t.metric for t in spec.targets],
        "cycle": [t.cycle for t in spec.targets], "observed": [t.value for t in spec.targets],
        "simulated_start": sim_start, "simulated_best": sim_best,
        "error": sim_best - np.array([t.value for t in spec.targets]),
    })
    overrides = bayes.as_overrides(prob.base, [p.path for p in spec.parameters], best)
    return CalibrationResult(spec, params, targets, hist, loss_start, float(best_row["loss"]), len(hist),
                             time.perf_counter() - start_time, str(getattr(res, "message", "")), overrides)


def _evolve(prob: Problem, objective: Callable[[np.ndarray], float], u0: np.ndarray, seed: int,
            execution: Execution) -> Any:
    """Differential evolution; each generation on ``execution``'s backend when it has workers."""
    from scipy import optimize  # SciPy: loaded only for the search

    spec, k = prob.spec, len(prob.spec.parameters)
    pop = max(5, spec.max_evaluations // (15 * k))
    options: dict[str, Any] = {"x0": u0, "seed": seed, "popsize": pop, "polish": False, "tol": 1e-6,
                               "maxiter": max(1, spec.max_evaluations // (pop * k) - 1)}
    if execution.in_process:
        return optimize.differential_evolution(objective, [(0.0, 1.0)] * k, **options)
    with open_backend(execution) as backend:

        def generation(func: Callable[[np.ndarray], float], population: Any) -> list[float]:
            us = list(population)
            prob.simulate_many([prob.from_unit(u) for u in us], backend)
            return [func(u) for u in us]  # from the cache: the history is kept in this process

        return optimize.differential_evolution(objective, [(0.0, 1.0)] * k, workers=generation,
                                               updating="deferred", **options)


def figure(result: CalibrationResult, path: Any) -> Any:
    """Observed targets against the simulation at the start and at the fit, and the search (PNG)."""
    with figure_style(None):
        t = result.targets
        fig, axes = subplots(1, 2, figsize=(12, 4.5))
        ax = axes[0]
        x = np.arange(len(t))
        ax.plot(x, t["observed"], "D-", color="black", lw=2, ms=8, label="observed")
        ax.plot(x, t["simulated_start"], "o:", color="#8C8C8C", label="simulated, start")
        ax.plot(x, t["simulated_best"], "o-", color="#C44E52", label="simulated, calibrated")
        ax.set_xticks(x, t["target"], rotation=20)
        ax.set_title(f"{result.spec.name}: targets")
        ax.legend()
        ax = axes[1]
        h = result.history
        ax.plot(h["evaluation"], h["loss"], ".", color="#4C72B0", alpha=0.5)
        ax.plot(h["evaluation"], h["loss"].cummin(), "-", color="#C44E52")
        ax.set_yscale("log")
        ax.set_xlabel("evaluation (one simulation run, common random numbers)")
        ax.set_ylabel("loss")
        ax.set_title(f"{result.spec.method}: loss {result.loss_start:.4g} -> {result.loss_best:.4g}")
        fig.tight_layout()
        fig.savefig(path, dpi=110, format="png")
        return path
