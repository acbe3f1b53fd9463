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
