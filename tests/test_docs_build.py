"""The documentation builds with warnings as errors, executing every code cell (marker ``slow``).

This is the README's docs command, ``sphinx-build -W -b html docs docs/_build/html`` (with
``--keep-going`` so one run lists every warning), built into a temporary folder so the checkout
stays clean. It takes a few minutes. Without Sphinx installed it skips, except under CI
(``CI=true``), where the ``[test]`` extra must have installed it.
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


@pytest.mark.slow
def test_the_docs_build_without_warnings(tmp_path: Path) -> None:
    missing = [m for m in ("sphinx", "myst_nb", "furo") if importlib.util.find_spec(m) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (pip install '.[docs]' adds them)"
        if IN_CI:
            pytest.fail(f"{message}; CI must build the docs")
        pytest.skip(message)
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
               "-d", str(tmp_path / "doctrees"), "docs", str(tmp_path / "html")]
    env = {k: v for k, v in os.environ.items() if k != "CXSIM_FORCE"}  # the docs show refusals a user meets
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, f"the docs build failed:\n{result.stdout[-4000:]}{result.stderr[-8000:]}"
    assert (tmp_path / "html" / "index.html").exists()
