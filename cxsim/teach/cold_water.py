"""The cold-water experiment, simulated: more pain, yet the preferred memory.

Sources:
    Kahneman, D., Fredrickson, B. L., Schreiber, C. A. & Redelmeier, D. A. (1993). When more pain
    is preferred to less: adding a better end. *Psychological Science* 4(6), 401–405.
    Kahneman, D. (2011). *Thinking, Fast and Slow*, ch. 35 (the account with 22 of 32 subjects).
    Kahneman, D., Wakker, P. P. & Sarin, R. (1997). Back to Bentham? *QJE* 112(2), 375–405
    (total utility: the integral of the affect curve over time).

Design. Each subject holds a hand in water for a *short* trial (60 s at 14 °C) and a *long* trial
(the same 60 s, then 30 s while the water warms to 15 °C), then chooses which to repeat.
Published: about two thirds chose the long trial (22 of 32 in Kahneman's 2011 account).

The simulated subjects (assumptions, stated here and in the figure):

* each has a comfort threshold ``E ~ Normal(17, 1)`` °C; a moment's affect is the Delta law
  (:func:`cxsim.behaviour.affect.moment_affect`, difference form, 1 °C = one affect unit);
* what a hand feels each 10 s is the water temperature plus perceptual noise ``Normal(0, 0.3)`` °C,
  drawn afresh in each trial;
* each trial is remembered by a memory model of :mod:`cxsim.behaviour.memory` plus memory noise
  ``Normal(0, 0.5)`` affect units, independently per trial;
* the subject repeats the trial remembered as less unpleasant.

Every draw comes from a named stream of :class:`cxsim.engine.streams.Streams` (seeded from
``SeedSequence(seed)``). Under peak-end the long trial's better end outweighs its extra 30 s;
under the *total* (the integral of affect over time, Kahneman, Wakker & Sarin 1997) the long trial
is worse, so that model predicts the opposite choice. Note that cxsim's ``integral`` is the
duration-weighted *mean* (the time average): the warmer last 30 s raise it, so it too favours the
long trial — only the area under the curve, cxsim's ``total``, predicts the short one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from cxsim.behaviour import memory
from cxsim.behaviour.affect import moment_affect
from cxsim.engine.streams import Streams, replication_seeds
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.teach import i18n, style, typeface
from cxsim.teach.episode import (
    COLD_THRESHOLD_C,
    cold_water_episode,
    cold_water_temperatures,
    remember,
)

PUBLISHED_LONG = 22
PUBLISHED_N = 32
MODELS = ("peak_end", "mean", "integral", "total", "end", "peak")


@dataclass(frozen=True)
class ColdWaterResult:
    """Remembered value of both trials per subject and model, and each subject's choice."""

    n: int
    seed: int
    remembered_short: dict[str, np.ndarray]
    remembered_long: dict[str, np.ndarray]
    table: pd.DataFrame

    def share_long(self, model: str) -> float:
        """Share of subjects who would repeat the long trial under ``model``."""
        return float(np.mean(self.remembered_long[model] > self.remembered_short[model]))


