"""Paired comparison of interventions against a baseline, with common random numbers.

The strategist's question — which intervention buys the most loyalty per yuan, and how sure are
we? — is answered by running the baseline and every intervention ("arm") over the same ``R``
replications. With common random numbers (CRN, the default) replication ``r`` of every arm uses
the same seed sequence, and :mod:`cxsim.engine.streams` keys every stream by purpose and
touchpoint name, so the arms see the same customers, the same draws and the same churn dice
(Law & Kelton 2000, ch. 11; Nelson 2013, *Foundations and Methods of Stochastic Simulation*,
ch. 8). The difference ``arm_r − baseline_r`` is then a paired sample whose variance lacks the
replication-to-replication noise the two arms share, and the 95 % confidence interval is a
t-interval on those ``R`` paired differences. With ``crn=False`` each arm gets its own root seed
(independent sampling): same estimator, wider interval — ``tests/test_compare.py`` shows it.

Outputs per intervention: Δ satisfaction, Δ retention, Δ NPS, Δ revenue, Δ cost, Δ profit (each
with its interval), the intervention's *spend* (its own cost plus the change in operations cost —
the rent of a shop it opens, and operations costs that grow with the customers it keeps — and, in
an open market, the change in advertising spend), cost per
NPS point and per retained customer (mean spend / mean Δ, with Fieller's interval for a ratio of
paired means, :mod:`cxsim.ratio`; *undefined* — in the tables and the CSV — unless the gain's own
interval lies above zero), ROI (Δ profit / spend: the profit left after paying for it, per unit
spent; with an interval over replications; undefined when nothing is spent), a ranking, and
pairwise checks of whether ``R`` replications can tell neighbouring interventions apart at all.
Column ``interval`` of ``comparison.csv`` names each row's interval: ``t``, ``fieller`` or
``undefined``.

**Parameter uncertainty** (``compare.posterior=<posterior.parquet>``, from a Bayesian
``cxsim calibrate``): the intervals above hold the parameters fixed; :func:`compare_with_posterior`
also runs every replication at its own posterior draw — the same draw in every arm — and reports
each effect's credible interval and the probability that the intervention beats the baseline.
With an open market (:mod:`cxsim.engine.market`) the comparison adds Δ new customers, Δ purchases,
Δ market share, Δ customer lifetime value, Δ discounted profit and the discounted ROI
(Δ discounted profit / spend), each with its paired interval.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from cxsim.config import compose_config
from cxsim.errors import SpecError
from cxsim.execution.backend import batch_size, batches, open_backend
from cxsim.execution.settings import Execution
from cxsim.files import write_atomic
from cxsim.fit.posterior import Posterior, side_by_side, uncertainty_table
from cxsim.fit.posterior import run_arms as posterior_runs
from cxsim.progress import progress_bar
from cxsim.ratio import UNDEFINED, RatioInterval, ratio_interval
from cxsim.report.comparison import forest_plot
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.intervention import NotApplicable, applies_to
from cxsim.specs.scenario import RunSpec

#: The compared outcomes: name in the tables -> column of the run summary.
METRICS: dict[str, str] = {
    "satisfaction": "satisfaction_mean",
    "retention": "retention_rate",
    "nps": "nps",
    "revenue": "revenue",
    "cost": "cost",
    "profit": "profit",
}
#: The open market's outcomes, compared when the scenario has a market (summary columns present).
MARKET_METRICS: dict[str, str] = {
    "new_customers": "new_customers",
    "purchases": "purchases",
    "market_share": "market_share",
    "clv": "clv",
    "discounted_profit": "discounted_profit",
}
RANK_BY = ("profit", "nps", "satisfaction", "retention", "roi")
CONFIG_MODULE = "cxsim.configs"

Composer = Callable[[str], dict[str, Any]]
"""Composes the full config (plain dicts) with ``intervention=<name>``."""


def shipped_interventions() -> list[str]:
    """Names of the interventions shipped in ``configs/intervention/``."""
    folder = resources.files(CONFIG_MODULE).joinpath("intervention")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@dataclass(frozen=True)
class CompareSettings:
    """The ``compare`` block of the config.

    Attributes:
        interventions: the arms; ``None`` = every shipped intervention.
        replications: paired replications ``R`` per arm (at least 2 for an interval).
        rank_by: ``profit``, ``nps``, ``satisfaction``, ``retention`` or ``roi``.
        crn: common random numbers (same seeds in every arm); ``False`` = independent seeds.
        confidence: level of the intervals.
        progress: show a progress bar.
        n_jobs: worker processes (joblib; ``0`` = one per core). The results do not depend on it.
        posterior: a posterior samples file (``posterior.parquet`` of ``cxsim calibrate`` with a
            Bayesian method): the comparison runs twice, with the parameters fixed at the
            posterior means and with each replication's parameters drawn from the posterior
            (see :func:`compare_with_posterior`); ``None`` = the config's values.
    """

    interventions: tuple[str, ...] | None = None
    replications: int = 10
    rank_by: str = "profit"
    crn: bool = True
    confidence: float = 0.95
    progress: bool = True
    n_jobs: int = 1
    posterior: str | None = None

    def __post_init__(self) -> None:
        if self.posterior is not None:
            checks.name("posterior", self.posterior)
        if self.interventions is not None:  # names are checked when the arms are composed
            for name in checks.sequence("interventions", self.interventions):
                checks.name("interventions", name)
        r = checks.integer("replications", self.replications, 1)
        if r < 2:
            raise SpecError("replications", self.replications,
                            "at least 2 replications are needed for a confidence interval")
        checks.choice("rank_by", self.rank_by, RANK_BY)
        checks.flag("crn", self.crn)
        c = checks.number("confidence", self.confidence)
        if not 0.5 <= c < 1.0:
            raise SpecError("confidence", self.confidence, "must lie in [0.5, 1)")
        checks.integer("n_jobs", self.n_jobs, 0)


def settings_from_dict(data: Mapping[str, Any] | None) -> CompareSettings:
    """:class:`CompareSettings` from the config's ``compare`` mapping (errors name ``compare.*``)."""
    data = dict(checks.mapping("compare", data or {}))
    checks.no_unknown_keys("compare", data, CompareSettings.__dataclass_fields__)
    if data.get("interventions") is not None:
        data["interventions"] = tuple(checks.sequence("compare.interventions", data["interventions"]))
    try:
        return CompareSettings(**data)
    except SpecError as err:
        raise err.at("compare") from None


