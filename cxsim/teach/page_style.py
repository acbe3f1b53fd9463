"""The teachers' page's style sheet: readable on a projector and on a phone.

Sliders sit in a grid whose columns are at least 15 em wide, each with its label on one line
above it; rows of buttons wrap; figures shrink to the screen's width; the presentation uses
large type.
"""

from __future__ import annotations

CSS = """
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
