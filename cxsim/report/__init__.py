"""Reports a strategist can hand on: self-contained HTML from templates, figures embedded.

* :mod:`cxsim.report.document` — the optimisation report (from :mod:`cxsim.optimise` and
  :mod:`cxsim.robustness`) and the comparison report (from :mod:`cxsim.compare`), rendered from
  the Jinja2 templates in ``templates/``;
* :mod:`cxsim.report.figures` — their figures (Pareto front, forest plot, robustness, PRIM box) on
  explicit matplotlib figures;
* :mod:`cxsim.report.comparison` — the comparison's text report and forest plot (what ``cxsim
  compare`` prints and saves as ``comparison.png``).
"""

from __future__ import annotations

from cxsim.exports import lazy_exports

# Public name -> its module, imported on first use; type checkers read __init__.pyi beside this file.
_EXPORTS = {
    "comparison": "cxsim.report.comparison",
    "document": "cxsim.report.document",
    "figures": "cxsim.report.figures",
    "optimisation_report": "cxsim.report.document",
    "comparison_report": "cxsim.report.document",
    "write_report": "cxsim.report.document",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