@dataclass
class Arm:
    """One arm of the comparison: an intervention and its validated run spec."""

    name: str
    spec: RunSpec


@dataclass
class Plan:
    """The baseline, the arms that apply, and the ones skipped (with the reason)."""

    baseline: Arm
    arms: list[Arm]
    skipped: list[tuple[str, str]] = field(default_factory=list)


def plan(compose: Composer, settings: CompareSettings) -> Plan:
    """Build and validate every arm's spec before anything runs.

    ``compose(name)`` returns the full config with ``intervention=name``; ``compose("")`` the
    composed config as given, which is the baseline (``intervention=none`` by default).
    Interventions that do not apply to the scenario are skipped with a note; any other bad input
    raises :class:`~cxsim.errors.SpecError`.
    """
    base_cfg = _for_compare(compose(""), settings.replications)
    baseline = Arm(str(base_cfg["intervention"]["name"]), run_spec_from_dict(base_cfg))
    scenario = baseline.spec.scenario.name
    names = settings.interventions if settings.interventions is not None else tuple(shipped_interventions())
    arms, skipped = [], []
    for name in dict.fromkeys(names):
        if name == baseline.name:
            continue
        try:
            cfg = _for_compare(compose(name), settings.replications)
        except SpecError as err:
            why = err.allowed.split(" Config search path")[0]
            raise SpecError("compare.interventions", name, f"no such intervention config ({why})") from None
        if not applies_to(cfg["intervention"], scenario):
            skipped.append((name, f"does not apply to scenario {scenario}"))
            continue
        try:
            arms.append(Arm(name, run_spec_from_dict(cfg)))
        except NotApplicable as err:  # pragma: no cover - applies_to() and resolve() agree
            skipped.append((name, str(err)))
    if not arms:
        raise SpecError("compare.interventions", list(names),
                        f"none of them applies to scenario {scenario} (skipped: "
                        + ", ".join(n for n, _ in skipped) + ")")
    return Plan(baseline, arms, skipped)


