"""The shared look of the teaching figures, and saving them as PNG and SVG.

Every teaching figure uses the same seaborn theme, the same colours (peak crimson, end royal blue,
remembered value dark orange, mean grey), labelled axes with units, and is saved twice — PNG for
slides, SVG for print — each written atomically (temporary file, then rename). The theme is applied in a context
(:func:`cxsim.figures.figure_style`), never globally.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cxsim.files import write_atomic
from cxsim.teach import i18n

PEAK = "crimson"
END = "royalblue"
REMEMBERED = "darkorange"
MEAN = "0.45"
CURVE = "0.25"
PUBLISHED = "0.3"
SIMULATED = "#2a9d8f"


#: The teaching figures' seaborn theme (:func:`seaborn.set_theme` arguments) and matplotlib settings,
#: applied in a context by :func:`cxsim.figures.figure_style`.
THEME: dict[str, Any] = {"style": "whitegrid", "context": "talk", "font_scale": 0.75}
RC: dict[str, Any] = {"svg.fonttype": "none", "figure.dpi": 100, "savefig.bbox": "tight"}


def pyplot() -> Any:
    """matplotlib.pyplot with the teaching theme, for a notebook that wants it for its whole session.

    This sets the theme globally, at the caller's request; the library's own figures never call it
    (they apply :data:`THEME` and :data:`RC` in a context, see :mod:`cxsim.figures`).
    """
    import matplotlib.pyplot as plt  # matplotlib and seaborn: loaded only when asked for
    import seaborn as sns  # seaborn: loaded only when asked for

    sns.set_theme(**THEME)
    plt.rcParams.update(RC)  # type: ignore[arg-type]
    return plt


def save(fig: Any, directory: str | Path, stem: str, dpi: int = 150) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` in ``directory``, each atomically; return both paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    return [write_atomic(out / f"{stem}.{ext}", lambda p, ext=ext: fig.savefig(p, dpi=dpi, format=ext))  # type: ignore[misc]
            for ext in ("png", "svg")]


def episode_axes(
    ax: Any,
    affect: Sequence[float],
    durations: Sequence[float],
    remembered: float,
    model_label: str,
    title: str = "",
    time_unit: str = "s",
    value_label: str | None = None,
    show_mean: bool = True,
    lang: str = "en",
) -> None:
    """Draw one episode: the moment curve, peak and end marked, remembered value beside the mean.

    Args:
        ax: a matplotlib Axes.
        affect: affect per moment.
        durations: duration per moment in ``time_unit``.
        remembered: the remembered value to draw (computed by the caller with the library).
        model_label: name of the memory model, for the legend.
        title: axes title.
        time_unit: unit of the durations, for the x label.
        value_label: y-axis label (default: affect, 0 = as expected, in ``lang``).
        show_mean: also draw the mean moment as a dashed line.
        lang: language of the labels (:mod:`cxsim.teach.i18n`).
    """
    _ = i18n.translator(lang)
    a = np.asarray(affect, dtype=float)
    d = np.asarray(durations, dtype=float)
    start = np.concatenate([[0.0], np.cumsum(d)[:-1]])
    mid = start + d / 2
    edges = np.append(start, start[-1] + d[-1])
    ax.step(edges, np.append(a, a[-1]), where="post", color=CURVE, lw=2)
    ax.scatter(mid, a, s=30, color=CURVE, zorder=3)
    p = int(np.argmax(np.abs(a)))
    ax.scatter([mid[p]], [a[p]], s=260, facecolors="none", edgecolors=PEAK, lw=2.5, zorder=4,
               label=_("peak {value:+.2f}").format(value=a[p]))
    ax.scatter([mid[-1]], [a[-1]], s=260, marker="s", facecolors="none", edgecolors=END, lw=2.5,
               zorder=4, label=_("end {value:+.2f}").format(value=a[-1]))
    ax.annotate(_("peak"), (mid[p], a[p]), xytext=(0, -22 if a[p] < 0 else 14), textcoords="offset points",
                ha="center", color=PEAK, fontsize=10, fontweight="bold")
    ax.annotate(_("end"), (mid[-1], a[-1]), xytext=(0, 14 if a[-1] <= 0 else -22), textcoords="offset points",
                ha="center", color=END, fontsize=10, fontweight="bold")
    if show_mean:
        ax.axhline(float(a.mean()), color=MEAN, ls="--", lw=1.5,
                   label=_("mean moment {value:+.2f}").format(value=a.mean()))
    ax.axhline(remembered, color=REMEMBERED, lw=2.5,
               label=_("remembered ({model}) {value:+.2f}").format(model=model_label, value=remembered))
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xlim(0, edges[-1])
    ax.set_xlabel(_("time ({unit})").format(unit=_(time_unit)))
    ax.set_ylabel(value_label if value_label is not None else _("affect\n(0 = as expected; below 0 = unpleasant)"))
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8, frameon=True)


def published_vs_simulated(ax: Any, labels: Sequence[str], published: Sequence[float],
                           simulated: Sequence[float], ylabel: str, title: str = "",
                           errors: Sequence[float] | None = None) -> None:
    """Paired bars: the published figure beside cxsim's simulated one (optional error bars)."""
    x = np.arange(len(labels))
    w = 0.38
    pub = np.asarray(published, dtype=float)
    ax.bar(x - w / 2, pub, w, color=PUBLISHED, label="published")
    ax.bar(x + w / 2, simulated, w, color=SIMULATED, label="simulated (cxsim)",
           yerr=None if errors is None else errors, capsize=4)
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
