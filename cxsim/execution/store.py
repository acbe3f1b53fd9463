"""The streamed result store: a Parquet dataset with one file (fragment) per finished task.

The driver writes each finished task's rows at once, by write-then-rename, as
``<directory>/part-<name>.parquet``: a file exists only for a task whose rows are all there, the
driver's memory stays flat however many rows the run has, and the dataset is readable while the
run goes on (:func:`read_rows`, or ``pyarrow.dataset.dataset(directory)``). A run that was
interrupted resumes from what was written: :meth:`RowStore.keys` tells which runs are done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cxsim.files import write_atomic

PREFIX = "part-"


class RowStore:
    """A directory of Parquet fragments, one per finished task.

    Args:
        directory: the dataset's folder (created on first write).
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def parts(self) -> list[Path]:
        """The finished fragments, in name order."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.name.startswith(PREFIX) and p.suffix == ".parquet")

    def write(self, rows: Sequence[Mapping[str, Any]], name: str) -> Path:
        """Write one task's rows as the fragment ``part-<name>.parquet`` (atomically)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(list(rows))
        return write_atomic(self.directory / f"{PREFIX}{name}.parquet",
                            lambda p: frame.to_parquet(p, index=False))

    def keys(self, columns: Sequence[str]) -> set[tuple[Any, ...]]:
        """The ``columns`` of every stored row, as tuples (e.g. ``(config_hash, replication)``)."""
        out: set[tuple[Any, ...]] = set()
        for part in self.parts():
            frame = pd.read_parquet(part, columns=list(columns))
            out.update(zip(*(frame[c].tolist() for c in columns)))
        return out

    def read(self) -> pd.DataFrame:
        """Every stored row (fragments read one by one: their column types may differ)."""
        return read_rows(self.directory)


def read_rows(directory: str | Path, parts: Iterable[Path] | None = None) -> pd.DataFrame:
    """The rows written so far to the dataset at ``directory`` (also while the run goes on)."""
    files = list(parts) if parts is not None else RowStore(directory).parts()
    frames = [pd.read_parquet(p) for p in files]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
