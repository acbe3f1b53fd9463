"""The typeface of the teaching figures in Chinese: a shipped subset of Noto Sans CJK SC.

A machine without a CJK system font draws Chinese labels as empty boxes. cxsim ships
``fonts/NotoSansSC-cxsim-subset.otf`` — Noto Sans CJK SC Regular (SIL Open Font License 1.1,
``fonts/OFL.txt``) cut down with fontTools to the characters of the teaching catalogues, ASCII and
the symbols the figures print — and applies it to a figure's texts through
:class:`~matplotlib.font_manager.FontProperties` (:func:`localise`), never through matplotlib's
global settings.

Regenerate the subset after editing a catalogue (``SOURCE``: Noto Sans CJK SC Regular, an ``.otf``
or the ``.ttc`` of Debian's ``fonts-noto-cjk``)::

    python -m cxsim.teach.typeface SOURCE
"""

from __future__ import annotations

import string
import sys
from pathlib import Path
from typing import Any

from cxsim.teach import i18n

#: The shipped subset and its licence.
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-cxsim-subset.otf"
LICENCE_FILE = FONT_FILE.with_name("OFL.txt")
#: Characters every subset keeps besides the catalogues': ASCII, Latin-1 and the symbols figures print.
BASE_CHARACTERS = (string.printable + "".join(chr(c) for c in range(0xA0, 0x100))
                   + "−–—‘’“”…·•×÷±≤≥≈°%‰→←↑↓" + "，。：；（）、！？《》【】「」～")
#: Index of Noto Sans CJK SC in the ``NotoSansCJK-Regular.ttc`` collection.
TTC_INDEX_SC = 2


def needs_cjk(lang: str) -> bool:
    """Whether figures in ``lang`` need the shipped CJK typeface."""
    return i18n.check_language(lang) == "zh"


def font_properties(lang: str, size: Any = None, weight: Any = None, style: Any = None) -> Any:
    """:class:`~matplotlib.font_manager.FontProperties` for text in ``lang`` (``None`` for English)."""
    if not needs_cjk(lang):
        return None
    from matplotlib.font_manager import FontProperties  # matplotlib: loaded only when a figure is drawn

    return FontProperties(fname=str(FONT_FILE), size=size, weight=weight, style=style)


def localise(fig: Any, lang: str, layout: bool = True) -> Any:
    """Set every text of ``fig`` (titles, labels, ticks, legends, annotations) in ``lang``'s typeface.

    Nothing is drawn before the typeface is set (a draw in the default font would warn about each
    missing glyph): the tick labels are the axes' current ones, and ticks made later copy the font
    of the first. Then, with ``layout``, the figure is laid out tightly
    (:meth:`~matplotlib.figure.Figure.tight_layout`), as every teaching figure is — so a figure
    calls this instead of ``tight_layout``, in English too. Returns ``fig``.
    """
    if needs_cjk(lang):
        from matplotlib.text import Text  # matplotlib: loaded only when a figure is drawn

        texts = list(fig.findobj(Text))
        for ax in fig.get_axes():
            for axis in (ax.xaxis, ax.yaxis):
                for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                    texts += [tick.label1, tick.label2]
        for text in texts:
            text.set_fontproperties(font_properties(lang, text.get_fontsize(), text.get_fontweight(),
                                                    text.get_fontstyle()))
    if layout:
        fig.tight_layout()
    return fig


def subset_characters(lang: str = "zh") -> str:
    """The characters a subset for ``lang`` keeps: its catalogue's, the language names and :data:`BASE_CHARACTERS`."""
    names = "".join(i18n.LANGUAGES.values())  # the language buttons of the page
    return "".join(sorted(set(i18n.catalogue_text(lang)) | set(BASE_CHARACTERS) | set(names)))


def make_subset(source: str | Path, out: str | Path = FONT_FILE, text: str | None = None) -> Path:
    """Cut ``source`` (an OTF, or the TTC holding Noto Sans CJK SC) down to ``text``; write ``out``."""
    from fontTools import subset  # type: ignore[import-untyped]  # fontTools: only to regenerate the shipped font

    options = subset.Options()
    options.font_number = TTC_INDEX_SC if str(source).lower().endswith(".ttc") else 0
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    sub = subset.Subsetter(options)
    sub.populate(text=text if text is not None else subset_characters())
    sub.subset(font)
    out = Path(out)
    subset.save_font(font, str(out), options)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cxsim.teach.typeface SOURCE  (Noto Sans CJK SC Regular, .otf or .ttc)")
    print(make_subset(sys.argv[1]))
