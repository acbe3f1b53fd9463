"""customers.parquet written cycle by cycle (cxsim.engine.customer_file) is the in-memory table."""

from __future__ import annotations

import errno

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_checks import error_line

from cxsim.cli import main as cli
from cxsim.config import load_run_spec
from cxsim.engine import customer_file
from cxsim.engine.customer_file import CustomerFile
from cxsim.engine.run import run
from cxsim.files import TEMP_MARK

BASE = ["sim.n_customers=400", "sim.n_cycles=4", "sim.replications=2", "outputs.figures=false",
        "outputs.customers=always"]


def _leftovers(folder) -> list[str]:
    return [p.name for p in folder.iterdir() if TEMP_MARK in p.name]


@pytest.mark.parametrize("extra", [[], ["scenario=retail_street"], ["runtime.precision=float32"]])
def test_streamed_table_is_the_in_memory_table(tmp_path, extra):
    spec = load_run_spec([*BASE, *extra])
    kept = run(spec)
    streamed = run(spec, customers_file=tmp_path / "customers.parquet")
    assert streamed.customers is None and streamed.customers_file == tmp_path / "customers.parquet"
    back = pd.read_parquet(streamed.customers_file)
    pd.testing.assert_frame_equal(back, kept.customers)
    pd.testing.assert_frame_equal(streamed.cycles, kept.cycles)  # nothing else changes
    assert pq.ParquetFile(streamed.customers_file).num_row_groups == 2 * 4  # a row group per replication and cycle
    assert _leftovers(tmp_path) == []


def test_save_elsewhere_copies_the_streamed_file(tmp_path):
    spec = load_run_spec(BASE)
    res = run(spec, customers_file=tmp_path / "customers.parquet")
    written = res.save(tmp_path / "other")
    assert tmp_path / "other" / "customers.parquet" in written
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "other" / "customers.parquet"),
                                  pd.read_parquet(tmp_path / "customers.parquet"))
    assert tmp_path / "customers.parquet" in res.save(tmp_path)  # its own folder: listed, not rewritten


def test_a_run_that_fails_leaves_no_file(tmp_path):
    def stop(replication: int, done: int) -> None:
        if replication == 1 and done == 2:
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        run(load_run_spec(BASE), customers_file=tmp_path / "customers.parquet", progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_no_table_kept_no_file(tmp_path):
    res = run(load_run_spec([*BASE[:-1], "outputs.customers=never"]), customers_file=tmp_path / "customers.parquet")
    assert res.customers is None and res.customers_file is None and list(tmp_path.iterdir()) == []


def test_a_file_without_any_frame_is_an_error_and_is_removed(tmp_path):
    with pytest.raises(ValueError, match="no rows were given"), CustomerFile(tmp_path / "c.parquet"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_write_outside_the_with_block_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="outside its with-block"):
        CustomerFile(tmp_path / "c.parquet").write(pd.DataFrame({"cycle": [1]}))


def test_empty_cycles_keep_the_columns(tmp_path):
    path = tmp_path / "c.parquet"
    with CustomerFile(path) as sink:
        sink.write(pd.DataFrame({"cycle": pd.Series([], dtype="int32")}))
        sink.write(pd.DataFrame({"cycle": pd.Series([3], dtype="int32")}))
    back = pd.read_parquet(path)
    assert back["cycle"].tolist() == [3] and back["cycle"].dtype == "int32" and sink.rows == 1


def test_cli_run_writes_the_table_as_it_goes(tmp_path, capsys):
    out = tmp_path / "run"
    cli.main([*BASE, f"hydra.run.dir={out}"])
    assert "customers.parquet" in capsys.readouterr().out
    expected = run(load_run_spec(BASE)).customers
    pd.testing.assert_frame_equal(pd.read_parquet(out / "customers.parquet"), expected)
    assert _leftovers(out) == []


def test_a_full_disk_while_streaming_is_one_line_and_leaves_no_file(tmp_path, monkeypatch, capsys):
    calls = []

    def full(self, table, *args, **kwargs):  # the second cycle's row group finds the disk full
        calls.append(table.num_rows)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(customer_file.pq.ParquetWriter, "write_table", full)
    out = tmp_path / "run"
    err = error_line(cli.main, [*BASE, f"hydra.run.dir={out}"], capsys)
    assert err.startswith("cxsim: error: output: No space left on device"), err
    names = [p.name for p in out.iterdir()]
    assert "customers.parquet" not in names and "summary.csv" not in names and not _leftovers(out), names
