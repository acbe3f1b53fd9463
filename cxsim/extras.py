"""Optional dependencies: import one, or stop with a one-line error naming the extra that adds it.

The base install is what the simulation needs; the teaching page, Ray, Dask, scikit-learn's
driver models and PRIM scenario discovery are extras (``pip install 'cxsim[NAME]'``). Code that
needs one calls :func:`require` where it is used, so ``import cxsim`` never needs an extra.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cxsim.errors import SpecError

__all__ = ["require"]


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise a :class:`~cxsim.errors.SpecError` naming ``pip install 'cxsim[extra]'``.

    Args:
        module: the dotted module to import, e.g. ``"ema_workbench.analysis.prim"``.
        extra: the cxsim extra that installs it, e.g. ``"decide"``.
        purpose: what needs it, in a few words (``"PRIM scenario discovery"``).

    Returns:
        The imported module.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise SpecError(module.partition(".")[0], "not installed",
                        f"{purpose} needs the [{extra}] extra: pip install 'cxsim[{extra}]'") from None
