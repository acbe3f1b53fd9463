"""A YAML syntax error in a user's file is one line naming FILE:LINE:COL, however the file is reached."""

from __future__ import annotations

import pytest

from cxsim.cli import main as cli
from cxsim.config import SEARCH_PATH_ENV

BROKEN = "name: x\njourney: [a, b\n  c: 1\n"


def _error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_broken_file_reached_through_a_defaults_list(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(SEARCH_PATH_ENV, str(tmp_path))  # --config-dir extends it: restored after the test
    folder = tmp_path / "cfg" / "scenario"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text(BROKEN)
    (folder / "mine.yaml").write_text("defaults:\n  - /scenario/broken\n")
    err = _error(capsys, ["run", "--config-dir", str(tmp_path / "cfg"), "scenario=mine", "hydra.run.dir=out"])
    assert "YAML syntax error at broken.yaml:3:4: expected ',' or ']'" in err
    assert not (tmp_path / "out").exists()


def test_broken_scenario_file_by_path(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    err = _error(capsys, ["run", f"scenario={tmp_path / 'broken.yaml'}", "hydra.run.dir=out"])
    assert "broken.yaml" in err and "line 3" in err
