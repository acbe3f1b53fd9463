"""Figures of a run, drawn with seaborn (matplotlib's Agg backend: no screen needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cxsim.behaviour import memory
from cxsim.engine.compiled import Compiled
from cxsim.engine.records import Recorder


def _plt():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt, sns


def moment_curve(compiled: Compiled, recorder: Recorder, path: Path) -> Path:
    """One customer's moments over time, peak and end marked, the remembered value beside the mean."""
    plt, sns = _plt()
    s = recorder.sample
    assert s is not None
    present = np.asarray(s["present"])
    j = np.flatnonzero(present)
    affect = np.asarray(s["affect"])[j]
    dur = compiled.duration[j]
    start = np.concatenate([[0.0], np.cumsum(dur)[:-1]])
    mid = start + dur / 2
    names = [compiled.names[k] for k in j]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.step(np.append(start, start[-1] + dur[-1]), np.append(affect, affect[-1]), where="post",
            color="0.35", lw=1.5)
    sns.scatterplot(x=mid, y=affect, ax=ax, s=60, color="0.2", zorder=3, legend=False)
    peak_i = int(np.flatnonzero(affect == memory.peak(affect))[0])  # the memory model's peak
    ax.scatter([mid[peak_i]], [affect[peak_i]], s=220, facecolors="none", edgecolors="crimson", lw=2,
               zorder=4, label=f"peak ({names[peak_i]})")
    ax.scatter([mid[-1]], [affect[-1]], s=220, marker="s", facecolors="none", edgecolors="royalblue",
               lw=2, zorder=4, label=f"end ({names[-1]})")
    ax.axhline(float(s["experienced"]), color="0.5", ls="--", lw=1.2, label=f"mean moment {s['experienced']:.2f}")
    ax.axhline(float(s["remembered"]), color="darkorange", lw=2,
               label=f"remembered ({compiled.scenario.memory.model.kind}) {s['remembered']:.2f}")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xticks(mid, names, rotation=30, ha="right")
    ax.set_xlabel("moments of the journey (width = duration)")
    ax.set_ylabel("affect (0 = expectation met)")
    ax.set_title(f"{compiled.scenario.name}: customer {s['customer_id']}, cycle {s['cycle']}")
    ax.legend(loc="best", fontsize=8, frameon=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def satisfaction_distribution(recorder: Recorder, path: Path) -> Path:
    """Histogram of remembered experience and cumulative satisfaction in the last cycle, by segment."""
    plt, sns = _plt()
    df = recorder.last_satisfaction
    assert df is not None
    long = df.melt(id_vars="segment", value_vars=["remembered", "satisfaction"], var_name="measure")
    g = sns.displot(long, x="value", hue="segment", col="measure", kind="hist", element="step",
                    stat="density", common_norm=False, height=3.6, aspect=1.3, facet_kws={"sharex": False})
    g.set_axis_labels("affect units (0 = expectation met)", "density")
    g.figure.suptitle("Remembered experience and cumulative satisfaction, last cycle", y=1.03)
    g.savefig(path, dpi=120)
    plt.close(g.figure)
    return path


def over_cycles(cycles: pd.DataFrame, path: Path) -> Path:
    """Satisfaction, NPS and retention over cycles (bands: 95 % CI across replications)."""
    plt, sns = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, col, label in zip(axes, ["satisfaction_mean", "nps", "retention_rate"],
                              ["mean satisfaction (affect units)", "NPS (points)", "retention (share of start)"]):
        sns.lineplot(cycles, x="cycle", y=col, ax=ax, marker="o", errorbar=("ci", 95))
        ax.set_ylabel(label)
        ax.set_xlabel("cycle")
    fig.suptitle(f"{cycles['scenario'].iloc[0]} over cycles")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
