"""Languages of the teaching material: catalogues, the default language, --lang, wide-character tables."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")

from babel.messages.extract import extract_from_file  # noqa: E402

from cxsim.errors import SpecError  # noqa: E402
from cxsim.teach import i18n  # noqa: E402
from cxsim.teach.cli import format_table, text_width, translate_table  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "cxsim" / "teach").glob("*.py"), *(ROOT / "experiments").glob("*.py"),
                  ROOT / "cxsim" / "fit" / "shops.py"])  # the Meisu shops figure takes a translator


def _msgids() -> set[str]:
    ids: set[str] = set()
    for path in SOURCES:
        for _lineno, message, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None, "N_": None}):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_message_of_the_code_has_a_chinese_translation() -> None:
    ids = _msgids()
    assert len(ids) > 50  # the extraction found the page's, the figures' and the students' words
    _ = i18n.translator("zh")
    untranslated = sorted(m for m in ids if _(m) == m)
    assert untranslated == []


def test_translations_keep_their_placeholders() -> None:
    import string

    _ = i18n.translator("zh")
    for m in _msgids():
        fields = sorted(f for _t, f, _s, _c in string.Formatter().parse(m) if f is not None)
        assert sorted(f for _t, f, _s, _c in string.Formatter().parse(_(m)) if f is not None) == fields, m


def test_the_run_button_reads_run_or_yunxing() -> None:
    assert i18n.translator("en")("Run") == "Run"
    assert i18n.translator("zh")("Run") == "运行"


@pytest.mark.parametrize("env, want", [({"CXSIM_TEACH_LANG": "zh"}, "zh"), ({"LANG": "zh_CN.UTF-8"}, "zh"),
                                       ({"LANG": "de_DE.UTF-8"}, "en"), ({"LC_ALL": "zh_TW.UTF-8", "LANG": "C"}, "zh"),
                                       ({"CXSIM_TEACH_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en")])
def test_default_language(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], want: str) -> None:
    for var in ("CXSIM_TEACH_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert i18n.default_language() == want


def test_a_bad_language_names_the_field() -> None:
    with pytest.raises(SpecError, match=r"^lang: 'fr' is not allowed; allowed: en, zh"):
        i18n.check_language("fr")


def test_tables_align_wide_characters() -> None:
    import pandas as pd

    table = translate_table(pd.DataFrame({"memory model": ["peak_end", "total"], "predicts": ["long trial", "x"]}),
                            "zh")
    assert list(table.columns) == ["记忆模型", "预测"] and table["预测"].tolist() == ["长试验", "x"]
    lines = format_table(table).splitlines()
    assert text_width("长试验") == 6 and len({text_width(line) for line in lines}) == 1


def _script(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    import os
    import subprocess
    import sys

    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "experiments" / "cold_water.py"), *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=full)


def test_experiment_prints_its_table_in_chinese(tmp_path: Path) -> None:
    zh = _script("--n", "64", "--seed", "2", "--no-figure", "--lang", "zh", cwd=tmp_path)
    en = _script("--n", "64", "--seed", "2", "--no-figure", "--lang", "en", cwd=tmp_path)
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr + en.stderr
    assert "记忆模型" in zh.stdout and "长试验" in zh.stdout and "memory model" in en.stdout
    numbers = [[w for w in line.split() if w[0].isdigit()] for line in zh.stdout.splitlines()[4:]]
    assert numbers == [[w for w in line.split() if w[0].isdigit()] for line in en.stdout.splitlines()[4:]]


@pytest.mark.parametrize("args, env, line", [
    (["--lang", "fr"], {}, "cold_water: error: argument --lang: 'fr' is not allowed; allowed: en, zh"),
    ([], {"CXSIM_TEACH_LANG": "xx"}, "cold_water: error: CXSIM_TEACH_LANG: 'xx' is not allowed; allowed: en, zh"),
])
def test_a_bad_language_is_one_line_and_exit_2(args: list[str], env: dict[str, str], line: str,
                                                tmp_path: Path) -> None:
    res = _script("--n", "10", *args, env=env, cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.strip() == line and res.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_filled_in_labels_are_read_back_and_translated() -> None:
    assert i18n.translate_text("mean rating: delivery_speed", "zh") == "满意度均值：送货速度"
    assert i18n.translate_text("5 +2 shop(s): profit change (HKD)", "zh") == "5 增开 2 家店：利润变化（港元）"
    assert i18n.translate_text("delivery_speed, dealer_meeting", "zh") == "送货速度、经销商会议"
    assert i18n.translate_text("[0.51, 0.82]", "zh") == "[0.51, 0.82]"  # not a list of names
    assert i18n.translate_text("mean rating: not_a_touchpoint", "zh") == "满意度均值：not_a_touchpoint"
    assert i18n.translate_text("mean rating: delivery_speed", "en") == "mean rating: delivery_speed"


@pytest.mark.parametrize("module, n", [("colonoscopy", 200), ("zhijiang", 200), ("switching", 60), ("meisu", 200)])
def test_experiment_tables_have_no_english_words_in_chinese(module: str, n: int) -> None:
    import re
    from importlib import import_module

    table = import_module(f"cxsim.teach.{module}").simulate(n=n, seed=1).table
    zh = translate_table(table, "zh")
    words = [str(c) for c in zh.columns] + [v for col in zh.columns for v in zh[col] if isinstance(v, str)]
    english = sorted({w for text in words for w in re.findall(r"[A-Za-z_]{3,}", text)} - {"OLS", "HKD", "B2B"})
    assert english == []
    assert translate_table(table, "en").equals(table)  # English: the table as simulated


def test_error_texts_have_the_pages_words_in_chinese() -> None:
    err = SpecError("preset", "boiling_water", "allowed: cold_water_short, cold_water_long")
    assert i18n.error_text(err, "en") == str(err)
    assert i18n.error_text(err, "zh") == "预设：不接受 'boiling_water'；allowed: cold_water_short, cold_water_long"
    assert i18n.error_text(SpecError("moments[2]", "warm", "a number is required"), "zh") == \
        "时刻[2]：不接受 'warm'；a number is required"
    from cxsim.errors import MISSING

    assert i18n.error_text(SpecError("student", MISSING, "a token is required"), "zh") == \
        "student：缺少；a token is required"
    assert i18n.error_text(OSError("address in use"), "zh") == "address in use"
