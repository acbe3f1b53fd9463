"""Lazy exports of a package: its public names load their modules on first use.

A package's ``__init__`` lists its public names with the module that defines each; the names are
imported when first used, so that ``import cxsim`` (and every ``import cxsim.<package>``) stays
fast while ``from cxsim.specs import Scenario`` works. A name that maps to the submodule of its
own name (``"memory": "cxsim.behaviour.memory"``) stands for that submodule. The packages also
import their names under ``if TYPE_CHECKING:``, so IDEs and type checkers see them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of a package with lazy exports (PEP 562).

    Args:
        package: the package's ``__name__``.
        exports: public name -> the module that defines it (or the submodule of that name).

    Returns:
        ``(__getattr__, __dir__)`` to assign in the package's ``__init__``.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = import_module(module)
        value = loaded if module == f"{package}.{name}" else getattr(loaded, name)
        setattr(sys.modules[package], name, value)  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
