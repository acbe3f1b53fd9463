"""Packages as users expect: every folder of cxsim is a package whose ``__all__`` names import,
and type checkers see the same names (the ``__init__.pyi`` stub beside each lazy ``__init__.py``)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import cxsim

ROOT = Path(cxsim.__file__).resolve().parent
#: The command line's package: entry points, no library names to export.
NO_EXPORTS = {"cxsim.cli"}


#: The shipped Hydra configs: installed as ``cxsim.configs`` (the repository's top-level ``configs/``),
#: packages only so that ``pip install`` carries the YAML files; no code, nothing to export.
DATA_PACKAGE = "cxsim.configs"


def _packages() -> list[str]:
    folders = [ROOT, *(p.parent for p in ROOT.rglob("*.py") if p.parent != ROOT)]
    names = {".".join(f.relative_to(ROOT.parent).parts) for f in folders}
    return sorted(n for n in names if n != DATA_PACKAGE and not n.startswith(DATA_PACKAGE + "."))


def test_every_folder_with_code_is_a_package() -> None:
    missing = [p for p in _packages() if not (ROOT.parent / p.replace(".", "/") / "__init__.py").exists()]
    assert not missing, f"folders without __init__.py: {missing}"


@pytest.mark.parametrize("package", [p for p in _packages() if p not in NO_EXPORTS])
def test_every_name_in_all_imports(package: str) -> None:
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    assert names, f"{package} lists no public names in __all__"
    for name in names:
        assert getattr(module, name) is not None, f"{package}.{name}"
    assert set(names) <= set(dir(module))


@pytest.mark.parametrize("package", [p for p in _packages() if p not in NO_EXPORTS])
def test_type_checkers_see_every_export(package: str) -> None:
    """The stub ``__init__.pyi`` beside each lazy ``__init__.py`` names exactly its ``__all__``."""
    stub = ROOT.parent / package.replace(".", "/") / "__init__.pyi"
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    seen = {a.asname for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names if a.asname == a.name}
    declared = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                    and getattr(n.targets[0], "id", "") == "__all__")
    module = importlib.import_module(package)
    assert set(module.__all__) == seen == set(declared)


def test_the_documented_imports() -> None:
    from cxsim.specs import RunSpec, Runtime, Scenario, checks  # a name, and a submodule beside it

    assert Scenario.__module__ == "cxsim.specs.scenario" and checks.__name__ == "cxsim.specs.checks"
    assert RunSpec.__dataclass_fields__["runtime"].type in ("Runtime", Runtime)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        cxsim.specs.Nope  # noqa: B018


def test_import_cxsim_loads_nothing_heavy() -> None:
    code = ("import sys, cxsim, cxsim.specs, cxsim.engine, cxsim.fit, cxsim.teach, cxsim.behaviour; "
            "print(sorted(m for m in ('numba', 'pandas', 'mesa', 'hydra', 'matplotlib', 'solara') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
