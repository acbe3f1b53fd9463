"""cxsim.extras: an optional dependency is imported, or the error names the extra that adds it."""

from __future__ import annotations

import sys

import pytest

from cxsim.errors import SpecError
from cxsim.extras import require


def test_an_installed_module_is_returned() -> None:
    assert require("json", "none", "reading JSON").dumps([1]) == "[1]"


def test_a_missing_module_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis", None)
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)
    with pytest.raises(SpecError) as err:
        require("ema_workbench.analysis.prim", "decide", "PRIM scenario discovery")
    assert str(err.value) == ("ema_workbench: 'not installed' is not allowed; PRIM scenario discovery needs the "
                              "[decide] extra: pip install 'cxsim[decide]'")
