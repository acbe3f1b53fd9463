"""cxsim.files.write_atomic: the whole file or the old one, never half of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsim.files import write_atomic


def test_writes_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    out = write_atomic(str(tmp_path / "a.txt"), lambda p: Path(p).write_text("new"))
    assert out == tmp_path / "a.txt" and out.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")

    def half(p: str) -> None:
        Path(p).write_text("ha")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, half)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_temporaries_left_by_a_killed_writer_are_removed_and_nothing_else(tmp_path: Path) -> None:
    from cxsim.files import TEMP_MARK, remove_temporaries

    (tmp_path / "sub").mkdir()
    left = [tmp_path / f".summary.csv{TEMP_MARK}abc123", tmp_path / "sub" / f".x.parquet{TEMP_MARK}q1"]
    kept = [tmp_path / "summary.csv", tmp_path / ".hidden", tmp_path / ".cxsim-config.json"]
    for p in left + kept:
        p.write_text("x")
    assert sorted(remove_temporaries(tmp_path)) == sorted(left)
    assert all(p.exists() for p in kept) and not any(p.exists() for p in left)
