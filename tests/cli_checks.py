"""Checks shared by the command-line fault tests (a module of its own: ``conftest`` is not importable by
name once pytest has several conftest files on its path)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def error_line(main: Callable[[list[str]], object], argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run a command's ``main(argv)`` in-process: it must exit with status 2 and one error line on stderr
    (sanity warnings and a long job's estimate may come before it); that line."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    text = capsys.readouterr().err
    assert "Traceback" not in text, text
    lines = [line for line in text.strip().splitlines()
             if ": warning: " not in line and not line.endswith("(a rough estimate)")]
    assert len(lines) == 1, text
    return lines[0]
