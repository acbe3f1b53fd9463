"""Reports a strategist can hand on: self-contained HTML from templates, figures embedded.

:mod:`cxsim.report.document` builds the optimisation report from :mod:`cxsim.optimise` and
:mod:`cxsim.robustness` results; :mod:`cxsim.report.figures` draws its figures.
"""
