"""Types of :mod:`cxsim.report`'s lazy exports (the names of its ``__init__.py``, for IDEs and type checkers)."""

from cxsim.report import comparison as comparison
from cxsim.report import document as document
from cxsim.report import figures as figures
from cxsim.report.document import comparison_report as comparison_report
from cxsim.report.document import optimisation_report as optimisation_report
from cxsim.report.document import write_report as write_report

__all__ = [
    "comparison",
    "comparison_report",
    "document",
    "figures",
    "optimisation_report",
    "write_report",
]
