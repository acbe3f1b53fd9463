"""One purchase cycle: the draws, the journey step for any set of customers, word of mouth.

A cycle runs in three parts:

1. :func:`draw_cycle` makes every random draw of the cycle for *all* customers at once, from the
   named streams (so the draws do not depend on who is still a customer, nor on the engine).
2. :func:`journey_step` takes a set of customers (all of them, or one agent's row) through the
   journey: affect, memory, satisfaction, switching, recommendation, expectation adaptation.
   Every customer's result depends only on their own row, so stepping customers one at a time in
   any order gives exactly the result of stepping them all at once.
3. :func:`exchange_word_of_mouth` passes stories along the network once everybody has acted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from cxsim.behaviour import loyalty, memory, satisfaction, wom
from cxsim.behaviour.affect import moment_affect
from cxsim.engine.compiled import Compiled
from cxsim.engine.correlated import draw_correlated
from cxsim.engine.kernel_inputs import Customers, Draws, Outputs, ScenarioTables
from cxsim.engine.modes import Backend
from cxsim.engine.state import PopulationState
from cxsim.engine.streams import Streams
from cxsim.specs.copula import GaussianCopula
from cxsim.specs.distribution import LogNormal, Normal, sample_into
from cxsim.specs.operations import OperationsSource
from cxsim.workers import Workers

Array = NDArray[np.float64]
Rows = slice | NDArray[np.intp]


@dataclass
class CycleDraws:
    """All random inputs of one cycle, one row per customer (every customer, active or not).

    ``present`` and ``performance`` are ``(n, T)`` views of touchpoint-major ``(T, n)`` buffers,
    so each touchpoint's draws are written contiguously. The engine reuses one ``CycleDraws``
    from cycle to cycle (:meth:`empty`, then :func:`draw_cycle` with ``into``).
    """

    cycle: int
    present: NDArray[np.bool_]  # (n, T) which moments happen
    performance: Array  # (n, T) performance per moment (NaN where a touchpoint is not due)
    memory_z: Array  # (n,) standard normal, for memory noise
    churn_u: Array  # (n,) uniform, for the switching decision
    recommend_z: Array  # (n,) standard normal, for likelihood-to-recommend noise

    @classmethod
    def empty(cls, n: int, n_tp: int, floats: type[np.floating] = np.float64) -> CycleDraws:
        """Buffers for ``n`` customers; ``performance`` and the purposes' numbers of type ``floats``
        (``runtime.precision``)."""
        return cls(
            cycle=-1,
            present=np.zeros((n_tp, n), dtype=bool).T,
            performance=np.empty((n_tp, n), dtype=floats).T,
            memory_z=np.zeros(n, dtype=floats),
            churn_u=np.empty(n, dtype=floats),
            recommend_z=np.empty(n, dtype=floats),
        )


def draw_cycle(
    compiled: Compiled, n: int, cycle: int, streams: Streams,
    into: CycleDraws | None = None, workers: Workers | None = None,
    alongside: Callable[[], object] | None = None, segment: NDArray[np.integer] | None = None,
) -> CycleDraws:
    """Draw a cycle's randomness for ``n`` customers (0-based ``cycle``).

    Every touchpoint, branch group and purpose has its own stream, so the draws are the same
    whatever the order (or thread) in which they are made. ``into`` is filled in place when
    given; ``workers`` spreads the streams over threads, in two phases: first which moments
    happen (``present``; touchpoints whose performance comes from operations get NaN), then the
    performance of the other touchpoints and the purposes' numbers. ``alongside`` runs as one
    more task of the second phase, first: the engine's operations, which need only ``present``
    and fill in the performance of their own touchpoints. ``segment`` (each customer's segment
    index) is read only by a copula with segments of its own.
    """
    from cxsim.draws import (  # numba: imported on first use only
        below_into,
        random_into,
        rounded_into,
        standard_normal_into,
    )

    journey = compiled.scenario.journey
    d = into if into is not None else CycleDraws.empty(n, compiled.n_touchpoints)
    d.cycle = cycle
    present = d.present.T  # (T, n): one contiguous row per touchpoint
    performance = d.performance.T
    col = {name: j for j, name in enumerate(compiled.names)}
    due = [tp.due(cycle) for tp in journey.touchpoints]
    drawn = {j for j, tp in enumerate(journey.touchpoints)  # due and drawn from a distribution
             if due[j] and not isinstance(tp.performance, OperationsSource)}
    joint = {col[name] for name in journey.copula.touchpoints} & drawn if journey.copula is not None else set()

    def correlated() -> None:  # the copula's touchpoints, from its own stream (listed only with a copula)
        draw_correlated(cast(GaussianCopula, journey.copula), [tp.performance for tp in journey.touchpoints], col,
                        joint, streams.get("copula"), performance, segment, compiled.segment_names)

    def branch(item: tuple[str, tuple[Any, ...]]) -> None:
        group, members = item
        u = streams.get("journey", f"branch/{group}").random(n)
        cum = np.cumsum([tp.probability for tp in members])
        cum[-1] = 1.0
        pick = np.searchsorted(cum, u, side="right")
        for k, tp in enumerate(members):
            np.equal(pick, k, out=present[col[tp.name]])

    wide = performance.dtype == np.float64  # 64-bit rows: the draws go straight into them

    def moments(j: int) -> None:
        tp = journey.touchpoints[j]
        if not due[j]:
            present[j] = False
        elif tp.branch is None:
            if tp.probability < 1.0:
                if wide:
                    u = performance[j]  # its uniforms first (over the performance row, which is drawn later)
                    random_into(streams.get("journey", tp.name), u)
                    np.less(u, tp.probability, out=present[j])
                else:  # the same comparison, without a row of uniforms
                    below_into(streams.get("journey", tp.name), present[j], tp.probability)
            else:
                present[j] = True
        if j not in drawn:
            performance[j] = np.nan  # not due, or filled in by the operations

    def touchpoint(j: int) -> None:
        tp = journey.touchpoints[j]
        rng = streams.get("performance", tp.name)
        if wide:
            sample_into(tp.performance, rng, performance[j])
        elif isinstance(tp.performance, (Normal, LogNormal)):  # drawn value by value: in blocks
            rounded_into(lambda buf: sample_into(tp.performance, rng, buf), performance[j])
        else:
            performance[j] = tp.performance.sample(rng, n)  # rounded once to 32 bits

    def purpose(name: str) -> None:
        if name == "memory" and not compiled.noise.any():
            return  # no memory noise anywhere: the zeros stay, the stream is not needed
        rng = streams.get(name)
        out = d.churn_u if name == "churn" else d.memory_z if name == "memory" else d.recommend_z
        fill = random_into if name == "churn" else standard_normal_into
        if out.dtype == np.float64:
            fill(rng, out)
        else:
            rounded_into(lambda buf: fill(rng, buf), out)

    groups = [(g, m) for g, m in journey.branches().items() if m[0].due(cycle)]
    phases = (
        [lambda j=j: moments(j) for j in range(compiled.n_touchpoints)]
        + [lambda item=item: branch(item) for item in groups],  # its members' present rows (all due)
        ([alongside] if alongside is not None else [])
        + [lambda j=j: touchpoint(j) for j in sorted(drawn - joint)]
        + ([correlated] if journey.copula is not None else [])
        + [lambda p=p: purpose(p) for p in ("memory", "churn", "recommend")],
    )
    workers = workers if workers is not None else Workers(1)
    for tasks in phases:
        workers.map(lambda task: task(), tasks)
    return d


@dataclass
class CycleOutcome:
    """What happened to each customer this cycle (rows of customers who were not active: unset)."""

    experienced: Array  # mean affect of the cycle's moments
    remembered: Array  # remembered value of the cycle (memory model + noise)
    terrible: Array  # moments below the floor of terrible
    recommend: NDArray[np.int8]  # likelihood to recommend 0-10
    churned: NDArray[np.bool_]  # switched after this cycle
    affect: Array | None  # (n, T) affect per moment (meaningful where present), if kept
    expectation: Array | None  # (n, T) expectation the moment was judged against, if kept
    sample_affect: Array  # (T,) affect per moment of the customer ``sample_row`` (NaN where absent)
    sample_row: int = -1  # the customer whose moments are kept in ``sample_affect`` (-1: none)

    @classmethod
    def empty(cls, n: int, n_tp: int, keep_moments: bool = False,
              floats: type[np.floating] = np.float64) -> CycleOutcome:
        """Outcome arrays for ``n`` customers; every moment's affect and expectation only with
        ``keep_moments`` (one customer's, ``sample_row``, always). ``experienced``, ``remembered``
        and ``terrible`` of type ``floats`` (``runtime.precision``; a count of moments is exact in either)."""
        return cls(
            experienced=np.full(n, np.nan, dtype=floats),
            remembered=np.full(n, np.nan, dtype=floats),
            terrible=np.zeros(n, dtype=floats),
            recommend=np.zeros(n, dtype=np.int8),
            churned=np.zeros(n, dtype=bool),
            affect=np.full((n_tp, n), np.nan).T if keep_moments else None,
            expectation=np.full((n_tp, n), np.nan).T if keep_moments else None,
            sample_affect=np.full(n_tp, np.nan),
        )

    def reset(self, sample_row: int = -1) -> None:
        """Back to :meth:`empty`'s values, reusing the arrays (the engine does this each cycle),
        and keep the moments of customer ``sample_row`` this cycle."""
        self.begin(sample_row)
        self.clear(0, self.experienced.size)

    def begin(self, sample_row: int = -1) -> None:
        """A new cycle whose moments of customer ``sample_row`` are kept (rows: see :meth:`clear`)."""
        self.sample_affect.fill(np.nan)
        self.sample_row = sample_row

    def clear(self, lo: int, hi: int) -> None:
        """Customers ``lo .. hi - 1`` back to :meth:`empty`'s values."""
        self.clear_moments(lo, hi)
        for a in (self.experienced, self.remembered):
            a[lo:hi].fill(np.nan)
        for b in (self.terrible, self.recommend, self.churned):
            b[lo:hi].fill(0)

    def clear_moments(self, lo: int, hi: int) -> None:
        """The kept moments (``affect``, ``expectation``) of customers ``lo .. hi - 1`` back to NaN."""
        for a in (self.affect, self.expectation):
            if a is not None:
                a[lo:hi].fill(np.nan)


def _remember(compiled: Compiled, affect: Array, present: NDArray[np.bool_],
              seg: NDArray[np.signedinteger[Any]]) -> Array:
    """Each customer's remembered value with their segment's memory model."""
    groups = compiled.memory_groups
    if len(groups) == 1:
        return groups[0].model.remember(affect, compiled.duration, present, compiled.names)
    out = np.empty(affect.shape[0])
    for group in groups:
        rows = np.flatnonzero(np.isin(seg, group.segments))
        if rows.size:
            out[rows] = group.model.remember(affect[rows], compiled.duration, present[rows], compiled.names)
    return out


def _position(rows: Rows, row: int, n: int) -> int | None:
    """Where customer ``row`` is among ``rows`` (None: not there, or ``row`` is -1)."""
    if row < 0:
        return None
    if isinstance(rows, slice):
        start, stop, step = rows.indices(n)
        inside = start <= row < stop and (row - start) % step == 0
        return (row - start) // step if inside else None
    at = np.flatnonzero(rows == row)
    return int(at[0]) if at.size else None


def gather(a: NDArray[Any], rows: Rows) -> NDArray[Any]:
    """Rows of an ``(n, T)`` array, keeping its touchpoint-major layout.

    The engine's ``(n, T)`` arrays are views of ``(T, n)`` buffers. Reductions over the
    touchpoints of a block of customers (peak, end, mean, counts) are then column-by-column
    vector operations, several times faster than reducing short C-ordered rows; fancy
    indexing along the first axis would silently return C order, so index the buffer instead.
    """
    return a[rows] if isinstance(rows, slice) else a.T[:, rows].T


def journey_step(
    compiled: Compiled, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome, rows: Rows,
    backend: str = Backend.KERNEL,
) -> None:
    """Take the customers ``rows`` through this cycle's journey, updating ``state`` in place.

    ``rows`` is a slice or an ascending index array of active customers. The same function serves the
    population-wide engine (all active rows at once) and the agent engine (``slice(i, i + 1)``).
    ``backend="kernel"`` runs the compiled pass of :mod:`cxsim.engine.kernel` when every memory
    model is a built-in one; ``"numpy"`` (and any custom memory model) runs the array functions
    below, the reference the kernel is tested against.
    """
    if backend == Backend.KERNEL and compiled.memory_table is not None:
        _kernel_step(compiled, state, draws, outcome, *_span(rows, state.n), clear=False)
        return
    sc = compiled.scenario
    loy = sc.loyalty
    seg = state.segment[rows]
    present = gather(draws.present, rows)
    perf = gather(draws.performance, rows)
    expect = gather(state.expectation, rows)

    # 1. How each moment feels (Delta law with tolerance and loss aversion).
    affect = moment_affect(
        perf, expect, compiled.sign, sc.affect_form, compiled.unit,
        compiled.tolerance[seg][:, None], compiled.loss_aversion[seg][:, None],
    )
    # 2. What is remembered of the cycle, and what satisfaction becomes.
    remembered = _remember(compiled, affect, present, seg) + compiled.noise[seg] * draws.memory_z[rows]
    sat = satisfaction.update_satisfaction(state.satisfaction[rows], remembered, compiled.retention[seg])
    # 3. Terrible moments, switching, and the answer to "would you recommend us?".
    terrible = loyalty.count_terrible(affect, loy.terrible_floor, present)
    p_switch = loyalty.switch_probability(
        sat, terrible, state.bad_memory[rows], loy.base_repurchase, loy.satisfaction_slope,
        loy.terrible_hazard, loy.hazard_escalation, loy.terrible_hazard_by_count, state.terrible_count[rows],  # type: ignore[index]
    )
    churned = draws.churn_u[rows] < p_switch
    recommend = loyalty.recommend_score(
        sat, loy.recommend_intercept, loy.recommend_slope, loy.recommend_noise * draws.recommend_z[rows]
    )
    # 4. Expectations move toward what was experienced.
    new_expect = satisfaction.adapt_expectations(expect, perf, compiled.adaptation[seg][:, None], present)

    if outcome.expectation is not None:  # before the state update: `expect` may be a view
        outcome.expectation[rows] = expect
    state.satisfaction[rows] = sat
    state.bad_memory[rows] = loyalty.update_bad_memory(state.bad_memory[rows], terrible, loy.bad_memory_retention)
    state.terrible_count[rows] = loyalty.update_terrible_count(state.terrible_count[rows], terrible)  # type: ignore[index]
    state.expectation[rows] = new_expect
    state.active[rows] = ~churned
    outcome.experienced[rows] = memory.mean(affect, present)
    outcome.remembered[rows] = remembered
    outcome.terrible[rows] = terrible
    outcome.recommend[rows] = recommend
    outcome.churned[rows] = churned
    if outcome.affect is not None:
        outcome.affect[rows] = affect  # read only where present
    at = _position(rows, outcome.sample_row, state.n)
    if at is not None:
        outcome.sample_affect[:] = np.where(present[at], affect[at], np.nan)


#: Consecutive customers per block of :func:`step_journeys` (one task for a worker thread); the
#: compiled kernel takes blocks of a multiple of it, about eight per thread (:func:`journey_block_size`).
JOURNEY_BLOCK = 8192

#: Blocks per worker thread for the compiled kernel.
BLOCKS_PER_THREAD = 8


def journey_block_size(n: int, threads: int, kernel: bool) -> int:
    """The block size of :func:`step_journeys` for ``n`` customers on ``threads`` threads.

    The numpy path works on :data:`JOURNEY_BLOCK` customers at a time, its temporaries small
    enough to stay in cache. The compiled kernel tiles a block itself, but each call costs
    tens of microseconds before it starts (numba checks the types of its arguments, under the GIL): it
    takes blocks of a multiple of :data:`JOURNEY_BLOCK` with about :data:`BLOCKS_PER_THREAD`
    blocks per thread, enough to share the work evenly. (Measured on the benchmark's million
    customers, two threads: the journey step 0.80-0.93x of what it takes in blocks of 8,192.)
    The block size changes no result: each customer's step reads and writes their own rows.
    """
    if not kernel:
        return JOURNEY_BLOCK
    per_block = -(-n // (BLOCKS_PER_THREAD * max(threads, 1)))
    return JOURNEY_BLOCK * max(1, -(-per_block // JOURNEY_BLOCK))


def step_journeys(
    compiled: Compiled, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome,
    went: NDArray[np.bool_], workers: Workers, backend: str = Backend.KERNEL, sample_row: int = -1,
) -> None:
    """The population-wide journey step: everybody in ``went`` through this cycle's journey.

    Starts ``outcome``'s cycle (keeping customer ``sample_row``'s moments), then works in blocks
    of consecutive customers on ``workers`` (:func:`journey_block_size`): each block clears its rows of
    ``outcome`` and takes its customers who went through the journey, so that neither the
    clearing nor finding who went waits on one thread. The compiled kernel reads the block's
    slice of ``went`` and clears the outcome of those who did not go as it passes them; the
    numpy path clears the block and steps :func:`journey_step` on the index of who went.
    """
    outcome.begin(sample_row)
    kernel = backend == Backend.KERNEL and compiled.memory_table is not None
    n = went.size
    size = journey_block_size(n, workers.threads, kernel)

    def block(lo: int) -> None:
        hi = min(lo + size, n)
        here = went[lo:hi]
        if kernel:
            outcome.clear_moments(lo, hi)
            _kernel_step(compiled, state, draws, outcome, lo, hi, here, clear=True)
            return
        outcome.clear(lo, hi)
        if here.all():
            journey_step(compiled, state, draws, outcome, slice(lo, hi), backend)
        elif here.any():
            journey_step(compiled, state, draws, outcome, lo + np.flatnonzero(here), backend)

    workers.map(block, range(0, n, size))


_NO_MOMENTS = np.empty((0, 0))  # the kernel's stand-in for moment arrays that are not kept (never written)


def _span(rows: Rows, n: int) -> tuple[int, int, NDArray[np.bool_]]:
    """The range ``lo..hi-1`` of customers that ``rows`` spans, and which of them are ``rows``
    (the kernel steps a range, tile by tile, and skips the others)."""
    if isinstance(rows, slice):
        lo, hi, step = rows.indices(n)
        if step == 1:
            return lo, hi, np.ones(max(hi - lo, 0), dtype=bool)
        rows = np.arange(lo, hi, step)
    if rows.size == 0:
        return 0, 0, np.zeros(0, dtype=bool)
    if rows.size > 1 and np.any(rows[1:] <= rows[:-1]):
        raise ValueError("rows: must be ascending and distinct")
    lo, hi = int(rows[0]), int(rows[-1]) + 1
    mask = np.zeros(hi - lo, dtype=bool)
    mask[rows - lo] = True
    return lo, hi, mask


def _kernel_records(
    compiled: Compiled, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome,
) -> tuple[ScenarioTables, Draws, Customers, Outputs]:
    """The four records :func:`cxsim.engine.kernel.journey_block` reads after its range of rows."""
    keep = outcome.expectation is not None
    affect = outcome.affect if outcome.affect is not None else _NO_MOMENTS
    return (
        compiled.kernel_tables,
        _new(Draws, (draws.performance.T, draws.present.T, draws.memory_z, draws.churn_u, draws.recommend_z)),
        _new(Customers, (state.expectation.T, state.segment, state.satisfaction, state.bad_memory, state.active,
                         state.terrible_count)),
        _new(Outputs, (outcome.experienced, outcome.remembered, outcome.terrible, outcome.recommend, outcome.churned,
                       affect.T, outcome.affect is not None,
                       outcome.expectation.T if outcome.expectation is not None else affect.T, keep,
                       outcome.sample_row, outcome.sample_affect)),
    )


def _kernel_step(
    compiled: Compiled, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome,
    lo: int, hi: int, went: NDArray[np.bool_], clear: bool,
) -> None:
    """The compiled journey step of customers ``lo .. hi - 1`` with ``went[i - lo]``
    (:func:`cxsim.engine.kernel.journey_block`; ``clear``: reset the others' outcome)."""
    from cxsim.engine.kernel import journey_block  # numba: imported on first use only

    if hi <= lo:
        return
    journey_block(lo, hi, went, clear, *_kernel_records(compiled, state, draws, outcome))


#: The ``went`` mask of a range of one customer.
_ONE = np.ones(1, dtype=bool)


class RowStepper:
    """:func:`journey_step` of one customer at a time, for a cycle's agents (``stepper(row)``).

    The agent engine steps every customer on their own, so what a call costs before the journey
    starts is paid once per customer. The stepper builds the kernel's records once for the cycle
    (their arrays are the cycle's; only the row changes) and calls the kernel's compiled entry
    point for their exact types, found once: numba's dispatcher would otherwise work out the
    types of the records' forty-odd fields on every call. The journey is the kernel's, so the
    result is :func:`journey_step`'s. Without the kernel (``backend="numpy"`` or a custom memory
    model), each call is :func:`journey_step` of ``slice(row, row + 1)``.

    Build a new stepper when the cycle's draws or outcome change (the engine does, each cycle).
    """

    def __init__(
        self, compiled: Compiled, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome,
        backend: str = Backend.KERNEL,
    ) -> None:
        self._step = (compiled, state, draws, outcome, backend)
        self._args: tuple[object, ...] = ()
        self._entry: Callable[..., None] | None = None
        if backend == Backend.KERNEL and compiled.memory_table is not None:
            self._args = _kernel_records(compiled, state, draws, outcome)
            self._entry = _entry_point((0, 1, _ONE, False, *self._args))

    def __call__(self, row: int) -> None:
        """Take customer ``row`` through this cycle's journey."""
        if self._entry is not None:
            self._entry(row, row + 1, _ONE, False, *self._args)
        else:
            compiled, state, draws, outcome, backend = self._step
            journey_step(compiled, state, draws, outcome, slice(row, row + 1), backend)


def _entry_point(args: tuple[object, ...]) -> Callable[..., None]:
    """The compiled :func:`~cxsim.engine.kernel.journey_block` for the types of ``args``, compiled
    (or loaded from numba's cache) if need be: the ``entry_point`` of the dispatcher's overload
    for that signature, which converts the arguments without typing them again (numba's
    ``Dispatcher.overloads`` and ``Dispatcher.compile``). The other calls must pass arguments of
    the same types (integers for the range)."""
    from cxsim.engine.kernel import journey_block  # numba: imported on first use only

    signature = tuple(journey_block.typeof_pyval(a) for a in args)
    if signature not in journey_block.overloads:
        journey_block.compile(signature)
    entry: Callable[..., None] = journey_block.overloads[signature].entry_point
    return entry


#: Builds a named tuple from a tuple of all its fields, without the keyword handling of its
#: ``__new__`` (a few tenths of a microsecond instead of one: the agent engine calls the kernel
#: once per customer).
_new = tuple.__new__


#: Listeners per block of the word-of-mouth kernel (blocks run on the worker threads).
WOM_BLOCK = 65536


@dataclass
class WordOfMouthBuffers:
    """Arrays word of mouth refills every cycle (reused: fresh ones cost page faults).

    ``story`` holds each teller's story in one row, so that a listener reads it from one place
    (:func:`cxsim.engine.wom_kernel.tellers`). With 32-bit floats (``runtime.precision``, for very
    large populations) it is left empty and the listeners read the cycle's draws instead: slower
    word of mouth, one ``customers × touchpoints`` array fewer.
    """

    story: Array  # (n, T) what each teller tells, for the kernel; (0, T) when not kept
    code: NDArray[np.int8]  # (n,) who tells what (cxsim.engine.wom_kernel's SILENT, PROMOTER, DETRACTOR)

    @classmethod
    def empty(cls, n: int, n_tp: int, floats: type[np.floating] = np.float64) -> WordOfMouthBuffers:
        rows = n if floats == np.float64 else 0
        return cls(story=np.empty((rows, n_tp), dtype=floats), code=np.empty(n, dtype=np.int8))


@dataclass(frozen=True)
class WordOfMouthTally:
    """How many positive and negative word-of-mouth messages a cycle exchanged."""

    positive: int
    negative: int


def exchange_word_of_mouth(
    compiled: Compiled, state: PopulationState, draws: CycleDraws, outcome: CycleOutcome,
    went: NDArray[np.bool_], streams: Streams, backend: str = Backend.KERNEL, workers: Workers | None = None,
    buffers: WordOfMouthBuffers | None = None,
) -> WordOfMouthTally:
    """Stories from this cycle's customers (``went``) to their contacts, after everyone acted.

    Listeners who are still customers move their expectations toward the performance they heard
    of and their satisfaction toward what the tellers remembered. ``backend="kernel"`` does it in
    one compiled pass over the ties (:func:`cxsim.engine.wom_kernel.word_of_mouth`); ``"numpy"`` with
    :mod:`cxsim.behaviour.wom`'s array functions, the reference. Both give the same result.
    """
    spec = compiled.scenario.word_of_mouth
    net = state.network
    if buffers is None:
        buffers = WordOfMouthBuffers.empty(state.n, compiled.n_touchpoints)
    gen = streams.get("wom")  # one uniform per directed tie, drawn every cycle, whatever happens
    if net.n_ties == 0:
        return WordOfMouthTally(0, 0)
    update = spec.expectation_weight > 0 or spec.satisfaction_weight > 0
    if backend == Backend.KERNEL:
        from cxsim.draws import advance, states_at
        from cxsim.engine.wom_kernel import tellers, word_of_mouth

        n = state.n
        workers = workers if workers is not None else Workers(1)
        code, story = buffers.code, buffers.story
        workers.map(lambda lo: tellers(
            lo, min(lo + WOM_BLOCK, n), outcome.recommend, went, draws.performance.T, draws.present.T, code, story,
        ), range(0, n, WOM_BLOCK))
        starts = range(0, n, WOM_BLOCK)
        streams_at = states_at(gen, net.offsets[list(starts)])  # each block draws its own ties' uniforms
        advance(gen, net.n_ties)  # where drawing them all would have left the stream

        def listeners(b: int) -> tuple[int, int]:
            lo = starts[b]
            return word_of_mouth(
                lo, min(lo + WOM_BLOCK, n), net.offsets, net.src, streams_at[b], code, spec.positive_reach,
                spec.negative_reach, outcome.remembered, story, draws.performance.T, draws.present.T,
                state.active, state.expectation.T, state.satisfaction, spec.expectation_weight,
                1.0 - spec.satisfaction_weight, update,
            )

        tallies = workers.map(listeners, range(len(starts)))
        return WordOfMouthTally(sum(int(t[0]) for t in tallies), sum(int(t[1]) for t in tallies))
    from cxsim.draws import random_into

    tell = wom.telling_probability(outcome.recommend, went, spec.positive_reach, spec.negative_reach)
    u = np.empty(net.n_ties)
    random_into(gen, u)
    heard = wom.exchange(net, tell, u, outcome.recommend >= 9, np.nan_to_num(outcome.remembered),
                         draws.performance, draws.present & went[:, None])
    listening = state.active & (heard.stories > 0)
    if listening.any() and update:
        rows = np.flatnonzero(listening)
        state.expectation[rows] = satisfaction.adapt_expectations(
            state.expectation[rows], heard.performance_mean[rows], spec.expectation_weight,
            heard.performance_heard[rows],
        )
        state.satisfaction[rows] = memory.fade(
            state.satisfaction[rows], heard.remembered_mean[rows], 1.0 - spec.satisfaction_weight
        )
    return WordOfMouthTally(int(heard.positive.sum()), int(heard.negative.sum()))
