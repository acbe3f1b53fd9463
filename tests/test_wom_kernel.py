"""Word of mouth's compiled passes give :func:`cxsim.behaviour.wom.exchange`'s numbers bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.behaviour import memory, network, satisfaction, wom
from cxsim.draws import states_at
from cxsim.engine.wom_kernel import tellers, word_of_mouth


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("blocks", [1, 7])
@pytest.mark.parametrize("stories", [True, False])
def test_word_of_mouth_equals_the_numpy_exchange(seed, blocks, stories):
    """Listeners' counts, expectations and satisfaction as numpy computes them, with remembered
    values that are NaN or infinite (read as nan_to_num), absent moments, blocks of listeners
    that each start the stream at their first tie, and stories read from the tellers' rows or
    (no story buffer) from the draws."""
    rng = np.random.default_rng(seed)
    n, n_t, pos_reach, neg_reach, ew, sw = 400, 4, 0.3, 0.6, 0.1, 0.2
    net = network.small_world(n, 6, 0.3, rng)
    recommend = rng.integers(0, 11, n).astype(np.int8)
    went = rng.random(n) < 0.8
    active = rng.random(n) < 0.9
    remembered = rng.normal(size=n)
    remembered[rng.random(n) < 0.2] = np.nan
    remembered[:3] = [np.inf, -np.inf, -0.0]
    perf = rng.normal(size=(n_t, n))
    present = rng.random((n_t, n)) < 0.7
    expect0, sat0 = rng.normal(size=(n_t, n)), rng.normal(size=n)

    code, story = np.empty(n, dtype=np.int8), np.empty((n if stories else 0, n_t))
    tellers(0, n, recommend, went, perf, present, code, story)
    expect, sat = expect0.copy(), sat0.copy()
    gen = np.random.default_rng(seed + 100)
    edges = np.linspace(0, n, blocks + 1).astype(int)
    starts = states_at(gen, net.offsets[edges[:-1]])
    pos = neg = 0
    for b in range(blocks):
        p, q = word_of_mouth(edges[b], edges[b + 1], net.offsets, net.src, starts[b], code, pos_reach, neg_reach,
                             remembered, story, perf, present, active, expect, sat, ew, 1.0 - sw, True)
        pos, neg = pos + p, neg + q

    u = np.random.default_rng(seed + 100).random(net.n_ties)
    tell = wom.telling_probability(recommend, went, pos_reach, neg_reach)
    heard = wom.exchange(net, tell, u, recommend >= 9, np.nan_to_num(remembered), perf.T, present.T & went[:, None])
    assert (pos, neg) == (heard.positive.sum(), heard.negative.sum()) and pos > 0 and neg > 0
    rows = np.flatnonzero(active & (heard.stories > 0))
    e_ref, s_ref = expect0.T.copy(), sat0.copy()
    e_ref[rows] = satisfaction.adapt_expectations(e_ref[rows], heard.performance_mean[rows], ew,
                                                  heard.performance_heard[rows])
    s_ref[rows] = memory.fade(s_ref[rows], heard.remembered_mean[rows], 1.0 - sw)
    np.testing.assert_array_equal(expect.T, e_ref)
    np.testing.assert_array_equal(sat, s_ref)
    assert not np.array_equal(sat, sat0)
