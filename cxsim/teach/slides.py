"""The presentation's figures, one idea each, at slide size (16 x 9 inches; 1920 x 1080 px as PNG).

* :func:`episode_slide` — the long cold-water trial: the moment curve, peak and end marked;
* :func:`remembered_slide` — experienced vs remembered: the long trial holds more discomfort
  (the total, Kahneman, Wakker & Sarin 1997) yet is remembered as less unpleasant (peak-end);
* :func:`class_slide` — the class's choices beside the published share (Kahneman et al. 1993,
  :data:`cxsim.teach.cold_water.PUBLISHED_LONG` of :data:`~cxsim.teach.cold_water.PUBLISHED_N`)
  and the simulated population (:func:`cxsim.teach.cold_water.simulate`);
* :func:`business_slide` — the business case: the share of customers who switch after 1, 2 and 3
  bad experiences (AchieveGlobal 2013, :data:`cxsim.teach.switching.PUBLISHED`).

Every figure is labelled in the language asked for (:mod:`cxsim.teach.i18n`) and exported with
:func:`export` as PNG or SVG.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import numpy as np

from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.teach import cold_water, i18n, style, switching, typeface
from cxsim.teach.episode import cold_water_episode, remember

#: Slide size (inches) and resolution: 16 x 9 at 120 dpi = 1920 x 1080 pixels.
SLIDE_SIZE = (16.0, 9.0)
SLIDE_DPI = 120
#: Export formats.
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
#: The simulated population beside the class: the experiment's default (a hundred classes of 32), seed 0.
POPULATION_N = 3200
POPULATION_SEED = 0
#: Large type for a projector.
_SLIDE_THEME = {**style.THEME, "context": "talk", "font_scale": 1.3}


@lru_cache(maxsize=2)
def population(n: int = POPULATION_N, seed: int = POPULATION_SEED) -> cold_water.ColdWaterResult:
    """The simulated population of the cold-water experiment (cached: the same for every slide)."""
    return cold_water.simulate(n=n, seed=seed)


def _finish(fig: Any, lang: str) -> Any:
    return typeface.localise(fig, lang)


def episode_slide(lang: str = "en") -> Any:
    """The long cold-water trial: the moment curve, peak and end, and what peak-end remembers."""
    _ = i18n.translator(lang)
    ep = cold_water_episode(True)
    with figure_style(_SLIDE_THEME, style.RC):
        fig, ax = subplots(figsize=SLIDE_SIZE)
        style.episode_axes(ax, ep.affect, ep.durations, remember(ep, "peak_end"), _("peak-end"),
                           title=_("cold water, long trial (90 s)"), time_unit="s", lang=lang,
                           value_label=_("affect (°C above the {threshold:.0f} °C comfort threshold)").format(
                               threshold=cold_water.COLD_THRESHOLD_C))
        ax.set_ylim(min(ep.affect) - 1, 0.8)
        ax.legend(loc="lower right", fontsize=14)
        return _finish(fig, lang)


def remembered_slide(lang: str = "en") -> Any:
    """Experienced (total discomfort over time) vs remembered (peak-end), short and long trial."""
    _ = i18n.translator(lang)
    short, long = cold_water_episode(False), cold_water_episode(True)
    names = [_("short trial (60 s)"), _("long trial (90 s)")]
    with figure_style(_SLIDE_THEME, style.RC):
        fig, axes = subplots(1, 2, figsize=SLIDE_SIZE)
        for ax, model, title, color in (
                (axes[0], "total", _("experienced: total discomfort"), style.MEAN),
                (axes[1], "peak_end", _("remembered: peak-end"), style.REMEMBERED)):
            values = [-remember(short, model), -remember(long, model)]
            bars = ax.bar(names, values, color=color, width=0.6)
            ax.bar_label(bars, [f"{v:.2f}" for v in values], padding=4)
            ax.set_ylim(0, max(values) * 1.2)
            ax.set_title(title)
        axes[0].set_ylabel(_("area under the curve (affect × min)"))
        axes[1].set_ylabel(_("remembered discomfort (affect units)"))
        fig.suptitle(_("The long trial holds more discomfort, yet is remembered as less unpleasant"))
        return _finish(fig, lang)


def class_slide(n: int, long: int, lang: str = "en") -> Any:
    """The class's share choosing the long trial beside the published and the simulated share (95 % CIs)."""
    n = checks.integer("n", n, 0)
    long = checks.integer("long", long, 0)
    if long > n:
        raise SpecError("long", long, f"at most n = {n} is allowed")
    _ = i18n.translator(lang)
    pop = population()
    sim_long = int(round(pop.share_long("peak_end") * pop.n))
    rows = [(_("published (Kahneman et al. 1993)"), cold_water.PUBLISHED_LONG, cold_water.PUBLISHED_N, style.PUBLISHED),
            (_("this class"), long, n, style.REMEMBERED),
            (_("simulated (peak-end, {n:,} people)").format(n=pop.n), sim_long, pop.n, style.SIMULATED)]
    with figure_style(_SLIDE_THEME, style.RC):
        fig, ax = subplots(figsize=SLIDE_SIZE)
        x = np.arange(len(rows))
        for i, (_label, k, size, color) in enumerate(rows):
            if size == 0:
                ax.text(i, 0.05, _("no answers yet"), ha="center", va="bottom", color="0.4")
                continue
            share = k / size
            lo, hi = cold_water.wilson(k, size)
            ax.bar(i, share, color=color, width=0.6, yerr=[[share - lo], [hi - share]], capsize=10)
            ax.text(i + 0.32, share, f"{share:.0%}\n({k}/{size})", ha="left", va="center")
        ax.axhline(0.5, color="0.6", ls=":", lw=1.5)
        ax.set_xticks(x, [r[0] for r in rows])
        ax.set_xlim(-0.6, len(rows) - 0.1)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(_("share choosing to repeat the long trial"))
        ax.set_title(_("Which trial would you repeat?"))
        return _finish(fig, lang)


def business_slide(lang: str = "en") -> Any:
    """The business case: the share of customers who switch after 1, 2 and 3 bad experiences."""
    _ = i18n.translator(lang)
    ks = sorted(switching.PUBLISHED)
    shares = [switching.PUBLISHED[k] for k in ks]
    with figure_style(_SLIDE_THEME, style.RC):
        fig, ax = subplots(figsize=SLIDE_SIZE)
        bars = ax.bar([str(k) for k in ks], shares, color=style.PEAK, width=0.6)
        ax.bar_label(bars, [f"{s:.0%}" for s in shares], padding=4)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel(_("bad experiences"))
        ax.set_ylabel(_("share of customers likely to switch"))
        ax.set_title(_("Business case: every bad experience sends customers away (AchieveGlobal 2013)"))
        return _finish(fig, lang)


def export(fig: Any, fmt: str) -> bytes:
    """``fig`` as PNG (1920 x 1080 px) or SVG bytes."""
    fmt = checks.choice("format", fmt, FORMATS)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=SLIDE_DPI, bbox_inches=None)
    return buf.getvalue()
