"""Files written by cxsim: atomically, so that no half-written file is ever left behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, write: Callable[[str], Any]) -> Path:
    """Write a file atomically: ``write(tmp)`` writes a temporary file beside ``path``, then it is renamed.

    The rename is atomic on one file system (:func:`os.replace`), so a reader sees either the old
    file or the whole new one; if ``write`` fails, the temporary file is removed and the error
    propagates.

    Args:
        path: the file to write (its folder must exist).
        write: called with the temporary file's path (a ``str``), e.g.
            ``lambda p: frame.to_csv(p, index=False)``.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
