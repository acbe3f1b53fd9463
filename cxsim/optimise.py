"""Optimising a portfolio of interventions under a budget, then selecting the best with a stated confidence.

The strategist's question — which mix of interventions, at which doses, buys the most profit (or
loyalty) for this budget, and how sure are we? — is answered in three steps:

1. **Search** (Optuna; Akiba et al. 2019). Each candidate intervention is on or off and, when it
   declares a dose (:mod:`cxsim.portfolio`), at a dose in its range. One objective is searched
   with the Tree-structured Parzen Estimator (TPE; Bergstra et al. 2011), several with NSGA-II
   (Deb et al. 2002); the budget is a constraint ``spend − budget <= 0`` that both samplers honour
   (Optuna 5's ``Trial.set_constraint``, which replaced the samplers' ``constraints_func``).
   Every evaluation runs the *same* replications ``0 … R−1`` of the same seed as the baseline
   (common random numbers, :mod:`cxsim.evaluation`): two portfolios are compared on the same
   customers, and each objective is the paired difference against the baseline. Each single
   intervention at its reference dose is evaluated first, so the search's
   best is never worse than the best single intervention on those replications. Trials are asked
   in batches of ``batch`` (TPE with the constant liar) and evaluated in parallel; a portfolio
   proposed again is told its known outcome and not counted as a new trial; the study is
   kept in a journal file in the run folder, so an interrupted search resumes where it stopped
   (each batch's sampler is seeded by the settings' seed and the number of trials already told, so
   a search resumed at a batch boundary proposes exactly what the uninterrupted one would have;
   ``trials`` may be raised to extend a finished search).
2. **Pareto front** of the feasible portfolios over the objectives and spend.
3. **Selection** (:mod:`cxsim.selection`, Kim & Nelson 2001): the leading feasible portfolios (and
   the best single intervention) get further replications until one is the best within ``δ`` with
   probability ``>= 1 − α``, or the budget of replications runs out and the result says no winner
   can be named.

**Objectives** are defined in :mod:`cxsim.objectives` (``profit``, ``nps``, ``retention``,
``satisfaction``, ``revenue``, ``cost``, ``spend``, any numeric run-summary column with a direction,
and those added with :func:`~cxsim.objectives.register_objective`, such as customer lifetime value).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from cxsim.compare import t_interval
from cxsim.errors import SpecError
from cxsim.evaluation import Evaluator
from cxsim.files import write_atomic
from cxsim.objectives import OBJECTIVES, Objective, objective_from
from cxsim.portfolio import (
    Dose,
    Member,
    Portfolio,
    declared_dose,
    dose_from_dict,
    shipped_intervention,
    without_dose,
)
from cxsim.progress import progress_bar
from cxsim.selection import Selection, SelectionSettings, kim_nelson
from cxsim.specs import checks

SAMPLERS = ("auto", "tpe", "nsga2", "random")
STUDY_FILE = "study.journal"
STUDY_NAME = "cxsim-optimise"
Direction = Literal["minimize", "maximize"]  # an Optuna study direction
#: Outcomes reported for every trial (besides the objectives).
REPORTED = ("profit", "nps", "retention", "satisfaction", "spend")


# ---------------------------------------------------------------------------- candidates and settings

@dataclass(frozen=True)
class Candidate:
    """A candidate intervention: its config and the doses the search may choose (``None``: on or off)."""

    name: str
    config: Mapping[str, Any]
    dose: Dose | None = None


def candidate_from(name: str, data: Any, scenario: str, where: str) -> Candidate:
    """A candidate from its entry: ``null``, or ``{dose: {...}, low, high, levels, config: {...}}``.

    ``config`` is an inline intervention config (default: the shipped ``configs/intervention/<name>.yaml``);
    ``dose`` declares or replaces its dose; ``low``/``high``/``levels`` narrow the range searched.
    """
    data = dict(checks.mapping(where, data or {}))
    checks.no_unknown_keys(where, data, ("config", "dose", "low", "high", "levels"))
    if data.get("config") is not None:
        config = dict(checks.mapping(f"{where}.config", data["config"]))
        config.setdefault("name", name)
    else:
        try:
            config = shipped_intervention(name)
        except SpecError as err:
            raise SpecError(where, name, f"no such intervention config ({err.allowed}); or give config: {{...}}") \
                from None
    if data.get("dose") is not None:  # replaces every dose the config declares
        config = {**without_dose(config), "dose": dict(checks.mapping(f"{where}.dose", data["dose"]))}
    dose = declared_dose(config, scenario, f"{where}.config" if data.get("config") else where)
    narrow = {k: data[k] for k in ("low", "high", "levels") if data.get(k) is not None}
    if narrow:
        if dose is None:
            raise SpecError(f"{where}.{next(iter(narrow))}", next(iter(narrow.values())),
                            f"{name} declares no dose; give dose: {{name, low, high, reference}} first")
        if dose.levels is not None and "levels" not in narrow:  # low/high keep the levels between them
            lo, hi = float(narrow.get("low", -math.inf)), float(narrow.get("high", math.inf))
            narrow = {"levels": [v for v in dose.levels if lo <= v <= hi]}
        base = {"name": dose.name, "unit": dose.unit, "reference": dose.reference,
                "cost_exponent": dose.cost_exponent, "low": dose.low, "high": dose.high}
        if "levels" in narrow:
            base.pop("low"), base.pop("high")
        dose = dose_from_dict(where, {**base, **narrow})
    return Candidate(name, config, dose)


@dataclass(frozen=True)
class OptimiseSettings:
    """The ``optimise`` block (see ``configs/optimise/b2b_budget.yaml``).

    Attributes:
        candidates: the candidate interventions.
        objectives: what to optimise (the first is the one selection ranks on).
        budget: the most a portfolio may spend over the run (``None``: no budget).
        trials: distinct portfolios the search evaluates (including the single interventions; it
            stops after the batch that reaches the count).
        replications: paired replications per evaluation (>= 2).
        sampler: ``auto`` (TPE for one objective, NSGA-II for several), ``tpe``, ``nsga2``, ``random``.
        seed: seeds the sampler (the simulation's seed is ``sim.seed``).
        batch: trials asked and evaluated together (the results do not depend on ``n_jobs``).
        n_jobs: worker processes (``0``: one per core).
        population: NSGA-II's population size.
        singles: evaluate each single intervention at its reference dose first.
        combine, default_rule: combination rules for fields two members change (:mod:`cxsim.portfolio`).
        selection: δ, α, n0 and the replication budget of the selection step.
        top: portfolios that enter the selection (besides the best single intervention).
        question: the question the report answers.
        dose_steps: a continuous dose is searched on this many equal steps over its range and its
            reference (``0``: any value); doses a strategist can act on, and portfolios met twice
            run once.
    """

    candidates: tuple[Candidate, ...]
    objectives: tuple[Objective, ...] = (OBJECTIVES["profit"],)
    budget: float | None = None
    trials: int = 40
    replications: int = 5
    sampler: str = "auto"
    seed: int = 0
    batch: int = 4
    n_jobs: int = 1
    population: int = 16
    singles: bool = True
    combine: Mapping[str, str] = field(default_factory=dict)
    default_rule: str | None = None
    selection: SelectionSettings = field(default_factory=SelectionSettings)
    top: int = 4
    question: str = ""
    dose_steps: int = 10

    def __post_init__(self) -> None:
        if not self.candidates:
            raise SpecError("candidates", [], "at least one candidate intervention is required")
        if not self.objectives:
            raise SpecError("objectives", [], "at least one objective is required")
        metrics = [o.metric for o in self.objectives]
        for m in metrics:
            if metrics.count(m) > 1:
                raise SpecError("objectives", m, "each objective may appear once")
        if self.budget is not None:
            checks.non_negative("budget", self.budget)
        checks.integer("trials", self.trials, 1)
        r = checks.integer("replications", self.replications, 2)
        checks.choice("sampler", self.sampler, SAMPLERS)
        checks.integer("seed", self.seed, 0)
        checks.integer("batch", self.batch, 1)
        checks.integer("n_jobs", self.n_jobs, 0)
        checks.integer("population", self.population, 2)
        checks.flag("singles", self.singles)
        checks.integer("top", self.top, 1)
        checks.integer("dose_steps", self.dose_steps, 0)
        if self.selection.max_replications < r:
            raise SpecError("selection.max_replications", self.selection.max_replications,
                            f"must be >= replications ({r})")

    @property
    def primary(self) -> Objective:
        return self.objectives[0]

    @property
    def sampler_name(self) -> str:
        if self.sampler != "auto":
            return self.sampler
        return "tpe" if len(self.objectives) == 1 else "nsga2"

    def fingerprint(self) -> str:
        """A hash of everything that defines the search (a resumed study must match it)."""
        data = {"candidates": [(c.name, c.config, None if c.dose is None else c.dose.__dict__)
                               for c in self.candidates],
                "objectives": [o.__dict__ for o in self.objectives], "budget": self.budget,
                "replications": self.replications, "sampler": self.sampler_name, "seed": self.seed,
                "batch": self.batch, "population": self.population, "singles": self.singles,
                "combine": dict(self.combine), "default_rule": self.default_rule, "dose_steps": self.dose_steps}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


SETTINGS_KEYS = ("candidates", "objectives", "budget", "trials", "replications", "sampler", "seed", "batch",
                 "n_jobs", "population", "singles", "combine", "default_rule", "selection", "top", "question",
                 "dose_steps", "robustness")


def settings_from_dict(data: Any, scenario: str) -> OptimiseSettings:
    """:class:`OptimiseSettings` from the ``optimise`` mapping (errors name ``optimise.*``).

    The ``robustness`` key is read by :func:`cxsim.robustness.settings_from_dict`.
    """
    data = dict(checks.mapping("optimise", data or {}))
    checks.no_unknown_keys("optimise", data, SETTINGS_KEYS)
    data.pop("robustness", None)
    raw = checks.mapping("optimise.candidates", data.get("candidates") or {})
    data["candidates"] = tuple(candidate_from(str(n), v, scenario, f"optimise.candidates.{n}") for n, v in raw.items())
    if "objectives" in data:
        items = data["objectives"]
        items = [items] if isinstance(items, (str, Mapping)) else checks.sequence("optimise.objectives", items)
        data["objectives"] = tuple(objective_from(o, f"optimise.objectives[{k}]") for k, o in enumerate(items))
    sel = dict(checks.mapping("optimise.selection", data.get("selection") or {}))
    checks.no_unknown_keys("optimise.selection", sel, SelectionSettings.__dataclass_fields__)
    try:
        data["selection"] = SelectionSettings(**sel)
    except SpecError as err:
        raise err.at("optimise.selection") from None
    data["combine"] = dict(checks.mapping("optimise.combine", data.get("combine") or {}))
    data["question"] = str(data.get("question") or "")
    try:
        return OptimiseSettings(**data)
    except SpecError as err:
        raise err.at("optimise") from None


# ---------------------------------------------------------------------------- the search space

def dose_grid(dose: Dose, steps: int) -> list[float] | None:
    """The doses a search may try: the levels, or ``steps`` equal steps over the range plus the
    reference (so the intervention as written is always on the grid); ``None`` when ``steps`` is 0."""
    if dose.levels is not None:
        return [float(v) for v in dose.levels]
    if not steps:
        return None
    lo, hi = dose.bounds
    points = {round(lo + k * (hi - lo) / steps, 10) for k in range(steps + 1)}
    if lo <= dose.reference <= hi:
        points.add(float(dose.reference))
    return sorted(points)


def _suggest(trial: Any, candidates: Sequence[Candidate], steps: int = 0) -> dict[str, float | None]:
    """The portfolio a trial proposes: ``{name: dose}`` of the candidates that are on.

    Every candidate's parameters are drawn whether it is on or not (one fixed search space, which
    NSGA-II needs): ``<name>.on`` (0 or 1) and ``<name>.dose`` (an index into :func:`dose_grid`,
    or the dose itself when the grid is off).
    """
    chosen: dict[str, float | None] = {}
    for c in candidates:
        on = trial.suggest_int(f"{c.name}.on", 0, 1)
        dose: float | None = None
        if c.dose is not None:
            grid = dose_grid(c.dose, steps)
            if grid is not None:
                dose = grid[trial.suggest_int(f"{c.name}.dose", 0, len(grid) - 1)]
            else:
                lo, hi = c.dose.bounds
                dose = trial.suggest_float(f"{c.name}.dose", lo, hi)
        if on:
            chosen[c.name] = dose
    return chosen


def _single_params(c: Candidate, candidates: Sequence[Candidate], steps: int = 0) -> dict[str, Any]:
    """Trial parameters of candidate ``c`` alone at its reference dose (the others off, at theirs)."""
    params: dict[str, Any] = {}
    for other in candidates:
        params[f"{other.name}.on"] = int(other.name == c.name)
        if other.dose is not None:
            ref = other.dose.reference
            grid = dose_grid(other.dose, steps)
            if grid is not None:
                params[f"{other.name}.dose"] = int(np.argmin([abs(v - ref) for v in grid]))
            else:
                lo, hi = other.dose.bounds
                params[f"{other.name}.dose"] = float(min(max(ref, lo), hi))
    return params


def make_portfolio(doses: Mapping[str, float | None], settings: OptimiseSettings) -> Portfolio:
    """The portfolio of ``{candidate: dose}`` with the settings' combination rules."""
    by_name = {c.name: c for c in settings.candidates}
    members = tuple(Member(n, {**without_dose(by_name[n].config), **({"dose": _dose_dict(by_name[n].dose)}
                                                                     if by_name[n].dose is not None else {})}, d)
                    for n, d in doses.items())
    return Portfolio(members, dict(settings.combine), settings.default_rule)


