"""Software prefetches compile for elements and rows, for reading and writing, and change nothing."""

from __future__ import annotations

import numba
import numpy as np

from cxsim.prefetch import prefetch, prefetch_write


@numba.njit
def _touch(a, b, idx):  # type: ignore[no-untyped-def]
    total = 0.0
    for k in range(idx.size):
        prefetch(a, idx[k])
        prefetch(b, np.uint64(idx[k]))
        prefetch_write(a, idx[k])
        prefetch_write(b, np.int64(idx[k]))
        total += a[idx[k]] + b[idx[k], 0]
        a[idx[k]] += 1.0
    return total


def test_prefetch_compiles_for_rows_and_elements_and_changes_nothing():
    a, b = np.arange(100.0), np.arange(300.0).reshape(100, 3)
    idx = np.array([5, 99, 0, 42], dtype=np.int32)
    before = a.copy()
    assert _touch(a, b, idx) == before[idx].sum() + b[idx, 0].sum()
    np.testing.assert_array_equal(a[idx], before[idx] + 1.0)
