"""The ``cxsim-fit`` command end to end, and bad input -> one line, exit 2, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from cxsim.cli import fit as cli


def _run(capsys, argv):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    return info.value.code, capsys.readouterr()


def _memory_args(data, out):
    return ["memory", str(data), "--episode", "respondent, episode", "--order", "order", "--rating", "rating",
            "--retrospective", "retrospective", "--group", "respondent", "--scale", "0-10",
            "--retrospective-scale=-50-50", "--bootstrap", "20", "--out", str(out)]


def test_memory_command(tmp_path, long_frame, capsys) -> None:
    data = tmp_path / "long.csv"
    long_frame.to_csv(data, index=False)
    cli.main(_memory_args(data, tmp_path / "out") + ["--save", str(tmp_path / "m.json")])
    out = capsys.readouterr()
    table = pd.read_csv(tmp_path / "out" / "memory_models.csv")
    assert {"model", "cv_r", "cv_rmse"} <= set(table.columns) and table["model"].iloc[0] == "peak_end"
    assert (tmp_path / "out" / "memory_models.png").stat().st_size > 1000
    assert (tmp_path / "out" / "memory_weights.csv").is_file()
    assert "best out of sample: peak_end" in out.out and "[10/10]" in out.err  # progress on stderr
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["cxsim_model"] == "memory" and doc["model"] == "peak_end"


def test_bad_memory_input(tmp_path, long_frame, capsys) -> None:
    data = tmp_path / "long.csv"
    long_frame.assign(rating=long_frame["rating"].where(long_frame.index != 5, 12)).to_csv(data, index=False)
    out = tmp_path / "out"
    code, cap = _run(capsys, _memory_args(data, out))
    assert code == 2
    assert cap.err.strip() == ("cxsim-fit: error: long.csv: column 'rating', line 7: 12 is not allowed; "
                               "ratings on the 0-10 scale are allowed")
    assert "Traceback" not in cap.err and not out.exists()


def test_missing_option_is_exit_2(capsys) -> None:
    code, cap = _run(capsys, ["memory", "x.csv", "--order", "o"])
    assert code == 2 and "required" in cap.err and cap.err.count("\n") <= 2


def test_console_script_runs_as_a_module(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "cxsim.cli.fit", "memory", str(tmp_path / "none.csv"),
                           "--episode", "e", "--order", "o", "--rating", "r", "--retrospective", "x",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"cxsim-fit: error: none.csv: {str(tmp_path / 'none.csv')!r} is not allowed; no such file"