def _dose_dict(d: Dose | None) -> dict[str, Any]:
    assert d is not None
    out = {"name": d.name, "unit": d.unit, "reference": d.reference, "cost_exponent": d.cost_exponent}
    if d.levels is not None:
        out["levels"] = list(d.levels)
    else:
        out["low"], out["high"] = d.low, d.high
    return out


def _sampler(settings: OptimiseSettings, done: int = 0) -> Any:
    """The sampler for the batch after ``done`` complete trials, seeded by ``(seed, done)``.

    A fresh sampler per batch whose seed depends only on the settings and the number of trials
    already told makes a resumed search propose exactly what the uninterrupted one would have.
    """
    import optuna  # deferred on purpose: Optuna is only needed when a search runs

    ss = np.random.SeedSequence([settings.seed, zlib.crc32(b"optimise-sampler"), done])
    seed = int(ss.generate_state(1)[0])
    name = settings.sampler_name
    if name == "tpe":
        # a third of the trials sampled at random first: with a budget most of the space is infeasible,
        # and TPE started from 10 random trials settles on the first feasible region it meets
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=settings.batch > 1,
                                          n_startup_trials=max(10, settings.trials // 3))
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=settings.population)
    return optuna.samplers.RandomSampler(seed=seed)


# ---------------------------------------------------------------------------- the search

