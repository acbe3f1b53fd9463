"""Global sensitivity of chosen outputs to chosen parameters (SALib: Sobol or Morris).

A sensitivity analysis is a sweep (:mod:`cxsim.sweep`) whose points come from SALib's sampler —
Saltelli/Sobol' sequences for Sobol indices (Sobol' 2001; Saltelli et al. 2010) or Morris
trajectories for elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007) — and
whose outputs are analysed with SALib.

**Stochastic noise.** A simulation output is noisy, and an index computed on noise alone is not
zero. cxsim handles it three ways: (1) every point uses the same seeds (common random numbers), so
noise is largely shared between points rather than read as an effect; (2) each point's output is
the mean over ``replications`` replications; (3) the remaining noise is *measured* — the
within-point variance of that mean, ``s²/R`` — and reported as ``noise_share`` (its share of the
output's variance across points). A Sobol total index whose lower confidence bound does not exceed
``noise_share``, or a Morris ``mu_star`` whose lower bound does not exceed twice the noise of an
elementary effect, is flagged ``above_noise = False``: with this many replications it cannot be
told from noise. With ``replications = 1`` the noise cannot be measured and the flag is empty.

**Sample size.** Saltelli's estimators of Sobol indices rest on a balanced Sobol' sequence, which
needs the base sample size ``N`` to be a power of two (Owen 2020, "On dropping the first Sobol'
point"; SALib's sampler warns otherwise). With another ``N`` the first-order indices can come out
far outside [0, 1] — 1.99 for a parameter, flagged as significant. :func:`settle_samples` rounds
``N`` up to the next power of two (the sweep command says so on stderr), and :func:`analyse`
refuses a Sobol plan whose ``N`` is not one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.files import write_atomic
from cxsim.sanity import SanityWarning
from cxsim.sweep import MORRIS_LEVELS, Plan, SweepSettings, problem


def next_power_of_two(n: int) -> int:
    """The smallest power of two ``>= n`` (``n >= 1``)."""
    return 1 << max(int(n) - 1, 0).bit_length()


def settle_samples(settings: SweepSettings) -> tuple[SweepSettings, SanityWarning | None]:
    """Sobol settings with ``n_samples`` rounded up to a power of two, and the warning saying so.

    Other samplers, and a Sobol ``n_samples`` that is already a power of two, come back unchanged
    with no warning.
    """
    n = settings.n_samples
    if settings.sampler != "sobol" or n == next_power_of_two(n):
        return settings, None
    up = next_power_of_two(n)
    return replace(settings, n_samples=up), SanityWarning(
        "sobol_samples", "sweep.n_samples",
        f"{n} rounded up to {up}, {up * (len(settings.params) + 2):,} points (Sobol indices need a power of two: "
        f"with another base sample the Sobol' sequence is unbalanced and the indices are biased)")


#: A Sobol index further than this outside [0, 1] (where every true index lies) marks the
#: estimates as unstable: too small a base sample for the output's noise.
OUT_OF_RANGE = 0.1


def check_indices(indices: pd.DataFrame, n_samples: int) -> list[SanityWarning]:
    """A warning when a Sobol index lies clearly outside [0, 1] (the sample is too small).

    Saltelli's estimators are unbiased but, with a small base sample, so noisy that a first-order
    index of 1.5 or 2 comes out for a parameter whose true index is below 1; such a table should
    not be read. One warning names the worst index and its interval.
    """
    if indices.empty or "S1" not in indices.columns:
        return []
    worst = None
    for col in ("S1", "ST"):
        v = indices[col].to_numpy(dtype=float)
        excess = np.maximum(v - 1.0, -v)
        k = int(np.nanargmax(excess)) if np.isfinite(excess).any() else -1
        if k >= 0 and excess[k] > OUT_OF_RANGE and (worst is None or excess[k] > worst[0]):
            worst = (excess[k], col, indices.iloc[k])
    if worst is None:
        return []
    _, col, row = worst
    return [SanityWarning(
        "sobol_unstable", "sweep.n_samples",
        f"{n_samples}: {col} of {row['parameter']} for {row['output']} is {row[col]:.2f} "
        f"(± {row[col + '_conf']:.2f}), outside [0, 1] where every Sobol index lies (the base sample is too "
        f"small for stable indices; raise sweep.n_samples to a larger power of two)")]


def _check_sobol_size(p: Plan, settings: SweepSettings) -> None:
    d = len(settings.params)
    n = len(p.points) // (d + 2)
    if n * (d + 2) != len(p.points) or n != next_power_of_two(n):
        raise SpecError("sweep.n_samples", n, "a power of two for Sobol indices (e.g. "
                        f"{next_power_of_two(n)}; see cxsim.sensitivity.settle_samples)")


def analyse(p: Plan, table: pd.DataFrame, settings: SweepSettings, confidence: float = 0.95) -> pd.DataFrame:
    """Sensitivity indices of every output in ``settings.outputs`` to every parameter.

    Args:
        p: the sweep plan (its points are the SALib sample, in order).
        table: the sweep table (one row per run; all runs must be there).
        settings: the sweep settings (sampler ``sobol`` or ``morris``).
        confidence: the confidence level of the ``*_conf`` intervals.

    Returns:
        One row per output and parameter: ``output, parameter, method`` and ``S1, S1_conf, ST,
        ST_conf`` (Sobol) or ``mu_star, mu_star_conf, sigma`` (Morris), ``noise_share`` and
        ``above_noise``.

    Raises:
        SpecError: a Sobol sample whose base size is not a power of two (:func:`settle_samples`).
    """
    prob = problem(settings)
    if settings.sampler == "sobol":
        _check_sobol_size(p, settings)
    x = p.points[prob["names"]].to_numpy(dtype=float)
    grouped = table.groupby("point")
    rows = []
    for output in settings.outputs:
        y = grouped[output].mean().reindex(p.points["point"]).to_numpy(dtype=float)
        within = grouped[output].var(ddof=1).mean() / p.replications if p.replications > 1 else np.nan
        total = float(np.var(y, ddof=1))
        noise_share = float(within / total) if total > 0 and np.isfinite(within) else np.nan
        if settings.sampler == "sobol":
            from SALib.analyze import sobol  # SALib: loaded only for its analyses

            res = sobol.analyze(prob, y, calc_second_order=False, conf_level=confidence, seed=settings.seed)
            for k, name in enumerate(prob["names"]):
                st, st_conf = float(res["ST"][k]), float(res["ST_conf"][k])
                rows.append({"output": output, "parameter": name, "method": "sobol",
                             "S1": float(res["S1"][k]), "S1_conf": float(res["S1_conf"][k]),
                             "ST": st, "ST_conf": st_conf, "noise_share": noise_share,
                             "above_noise": (st - st_conf > noise_share) if np.isfinite(noise_share) else None})
        else:
            from SALib.analyze import morris  # SALib: loaded only for its analyses

            res = morris.analyze(prob, x, y, conf_level=confidence, num_levels=MORRIS_LEVELS, seed=settings.seed)
            delta = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))
            for k, name in enumerate(prob["names"]):
                # SALib's elementary effect is (y2 - y1) / delta, delta a step in the unit cube;
                # each point's mean carries noise of variance `within`
                ee_noise = np.sqrt(2 * within) / delta if np.isfinite(within) else np.nan
                mu, conf = float(res["mu_star"][k]), float(res["mu_star_conf"][k])
                rows.append({"output": output, "parameter": name, "method": "morris",
                             "mu_star": mu, "mu_star_conf": conf, "sigma": float(res["sigma"][k]),
                             "noise_share": noise_share,
                             "above_noise": (mu - conf > 2 * ee_noise) if np.isfinite(ee_noise) else None})
    return pd.DataFrame(rows)


def figure(indices: pd.DataFrame, path: str | Path) -> Path:
    """Bar chart of the indices with their confidence intervals, one panel per output."""
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style({"style": "whitegrid"}):
        sobol = indices["method"].iloc[0] == "sobol"
        outputs = list(dict.fromkeys(indices["output"]))
        fig, axes = subplots(1, len(outputs), figsize=(4.2 * len(outputs), 0.5 * indices["parameter"].nunique() + 2.2),
                                 sharey=True, squeeze=False)
        for ax, output in zip(axes[0], outputs):
            d = indices[indices["output"] == output]
            if sobol:
                long = pd.concat([d.assign(index="first order S1", value=d["S1"], conf=d["S1_conf"]),
                                  d.assign(index="total ST", value=d["ST"], conf=d["ST_conf"])])
            else:
                long = d.assign(index="mu*", value=d["mu_star"], conf=d["mu_star_conf"])
            sns.barplot(data=long, x="value", y="parameter", hue="index", ax=ax, errorbar=None)
            for bar, (_, r) in zip(ax.patches, long.iterrows()):
                ax.errorbar(bar.get_width(), bar.get_y() + bar.get_height() / 2, xerr=r["conf"], color="0.2",
                            capsize=3, lw=1)
            share = d["noise_share"].iloc[0]
            if sobol and np.isfinite(share):
                ax.axvline(share, color="C3", ls="--", lw=1, label="noise share")
            ax.set_title(output)
            ax.set_xlabel("Sobol index" if sobol else "Morris mu* (output units per full range)")
            ax.set_ylabel("")
            ax.legend(fontsize=8)
        fig.tight_layout()
        out = Path(path)
        write_atomic(out, lambda q: fig.savefig(q, dpi=110, format="png"))
        return out
