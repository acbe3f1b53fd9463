"""The teaching figures in both languages: no missing glyph, no label hiding under another, slide size.

A text "overlaps" another when their bounding boxes in the drawn figure intersect by more than
one pixel each way (anti-aliasing); a legend counts as one box, and the texts inside a legend
are checked against the legend's own box only through that legend.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("babel")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text

from cxsim.teach import cold_water, colonoscopy, slides, typeface

LANGS = ("en", "zh")


@lru_cache(maxsize=1)
def _cold() -> cold_water.ColdWaterResult:
    return cold_water.simulate(n=320, seed=0)


FIGURES: dict[str, Callable[[str], Any]] = {
    "cold_water": lambda lang: cold_water.figure_of(_cold(), lang),
    "episode_slide": slides.episode_slide,
    "remembered_slide": slides.remembered_slide,
    "class_slide": lambda lang: slides.class_slide(25, 17, lang),
    "class_slide_empty": lambda lang: slides.class_slide(0, 0, lang),
    "business_slide": slides.business_slide,
}


def _boxes(fig: Any) -> list[tuple[str, Any]]:
    """(description, window extent) of every visible non-empty text outside legends, and of every legend."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legends = [x for x in fig.findobj(Legend) if x.get_visible()]
    inside = {id(t) for lg in legends for t in lg.findobj(Text)}
    out = [(f"legend {i}", lg.get_window_extent(renderer)) for i, lg in enumerate(legends)]
    for ax in fig.get_axes():  # tick labels outside the axes' view are not drawn
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    inside.update({id(tick.label1), id(tick.label2)})
    for t in fig.findobj(Text):
        if id(t) in inside or not t.get_visible() or not t.get_text().strip():
            continue
        out.append((repr(t.get_text()), t.get_window_extent(renderer)))
    return out


def overlaps(fig: Any, margin: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts (or legends) of ``fig`` whose boxes intersect by more than ``margin`` pixels."""
    found = []
    for (a, ba), (b, bb) in itertools.combinations(_boxes(fig), 2):
        w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if w > margin and h > margin:
            found.append((a, b))
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_no_label_overlaps_another(name: str, lang: str) -> None:
    fig = FIGURES[name](lang)
    assert overlaps(fig) == []


def test_the_overlap_check_finds_a_label_under_a_legend() -> None:
    fig = cold_water.figure_of(_cold(), "en")
    ax = fig.get_axes()[2]
    top = max(ax.patches, key=lambda p: p.get_height())  # the tallest bar, and its "NN%" label
    ax.legend(loc="center", bbox_to_anchor=(top.get_x() + top.get_width() / 2, top.get_height()),
              bbox_transform=ax.transData)
    assert any("legend" in a or "legend" in b for a, b in overlaps(fig))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_glyph_is_in_the_font(name: str, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        fig = FIGURES[name](lang)
        for fmt in slides.FORMATS:
            slides.export(fig, fmt)


def test_chinese_figures_use_the_shipped_font() -> None:
    fig = slides.class_slide(3, 2, "zh")
    fonts = {t.get_fontproperties().get_file() for t in fig.findobj(Text) if t.get_text().strip()}
    assert fonts == {str(typeface.FONT_FILE)}
    assert typeface.LICENCE_FILE.read_text().count("SIL OPEN FONT LICENSE Version 1.1") == 1


def test_the_shipped_font_covers_every_catalogue_character() -> None:
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(typeface.FONT_FILE)).getBestCmap()
    missing = sorted({c for c in typeface.subset_characters("zh") if c.isprintable() and ord(c) not in cmap})
    assert missing == []


def test_slides_export_at_slide_resolution() -> None:
    import io

    from PIL import Image

    png = slides.export(slides.business_slide("en"), "png")
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)
    svg = slides.export(slides.business_slide("zh"), "svg").decode()
    assert svg.startswith("<?xml") and "<svg" in svg


def test_colonoscopy_figure_in_chinese_has_no_missing_glyph(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        paths = colonoscopy.figure(colonoscopy.simulate(n=1364, seed=0), str(tmp_path), lang="zh")
    assert sorted(p.suffix for p in paths) == [".png", ".svg"]


def test_meisu_shops_figure_in_chinese(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from cxsim.fit import shops
    from cxsim.teach import i18n

    table = pd.DataFrame({"shops": [1, 2, 3, 4], "sales_ratio": [1.0, 1.9, 2.6, 3.1], "case": [1.0, 2.0, 3.0, 4.0]})
    seen: list[Any] = []

    def localise(fig: Any) -> Any:
        seen.append(fig)
        return typeface.localise(fig, "zh")

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        path = shops.figure(table, tmp_path / "meisu_shops.png", translate=i18n.translator("zh"), localise=localise)
    assert path.exists() and path.with_suffix(".svg").exists()
    (fig,) = seen
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
    assert "美苏电器的反馈循环：便利性、客流、口碑" in texts and "街上开业的店数" in texts
    assert not any("Meisu" in t or "shops" in t for t in texts)
    assert overlaps(fig) == []
