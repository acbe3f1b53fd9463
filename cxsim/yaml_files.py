"""A user's YAML file read or refused in one line: binary or non-UTF-8 bytes, syntax errors.

:func:`syntax_error` turns a PyYAML error into ``FILE:LINE:COL: problem`` (the place a text editor
jumps to); :func:`read_yaml_text` refuses a file that is not UTF-8 text before YAML sees it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cxsim.errors import SpecError

__all__ = ["check_yaml_file", "read_yaml_text", "syntax_error", "yaml_error"]


def syntax_error(err: yaml.YAMLError, name: str | None = None) -> str:
    """``"NAME:LINE:COL: problem"`` for a YAML error (1-based line and column, as editors count).

    ``name`` defaults to the file name PyYAML recorded (for a stream read from a file).
    """
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or " ".join(str(err).split())
    if name is None:
        name = Path(str(getattr(mark, "name", "") or "YAML")).name
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
    return f"{where}: {problem}"


def yaml_error(err: yaml.YAMLError, field: str, path: str | Path | None = None) -> SpecError:
    """The one-line error for a YAML syntax error: ``FIELD: 'PATH' is not allowed; YAML syntax error
    at FILE:LINE:COL: problem`` (``path`` defaults to the file PyYAML recorded)."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    shown = str(path) if path is not None else str(getattr(mark, "name", "") or "YAML")
    name = Path(path).name if path is not None else None
    return SpecError(field, shown, "YAML syntax error at " + syntax_error(err, name))


def read_yaml_text(path: str | Path, field: str) -> str:
    """The text of a YAML file; a missing, binary or non-UTF-8 file is a one-line error.

    Raises:
        SpecError: naming ``field`` and the file.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise SpecError(field, str(p), f"a readable YAML file is required ({err.strerror})") from None
    if b"\0" in data:
        raise SpecError(field, str(p), "a YAML text file is required; this one holds binary data (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SpecError(field, str(p), f"a YAML file in UTF-8 text is required; byte 0x{data[err.start]:02x} "
                        f"at offset {err.start} is not UTF-8") from None


def check_yaml_file(path: str | Path, field: str) -> Any:
    """Read and parse a user's YAML file (its contents are validated elsewhere).

    Raises:
        SpecError: unreadable, binary or non-UTF-8 bytes, or a syntax error as ``FILE:LINE:COL``.
    """
    text = read_yaml_text(path, field)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise yaml_error(err, field, path) from None
