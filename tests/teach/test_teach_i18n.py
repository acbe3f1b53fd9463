"""Languages of the teaching material: catalogues, the default language, --lang, wide-character tables."""

from __future__ import annotations

from pathlib import Path

import pytest

babel = pytest.importorskip("babel")

from babel.messages.extract import extract_from_file  # noqa: E402

from cxsim.errors import SpecError  # noqa: E402
from cxsim.teach import i18n  # noqa: E402
from cxsim.teach.cli import format_table, text_width, translate_table  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "cxsim" / "teach").glob("*.py"), *(ROOT / "experiments").glob("*.py")])


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