def _outcomes(settings: OptimiseSettings) -> dict[str, str]:
    """Every outcome recorded per trial: ``{metric: column of the paired differences}``."""
    out = {m: OBJECTIVES[m].column for m in REPORTED}
    out.update({o.metric: o.column for o in settings.objectives})
    return out


def evaluate(evaluator: Evaluator, settings: OptimiseSettings, doses: Sequence[Mapping[str, float | None]],
             replications: Sequence[int]) -> list[dict[str, list[float]]]:
    """Per portfolio, the paired difference of every outcome in each of ``replications``."""
    diffs = evaluator.paired([make_portfolio(d, settings) for d in doses], replications)
    outcomes = _outcomes(settings)
    for d in diffs:
        for metric, col in outcomes.items():
            if col not in d:
                raise SpecError("optimise.objectives", metric,
                                "not a column of the run summary here; columns: " + ", ".join(map(str, d.columns)))
    return [{m: [float(v) for v in d[col]] for m, col in outcomes.items()} for d in diffs]


def _quiet_optuna() -> contextlib.AbstractContextManager[None]:
    """Optuna's trial-by-trial INFO lines off while a search runs, restored afterwards."""
    import optuna  # deferred on purpose: Optuna is only needed when a search runs

    @contextlib.contextmanager
    def quiet() -> Iterator[None]:
        level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        try:
            yield
        finally:
            optuna.logging.set_verbosity(level)

    return quiet()


