"""A set of output files written all or nothing (each one atomically, then all moved into place)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from cxsim.files import write_atomic

__all__ = ["Writer", "write_all"]

#: A file of the set: its name inside the folder and a function writing it to a given path.
Writer = tuple[str, Callable[[str], object]]


def write_all(out: str | Path, files: Sequence[Writer]) -> list[Path]:
    """Write every file of ``files`` into the folder ``out``, or none of them.

    Each file is first written (with :func:`~cxsim.files.write_atomic`) into a hidden staging
    folder inside ``out``; only when all of them exist are they moved into place (a rename on one
    file system). So a failure while drawing the last figure leaves neither the tables written
    before it nor an ``out`` folder that this call created.

    Args:
        out: the output folder (created with its parents when missing).
        files: ``(name, write)`` pairs; ``write`` is called with a temporary path (a ``str``).

    Returns:
        The written paths, in the order of ``files``.
    """
    out = Path(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging.", dir=out))
    try:
        staged = [write_atomic(stage / name, write) for name, write in files]
        moved = []
        for path in staged:
            os.replace(path, out / path.name)
            moved.append(out / path.name)
        return moved
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
