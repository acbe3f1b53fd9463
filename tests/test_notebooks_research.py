"""The researchers' end-to-end notebook on the real survey files runs top to bottom.

``notebooks/05_airline_lounge_end_to_end.ipynb`` reads the airline and lounge files from the folder
named by ``CXSIM_SHARED_DATA`` or from ``shared/data`` beside the repository; the test skips, with
the reason, when they are absent. It runs in a temporary folder (the notebook writes its outputs
there), in a couple of minutes.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_airline_lounge_end_to_end.ipynb"
DATA = Path(os.environ.get("CXSIM_SHARED_DATA") or ROOT.parent / "shared" / "data")
FILES = ("airline_passenger_satisfaction_20k.csv", "skytrax_lounge_reviews.csv")


def test_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "outputs not stripped"


@pytest.mark.slow
def test_end_to_end_notebook_runs_on_the_real_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [name for name in FILES if not (DATA / name).is_file()]
    if missing:
        pytest.skip(f"real survey data not available: {DATA / missing[0]} is absent "
                    "(shared/data beside the repository, or set CXSIM_SHARED_DATA)")
    from nbclient import NotebookClient

    monkeypatch.setenv("CXSIM_SHARED_DATA", str(DATA))  # the kernel inherits it
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # two checks, the posterior pairs, the comparison
    out = tmp_path / "outputs" / "airline_lounge"
    for name in ("airline/scenario/airline.yaml", "lounge/scenario/lounge.yaml", "airline/posterior/posterior.parquet",
                 "airline/check.csv", "airline/comparison.png"):
        assert (out / name).is_file(), name
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "with parameter uncertainty" in text and "P(beats baseline)" in text
