"""Exact results of queueing theory, to check the models against (tests and benchmarks)."""

from __future__ import annotations


def mm1_wait(arrival_rate: float, service_rate: float) -> float:
    """Mean wait in queue of M/M/1: ``Wq = ρ / (μ − λ)`` with ``ρ = λ/μ < 1``."""
    rho = arrival_rate / service_rate
    if rho >= 1:
        raise ValueError(f"utilisation {rho} >= 1: no steady state")
    return rho / (service_rate - arrival_rate)


def erlang_c(servers: int, offered: float) -> float:
    """Erlang C: probability that an arrival must wait in M/M/c, offered load ``a = λ/μ`` < c.

    Computed through the Erlang B recursion ``B(k) = a·B(k−1) / (k + a·B(k−1))`` (numerically
    stable), then ``C = c·B / (c − a·(1 − B))`` (Cooper 1981, ch. 3).
    """
    if offered >= servers:
        raise ValueError(f"offered load {offered} >= servers {servers}: no steady state")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered * b / (k + offered * b)
    return servers * b / (servers - offered * (1.0 - b))


def mmc_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c: ``Wq = C(c, a) / (c·μ − λ)``."""
    a = arrival_rate / service_rate
    return erlang_c(servers, a) / (servers * service_rate - arrival_rate)