def open_study(settings: OptimiseSettings, directory: str | Path) -> Any:
    """The study in ``directory/study.journal``: created (with the single interventions queued) or resumed.

    Raises:
        SpecError: the folder holds a study made with other settings.
    """
    import optuna  # deferred on purpose: Optuna is only needed when a search runs
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState

    path = Path(directory) / STUDY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(path)))
    study = optuna.create_study(study_name=STUDY_NAME, storage=storage, sampler=_sampler(settings),
                                directions=[cast(Direction, o.direction) for o in settings.objectives],
                                load_if_exists=True)
    fingerprint = study.user_attrs.get("fingerprint")
    if fingerprint is None:
        study.set_user_attr("fingerprint", settings.fingerprint())
        if settings.singles:
            for c in settings.candidates:
                study.enqueue_trial(_single_params(c, settings.candidates, settings.dose_steps))
    elif fingerprint != settings.fingerprint():
        raise SpecError("optimise", str(path), "this run folder holds a search made with other settings; "
                                               "resume it with the same settings or use a new folder")
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)  # left running by an interrupted search: not counted
    return study


def search(evaluator: Evaluator, settings: OptimiseSettings, directory: str | Path,
           progress: bool = False) -> list[Any]:
    """Run (or resume) the search until ``settings.trials`` distinct portfolios are evaluated.

    Trials are asked in full batches of ``settings.batch``; the search stops after the batch in
    which the count is reached (or after ``4 × trials`` proposals, if the sampler keeps proposing
    portfolios it has seen). A proposal met before is told its known outcome (its runs are cached,
    so it costs nothing) and is not counted: the sampler learns from it, the budget of trials goes
    to new portfolios. Returns the complete trials.
    """
    from optuna.trial import (
        TrialState,  # deferred on purpose: Optuna is only needed when a search runs
    )

    with _quiet_optuna():
        study = open_study(settings, directory)
        complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
        seen = {make_portfolio(t.user_attrs["doses"], settings).label for t in complete}
        reps = range(settings.replications)
        cap = 4 * settings.trials
        initial = min(len(seen), settings.trials)
        with progress_bar(settings.trials, "optimise", enabled=progress, initial=initial) as bar:
            while len(seen) < settings.trials and len(study.trials) < cap:
                study.sampler = _sampler(settings, len(study.trials))  # seeded by the history: resuming is exact
                batch = [study.ask() for _ in range(settings.batch)]
                doses = [_suggest(t, settings.candidates, settings.dose_steps) for t in batch]
                for trial, dose, values in zip(batch, doses, evaluate(evaluator, settings, doses, reps)):
                    label = make_portfolio(dose, settings).label
                    spent = float(np.mean(values["spend"]))
                    trial.set_user_attr("doses", dose)
                    trial.set_user_attr("values", values)
                    trial.set_user_attr("new", label not in seen)
                    over = spent - settings.budget if settings.budget is not None else -1.0
                    trial.set_user_attr("constraint", [over])
                    trial.set_constraint("spend_over_budget", over)  # Optuna >= 5: read by TPE and NSGA-II
                    study.tell(trial, [float(np.mean(values[o.metric])) for o in settings.objectives])
                    if label not in seen:
                        seen.add(label)
                        bar.update(1)
        return [t for t in study.trials if t.state == TrialState.COMPLETE]


