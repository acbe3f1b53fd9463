"""The Mesa 3 model: customers are Mesa agents, their state lives in the model's arrays.

Two engines advance a cycle (one Mesa step):

* ``population`` (default) — the journey step runs on every active customer at once.
* ``agent`` — each customer is a :class:`Customer` agent and ``model.agents.shuffle_do("step")``
  lets them go through the journey one at a time, in random order. This is the readable path for
  teaching and for custom agent rules: subclass :class:`Customer` and pass ``agent_class``.

Both read the same draws and call the same pure functions row by row, and stories are exchanged
only after everybody has acted, so the order of agents cannot matter and both engines give
identical results from the same seed (``tests/test_model.py`` checks it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import mesa
import numpy as np

from cxsim.engine.compiled import Compiled, compile_scenario
from cxsim.engine.cycle import (
    CycleDraws,
    CycleOutcome,
    RowStepper,
    WordOfMouthBuffers,
    draw_cycle,
    exchange_word_of_mouth,
    step_journeys,
)
from cxsim.engine.market import (
    MarketState,
    cycle_columns,
    init_market,
    market_rows,
    market_step,
    our_convenience,
    segment_rows,
)
from cxsim.engine.records import CustomerSink, Recorder
from cxsim.engine.state import PopulationState, init_state
from cxsim.engine.streams import Streams
from cxsim.operations.runner import OperationsRunner
from cxsim.specs.runtime import Runtime
from cxsim.specs.scenario import Scenario, Sim
from cxsim.workers import Workers


@contextmanager
def quiet_mesa() -> Iterator[None]:
    """Mesa's INFO messages (one per model step) silenced while the block runs; the level is restored."""
    logger = logging.getLogger("MESA")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


