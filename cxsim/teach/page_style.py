"""The teachers' page's style sheet: readable on a projector and on a phone.

Sliders sit in a grid whose columns are at least 15 em wide, each with its label on one line
above it; rows of buttons wrap; figures shrink to the screen's width; the presentation uses
large type. Chinese words render in the shipped Noto Sans SC subset
(:data:`cxsim.teach.typeface.FONT_FILE`), embedded in the style sheet, so that a browser without a
CJK font shows them too and nothing is fetched from elsewhere.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cxsim.teach.typeface import FONT_FILE

#: The family name the page gives the shipped subset.
CJK_FAMILY = "cxsim Noto Sans SC"

BASE_CSS = """
.cx-page, .cx-present { max-width: 1400px; margin: 0 auto; }
.cx-page img, .cx-present img { max-width: 100%; height: auto; }
.cx-wrap { flex-wrap: wrap; gap: 0.5em; align-items: center; }
.cx-sliders { display: grid; grid-template-columns: repeat(auto-fill, minmax(15em, 1fr)); gap: 0.2em 1.5em; }
.cx-slider-label { white-space: nowrap; font-size: 0.95em; color: #444; }
.cx-slider .v-input { margin-top: 0; }
.cx-code { font-size: 3em; font-weight: bold; letter-spacing: 0.15em; font-family: monospace; }
.cx-join-url { font-size: 1.3em; word-break: break-all; }
.cx-tally { font-size: 1.6em; }
.cx-present { font-size: 1.6em; }
.cx-present h1 { font-size: 2.2em; line-height: 1.2; margin: 0.3em 0; }
.cx-present .v-btn { font-size: 0.8em; }
@media (max-width: 600px) {
  .cx-sliders { grid-template-columns: 1fr; }
  .cx-code { font-size: 2em; }
}
"""


@lru_cache(maxsize=1)
def css() -> str:
    """The page's style sheet, with the CJK subset as a font the page falls back to for Chinese."""
    font = base64.b64encode(FONT_FILE.read_bytes()).decode("ascii")
    return (f'@font-face {{ font-family: "{CJK_FAMILY}"; src: url(data:font/otf;base64,{font}) format("opentype"); }}\n'
            f'body, .v-application, .v-application .v-btn {{ font-family: Roboto, sans-serif, "{CJK_FAMILY}"; }}\n'
            + BASE_CSS)