def trials_table(trials: Sequence[Any], settings: OptimiseSettings) -> pd.DataFrame:
    """``trials.csv``: one row per distinct evaluated portfolio (its first trial), with doses, outcomes and
    their paired intervals."""
    rows = []
    for t in sorted(trials, key=lambda t: t.number):
        if not t.user_attrs.get("new", True):
            continue  # a portfolio proposed again: its first trial is in the table
        doses: dict[str, float | None] = t.user_attrs["doses"]
        values: dict[str, list[float]] = t.user_attrs["values"]
        row: dict[str, Any] = {"trial": t.number, "portfolio": make_portfolio(doses, settings).label,
                               "members": len(doses)}
        for c in settings.candidates:
            row[f"dose:{c.name}"] = (doses[c.name] if doses[c.name] is not None else 1.0) if c.name in doses else 0.0
        for metric, per_replication in values.items():
            m, lo, hi = t_interval(per_replication)
            row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"] = m, lo, hi
        row["feasible"] = bool(t.user_attrs["constraint"][0] <= 0)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["pareto"] = pareto_mask(table, settings)
    table["best_for"] = ""
    for o in settings.objectives:
        feas = table[table["feasible"]]
        if not feas.empty:
            best = (feas[o.metric] * o.sign).idxmax()
            best_for = ",".join(filter(None, [table.loc[best, "best_for"], o.metric]))  # type: ignore[index, list-item]
            table.loc[best, "best_for"] = best_for
    return table