def _for_compare(cfg: dict[str, Any], replications: int) -> dict[str, Any]:
    cfg = dict(cfg)
    cfg["sim"] = {**cfg.get("sim", {}), "replications": replications}
    cfg["outputs"] = {**cfg.get("outputs", {}), "customers": "never", "moments": False, "figures": False}
    return cfg


def independent_seed(seed: int, arm: int) -> int:
    """The root seed of arm ``arm`` without common random numbers (arm 0 keeps ``seed``)."""
    if arm == 0:
        return seed
    return int(np.random.SeedSequence([seed, arm]).generate_state(1, dtype=np.uint32)[0])


def run_arms(p: Plan, crn: bool = True, progress: bool = False, n_jobs: int = 1,
             execution: Execution | None = None) -> pd.DataFrame:
    """Run every arm over its replications; one summary row per arm and replication.

    The baseline is arm 0. With ``crn`` every arm uses the baseline's seed; otherwise arm ``k``
    uses :func:`independent_seed`. The runs go to ``execution``'s backend (default: local with
    ``n_jobs`` worker processes), in batches; workers run the engine on one thread. The table is
    the same, in the same order, on every backend and with any number of workers.
    """
    arms = [p.baseline, *p.arms]
    specs = []
    for k, arm in enumerate(arms):
        spec = arm.spec
        if not crn:
            spec = replace(spec, sim=replace(spec.sim, seed=independent_seed(spec.sim.seed, k)))
        specs.append(spec)
    r_total = p.baseline.spec.sim.replications
    runs = [(specs[k], r, arms[k].name, k) for r in range(r_total) for k in range(len(arms))]
    exe = (execution or Execution()).with_default_workers(n_jobs)
    return pd.DataFrame(run_replications(runs, exe, progress))


def run_replications(runs: Sequence[tuple[RunSpec, int, str, int]], execution: Execution,
                     progress: bool = False) -> list[dict[str, Any]]:
    """Run ``(spec, replication, arm name, arm index)`` items on ``execution``'s backend.

    Returns one summary row per item, in the items' order, whatever the backend, the number of
    workers and the order in which the batches finish. Workers run the engine on one thread (the
    results do not depend on it).
    """
    rows: dict[int, dict[str, Any]] = {}
    with progress_bar(len(runs), "compare", enabled=progress) as bar, open_backend(execution) as backend:
        items = [(spec if execution.in_process else _single_threaded(spec), r, name, i)
                 for i, (spec, r, name, _k) in enumerate(runs)]
        size = 1 if execution.in_process else batch_size(execution, len(items), backend.workers)
        for _, done in backend.map_unordered(_arm_batch, batches(items, size)):
            for i, _r, row in done:
                rows[i] = row
            bar.update(len(done))
    return [rows[i] for i in range(len(runs))]


def _arm_run(spec: RunSpec, replication: int, name: str) -> dict[str, Any]:
    # the engine (numba, Mesa): loaded only when needed
    from cxsim.engine.run import run_replication

    row = replication_summary(run_replication(spec, replication), spec)
    row["arm"] = name
    return row


def _arm_batch(batch: list[tuple[RunSpec, int, str, int]]) -> list[tuple[int, int, dict[str, Any]]]:
    """Run a batch of (spec, replication, arm name, arm index); module-level for worker processes."""
    # the engine (numba, Mesa): loaded only when a simulation runs
    from cxsim.engine.model import quiet_mesa

    with quiet_mesa():
        return [(k, replication, _arm_run(spec, replication, name)) for spec, replication, name, k in batch]


def _single_threaded(spec: RunSpec) -> RunSpec:
    """The spec with the engine on one thread (workers already use the cores); same results."""
    return replace(spec, runtime=replace(spec.runtime, threads=1))


def replication_summary(model: Any, spec: RunSpec) -> dict[str, Any]:
    """The summary row of one finished replication, with the operations figures when there are any."""
    # the engine (numba, Mesa): loaded only when needed
    from cxsim.engine.run import cycle_table, summarise

    row = summarise(cycle_table(model.recorder, spec), spec, model.recorder.replication)
    ops = getattr(model, "operations", None)
    if ops is not None:
        row.update(ops.summary())
    return row


