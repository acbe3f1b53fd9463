"""Teaching the peak-end rule: classic experiments, episode presets, figures and the teachers' page.

* :mod:`cxsim.teach.episode` — one experience as a sequence of moments, the presets (cold water,
  colonoscopy) and what each memory model remembers of it;
* :mod:`cxsim.teach.style` — the shared look of every teaching figure (PNG and SVG);
* :mod:`cxsim.teach.cold_water`, :mod:`~cxsim.teach.colonoscopy`, :mod:`~cxsim.teach.zhijiang`,
  :mod:`~cxsim.teach.meisu`, :mod:`~cxsim.teach.switching` — the published findings, simulated
  with cxsim's model (seeded populations with noise) and set beside the published figures;
* :mod:`cxsim.teach.i18n`, :mod:`~cxsim.teach.typeface` — English and Chinese from message
  catalogues, and the shipped CJK font the figures use;
* :mod:`cxsim.teach.slides` — the presentation's figures at slide size;
* :mod:`cxsim.teach.classroom`, :mod:`~cxsim.teach.class_server` — a class round: the students'
  answers and the pages that collect them;
* :mod:`cxsim.teach.app`, :mod:`~cxsim.teach.class_view` — the Solara page (``cxsim teach``; needs
  the teaching extra);
* :mod:`cxsim.teach.warmup` — the engine warmed in the background as the page's server starts.

Nothing here imports matplotlib, pandas or Solara at import time of the package.
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "episode": "cxsim.teach.episode",
    "style": "cxsim.teach.style",
    "cold_water": "cxsim.teach.cold_water",
    "colonoscopy": "cxsim.teach.colonoscopy",
    "zhijiang": "cxsim.teach.zhijiang",
    "meisu": "cxsim.teach.meisu",
    "switching": "cxsim.teach.switching",
    "i18n": "cxsim.teach.i18n",
    "typeface": "cxsim.teach.typeface",
    "slides": "cxsim.teach.slides",
    "classroom": "cxsim.teach.classroom",
    "class_server": "cxsim.teach.class_server",
    "warmup": "cxsim.teach.warmup",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