def pareto_mask(table: pd.DataFrame, settings: OptimiseSettings) -> np.ndarray:
    """Feasible portfolios that no other feasible one beats on every objective and on spend."""
    cols = [(o.metric, o.sign) for o in settings.objectives]
    if "spend" not in [o.metric for o in settings.objectives]:
        cols.append(("spend", -1.0))
    x = np.column_stack([table[c].to_numpy(dtype=float) * s for c, s in cols])
    feasible = table["feasible"].to_numpy(dtype=bool)
    out = np.zeros(len(table), dtype=bool)
    for i in np.flatnonzero(feasible):
        others = x[feasible]
        dominated = np.any(np.all(others >= x[i], axis=1) & np.any(others > x[i], axis=1))
        out[i] = not dominated
    return out


# ---------------------------------------------------------------------------- selection

@dataclass
class Chosen:
    """The outcome of the selection step.

    Attributes:
        selection: the KN result over the candidates.
        table: ``selection.csv``.
        doses: the candidates' ``{intervention: dose}`` (same order as the selection's systems).
        best_single: the best single intervention's label (``None`` if no single one was feasible).
        versus_single: chosen minus the best single intervention on the primary objective over their
            common replications: ``(difference, ci_low, ci_high, replications)``.
    """

    selection: Selection
    table: pd.DataFrame
    doses: list[dict[str, float | None]]
    best_single: str | None
    versus_single: tuple[float, float, float, int] | None

    @property
    def label(self) -> str:
        i = self.selection.chosen if self.selection.chosen is not None else self.selection.leader
        return self.selection.names[i]


