"""A posterior as a file, its figures, and parameter uncertainty carried into comparisons.

* :func:`save` writes a :class:`~cxsim.fit.bayes.BayesResult`: ``posterior.parquet`` (the draws,
  one column per parameter's dotted path), ``posterior_summary.csv``, ``predictive_check.csv``,
  ``simulations.parquet``, ``diagnostics.json``, ``posterior_pairs.png`` and
  ``predictive_check.png``.
* :class:`Posterior` reads ``posterior.parquet`` back and hands each replication of a comparison
  its parameter draw: replication ``r`` takes row ``SeedSequence([seed, r, crc32("posterior")])``
  — keyed by the replication alone, so every arm of a comparison gets the same draw (common random
  numbers across arms) and the result does not depend on the order or the process that runs it.
* :func:`uncertainty_table` summarises paired differences whose replications each used their own
  draw: the mean effect, a credible interval that includes parameter uncertainty (quantiles of
  the per-draw effects, not a t-interval of their mean, which would shrink with the number of
  replications whatever the uncertainty), and the probability that the intervention beats the
  baseline.
"""

from __future__ import annotations

import copy
import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxsim.errors import SpecError
from cxsim.figures import subplots
from cxsim.files import write_atomic
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.intervention import get_path, set_path
from cxsim.specs.scenario import RunSpec

SAMPLES_FILE = "posterior.parquet"


def save(result: Any, directory: str | Path) -> list[Path]:
    """Write every output of a Bayesian calibration into ``directory`` (each file atomically)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    diag = json.dumps(_plain(result.diagnostics), indent=2) + "\n"
    return [
        write_atomic(out / SAMPLES_FILE, lambda p: result.samples.to_parquet(p, index=False)),
        write_atomic(out / "posterior_summary.csv", lambda p: result.summary.to_csv(p, index=False)),
        write_atomic(out / "predictive_check.csv", lambda p: result.predictive.to_csv(p, index=False)),
        write_atomic(out / "simulations.parquet", lambda p: result.simulations.to_parquet(p, index=False)),
        write_atomic(out / "diagnostics.json", lambda p: Path(p).write_text(diag)),
        write_atomic(out / "posterior_pairs.png",
                     lambda p: pair_plot(result.samples, result.summary).savefig(p, dpi=100, format="png")),
        write_atomic(out / "predictive_check.png",
                     lambda p: predictive_figure(result.predictive).savefig(p, dpi=100, format="png")),
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    return value


def _short(path: str) -> str:
    parts = path.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else path


def pair_plot(samples: pd.DataFrame, summary: pd.DataFrame | None = None, max_points: int = 1500) -> Any:
    """Pair plot of the posterior draws on an explicit Figure (no pyplot state, no global style).

    Diagonal: each parameter's histogram with its 90 % interval; below: pairwise scatter and
    density contours.
    """
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    cols = list(samples.columns)
    k = len(cols)
    fig, axes = subplots(k, k, squeeze=False, figsize=(2.6 * k + 0.6, 2.6 * k + 0.4))
    fig.set_layout_engine("constrained")
    shown = samples.sample(min(max_points, len(samples)), random_state=0) if len(samples) > max_points else samples
    for i, a in enumerate(cols):
        for j, b in enumerate(cols):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            if i == j:
                sns.histplot(x=samples[a], ax=ax, bins=30, color="#4C72B0", stat="density")
                if summary is not None:
                    row = summary.set_index("parameter").loc[a]
                    ax.axvspan(row["q05"], row["q95"], color="#C44E52", alpha=0.15)
                    ax.axvline(row["mean"], color="#C44E52", lw=1.5)
            else:
                sns.scatterplot(x=shown[b], y=shown[a], ax=ax, s=5, alpha=0.3, color="#4C72B0", linewidth=0)
                if len(samples) > 20 and samples[a].std() > 0 and samples[b].std() > 0:
                    sns.kdeplot(x=shown[b], y=shown[a], ax=ax, levels=4, color="#C44E52", linewidths=0.8)
            ax.set_xlabel(_short(b) if i == k - 1 else "")
            ax.set_ylabel(_short(a) if j == 0 and i > 0 else "")
    fig.suptitle("posterior draws (diagonal: 90 % interval shaded, mean as a line)")
    return fig


def predictive_figure(predictive: pd.DataFrame) -> Any:
    """Posterior predictive check: each target's observed statistic against its 90 % predictive interval."""
    targets = list(dict.fromkeys(predictive["target"]))
    fig, grid = subplots(1, len(targets), squeeze=False, figsize=(max(4.0, 3.2 * len(targets)), 3.6))
    fig.set_layout_engine("constrained")
    axes = grid[0]
    for ax, name in zip(axes, targets):
        g = predictive[predictive["target"] == name]
        x = np.arange(len(g))
        mid = g["simulated_mean"].to_numpy()
        ax.errorbar(x, mid, yerr=[mid - g["predictive_low"], g["predictive_high"] - mid], fmt="o",
                    color="#4C72B0", capsize=4, label="predictive 90 %")
        ax.plot(x, g["observed"], "D", color="black", label="observed")
        ax.set_xticks(x, [s.replace("rating=", "") if s != "value" else name for s in g["statistic"]])
        ax.set_title(name + ("" if g["inside"].all() else "  (outside!)"))
    axes[0].legend(fontsize=8)
    fig.suptitle("posterior predictive check")
    return fig


