"""The repository's habits: ``ruff check .`` and a bare ``mypy`` pass with the committed configuration.

Both run from the repository root, exactly as a developer or the pre-commit hooks run them, with
the configuration in ``pyproject.toml`` (``[tool.ruff]``, ``[tool.mypy]``). A failure shows the
tool's own report. Without ruff or mypy installed the checks skip, except under CI (``CI=true``,
as ``.ci/run`` sets it), where a missing tool is a failure: CI must install them (``[test]`` extra).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _tool(module: str) -> list[str]:
    """The command that runs ``module`` with this interpreter, or a skip (a failure under CI)."""
    if importlib.util.find_spec(module) is None:
        message = f"{module} is not installed (pip install '.[test]' adds it)"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the lint and type checks")
        pytest.skip(message)
    return [sys.executable, "-m", module]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_passes() -> None:
    result = _run([*_tool("ruff"), "check", "--no-cache", "."])
    assert result.returncode == 0, f"`ruff check .` found problems:\n{result.stdout}{result.stderr}"


def test_mypy_passes() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, f"`mypy` found problems:\n{result.stdout}{result.stderr}"
    assert "Success" in result.stdout, result.stdout