class Customer(mesa.Agent):  # type: ignore[misc]
    """One customer. Its state is a row of the model's arrays; :meth:`step` is one journey."""

    def __init__(self, model: CustomerModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    @property
    def segment(self) -> str:
        return self.model.compiled.segment_names[self.model.state.segment[self.row]]

    @property
    def satisfaction(self) -> float:
        return float(self.model.state.satisfaction[self.row])

    @property
    def expectations(self) -> dict[str, float]:
        return dict(zip(self.model.compiled.names, self.model.state.expectation[self.row].tolist()))

    def step(self) -> None:
        """Go through this cycle's journey (the same math as the population engine, one row)."""
        model = self.model
        model.journey_of(self.row)
        if not model.state.active[self.row]:
            self.remove()  # switched to a competitor: no more journeys


class CustomerModel(mesa.Model):  # type: ignore[misc]
    """A population of customers going through a scenario's journey, one cycle per step.

    Args:
        scenario: the validated scenario.
        sim: run settings (``n_customers``, ``engine``, …); ``seed`` and ``replications`` are
            used through ``seed_sequence``.
        seed_sequence: this replication's seed sequence (see :mod:`cxsim.engine.streams`).
        replication: replication number, for the records.
        keep_customers: record per-customer rows; keep_moments: record per-moment rows.
        keep_sample: keep the first customer's affect per moment each cycle, so the recorder can
            show one customer's latest episode (the moment-curve figure).
        keep_operations: keep the operations' per-encounter records (``operations.parquet``);
            their summary figures are kept either way.
        agent_class: the agent type of the agent engine.
        runtime: threads, backends and memory settings (:class:`~cxsim.specs.runtime.Runtime`;
            default ``Runtime()``); no result depends on them but ``precision``.
        customer_sink: with ``keep_customers``, takes each cycle's per-customer rows instead of
            the recorder (:class:`~cxsim.engine.records.Recorder`; e.g. a
            :class:`~cxsim.engine.customer_file.CustomerFile`'s ``write``).

    Attributes:
        seconds: wall seconds spent so far in each part of the run — ``setup`` (population,
            network and the engine's buffers), then per cycle ``draws``, ``operations``,
            ``journeys``, ``word_of_mouth``, ``records`` and, with an open market, ``market`` —
            so that a slow run can be told where its time goes (``benchmarks/bench_scale.py``
            prints it per customer for each size).
            The operations run on a worker thread alongside the performance draws:
            ``operations`` is their own time, ``draws`` the rest of that part of the cycle, so the
            phases add up to the wall time.
    """

    PHASES = ("setup", "draws", "operations", "journeys", "word_of_mouth", "records")

    def __init__(
        self,
        scenario: Scenario,
        sim: Sim,
        seed_sequence: np.random.SeedSequence,
        replication: int = 0,
        keep_customers: bool = True,
        keep_moments: bool = False,
        keep_sample: bool = True,
        keep_operations: bool = True,
        agent_class: type[Customer] = Customer,
        runtime: Runtime | None = None,
        customer_sink: CustomerSink | None = None,
    ) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(self.PHASES, 0.0)
        with self._timed("setup"):
            self.streams = Streams(seed_sequence)
            super().__init__(rng=self.streams.get("mesa"))
            self.sim = sim
            self.runtime = runtime if runtime is not None else Runtime()
            self.compiled: Compiled = compile_scenario(scenario)
            self.workers = Workers(self.runtime.threads if sim.engine == "population" else 1)
            rows = market_rows(scenario.market, sim.n_customers)  # with a market: room for new customers
            floats = self.runtime.float_type  # the customers × touchpoints arrays (runtime.precision)
            self.state: PopulationState = init_state(self.compiled, rows, self.streams, self.workers, floats)
            self.market: MarketState | None = None
            self.market_segments: list[dict[str, object]] = []  # the market table's rows (cycle, segment)
            if scenario.market is not None:
                self.market = init_market(scenario.market, self.compiled, self.state, sim.n_customers)
                self.seconds["market"] = 0.0  # the market step's own phase
                self._convenience = our_convenience(scenario.market, self.compiled)
            self.cycle = 0
            self._draws = CycleDraws.empty(rows, self.compiled.n_touchpoints, floats)
            self._outcome = CycleOutcome.empty(rows, self.compiled.n_touchpoints, keep_moments, floats)
            self.keep_sample = keep_sample
            self._wom = WordOfMouthBuffers.empty(rows, self.compiled.n_touchpoints, floats)
            self.draws: CycleDraws | None = None  # this cycle's draws and outcome (reused each cycle)
            self.outcome: CycleOutcome | None = None
            self._journey: RowStepper | None = None  # the agent engine's journey step, built each cycle
            self.recorder = Recorder(self.compiled, scenario.name, replication, sim.seed,
                                     keep_customers, keep_moments, customer_sink)
            self.operations = OperationsRunner(scenario, self.streams, keep_operations,  # stores, pipeline, …
                                               self.runtime.operations_backend, precision=self.runtime.precision)
            self.agent_class = agent_class
            if sim.engine == "agent":
                agent_class.create_agents(self, sim.n_customers, list(range(sim.n_customers)))

    @contextmanager
    def _timed(self, phase: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - start

    def journey_of(self, row: int) -> None:
        """Take customer ``row`` through this cycle's journey (the agent engine's step of one agent;
        the same math as :func:`~cxsim.engine.cycle.journey_step` of that row)."""
        if self._journey is None:
            if self.draws is None or self.outcome is None:
                raise RuntimeError("journey_of: no cycle has started (call step())")
            self._journey = RowStepper(self.compiled, self.state, self.draws, self.outcome, self.runtime.backend)
        self._journey(row)

    def step(self) -> None:
        """One purchase cycle: draws, journeys, word of mouth, records."""
        n = self.state.n
        ops_cost = 0.0

        def operations() -> None:  # alongside the performance draws: it needs only who has which moment
            nonlocal ops_cost
            with self._timed("operations"):
                d = self._draws
                ops_cost = self.operations.step(d.performance, d.present, self.state.active, self.state.segment,
                                                self.cycle, self.state.customer_id)

        start, ops_before = time.perf_counter(), self.seconds["operations"]
        self.draws = draw_cycle(self.compiled, n, self.cycle, self.streams, self._draws, self.workers,
                                alongside=operations if self.operations.active else None, segment=self.state.segment)
        self.seconds["draws"] += time.perf_counter() - start - (self.seconds["operations"] - ops_before)
        with self._timed("journeys"):
            self.outcome = self._outcome
            went = self.state.active.copy()
            first = int(np.argmax(went)) if self.keep_sample and went.any() else -1  # the recorder's sample
            if self.sim.engine == "agent":
                self.outcome.reset(sample_row=first)
                self._journey = RowStepper(self.compiled, self.state, self.draws, self.outcome,
                                           self.runtime.backend)
                self.agents.shuffle_do("step")
            else:
                step_journeys(self.compiled, self.state, self.draws, self.outcome, went, self.workers,
                              self.runtime.backend, sample_row=first)
        with self._timed("word_of_mouth"):
            tally = exchange_word_of_mouth(self.compiled, self.state, self.draws, self.outcome, went, self.streams,
                                           self.runtime.backend, self.workers, self._wom)
        with self._timed("records"):
            final = self.cycle + 1 >= self.sim.n_cycles or (self.market is None and not self.state.active.any())
            self.recorder.record(self.state, self.draws, self.outcome, went, tally, self.workers, final=final)
        if self.operations.active:  # capacity costs (stores, lines, trucks, agents, event budgets)
            row = self.recorder.cycle_rows[-1]
            row["operations_cost"] = ops_cost
            row["cost"] += ops_cost  # type: ignore[operator]
            row["profit"] = row["revenue"] - row["cost"]  # type: ignore[operator]
        if self.market is not None:
            with self._timed("market"):
                self._market_step(went)
        self.cycle += 1
        if not self.state.active.any() and self.market is None:
            self.running = False
        if not self.running or self.cycle >= self.sim.n_cycles:
            self.workers.close()

    def _market_step(self, went: np.ndarray) -> None:
        """The open market after the cycle (:func:`cxsim.engine.market.market_step`): the same
        population-wide step in both engines; the agent engine then makes agents of the new rows."""
        market = self.compiled.scenario.market
        assert market is not None and self.market is not None and self.outcome is not None
        tally = market_step(market, self.compiled, self.market, self.state, went, self.outcome.churned,
                            self.outcome.recommend, self.cycle, self.streams, self._convenience)
        row = self.recorder.cycle_rows[-1]
        row["purchases"] = row["customers_start"]
        row.update(cycle_columns(market, self.market, tally))
        self.market_segments += segment_rows(market, self.compiled.segment_names, tally, self.cycle + 1)
        row["cost"] = cast(float, row["cost"]) + tally.marketing_cost
        row["profit"] = cast(float, row["revenue"]) - cast(float, row["cost"])
        if self.sim.engine == "agent" and tally.rows.size:
            self.agent_class.create_agents(self, int(tally.rows.size), tally.rows.tolist())
