"""``customers.parquet`` written as the run goes, one Parquet row group per replication and cycle.

The per-customer table has a row per customer and cycle: at ten million customers and twelve
cycles that is 120 million rows, gigabytes that a run would otherwise gather in memory before
writing them. A :class:`CustomerFile` takes each cycle's rows as the recorder makes them
(:class:`cxsim.engine.records.Recorder`) and appends them to the file as a row group
(:class:`pyarrow.parquet.ParquetWriter`), so the table never exists in memory whole; the file is
written beside its final name and renamed when the run ends (:func:`cxsim.files.atomic_path`),
and removed if the run fails. Read back (``pandas.read_parquet``) it is the table
:attr:`cxsim.engine.run.Results.customers` holds when the rows are kept in memory, value for value.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxsim.files import atomic_path


class CustomerFile:
    """Appends the per-customer rows to one Parquet file; use it as a context manager.

    Example:
        >>> import tempfile, pandas as pd
        >>> path = Path(tempfile.mkdtemp()) / "customers.parquet"
        >>> with CustomerFile(path) as sink:
        ...     sink.write(pd.DataFrame({"cycle": [1, 1]}))
        ...     sink.write(pd.DataFrame({"cycle": [2]}))
        >>> pd.read_parquet(path)["cycle"].tolist(), sink.rows
        ([1, 1, 2], 3)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        #: Rows written so far.
        self.rows = 0
        self._stack = ExitStack()
        self._tmp: str | None = None
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def __enter__(self) -> CustomerFile:
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (one cycle's rows, the columns of every other frame) as a row group."""
        if self._tmp is None:
            raise RuntimeError("CustomerFile.write outside its with-block")
        table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        if self._writer is None:  # the first frame (of a run's first cycle) fixes the columns
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self._tmp, table.schema)
        if table.num_rows or self.rows == 0:
            self._writer.write_table(table)
        self.rows += table.num_rows

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._tmp = None
        try:
            if self._writer is not None:
                self._writer.close()
            elif kind is None:  # no schema, no file: a Parquet file needs its columns
                raise ValueError(f"{self.path.name}: no rows were given, not even an empty cycle's")
        except BaseException as failed:
            self._stack.__exit__(type(failed), failed, failed.__traceback__)  # the temporary file removed
            raise
        self._stack.__exit__(kind, error, trace)  # renamed into place, or removed on an error
