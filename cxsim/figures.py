"""Figures without global state: explicit :class:`~matplotlib.figure.Figure` objects, styles in a context.

cxsim's figures never go through pyplot's figure registry and never change matplotlib's or
seaborn's global settings: each figure is a :class:`~matplotlib.figure.Figure` made by
:func:`subplots`, drawn and saved inside :func:`figure_style`, which applies a seaborn theme and
matplotlib settings and restores every setting on exit (:func:`matplotlib.rc_context`). A
``Figure`` made this way saves to PNG and SVG without a display.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxsim.files import write_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figure_style", "save_figure", "subplots"]


@contextmanager
def figure_style(theme: Mapping[str, Any] | None = None, rc: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Draw the figures inside with a seaborn theme and matplotlib settings, then restore every setting.

    Args:
        theme: keyword arguments of :func:`seaborn.set_theme` (e.g. ``{"style": "whitegrid"}``);
            ``None`` keeps matplotlib's current settings.
        rc: further matplotlib settings (``rcParams`` keys).
    """
    import matplotlib  # matplotlib and seaborn: loaded only when a figure is drawn

    with matplotlib.rc_context():
        if theme is not None:
            import seaborn as sns  # loaded only when a figure is drawn

            sns.set_theme(**dict(theme))
        if rc:
            matplotlib.rcParams.update(dict(rc))  # type: ignore[arg-type]
        yield


def subplots(*args: Any, figsize: tuple[float, float] | None = None, **kwargs: Any) -> tuple[Figure, Any]:
    """A new :class:`~matplotlib.figure.Figure` and its axes, like ``pyplot.subplots`` without pyplot.

    Args:
        *args: ``nrows, ncols`` as for :meth:`matplotlib.figure.Figure.subplots`.
        figsize: the figure's size in inches (default: the current ``figure.figsize``).
        **kwargs: passed to :meth:`matplotlib.figure.Figure.subplots` (``sharey``, ``squeeze`` …).

    Returns:
        ``(figure, axes)``; the figure belongs to no pyplot registry, so it needs no closing.
    """
    from matplotlib.figure import Figure  # matplotlib: loaded only when a figure is drawn

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*args, **kwargs)


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Save ``fig`` to ``path`` atomically (complete or absent), in the format its suffix names."""
    fmt = Path(path).suffix.lstrip(".") or "png"
    return write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=fmt))