def select(evaluator: Evaluator, settings: OptimiseSettings, trials: pd.DataFrame,
           values: Mapping[int, Mapping[str, list[float]]], doses: Mapping[int, Mapping[str, float | None]]) -> Chosen:
    """Kim-Nelson selection among the leading feasible portfolios and the best single intervention.

    ``values`` and ``doses`` are every trial's per-replication outcomes and doses (by trial number);
    their ``R`` replications are the first stage, so only replications ``R, R+1, …`` are run.
    """
    o = settings.primary
    feas = trials[trials["feasible"] & (trials["members"] > 0)].copy()  # doing nothing is the baseline
    if feas.empty:
        raise SpecError("optimise.budget", settings.budget, "no evaluated portfolio stays within it; raise the "
                                                          "budget or add cheaper doses")
    feas["_key"] = feas[o.metric] * o.sign
    feas = feas.sort_values(["_key", "trial"], ascending=[False, True]).drop_duplicates("portfolio")
    picked = list(feas["trial"].head(settings.top))
    singles = feas[feas["members"] == 1]
    best_single = None
    if not singles.empty:
        best_single = int(singles["trial"].iloc[0])
        if best_single not in picked:
            picked.append(best_single)
    labels = [str(trials.set_index("trial").loc[t, "portfolio"]) for t in picked]
    chosen_doses = [dict(doses[t]) for t in picked]
    initial = np.array([values[t][o.metric] for t in picked], dtype=float)

    def sample(systems: Sequence[int], r: int) -> np.ndarray:
        out = evaluate(evaluator, settings, [chosen_doses[i] for i in systems], [r])
        return np.array([v[o.metric][0] for v in out])

    sel = kim_nelson(sample, len(picked), settings.selection, initial=initial,
                     maximise=o.direction == "maximize", names=labels)
    versus = None
    if best_single is not None:
        j = picked.index(best_single)
        i = sel.chosen if sel.chosen is not None else sel.leader
        n = int(min(sel.values[i].size, sel.values[j].size))
        d = (sel.values[i][:n] - sel.values[j][:n]) * o.sign
        m, lo, hi = t_interval(d)
        versus = (m, lo, hi, n) if i != j else (0.0, 0.0, 0.0, n)
    table = pd.DataFrame({
        "portfolio": labels, "trial": picked, "objective": o.metric, "mean": sel.means,
        "replications": sel.replications, "survivor": [i in sel.survivors for i in range(len(picked))],
        "eliminated_at": sel.eliminated_at,
        "chosen": [sel.resolved and i == sel.chosen for i in range(len(picked))],
    })
    table["probability_correct_selection"] = sel.pcs
    table["delta"], table["alpha"] = settings.selection.delta, settings.selection.alpha
    table["replications_used"] = sel.total_replications
    table["resolved"] = sel.resolved
    table["statement"] = sel.statement()
    if versus is not None:
        table["vs_best_single"], table["vs_ci_low"], table["vs_ci_high"] = versus[:3]
    return Chosen(sel, table, chosen_doses, labels[picked.index(best_single)] if best_single is not None else None,
                  versus)


# ---------------------------------------------------------------------------- the whole run