# ---------------------------------------------------------------------------- statistics

def t_interval(x: Sequence[float] | np.ndarray | pd.Series, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of ``x`` (needs at least two values)."""
    from scipy import stats  # SciPy: loaded only for the intervals

    x = np.asarray(x, dtype=float)
    m = float(np.mean(x))
    if x.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * np.std(x, ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


def replications_needed(diff: np.ndarray, confidence: float = 0.95, power: float = 0.8) -> float:
    """Replications a paired t-test needs to detect the observed mean of ``diff`` with ``power``.

    The smallest ``n`` with ``(t_{1-α/2, n-1} + z_{power}) · sd / |mean| <= sqrt(n)``, treating
    the observed mean and spread as the truth (a planning figure, not a promise; cf. Law & Kelton
    2000, §9.4). ``inf`` when the mean is exactly zero.
    """
    from scipy import stats  # SciPy: loaded only for the intervals

    diff = np.asarray(diff, dtype=float)
    m, sd = abs(float(np.mean(diff))), float(np.std(diff, ddof=1))
    if m == 0.0:
        return float("inf")
    ratio = sd / m
    zp = float(stats.norm.ppf(power))
    n = 2
    while n < 10_000_000:
        if (stats.t.ppf(0.5 + confidence / 2, n - 1) + zp) * ratio <= math.sqrt(n):
            return float(n)
        n = n + 1 if n < 1000 else int(n * 1.01) + 1
    return float("inf")


def metrics_of(runs: pd.DataFrame) -> dict[str, str]:
    """The compared outcomes of these runs: :data:`METRICS`, and :data:`MARKET_METRICS` when the
    runs have an open market."""
    return {**METRICS, **{k: v for k, v in MARKET_METRICS.items() if v in runs.columns}}


def paired_differences(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per intervention and replication: ``arm − baseline`` of every metric, plus spend and ROI
    (and, with a market, the discounted ROI: Δ discounted profit / spend)."""
    metrics = metrics_of(runs)
    cols = list(metrics.values())
    base = runs[runs["arm"] == baseline].set_index("replication")
    out = []
    for arm, g in runs[runs["arm"] != baseline].groupby("arm", sort=False):
        g = g.set_index("replication")
        d = g[cols].sub(base[cols]).rename(columns={v: k for k, v in metrics.items()})
        spend = g["intervention_cost"] - base["intervention_cost"]
        if "operations_cost" in g and "operations_cost" in base:  # capacity it adds (a shop's rent)
            spend = spend + (g["operations_cost"] - base["operations_cost"]).fillna(0.0)
        if "marketing_cost" in g and "marketing_cost" in base:  # advertising it buys (open market)
            spend = spend + (g["marketing_cost"] - base["marketing_cost"]).fillna(0.0)
        d["spend"] = spend
        d["roi"] = np.where(spend > 0, d["profit"] / spend.where(spend > 0, 1.0), np.nan)
        if "discounted_profit" in d:
            d["discounted_roi"] = np.where(spend > 0, d["discounted_profit"] / spend.where(spend > 0, 1.0), np.nan)
        d.insert(0, "intervention", arm)
        out.append(d.reset_index())
    return pd.concat(out, ignore_index=True)


@dataclass
class Comparison:
    """The result of a comparison (all tables are tidy DataFrames).

    Attributes:
        runs: one row per arm and replication (the run summaries, column ``arm``).
        differences: paired differences per intervention and replication.
        table: ``comparison.csv`` — ``intervention, metric, delta, ci_low, ci_high`` and more.
        ranking: one row per intervention, best first.
        pairs: can ``R`` replications tell two interventions apart? (neighbours in the ranking,
            and each intervention against the baseline).
        skipped: interventions that do not apply to the scenario, with the reason.
        uncertainty: with a posterior, ``uncertainty.csv`` — each effect with parameter
            uncertainty (:func:`cxsim.fit.posterior.uncertainty_table`) beside the same effect with
            the parameters fixed at the posterior means (the other tables); else ``None``.
        posterior_runs: with a posterior, the runs at the posterior draws (``param:<path>`` columns).
    """

    runs: pd.DataFrame
    differences: pd.DataFrame
    table: pd.DataFrame
    ranking: pd.DataFrame
    pairs: pd.DataFrame
    skipped: list[tuple[str, str]]
    settings: CompareSettings
    baseline: str
    n_customers: int
    currency: str
    uncertainty: pd.DataFrame | None = None
    posterior_runs: pd.DataFrame | None = None

    def notes(self) -> list[str]:
        """Plain-language notes: skipped interventions and pairs ``R`` cannot tell apart."""
        r = self.settings.replications
        out = [f"skipped {name}: {why}" for name, why in self.skipped]
        metric = _rank_metric(self.settings.rank_by)
        for row in self.pairs.itertuples():
            if not row.distinguishable:
                need = "" if not math.isfinite(row.replications_needed) else (  # type: ignore[arg-type]
                    f"; about {int(row.replications_needed):,} replications would be needed")  # type: ignore[arg-type]
                out.append(f"R={r} is too small to tell {row.a} from {row.b} apart on {metric}: "
                           f"difference {row.difference:+,.4g} [{row.ci_low:+,.4g}, {row.ci_high:+,.4g}]{need}")
        return out

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``comparison.csv``, ``ranking.csv``, ``pairs.csv``, ``runs.csv`` and ``notes.txt`` atomically."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        text = "\n".join(self.notes()) + "\n"
        table = self.table.astype({"delta": object, "ci_low": object, "ci_high": object})
        table.loc[table["interval"] == UNDEFINED, ["delta", "ci_low", "ci_high"]] = UNDEFINED
        return [
            write_atomic(out / "comparison.csv", lambda p: table.to_csv(p, index=False)),
            write_atomic(out / "ranking.csv", lambda p: self.ranking.to_csv(p, index=False)),
            write_atomic(out / "pairs.csv", lambda p: self.pairs.to_csv(p, index=False)),
            write_atomic(out / "runs.csv", lambda p: self.runs.to_csv(p, index=False)),
            write_atomic(out / "notes.txt", lambda p: Path(p).write_text(text)),
            *([] if self.uncertainty is None or self.posterior_runs is None else [
                write_atomic(out / "uncertainty.csv", lambda p: self.uncertainty.to_csv(p, index=False)),  # type: ignore[union-attr]
                write_atomic(out / "runs_posterior.csv", lambda p: self.posterior_runs.to_csv(p, index=False)),  # type: ignore[union-attr]
            ]),
        ]

    def interval(self, x: Sequence[float] | np.ndarray | pd.Series) -> tuple[float, float]:
        """``(ci_low, ci_high)`` of the values ``x``: the t-interval at the comparison's confidence
        level, as every interval of ``comparison.csv`` is made (:func:`t_interval`)."""
        _, lo, hi = t_interval(x, self.settings.confidence)
        return lo, hi

    def figure(self, path: str | Path) -> Path:
        """The forest plot (see :func:`cxsim.report.comparison.forest_plot`)."""
        return forest_plot(self, path)


def _rank_metric(rank_by: str) -> str:
    return "roi" if rank_by == "roi" else rank_by


def summarise_comparison(runs: pd.DataFrame, baseline: str, settings: CompareSettings,
                         n_customers: int, currency: str,
                         skipped: Sequence[tuple[str, str]] = ()) -> Comparison:
    """Intervals, cost-effectiveness, ranking and distinguishability from the per-run table."""
    diffs = paired_differences(runs, baseline)
    conf = settings.confidence
    metrics = metrics_of(runs)
    base_means = runs[runs["arm"] == baseline][list(metrics.values())].mean()
    rows = []
    summary = []
    for group, g in diffs.groupby("intervention", sort=False):
        arm = cast(str, group)
        for metric, col in metrics.items():
            m, lo, hi = t_interval(g[metric], conf)
            rows.append(_row(arm, metric, m, lo, hi, float(base_means[col])))
        spend = float(g["spend"].mean())
        rows.append(_row(arm, "spend", spend, *t_interval(g["spend"], conf)[1:]))
        ratio_nps = _cost_per(g["spend"], g["nps"], conf)
        ratio_retained = _cost_per(g["spend"], g["retention"] * n_customers, conf)
        rows.append(_ratio_row(arm, "cost_per_nps_point", ratio_nps))
        rows.append(_ratio_row(arm, "cost_per_retained_customer", ratio_retained))
        roi = t_interval(g["roi"].dropna(), conf) if g["roi"].notna().all() else (float("nan"),) * 3
        rows.append({**_row(arm, "roi", *roi), "interval": "t" if math.isfinite(roi[1]) else UNDEFINED})
        per_nps = ratio_nps.estimate if ratio_nps.defined else float("nan")
        per_retained = ratio_retained.estimate if ratio_retained.defined else float("nan")
        if "discounted_roi" in g:
            droi = t_interval(g["discounted_roi"].dropna(), conf) if g["discounted_roi"].notna().all() \
                else (float("nan"),) * 3
            interval = "t" if math.isfinite(droi[1]) else UNDEFINED
            rows.append({**_row(arm, "discounted_roi", *droi), "interval": interval})
        summary.append({"intervention": arm, "spend": spend, "cost_per_nps_point": per_nps,
                        "cost_per_retained_customer": per_retained, "roi": roi[0]})
    table = pd.DataFrame(rows)
    table["replications"] = settings.replications
    table["crn"] = settings.crn
    table["distinguishable"] = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    ranking = _ranking(table, pd.DataFrame(summary), settings.rank_by)
    pairs = _pairs(runs, diffs, ranking, baseline, settings)
    return Comparison(runs, diffs, table, ranking, pairs, list(skipped), settings, baseline,
                      n_customers, currency)


def _row(arm: str, metric: str, delta: float, lo: float = float("nan"), hi: float = float("nan"),
         baseline: float = float("nan")) -> dict[str, Any]:
    return {"intervention": arm, "metric": metric, "delta": delta, "ci_low": lo, "ci_high": hi,
            "baseline": baseline, "interval": "t"}


def _cost_per(spend: pd.Series, gain: pd.Series, confidence: float) -> RatioInterval:
    """Spend per unit gained (Fieller 1954, :mod:`cxsim.ratio`); undefined unless the gain is known to be
    positive (its interval lies above zero): a cost per point *gained* needs a gain."""
    r = ratio_interval(spend.to_numpy(dtype=float), gain.to_numpy(dtype=float), confidence)
    if r.defined and float(gain.mean()) <= 0.0:
        return RatioInterval(r.estimate, float("nan"), float("nan"), False, r.method, confidence)
    return r


def _ratio_row(arm: str, metric: str, r: RatioInterval) -> dict[str, Any]:
    if not r.defined:
        return {**_row(arm, metric, float("nan")), "interval": UNDEFINED}
    return {**_row(arm, metric, r.estimate, r.low, r.high), "interval": r.method}


def _ranking(table: pd.DataFrame, summary: pd.DataFrame, rank_by: str) -> pd.DataFrame:
    key = table[table["metric"] == rank_by].set_index("intervention")
    out = summary.set_index("intervention")
    for metric in ("satisfaction", "retention", "nps", "profit"):
        out[f"delta_{metric}"] = table[table["metric"] == metric].set_index("intervention")["delta"]
    out["rank_value"] = key["delta"]
    out["rank_ci_low"] = key["ci_low"]
    out["rank_ci_high"] = key["ci_high"]
    out = out.sort_values("rank_value", ascending=False, na_position="last").reset_index()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.insert(2, "rank_by", rank_by)
    return out


def _pairs(runs: pd.DataFrame, diffs: pd.DataFrame, ranking: pd.DataFrame, baseline: str,
           settings: CompareSettings) -> pd.DataFrame:
    """Neighbours in the ranking, and each intervention against the baseline, on ``rank_by``."""
    metric = settings.rank_by
    by_arm = {a: g.set_index("replication")[metric] for a, g in diffs.groupby("intervention")}
    order = list(ranking["intervention"])
    pairs = [*itertools.pairwise(order), *((a, baseline) for a in order)]
    rows = []
    for a, b in pairs:
        da = by_arm[a]
        d = (da - by_arm[b]) if b != baseline else da
        d = d.dropna().to_numpy()  # type: ignore[assignment]
        if d.size < 2:
            continue
        m, lo, hi = t_interval(d, settings.confidence)
        rows.append({"a": a, "b": b, "metric": metric, "difference": m, "ci_low": lo, "ci_high": hi,
                     "distinguishable": bool(lo > 0 or hi < 0),
                     "replications_needed": replications_needed(d, settings.confidence)})  # type: ignore[arg-type]
    return pd.DataFrame(rows, columns=["a", "b", "metric", "difference", "ci_low", "ci_high",
                                       "distinguishable", "replications_needed"])


def compare(compose: Composer, settings: CompareSettings, execution: Execution | None = None) -> Comparison:
    """Plan, run and summarise a comparison (see the module docstring) on ``execution``'s backend."""
    if settings.posterior is not None:
        return compare_with_posterior(compose, settings, load_posterior(settings.posterior), execution)
    p = plan(compose, settings)
    runs = run_arms(p, crn=settings.crn, progress=settings.progress, n_jobs=settings.n_jobs,
                    execution=execution)
    spec = p.baseline.spec
    return summarise_comparison(runs, p.baseline.name, settings, spec.sim.n_customers,
                                spec.scenario.economics.currency, p.skipped)


def load_posterior(path: str) -> Posterior:
    """The posterior samples file of ``compare.posterior`` (errors name ``compare.posterior``)."""
    try:
        return Posterior.load(path)
    except SpecError as err:
        raise err.at("compare") from None


def compare_with_posterior(compose: Composer, settings: CompareSettings, posterior: Posterior,
                           execution: Execution | None = None) -> Comparison:
    """A comparison whose parameters are uncertain: the posterior of a Bayesian calibration.

    Runs the arms twice over ``R`` paired replications. *Parameters fixed*: every run at the
    posterior means — the usual tables and t-intervals. *With parameter uncertainty*: replication
    ``r`` of every arm at the posterior draw ``r`` (keyed by the replication through
    ``SeedSequence``, the same draw in every arm, so arms still differ only by their
    intervention; common random numbers as in the fixed runs) — the ``uncertainty`` table holds
    each effect's mean, its credible interval (quantiles of the per-draw effects) and the
    probability that the intervention beats the baseline. The runs go to ``execution``'s backend
    (default: local with ``settings.n_jobs`` workers); the result is the same on every backend
    and with any number of workers.
    """
    p = plan(compose, settings)
    seed = p.baseline.spec.sim.seed
    names = [p.baseline.name, *(a.name for a in p.arms)]
    configs = []
    for k, name in enumerate(names):
        cfg = _for_compare(compose("" if k == 0 else name), settings.replications)
        if not settings.crn:
            cfg["sim"] = {**cfg["sim"], "seed": independent_seed(seed, k)}
        configs.append((name, cfg))
    exe = (execution or Execution()).with_default_workers(settings.n_jobs)
    point = Posterior(pd.DataFrame([posterior.mean()]), "posterior means")
    fixed, drawn = (posterior_runs(configs, post, settings.replications, seed,
                                   lambda runs: run_replications(runs, exe, settings.progress))
                    for post in (point, posterior))
    spec = p.baseline.spec
    result = summarise_comparison(fixed.drop(columns=[c for c in fixed if str(c).startswith("param:")]),
                                  p.baseline.name, settings, spec.sim.n_customers, spec.scenario.economics.currency,
                                  p.skipped)
    diffs = paired_differences(drawn, p.baseline.name)
    uncertain = uncertainty_table(diffs, [*METRICS, "roi"], settings.confidence)
    result.uncertainty = side_by_side(result.table, uncertain)
    result.posterior_runs = drawn
    return result


def composer_from_overrides(overrides: Sequence[str] = (), config_dirs: Sequence[str | Path] = ()) -> Composer:
    """A :data:`Composer` over the shipped configs and the folders ``config_dirs`` of the user's own
    (scenarios, interventions: searched after the shipped ones), for notebooks and tests (no Hydra
    app needed).

    Example:
        >>> compose = composer_from_overrides(["sim.n_customers=500"])
        >>> compose("dealer_gala")["intervention"]["name"]
        'dealer_gala'
    """

    def compose(name: str) -> dict[str, Any]:
        return compose_config([*overrides, f"intervention={name}"] if name else list(overrides), config_dirs)

    return compose
