"""Worker threads: the pieces of work, and the blocks of rows they split a population into."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxsim.workers import Workers, thread_count


@given(n=st.integers(0, 10_000), threads=st.integers(1, 9))
def test_blocks_cover_the_rows_in_order_one_per_thread(n, threads):
    blocks = Workers(threads).blocks(n)
    assert len(blocks) == threads
    assert blocks[0][0] == 0 and blocks[-1][1] == n
    assert all(lo <= hi for lo, hi in blocks)
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
    assert max(hi - lo for lo, hi in blocks) - min(hi - lo for lo, hi in blocks) <= 1


def test_blocks_are_at_most_as_many_as_asked():
    assert len(Workers(16).blocks(100, most=8)) == 8
    assert len(Workers(2).blocks(100, most=8)) == 2
    assert Workers(4).blocks(10, most=0) == [(0, 10)]


@pytest.mark.parametrize("threads", [1, 3])
def test_map_keeps_the_order_and_raises_what_a_piece_raises(threads):
    with Workers(threads) as workers:
        assert workers.map(lambda x: x * x, range(7)) == [x * x for x in range(7)]
        with pytest.raises(ZeroDivisionError):
            workers.map(lambda x: 1 // x, [2, 1, 0])


def test_zero_threads_is_one_per_core():
    assert thread_count(0) >= 1 and thread_count(3) == 3
