"""The kernels against queueing theory: M/M/1, M/M/c (Erlang C) and Little's law."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.operations import kernels, stores, theory

N = 200_000
SEEDS = range(5)


def mean_wait(rate: float, mu: float, c: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    a = np.cumsum(rng.exponential(1 / rate, N))
    b = rng.exponential(1 / mu, N)
    start = kernels.lindley(a, b) if c == 1 else kernels.multi_server(a, b, c)
    return float((start - a)[N // 10:].mean())  # drop the warm-up tenth


@pytest.mark.parametrize("rho", [0.5, 0.8])
def test_mm1_mean_wait_matches_theory(rho: float) -> None:
    waits = [mean_wait(rho, 1.0, 1, s) for s in SEEDS]
    exact = theory.mm1_wait(rho, 1.0)
    assert abs(np.mean(waits) / exact - 1) < 0.05
    assert all(abs(w / exact - 1) < 0.2 for w in waits)


@pytest.mark.parametrize("c,rho", [(2, 0.7), (5, 0.8)])
def test_mmc_mean_wait_matches_erlang_c(c: int, rho: float) -> None:
    lam = rho * c
    waits = [mean_wait(lam, 1.0, c, s) for s in SEEDS]
    exact = theory.mmc_wait(lam, 1.0, c)
    assert abs(np.mean(waits) / exact - 1) < 0.05
    assert all(abs(w / exact - 1) < 0.2 for w in waits)


def test_erlang_c_known_values() -> None:
    assert theory.erlang_c(1, 0.8) == pytest.approx(0.8)  # M/M/1: P(wait) = rho
    assert theory.mmc_wait(4.0, 1.0, 5) == pytest.approx(0.5541, abs=1e-4)  # Cooper's tables
    with pytest.raises(ValueError):
        theory.erlang_c(2, 2.0)


@pytest.mark.parametrize("c", [1, 5])
def test_littles_law_on_records(c: int) -> None:
    """L = λW twice: queue length seen by Poisson arrivals (PASTA) and the time-average number
    in the system swept from the records' arrival and departure times."""
    rng = np.random.default_rng(c)
    lam = 0.85 * c
    a = np.cumsum(rng.exponential(1 / lam, N))
    b = rng.exponential(1.0, N)
    d = stores.station_draws(a, b, servers=(c,))
    r = stores.run_kernel(d)
    wait = r.start - a
    keep = slice(N // 10, None)
    rate = N / a[-1]
    assert np.mean(r.queue_length[keep]) == pytest.approx(rate * wait[keep].mean(), rel=0.05)
    depart = r.start + b
    t = np.concatenate([a, depart])
    step = np.concatenate([np.ones(N), -np.ones(N)])
    o = np.argsort(t, kind="stable")
    t, in_system = t[o], np.cumsum(step[o])
    horizon = t < a[-1]
    area = np.sum(in_system[horizon][:-1] * np.diff(t[horizon]))
    L = area / (t[horizon][-1] - t[0])
    assert L == pytest.approx(rate * (wait + b).mean(), rel=0.03)


def test_abandonment_lowers_waits_and_is_counted() -> None:
    rng = np.random.default_rng(3)
    n = 50_000
    a = np.cumsum(rng.exponential(1 / 1.2, n))  # overloaded: rho = 1.2
    b = rng.exponential(1.0, n)
    patience = rng.exponential(2.0, n)
    r = stores.run_kernel(stores.station_draws(a, b, patience=patience))
    served = r.outcome == kernels.SERVED
    ab = r.outcome == kernels.ABANDONED
    # a stable queue although rho > 1: throughput below capacity, at least 1 − 1/rho abandon
    assert ab.mean() > 1 - 1 / 1.2 - 0.02
    assert ((r.start - a)[served] <= patience[served]).all()