def _remember(model: str, affect: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    if model == "peak_end":
        return memory.PeakEnd().remember(affect, seconds)
    if model == "integral":
        return memory.integral(affect, seconds)
    if model == "total":
        return memory.total(affect, seconds, per=60.0)
    return {"mean": memory.mean, "end": memory.end, "peak": memory.peak}[model](affect)


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``k / n``."""
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def simulate(n: int = 3200, seed: int = 0, threshold_sd: float = 1.0, feel_sd: float = 0.3,
             memory_sd: float = 0.5) -> ColdWaterResult:
    """Simulate ``n`` subjects doing both trials and choosing one to repeat.

    Args:
        n: number of subjects (3200 = a hundred classes of 32).
        seed: root seed.
        threshold_sd: spread of the comfort threshold between subjects (°C).
        feel_sd: perceptual noise on each 10-second moment (°C).
        memory_sd: noise on each remembered trial (affect units).
    """
    n = checks.integer("n", n, 1)
    seed = checks.integer("seed", seed, 0)
    for field_, v in (("threshold_sd", threshold_sd), ("feel_sd", feel_sd), ("memory_sd", memory_sd)):
        checks.non_negative(field_, v)
    streams = Streams(replication_seeds(seed, 1)[0])
    threshold = COLD_THRESHOLD_C + threshold_sd * streams.get("population", "threshold").standard_normal(n)
    remembered: dict[str, dict[str, np.ndarray]] = {}
    for trial, long in (("short", False), ("long", True)):
        temps, secs = cold_water_temperatures(long)
        felt = temps + feel_sd * streams.get("performance", trial).standard_normal((n, temps.size))
        affect = moment_affect(felt, threshold[:, None])
        noise = memory_sd * streams.get("memory", trial).standard_normal(n)
        remembered[trial] = {m: _remember(m, affect, secs) + noise for m in MODELS}
    pub = PUBLISHED_LONG / PUBLISHED_N
    pub_lo, pub_hi = wilson(PUBLISHED_LONG, PUBLISHED_N)
    rows = []
    for m in MODELS:
        k = int(np.sum(remembered["long"][m] > remembered["short"][m]))
        lo, hi = wilson(k, n)
        rows.append({
            "memory model": m,
            "published share long": pub,
            "published 95% CI": f"[{pub_lo:.2f}, {pub_hi:.2f}]",
            "simulated share long": k / n,
            "simulated 95% CI": f"[{lo:.2f}, {hi:.2f}]",
            "predicts": "no preference" if lo <= 0.5 <= hi else ("long trial" if k / n > 0.5 else "short trial"),
        })
    return ColdWaterResult(n, seed, remembered["short"], remembered["long"], pd.DataFrame(rows))


def class_of(result: ColdWaterResult, size: int = PUBLISHED_N, model: str = "peak_end") -> int:
    """How many of the first ``size`` simulated subjects chose the long trial (one class)."""
    size = min(checks.integer("size", size, 1), result.n)
    return int(np.sum(result.remembered_long[model][:size] > result.remembered_short[model][:size]))


def trial_axes(axes: Any, lang: str = "en") -> None:
    """The short and the long trial on two axes, peak and end marked, remembered (peak-end) drawn."""
    _ = i18n.translator(lang)
    short, long = cold_water_episode(False), cold_water_episode(True)
    lo = min(min(short.affect), min(long.affect)) - 0.8
    for ax, ep, title in zip(axes, (short, long), (_("cold water, short trial (60 s)"),
                                                   _("cold water, long trial (90 s)"))):
        style.episode_axes(ax, ep.affect, ep.durations, remember(ep, "peak_end"), _("peak-end"),
                           title=title, time_unit="s", lang=lang,
                           value_label=_("affect (°C above the {threshold:.0f} °C comfort threshold)").format(
                               threshold=COLD_THRESHOLD_C))
        ax.set_ylim(lo, 0.5)
        ax.set_xlim(0, 90)


def share_axes(ax: Any, result: ColdWaterResult, lang: str = "en") -> None:
    """The share choosing the long trial under each memory model, beside the published share and its CI.

    The legend sits below the axes, so that no bar's label can hide under it.
    """
    _ = i18n.translator(lang)
    shares = [result.share_long(m) for m in MODELS]
    verdict = dict(zip(result.table["memory model"], result.table["predicts"]))
    colors = [{"long trial": style.SIMULATED, "short trial": style.PEAK}.get(verdict[m], "0.6") for m in MODELS]
    bars = ax.bar(range(len(MODELS)), shares, color=colors)
    ax.bar_label(bars, [f"{s:.0%}" for s in shares], fontsize=9, padding=2)
    pub = PUBLISHED_LONG / PUBLISHED_N
    p_lo, p_hi = wilson(PUBLISHED_LONG, PUBLISHED_N)
    ax.axhspan(p_lo, p_hi, color="0.85", zorder=0, label=_("published 95% CI"))
    ax.axhline(pub, color=style.PUBLISHED, lw=2, label=_("published {k}/{n}").format(k=PUBLISHED_LONG, n=PUBLISHED_N))
    ax.axhline(0.5, color="0.6", ls=":", lw=1)
    ax.set_xticks(range(len(MODELS)), [_(m.replace("_", "-")) for m in MODELS], rotation=20)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel(_("share choosing to repeat the long trial"))
    ax.set_title(_("{n:,} simulated subjects (seed {seed})").format(n=result.n, seed=result.seed))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)


def figure_of(result: ColdWaterResult, lang: str = "en") -> Any:
    """The two trials with peak and end marked, and the share choosing the long trial by model."""
    _ = i18n.translator(lang)
    with figure_style(style.THEME, style.RC):
        fig, axes = subplots(1, 3, figsize=(16, 5.2), gridspec_kw={"width_ratios": [1, 1.3, 1.3]})
        trial_axes(axes[:2], lang)
        share_axes(axes[2], result, lang)
        fig.suptitle(_("Cold water: the long trial hurts longer, yet most would repeat it"), y=1.02)
        return typeface.localise(fig, lang)


def figure(result: ColdWaterResult, directory: str, lang: str = "en") -> list:
    """Save :func:`figure_of` as ``cold_water.png`` and ``cold_water.svg`` in ``directory``."""
    with figure_style(style.THEME, style.RC):
        return style.save(figure_of(result, lang), directory, "cold_water")