# --------------------------------------------------------------------------- posterior in comparisons
@dataclass(frozen=True)
class Posterior:
    """Posterior draws of named parameters (dotted config paths), as read from ``posterior.parquet``."""

    samples: pd.DataFrame
    source: str = ""

    def __post_init__(self) -> None:
        if self.samples.empty or not len(self.samples.columns):
            raise SpecError("posterior", self.source, "the posterior file holds no draws")
        for col in self.samples.columns:
            if not pd.api.types.is_numeric_dtype(self.samples[col]) or not np.all(np.isfinite(self.samples[col])):
                raise SpecError(f"posterior.{col}", self.source, "every draw must be a finite number")

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read a posterior samples file (Parquet, or CSV) written by a Bayesian calibration."""
        p = Path(path)
        if p.is_dir():
            p = p / SAMPLES_FILE
        if not p.is_file():
            raise SpecError("posterior", str(path), f"no such posterior samples file ({SAMPLES_FILE} of a calibration)")
        try:
            samples = pd.read_csv(p) if p.suffix == ".csv" else pd.read_parquet(p)
        except Exception as err:
            raise SpecError("posterior", str(path),
                            f"not a Parquet or CSV samples file ({type(err).__name__})") from None
        return cls(samples, str(path))

    @property
    def parameters(self) -> list[str]:
        """The parameters' dotted paths."""
        return [str(c) for c in self.samples.columns]

    def draw(self, replication: int, seed: int = 0) -> dict[str, float]:
        """The parameter values of replication ``replication`` (the same for every arm)."""
        ss = np.random.SeedSequence([int(seed), int(replication), zlib.crc32(b"posterior")])
        row = int(np.random.default_rng(ss).integers(len(self.samples)))
        return {str(c): float(v) for c, v in self.samples.iloc[row].items()}

    def mean(self) -> dict[str, float]:
        """Posterior means: the "parameters fixed" point of a comparison."""
        return {str(c): float(v) for c, v in self.samples.mean().items()}

    def check(self, cfg: Mapping[str, Any]) -> None:
        """Every parameter path exists in the composed config ``cfg`` and holds a number."""
        for path in self.parameters:
            try:
                value = get_path(cfg, path)
            except SpecError as err:
                raise SpecError(f"posterior.{path}", err.value, "the posterior's parameter is not in the config: "
                                + err.allowed) from None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SpecError(f"posterior.{path}", value, "the config holds no number there")


def with_parameters(cfg: Mapping[str, Any], values: Mapping[str, float]) -> dict[str, Any]:
    """A copy of the composed config ``cfg`` with the parameter values set at their dotted paths."""
    out = copy.deepcopy(dict(cfg))
    for path, v in values.items():
        set_path(out, path, float(v))
    return out


