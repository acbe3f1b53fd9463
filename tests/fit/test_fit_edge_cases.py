"""Edge cases of ``cxsim fit`` and ``cxsim calibrate`` files: a one-line error (exit 2, nothing
written) or a correct result, never a traceback or a partial output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from cxsim.cli import calibrate as calibrate_cli
from cxsim.cli import fit as cli
from cxsim.errors import SpecError
from cxsim.file_sets import write_all
from cxsim.fit import memory_fit, observations
from cxsim.fit.survey import Scale, load_long, load_wide, read_table
from cxsim.fit.survey_data import read_survey
from cxsim.yaml_files import check_yaml_file, syntax_error

MEMORY = ["--episode", "respondent, episode", "--order", "order", "--rating", "rating",
          "--retrospective", "retrospective", "--group", "respondent", "--scale", "0-10",
          "--retrospective-scale=-50-50", "--bootstrap", "5", "--quiet"]


def _run(capsys, main, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code, capsys.readouterr()


def _one_line_error(code, cap, *words):
    assert code == 2, cap.err
    assert cap.err.count("\n") == 1 and "Traceback" not in cap.err, cap.err
    for w in words:
        assert w in cap.err, cap.err
    return cap.err


def _memory(tmp_path, capsys, frame, name="long.csv", extra=()):
    data = tmp_path / name
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    code, cap = _run(capsys, cli.main, ["memory", str(data), *MEMORY, *extra, "--out", str(out)])
    return code, cap, out


# --------------------------------------------------------------------------- fit memory
def test_constant_retrospective_is_refused_before_anything_is_written(tmp_path, long_frame, capsys) -> None:
    code, cap, out = _memory(tmp_path, capsys, long_frame.assign(retrospective=7.0))
    _one_line_error(code, cap, "column 'retrospective'", "every episode rated 7", "must vary")
    assert not out.exists()


def test_constant_momentary_ratings_are_an_error_not_nan_weights(tmp_path, long_frame, capsys) -> None:
    code, cap, out = _memory(tmp_path, capsys, long_frame.assign(rating=5.0))
    _one_line_error(code, cap, "column 'rating'", "every moment rated 5")
    assert not out.exists()


def test_episodes_without_variation_cannot_tell_peak_from_end(tmp_path, long_frame, capsys) -> None:
    flat = long_frame.assign(rating=long_frame.groupby(["respondent", "episode"])["rating"].transform("first"))
    code, cap, out = _memory(tmp_path, capsys, flat)
    _one_line_error(code, cap, "column 'rating'", "within episodes")
    assert not out.exists()


def test_every_retrospective_blank_is_one_line(tmp_path, long_frame, capsys) -> None:
    code, cap, out = _memory(tmp_path, capsys, long_frame.assign(retrospective=np.nan))
    _one_line_error(code, cap, "column 'retrospective'", "all blank")


def test_one_row_and_header_only(tmp_path, long_frame, capsys) -> None:
    code, cap, _ = _memory(tmp_path, capsys, long_frame.head(1))
    _one_line_error(code, cap, "rows: 1", "needs at least")
    code, cap, _ = _memory(tmp_path, capsys, long_frame.head(0))
    _one_line_error(code, cap, "at least one moment")


def test_infinite_rating_names_its_line(tmp_path, long_frame, capsys) -> None:
    bad = long_frame.astype({"rating": object})
    bad.loc[2, "rating"] = "inf"
    code, cap, _ = _memory(tmp_path, capsys, bad)
    _one_line_error(code, cap, "column 'rating', line 4: inf is not allowed", "finite")


def test_memory_fit_checks_a_survey_directly(long_frame) -> None:
    survey = load_long(long_frame.assign(retrospective=3.0), ["respondent", "episode"], "order", "rating",
                       "retrospective", scale=Scale(0, 10))
    with pytest.raises(SpecError, match="must vary"):
        memory_fit.compare_memory_models(survey, bootstrap=0)


def test_figure_error_bars_survive_an_estimate_outside_its_interval(tmp_path, long_frame) -> None:
    survey = load_long(long_frame, ["respondent", "episode"], "order", "rating", "retrospective",
                       scale=Scale(0, 10), retrospective_scale=Scale(-50, 50))
    result = memory_fit.compare_memory_models(survey, bootstrap=5)
    w = result.weights.copy()
    row = w.index[w["parameter"] == "w_peak"][0]
    w.loc[row, "ci_low"] = w.loc[row, "estimate"] + 0.1  # a percentile interval above the estimate
    shifted = memory_fit.MemoryComparison(result.table, w, result.fitted, result.folds, result.bootstrap,
                                          result.grouped, result.n)
    memory_fit.figure(shifted, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000


# --------------------------------------------------------------------------- all or nothing
def test_write_all_leaves_nothing_when_one_file_fails(tmp_path) -> None:
    def boom(path: str) -> None:
        raise RuntimeError("figure failed")

    out = tmp_path / "new"
    with pytest.raises(RuntimeError):
        write_all(out, [("a.csv", lambda p: open(p, "w").write("x\n")), ("b.png", boom)])
    assert not out.exists()
    old = tmp_path / "old"
    old.mkdir()
    (old / "keep.txt").write_text("k")
    with pytest.raises(RuntimeError):
        write_all(old, [("a.csv", lambda p: open(p, "w").write("x\n")), ("b.png", boom)])
    assert sorted(p.name for p in old.iterdir()) == ["keep.txt"]
    paths = write_all(old, [("a.csv", lambda p: open(p, "w").write("x\n"))])
    assert paths == [old / "a.csv"] and (old / "a.csv").read_text() == "x\n"
    assert sorted(p.name for p in old.iterdir()) == ["a.csv", "keep.txt"]


# --------------------------------------------------------------------------- fit drivers
def _drivers(tmp_path, capsys, data, touchpoints="a,b b,c,d", outcome="overall", extra=()):
    out = tmp_path / "drv"
    code, cap = _run(capsys, cli.main, ["drivers", str(data), "--outcome", outcome, "--touchpoints", touchpoints,
                                        *extra, "--out", str(out), "--quiet"])
    return code, cap, out


def test_long_file_given_to_drivers_is_refused_naming_the_order_column(tmp_path, long_frame, capsys) -> None:
    data = tmp_path / "long.csv"
    long_frame.to_csv(data, index=False)
    code, cap, out = _drivers(tmp_path, capsys, data, "rating", "retrospective", ["--scale", "0-10"])
    _one_line_error(code, cap, "column 'order'", "one row per moment", "cxsim fit memory")
    assert not out.exists()


def test_a_wide_file_sorted_by_outcome_is_not_mistaken_for_a_long_one(wide_frame) -> None:
    wide = wide_frame.sort_values("overall").reset_index(drop=True).assign(id=np.arange(len(wide_frame)) + 1)
    survey = load_wide(wide, "overall", "a,b b,c,d")
    assert survey.n == len(wide)


def test_collinear_touchpoint_is_refused(tmp_path, wide_frame, capsys) -> None:
    data = tmp_path / "w.csv"
    wide_frame.assign(c=wide_frame["b b"]).to_csv(data, index=False)
    code, cap, out = _drivers(tmp_path, capsys, data)
    _one_line_error(code, cap, "column 'c'", "linear combination of 'b b'")
    assert not out.exists()


def test_gbk_and_bom_files_are_read(tmp_path, wide_frame) -> None:
    names = {"a": "等待", "b b": "服务", "c": "价格", "d": "交付", "overall": "总体满意度"}
    chinese = wide_frame.rename(columns=names)
    for enc in ("gbk", "utf-8-sig", "utf-8"):
        path = tmp_path / f"{enc}.csv"
        chinese.to_csv(path, index=False, encoding=enc)
        frame, _ = read_table(path)
        assert list(frame.columns[:5]) == list(names.values())
        survey = load_wide(path, "总体满意度", "等待,服务,价格,交付")
        assert survey.n == len(wide_frame)
        np.testing.assert_array_equal(survey.ratings, wide_frame[["a", "b b", "c", "d"]].to_numpy())


@pytest.mark.parametrize("content, words", [
    (bytes(range(256)) * 4, ["binary data"]),
    ("café,b,overall\n1,2,3\n".encode("latin-1"), ["UTF-8 or GBK"]),
    (b"", ["readable CSV"]),
])
def test_unreadable_csv_is_one_line(tmp_path, capsys, content, words) -> None:
    data = tmp_path / "x.csv"
    data.write_bytes(content)
    code, cap, out = _drivers(tmp_path, capsys, data)
    _one_line_error(code, cap, "x.csv", *words)
    assert not out.exists()


def test_duplicate_header_name_is_refused_when_used(tmp_path, wide_frame, capsys) -> None:
    data = tmp_path / "dup.csv"
    text = wide_frame[["a", "b b", "c", "d", "overall"]].to_csv(index=False)
    data.write_text(text.replace("a,b b,c,d,overall", "a,b b,a,d,overall", 1))
    code, cap, _ = _drivers(tmp_path, capsys, data, "a,b b,d")
    _one_line_error(code, cap, "column 'a'", "named twice")
    survey = load_wide(data, "overall", "b b,d")  # a duplicated column that is not used is no matter
    assert survey.n == len(wide_frame)


def test_all_blank_column_and_one_row(tmp_path, wide_frame, capsys) -> None:
    data = tmp_path / "w.csv"
    wide_frame.assign(c=np.nan).to_csv(data, index=False)
    _one_line_error(*_drivers(tmp_path, capsys, data)[:2], "column 'c'", "100% blank")
    wide_frame.head(1).to_csv(data, index=False)
    _one_line_error(*_drivers(tmp_path, capsys, data)[:2], "rows: 1")


def test_wrong_scale_names_the_value(tmp_path, wide_frame, capsys) -> None:
    data = tmp_path / "w.csv"
    (wide_frame[["a", "b b", "c", "d", "overall"]] * 2).to_csv(data, index=False)
    _one_line_error(*_drivers(tmp_path, capsys, data)[:2], "column 'a'", "1-5 scale")


# --------------------------------------------------------------------------- calibrate
@pytest.mark.parametrize("content, words", [
    (bytes(range(256)) * 4, ["binary data"]),
    (b"name: x\xff\n", ["UTF-8", "0xff"]),
    (b"name: x\njourney: [a, b\n  c: 1\n", ["bad.yaml:3:4", "YAML syntax error"]),
])
def test_calibrate_file_that_is_not_yaml_is_one_line(tmp_path, capsys, content, words) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    out = tmp_path / "cal"
    code, cap = _run(capsys, calibrate_cli.main, [f"calibrate={path}", f"calibrate.out={out}"])
    _one_line_error(code, cap, *words)
    assert not out.exists()


def test_observed_survey_file_faults(tmp_path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(SpecError, match="binary data"):
        observations.counts_from_survey(path, "overall", (1, 5), "targets.overall")
    pd.DataFrame({"overall": [np.nan, np.nan]}).to_csv(path, index=False)
    with pytest.raises(SpecError, match="has none"):
        observations.counts_from_survey(path, "overall", (1, 5), "targets.overall")
    pd.DataFrame({"总体": [1, 2, 2, 5]}).to_csv(path, index=False, encoding="gbk")
    assert observations.counts_from_survey(path, "总体", (1, 5), "t") == (1.0, 2.0, 0.0, 0.0, 1.0)
    bad = tmp_path / "s.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(SpecError, match="Parquet"):
        observations.counts_from_survey(bad, "overall", (1, 5), "targets.overall")


@pytest.mark.parametrize("text, where", [
    ("name: x\n\tjourney: 1\n", "s.yaml:2:1"),
    ('name: "x\n', "s.yaml:2:1"),
    ("a: [1, 2\nb: 3\n", "s.yaml:2:2"),
])
def test_yaml_syntax_error_names_file_line_and_column(tmp_path, text, where) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        check_yaml_file(path, "scenario")
    assert f"YAML syntax error at {where}: " in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(yaml.YAMLError) as raw:
        yaml.safe_load(text)
    assert syntax_error(raw.value, "s.yaml").startswith(where)


def test_scenario_fit_files_are_checked_like_the_others(tmp_path, long_frame, wide_frame) -> None:
    wide = wide_frame[["a", "b b", "c", "d", "overall"]]
    with pytest.raises(SpecError, match=r"column 'a', line 2: 6 is not allowed; ratings on the 1-5 scale"):
        read_survey(wide * 2 + (wide == 0), "a,b b,c,d", "overall", (1, 5))
    with pytest.raises(SpecError, match="one row per moment"):
        read_survey(long_frame, "rating", "retrospective", (0, 10))
    path = tmp_path / "gbk.csv"
    wide.rename(columns={"a": "等待"}).to_csv(path, index=False, encoding="gbk")
    assert read_survey(path, "等待,b b,c,d", "overall", (1, 5)).n == len(wide)
