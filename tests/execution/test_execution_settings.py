"""The execution config group: validation, one-line errors with exit status 2, batches, the store."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from cxsim.cli import compare as compare_cli
from cxsim.cli import sweep as sweep_cli
from cxsim.errors import SpecError
from cxsim.execution import Execution, RowStore, batch_size, batches, execution_from_dict, read_rows
from cxsim.execution.backend import MAX_BATCH

TINY = ["scenario=b2b_dealer_survey", "sim.n_customers=200", "sim.n_cycles=3"]

BAD = {
    "unknown backend": ({"backend": "slurm"}, "execution.backend"),
    "negative workers": ({"workers": -1}, "execution.workers"),
    "address on local": ({"address": "auto"}, "execution.address"),
    "negative batch": ({"batch": -2}, "execution.batch"),
    "unknown key": ({"cores": 4}, "execution"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_settings_name_the_field(case):
    data, field = BAD[case]
    with pytest.raises(SpecError) as err:
        execution_from_dict(data)
    assert str(err.value).startswith(field)


def test_workers_default_to_the_commands_n_jobs():
    assert Execution().with_default_workers(3).cores == 3
    assert Execution(workers=2).with_default_workers(3).cores == 2
    assert Execution().in_process and not Execution(workers=2).in_process


def test_batches_cover_every_run_once_and_are_bounded():
    runs = list(range(1000))
    for exe, workers in ((Execution(), 1), (Execution(workers=4), 4), (Execution(batch=7), 2)):
        size = batch_size(exe, len(runs), workers)
        chunks = batches(runs, size)
        assert [x for c in chunks for x in c] == runs
        assert 1 <= size <= (exe.batch or MAX_BATCH)
    assert batch_size(Execution(batch=7), 1000, 2) == 7
    assert len(batches(runs, batch_size(Execution(workers=4), 1000, 4))) >= 4 * 4  # several tasks per worker


def test_missing_ray_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if ray were not installed
    with pytest.raises(SpecError) as err:
        execution_from_dict({"backend": "ray"})
    assert "pip install 'cxsim[ray]'" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("main, prog", [(sweep_cli.main, "cxsim-sweep"), (compare_cli.main, "cxsim-compare")])
def test_commands_reject_a_missing_ray_with_exit_2(main, prog, rejects, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    rejects(main, prog, [*TINY, "execution.backend=ray"], "execution.backend")


@pytest.mark.parametrize("main, prog", [(sweep_cli.main, "cxsim-sweep"), (compare_cli.main, "cxsim-compare")])
def test_commands_reject_bad_execution_settings_with_exit_2(main, prog, rejects):
    rejects(main, prog, [*TINY, "execution.workers=-3"], "execution.workers")


def test_store_streams_fragments_readable_while_writing(tmp_path):
    store = RowStore(tmp_path / "rows")
    assert store.read().empty and store.keys(["a"]) == set()
    store.write([{"a": "x", "b": 1.5}, {"a": "y", "b": 2.5}], "first")
    assert len(read_rows(tmp_path / "rows")) == 2  # readable before the run ends
    (tmp_path / "rows" / ".part-second.parquet.tmp").write_bytes(b"half written")  # a task killed mid-write
    store.write([{"a": "z", "b": 3.5}], "second")
    assert store.keys(["a"]) == {("x",), ("y",), ("z",)}
    pd.testing.assert_frame_equal(store.read(), pd.DataFrame({"a": ["x", "y", "z"], "b": [1.5, 2.5, 3.5]}))


def test_the_local_backend_runs_each_task_once_in_process() -> None:
    from cxsim.execution.local import LocalBackend

    calls: list[int] = []

    def fn(task: int) -> int:
        calls.append(task)
        return task * 10

    backend = LocalBackend(Execution(backend="local", workers=1))
    assert sorted(backend.map_unordered(fn, [1, 2, 3])) == [(0, 10), (1, 20), (2, 30)]
    assert calls == [1, 2, 3]  # each task once, in order, in this process
