"""Figures of a run, drawn with seaborn on explicit figures (no screen needed, no global settings changed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cxsim.behaviour import memory
from cxsim.engine.compiled import Compiled
from cxsim.engine.records import Recorder
from cxsim.figures import figure_style, save_figure, subplots

#: The run figures' seaborn theme, applied in a context (:func:`cxsim.figures.figure_style`).
THEME = {"style": "whitegrid", "context": "notebook"}


def moment_curve(compiled: Compiled, recorder: Recorder, path: Path) -> Path:
    """One customer's moments over time, peak and end marked, the remembered value beside the mean."""
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style(THEME):
        s = recorder.sample
        assert s is not None
        present = np.asarray(s["present"])
        j = np.flatnonzero(present)
        affect = np.asarray(s["affect"])[j]
        dur = compiled.duration[j]
        start = np.concatenate([[0.0], np.cumsum(dur)[:-1]])
        mid = start + dur / 2
        names = [compiled.names[k] for k in j]
        fig, ax = subplots(figsize=(9, 4.5))
        ax.step(np.append(start, start[-1] + dur[-1]), np.append(affect, affect[-1]), where="post",
                color="0.35", lw=1.5)
        sns.scatterplot(x=mid, y=affect, ax=ax, s=60, color="0.2", zorder=3, legend=False)
        peak_i = int(np.flatnonzero(affect == memory.peak(affect))[0])  # the memory model's peak
        ax.scatter([mid[peak_i]], [affect[peak_i]], s=220, facecolors="none", edgecolors="crimson", lw=2,
                   zorder=4, label=f"peak ({names[peak_i]})")
        ax.scatter([mid[-1]], [affect[-1]], s=220, marker="s", facecolors="none", edgecolors="royalblue",
                   lw=2, zorder=4, label=f"end ({names[-1]})")
        ax.axhline(float(s["experienced"]), color="0.5", ls="--", lw=1.2, label=f"mean moment {s['experienced']:.2f}")  # type: ignore[arg-type]
        ax.axhline(float(s["remembered"]), color="darkorange", lw=2,  # type: ignore[arg-type]
                   label=f"remembered ({compiled.scenario.memory.model.kind}) {s['remembered']:.2f}")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.set_xticks(mid, names, rotation=30, ha="right")
        ax.set_xlabel("moments of the journey (width = duration)")
        ax.set_ylabel("affect (0 = expectation met)")
        ax.set_title(f"{compiled.scenario.name}: customer {s['customer_id']}, cycle {s['cycle']}")
        ax.legend(loc="best", fontsize=8, frameon=True)
        fig.tight_layout()
        return save_figure(fig, path)


def satisfaction_distribution(recorder: Recorder, path: Path) -> Path:
    """Histogram of remembered experience and cumulative satisfaction in the last cycle, by segment."""
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style(THEME):
        df = recorder.last_satisfaction
        assert df is not None
        fig, axes = subplots(1, 2, figsize=(9.4, 3.8))
        for k, (ax, measure) in enumerate(zip(axes, ["remembered", "satisfaction"])):
            sns.histplot(df, x=measure, hue="segment", element="step", stat="density", common_norm=False,
                         ax=ax, legend=k == 1)
            ax.set_title(f"measure = {measure}")
            ax.set_xlabel("affect units (0 = expectation met)")
            ax.set_ylabel("density" if k == 0 else "")
        fig.suptitle("Remembered experience and cumulative satisfaction, last cycle")
        fig.tight_layout()
        return save_figure(fig, path)


def over_cycles(cycles: pd.DataFrame, path: Path) -> Path:
    """Satisfaction, NPS and retention over cycles (bands: 95 % CI across replications)."""
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style(THEME):
        fig, axes = subplots(1, 3, figsize=(13, 3.8))
        for ax, col, label in zip(axes, ["satisfaction_mean", "nps", "retention_rate"],
                                  ["mean satisfaction (affect units)", "NPS (points)", "retention (share of start)"]):
            sns.lineplot(cycles, x="cycle", y=col, ax=ax, marker="o", errorbar=("ci", 95), seed=0)
            ax.set_ylabel(label)
            ax.set_xlabel("cycle")
        fig.suptitle(f"{cycles['scenario'].iloc[0]} over cycles")
        fig.tight_layout()
        return save_figure(fig, path)
