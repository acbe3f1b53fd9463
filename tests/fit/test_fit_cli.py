"""The ``cxsim-fit`` command end to end, and bad input -> one line, exit 2, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
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


def test_drivers_save_and_predict_with_rename(tmp_path, wide_frame, capsys) -> None:
    data = tmp_path / "wide.csv"
    wide_frame.to_csv(data, index=False)
    out, model = tmp_path / "drv", tmp_path / "model.json"
    cli.main(["drivers", str(data), "--outcome", "label", "--positive", "happy", "--touchpoints", "a, b b,c,d",
              "--segment", "segment", "--loyalty", "recommend", "--out", str(out), "--save", str(model), "--quiet"])
    printed = capsys.readouterr().out
    d = pd.read_csv(out / "drivers.csv")
    assert {"touchpoint", "weight", "ci_low", "ci_high", "p_value", "importance"} <= set(d.columns)
    assert list(d["touchpoint"]) == ["a", "b b", "c", "d"]
    m = pd.read_csv(out / "models.csv")
    assert list(m["model"]) == ["drivers", "mean_of_ratings", "peak_end"] and "cv_auc" in m
    assert (out / "drivers.png").is_file() and (out / "drivers_by_segment.csv").is_file()
    loyal = pd.read_csv(out / "drivers_loyalty.csv")
    assert loyal.sort_values("importance")["touchpoint"].iloc[-1] == "a"  # recommend is driven by a
    assert "key drivers" in printed
    doc = json.loads(model.read_text())
    assert doc["cxsim_model"] == "drivers" and doc["kind"] == "logistic"
    # a new file whose columns are named differently
    new = wide_frame.rename(columns={"b b": "Bee", "d": "Dee"}).drop(columns=["label", "overall", "recommend"])
    new_path, preds = tmp_path / "new.csv", tmp_path / "preds.csv"
    new.to_csv(new_path, index=False)
    cli.main(["predict", str(model), str(new_path), "--rename", "Bee=b b, Dee=d", "--out", str(preds)])
    p = pd.read_csv(preds)
    assert list(p.columns) == [*new.columns, "predicted"] and p["predicted"].between(0, 1).all()
    # same predictions as the fitted model on the original rows
    from cxsim.fit import drivers
    from cxsim.fit.survey import load_wide

    fit = drivers.fit_drivers(load_wide(wide_frame, "label", "a,b b,c,d", positive="happy"))
    np.testing.assert_allclose(p["predicted"], fit.predict(wide_frame[["a", "b b", "c", "d"]].to_numpy()))


def test_memory_model_save_and_predict(tmp_path, long_frame, capsys) -> None:
    data = tmp_path / "long.csv"
    long_frame.to_csv(data, index=False)
    model = tmp_path / "m.json"
    cli.main(_memory_args(data, tmp_path / "o") + ["--save", str(model), "--save-model", "peak_end", "--quiet"])
    new = long_frame.drop(columns="retrospective").rename(columns={"rating": "score"})
    new.to_csv(tmp_path / "new.csv", index=False)
    cli.main(["predict", str(model), str(tmp_path / "new.csv"), "--rename", "score=rating", "--out", str(tmp_path / "p.csv")])
    p = pd.read_csv(tmp_path / "p.csv")
    assert len(p) == 480 and {"respondent", "episode", "predicted"} <= set(p.columns)
    truth = long_frame.groupby(["respondent", "episode"])["retrospective"].first()
    assert np.corrcoef(p.set_index(["respondent", "episode"])["predicted"].loc[truth.index], truth)[0, 1] > 0.95


BAD_CLI = {
    "drivers: missing column": (["drivers", "{wide}", "--outcome", "overall", "--touchpoints", "a,zz", "--out", "{out}"],
                                "wide.csv: column 'zz': missing"),
    "drivers: bad scale": (["drivers", "{wide}", "--outcome", "overall", "--touchpoints", "a", "--scale", "five", "--out", "{out}"],
                           "--scale: 'five' is not allowed"),
    "drivers: positive absent": (["drivers", "{wide}", "--outcome", "label", "--positive", "yes", "--touchpoints", "a", "--out", "{out}"],
                                 "wide.csv: column 'label': 'yes' is not allowed"),
    "predict: not a model": (["predict", "{wide}", "{wide}", "--out", "{out}/p.csv"], "wide.csv"),
    "predict: bad rename": (["predict", "{model}", "{wide}", "--rename", "nonsense", "--out", "{out}/p.csv"], "--rename: 'nonsense'"),
    "predict: column missing after rename": (["predict", "{model}", "{wide}", "--rename", "d=x", "--out", "{out}/p.csv"],
                                             "wide.csv: column 'd': missing"),
}


@pytest.mark.parametrize("case", list(BAD_CLI))
def test_bad_cli_input(tmp_path, wide_frame, capsys, case) -> None:
    wide = tmp_path / "wide.csv"
    wide_frame.to_csv(wide, index=False)
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"cxsim_model": "drivers", "version": 1, "kind": "linear", "touchpoints": ["a", "d"],
                                 "intercept": 0, "coefficients": {"a": 1, "d": 1}, "fill": {"a": 3, "d": 3},
                                 "scale": [1, 5]}))
    out = tmp_path / "out"
    argv, expected = BAD_CLI[case]
    argv = [a.format(wide=wide, out=out, model=model) for a in argv]
    code, cap = _run(capsys, argv)
    assert code == 2 and expected in cap.err and "Traceback" not in cap.err
    assert len(cap.err.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())