def uncertainty_table(differences: pd.DataFrame, metrics: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Effects with parameter uncertainty from paired differences (one posterior draw per replication).

    Args:
        differences: ``intervention, replication, <metric>...`` — arm minus baseline, each
            replication run at its own posterior draw (the same in both arms).
        metrics: the metric columns to summarise.
        level: level of the credible interval (central quantiles of the per-draw effects).

    Returns:
        ``intervention, metric, delta, cred_low, cred_high, p_better, draws`` — ``p_better`` is the
        share of draws in which the intervention beats the baseline (difference above zero).
    """
    rows = []
    q = [(1 - level) / 2, (1 + level) / 2]
    for arm, g in differences.groupby("intervention", sort=False):
        for metric in metrics:
            d = g[metric].dropna().to_numpy(dtype=float)
            if d.size == 0:
                continue
            lo, hi = np.quantile(d, q)
            rows.append({"intervention": arm, "metric": metric, "delta": float(d.mean()), "cred_low": float(lo),
                         "cred_high": float(hi), "p_better": float(np.mean(d > 0)), "draws": int(d.size)})
    return pd.DataFrame(rows, columns=["intervention", "metric", "delta", "cred_low", "cred_high", "p_better", "draws"])


def sweep_uncertainty(table: pd.DataFrame, params: Sequence[str], outputs: Sequence[str],
                      level: float = 0.95) -> pd.DataFrame:
    """Each sweep point's outputs with the parameters fixed and with parameter uncertainty.

    Args:
        table: a sweep table with a posterior (:mod:`cxsim.sweep`): column ``parameters`` is
            ``fixed`` (runs at the posterior means) or ``posterior`` (replication ``r`` at the
            posterior draw ``r``, the same draw at every point).
        params: the swept parameters' columns.
        outputs: the output columns to summarise.
        level: level of both intervals.

    Returns:
        One row per point and output: ``point, <params>, output, fixed_mean, fixed_low,
        fixed_high`` (a t-interval of the mean over the fixed replications: simulation noise
        only), ``uncertain_mean, uncertain_low, uncertain_high`` (central quantiles over the
        posterior draws: a predictive interval that includes parameter uncertainty) and ``draws``.
    """
    rows = []
    q = [(1 - level) / 2, (1 + level) / 2]
    for point, g in table.groupby("point", sort=True):
        fixed, drawn = g[g["parameters"] == "fixed"], g[g["parameters"] == "posterior"]
        ident = {"point": point, **{c: g[c].iloc[0] for c in params}}
        for output in outputs:
            f = fixed[output].dropna().to_numpy(dtype=float)
            d = drawn[output].dropna().to_numpy(dtype=float)
            mean = float(f.mean()) if f.size else float("nan")
            half = (float(stats.t.ppf((1 + level) / 2, f.size - 1) * f.std(ddof=1) / np.sqrt(f.size))
                    if f.size > 1 else float("nan"))
            lo, hi = np.quantile(d, q) if d.size else (float("nan"), float("nan"))
            rows.append({**ident, "output": output, "fixed_mean": mean, "fixed_low": mean - half,
                         "fixed_high": mean + half, "uncertain_mean": float(d.mean()) if d.size else float("nan"),
                         "uncertain_low": float(lo), "uncertain_high": float(hi), "draws": int(d.size)})
    return pd.DataFrame(rows)


def side_by_side(fixed: pd.DataFrame, uncertain: pd.DataFrame) -> pd.DataFrame:
    """The "parameters fixed" table (``delta, ci_low, ci_high``) beside the one with parameter uncertainty."""
    f = fixed[["intervention", "metric", "delta", "ci_low", "ci_high"]].rename(
        columns={"delta": "fixed_delta", "ci_low": "fixed_low", "ci_high": "fixed_high"})
    u = uncertain.rename(columns={"delta": "uncertain_delta", "cred_low": "uncertain_low",
                                  "cred_high": "uncertain_high"})
    return f.merge(u, on=["intervention", "metric"], how="inner")


def run_arms(configs: Sequence[tuple[str, Mapping[str, Any]]], posterior: Posterior, replications: int,
             seed: int, run: Callable[[list[tuple[RunSpec, int, str, int]]], list[dict[str, Any]]]) -> pd.DataFrame:
    """Run every arm over ``replications``, replication ``r`` of every arm at the posterior draw ``r``.

    Args:
        configs: ``(arm name, composed config)``, the baseline first.
        posterior: the parameter draws.
        replications: paired replications per arm.
        seed: the draws' seed (the comparison's ``sim.seed``); the draw of replication ``r`` does
            not depend on the arm, so arms differ only by their intervention.
        run: runs ``(run spec, replication, arm name, arm index)`` items and returns their summary
            rows in the same order (e.g. :func:`cxsim.compare.run_replications` on a backend).

    Returns:
        One row per replication and arm (replication-major), with the draw's values in
        ``param:<path>`` columns.
    """
    for _, cfg in configs:
        posterior.check(cfg)
    draws = [posterior.draw(r, seed) for r in range(replications)]
    items = []
    for r, draw in enumerate(draws):
        for k, (name, cfg) in enumerate(configs):
            arm = with_parameters(cfg, draw)
            arm["sim"] = {**arm.get("sim", {}), "replications": replications}
            items.append((run_spec_from_dict(arm), r, name, k))
    rows = run(items)
    for (_spec, r, _name, _k), row in zip(items, rows):
        row.update({f"param:{k}": v for k, v in draws[r].items()})
    return pd.DataFrame(rows)