@dataclass
class OptimiseResult:
    """Search, Pareto front and selection of one optimisation (tables are tidy DataFrames).

    Attributes:
        settings: the settings.
        trials: ``trials.csv``.
        pareto: ``pareto.csv`` (the feasible, non-dominated portfolios, best first).
        chosen: the selection step.
        baseline: the baseline's mean outcomes over the search's replications.
        scenario, currency, n_customers: what was simulated.
        runs: simulation runs done in this process (cached runs are not counted twice).
    """

    settings: OptimiseSettings
    trials: pd.DataFrame
    pareto: pd.DataFrame
    chosen: Chosen
    baseline: dict[str, float]
    scenario: str
    currency: str
    n_customers: int
    runs: int

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``trials.csv``, ``pareto.csv`` and ``selection.csv`` atomically."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        return [write_atomic(out / "trials.csv", lambda p: self.trials.to_csv(p, index=False)),
                write_atomic(out / "pareto.csv", lambda p: self.pareto.to_csv(p, index=False)),
                write_atomic(out / "selection.csv", lambda p: self.chosen.table.to_csv(p, index=False))]

    def summary(self) -> str:
        """The result in a few plain lines."""
        o = self.settings.primary
        best = self.pareto.iloc[0] if not self.pareto.empty else None
        lines = [(f"cxsim optimise · scenario {self.scenario} · {len(self.trials)} portfolios evaluated · "
                  f"R = {self.settings.replications} paired replications (common random numbers)")]
        if self.settings.budget is not None:
            lines.append(f"budget: spend <= {self.settings.budget:,.0f} {self.currency}")
        if best is not None:
            lines.append(f"best on {o.metric} within the budget: {best['portfolio']} "
                         f"({best[o.metric]:+,.4g} [{best[o.metric + '_ci_low']:+,.4g}, "
                         f"{best[o.metric + '_ci_high']:+,.4g}], spend {best['spend']:,.0f})")
        lines.append(self.chosen.selection.statement())
        if self.chosen.versus_single is not None and self.chosen.best_single is not None:
            m, lo, hi, n = self.chosen.versus_single
            lines.append(f"against the best single intervention ({self.chosen.best_single}): {m:+,.4g} "
                         f"[{lo:+,.4g}, {hi:+,.4g}] on {o.metric}, {n} paired replications")
        return "\n".join(lines)


def pareto_table(trials: pd.DataFrame, settings: OptimiseSettings) -> pd.DataFrame:
    """The Pareto rows of the trials table, best first on the primary objective."""
    o = settings.primary
    front = trials[trials["pareto"]].copy()
    front["_key"] = front[o.metric] * o.sign
    return front.sort_values(["_key", "trial"], ascending=[False, True]).drop(columns="_key").reset_index(drop=True)


def optimise(config: Mapping[str, Any], settings: OptimiseSettings, directory: str | Path,
             progress: bool = False, evaluator: Evaluator | None = None) -> OptimiseResult:
    """Search, find the Pareto front and select the best portfolio; write the tables into ``directory``.

    Args:
        config: the composed, resolved baseline config (scenario, memory, sim …).
        settings: the optimisation settings.
        directory: the run folder (its ``study.journal`` makes the search resumable).
        progress: show a progress bar.
        evaluator: reuse an :class:`~cxsim.evaluation.Evaluator` (and its cached runs).
    """
    ev = evaluator or Evaluator(config, settings.selection.max_replications, settings.n_jobs)
    done = search(ev, settings, directory, progress)
    trials = trials_table(done, settings)
    values = {t.number: t.user_attrs["values"] for t in done}
    doses = {t.number: t.user_attrs["doses"] for t in done}
    chosen = select(ev, settings, trials, values, doses)
    base = pd.DataFrame(ev.rows([(None, r) for r in range(settings.replications)]))
    spec = ev.baseline_spec
    result = OptimiseResult(settings, trials, pareto_table(trials, settings), chosen,
                            {c: float(base[c].mean()) for c in base.columns if pd.api.types.is_numeric_dtype(base[c])},
                            spec.scenario.name, spec.scenario.economics.currency, spec.sim.n_customers, ev.runs)
    result.save(directory)
    return result


def robustness_candidates(result: OptimiseResult, n: int) -> dict[str, Portfolio]:
    """The portfolios whose robustness is assessed: the selected one, the best single intervention,
    then the other leaders of the selection, best first; at most ``n``."""
    table = result.chosen.table
    o = result.settings.primary
    order = list(table.assign(_key=table["mean"] * o.sign).sort_values(["chosen", "_key"], ascending=False).index)
    if result.chosen.best_single is not None:
        single = int(table.index[table["portfolio"] == result.chosen.best_single][0])
        if order[0] != single:  # second, unless it is the selected one
            order.remove(single)
            order.insert(1, single)
    return {str(table.loc[i, "portfolio"]): make_portfolio(result.chosen.doses[i], result.settings)
            for i in order[:n]}
