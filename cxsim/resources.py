"""Resources a job needs, estimated from its specs before anything runs: memory, runs and time.

A run that cannot fit in memory is refused with one line stating the estimate and what the
machine has available, before any folder is created (``sim.n_customers=1000000000000`` would
otherwise try to allocate terabytes). ``--force`` (or the environment variable
``CXSIM_FORCE=1``) runs it anyway. Sweeps, comparisons, searches and calibrations state their
number of runs and a rough time; a sweep whose plan alone would not fit (a grid with
``num: 100000000``) is refused before its points are built, and ``cxsim fit`` checks a data file's
size (:func:`check_table`) before reading it.

The estimates are deliberately rough and on the high side: they are there to stop the absurd,
not to predict. Every per-unit figure is in :data:`BYTES` and :data:`SECONDS`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from cxsim.errors import SpecError
from cxsim.specs.scenario import RunSpec

__all__ = [
    "BYTES",
    "Estimate",
    "FORCE_ENV",
    "FORCE_FLAG",
    "PROGRESS_SECONDS",
    "SECONDS",
    "announce",
    "available_memory",
    "calibration_estimate",
    "check_fits",
    "check_run",
    "check_table",
    "estimate_run",
    "forced",
    "human_bytes",
    "human_seconds",
    "largest_setting",
    "plan_estimate",
    "sweep_points",
]

#: Bytes per unit of the largest allocations of a run. Measured as the growth of the peak resident
#: memory (``VmHWM``) of ``cxsim.run`` on the shipped scenarios (6–7 touchpoints, 12 cycles, one
#: replication, figures and per-customer and per-encounter files off, ``operations.scale`` =
#: customers / 10,000) from 100,000 to 400,000 customers (and from 1 to 2 million), divided by the
#: growth in population rows (customers times ``market.capacity``). At ``runtime.precision=float64``:
#: 548 B per row (b2b_dealer: pipeline and event; 525 from 1 to 2 million), 626 (retail_street:
#: stores; 594), 521 (ecommerce_delivery: pipeline and call centre; 456); at ``float32``: 214, 356 and
#: 335 (213, 329, 304). Stores and call centres queue every visit or call in arrays of their own, so
#: each costs ``queue_row`` more; their temporaries run beside the cycle's draws on the worker threads,
#: so such a run's peak also depends on how the threads interleave (retail_street at float32 peaked
#: at up to 455 B per row on a loaded machine). The figures below bound those with a margin
#: (``tests/test_cli_faults.py`` checks it on two scenarios); the ``_float32`` set applies at float32.
BYTES: dict[str, float] = {
    "row": 200.0,                 # one population row: its state, draws and per-cycle work arrays
    "row_touchpoint": 60.0,       # and per touchpoint of the journey
    "queue_row": 160.0,           # and per store or call-centre model among the operations
    "row_float32": 60.0,          # the same three at runtime.precision=float32
    "row_touchpoint_float32": 30.0,
    "queue_row_float32": 230.0,
    "customers_row_cycle": 140.0,  # a row of customers.parquet's frame (a customer in a cycle), see below
    "operations_row_cycle": 80.0,  # a row of operations.parquet's frame (one encounter per cycle)
    "moment": 64.0,               # a row of moments.parquet (customer x cycle x touchpoint)
    "cycle": 1_000.0,             # a row of the cycle table, per replication
    "process": 400e6,             # the interpreter, numpy, pandas, numba and the compiled kernels
    "sweep_point": 60_000.0,      # one planned sweep point (its resolved config, validated)
    "table_byte": 12.0,           # a byte of a survey CSV read by ``cxsim fit`` (see below)
    "simulation": 2_000.0,        # a calibration's record of one simulation (see below)
}
# ``customers_row_cycle``: the default scenario at 1,000,000 customers and 12 cycles with the table
# (12.1 million rows) peaked 1.60 GB above the same run without it (133 B a row;
# ``benchmarks/results/customers_file.txt``). Written as the run goes (``cxsim run``), one cycle's
# rows are held at a time (0.13 GB there).
# ``table_byte``: reading a 48 MB CSV (2 million rows, eight 1-5 ratings and a text column) and
# copying its frame once raised the peak resident memory by 7.1 bytes per byte of file; rounded up
# for the fits' further copies (folds, bootstrap resamples). ``simulation``: an upper bound for the
# few dozen numbers a calibration keeps per simulation (parameters and statistics as a table row,
# and as the training tensors of a posterior's network), with Python's per-row overhead.
#: Seconds per unit: a population row through one cycle (measured as for :data:`BYTES`: 0.6 to
#: 1.7 microseconds per row and cycle on one core, rounded up), and a run's fixed cost.
SECONDS: dict[str, float] = {"row_cycle": 2e-6, "run": 0.5}

FORCE_ENV = "CXSIM_FORCE"
FORCE_FLAG = "--force"
#: Jobs estimated longer than this get a line on stderr saying how long (a rough time).
ANNOUNCE_SECONDS = 10.0
#: Jobs estimated longer than this show their progress on stderr (on a terminal: every job).
PROGRESS_SECONDS = 5.0


@dataclass(frozen=True)
class Estimate:
    """What a job needs: peak memory in bytes, runs, and a rough time on one core in seconds."""

    bytes: float
    runs: int = 1
    seconds: float = 0.0


def forced() -> bool:
    """Whether the user asked to run despite the estimates (``--force`` / ``CXSIM_FORCE=1``)."""
    return os.environ.get(FORCE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def human_bytes(n: float) -> str:
    """``n`` bytes as ``1.2 GB`` (powers of 1000), ``3.4 TB`` ..."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"  # pragma: no cover - the loop returns


def human_seconds(s: float) -> str:
    """``s`` seconds as ``40 s``, ``12 min``, ``3.5 h``, ``20 days``."""
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.0f} days"


def _meminfo() -> float | None:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            return float(line.split()[1]) * 1024
    return None


def _cgroup_room() -> float | None:
    """What a cgroup (v2) memory limit leaves (a container's limit), or None without one."""
    root = Path("/sys/fs/cgroup")
    try:
        limit = (root / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return float(limit) - float((root / "memory.current").read_text().strip())
    except (OSError, ValueError):
        return None


def available_memory() -> float | None:
    """Bytes of memory available to this process now (psutil if installed, else ``/proc/meminfo``;
    the smaller of that and a container's limit), or ``None`` where neither can be read."""
    try:  # psutil: optional, used when installed
        import psutil  # type: ignore[import-untyped]

        free: float | None = float(psutil.virtual_memory().available)
    except ImportError:
        free = _meminfo()
    room = _cgroup_room()
    options = [v for v in (free, room) if v is not None]
    return min(options) if options else None


def estimate_run(spec: RunSpec, customers_streamed: bool = False) -> Estimate:
    """Peak memory and time of one run of ``spec``; its ``runs`` are its replications (run one after another).

    ``customers_streamed``: the per-customer table, if kept, is written as the run goes (``cxsim
    run``; :func:`cxsim.engine.run.run`'s ``customers_file``), so one cycle's rows count, not the run's.
    """
    sim, out = spec.sim, spec.outputs
    market = spec.scenario.market
    capacity = float(market.capacity) if market is not None and market.enabled else 1.0
    rows = sim.n_customers * max(capacity, 1.0)
    touchpoints = len(spec.scenario.journey.touchpoints)
    narrow = "_float32" if spec.runtime.precision == "float32" else ""
    ops = spec.scenario.operations
    queues = sum(part is not None for part in (ops.stores, ops.callcentre))
    state = rows * (BYTES["row" + narrow] + BYTES["row_touchpoint" + narrow] * touchpoints
                    + BYTES["queue_row" + narrow] * queues)
    kept = 0.0
    if out.customers == "always" or (out.customers == "auto" and sim.n_customers <= out.customers_limit):
        kept += rows * BYTES["customers_row_cycle"] * (1 if customers_streamed else sim.n_cycles * sim.replications)
    if out.operations == "always" or (out.operations == "auto" and sim.n_customers <= out.operations_limit):
        kept += rows * BYTES["operations_row_cycle"] * sim.n_cycles
    if out.moments:
        kept += rows * sim.n_cycles * touchpoints * BYTES["moment"] * sim.replications
    kept += sim.n_cycles * BYTES["cycle"] * sim.replications
    seconds = sim.replications * (SECONDS["run"] + rows * sim.n_cycles * SECONDS["row_cycle"])
    return Estimate(bytes=BYTES["process"] + state + kept, runs=sim.replications, seconds=seconds)


def sweep_points(sampler: str, n_samples: int, sizes: list[int]) -> int:
    """Points of a sweep, counted without building them.

    Args:
        sampler: ``grid``, ``random``, ``lhs``, ``sobol`` or ``morris``.
        n_samples: the sampler's ``n_samples``.
        sizes: per parameter, the values a grid visits (``len(values)`` or ``num``).
    """
    if sampler == "grid":
        return math.prod(sizes) if sizes else 1
    d = len(sizes)
    if sampler == "sobol":  # Saltelli's scheme, first and total order: N (D + 2)
        return n_samples * (d + 2)
    if sampler == "morris":  # r trajectories of D + 1 points
        return n_samples * (d + 1)
    return n_samples


def plan_estimate(points: int, replications: int, per_run: Estimate, workers: int = 1) -> Estimate:
    """A sweep or comparison: its planned points held at once, ``workers`` runs side by side."""
    runs = points * replications
    per_replication = per_run.seconds / max(1, _replications(per_run))
    memory = BYTES["process"] + points * BYTES["sweep_point"] + max(1, workers) * (per_run.bytes - BYTES["process"])
    return Estimate(bytes=memory, runs=runs, seconds=runs * per_replication / max(1, workers))


def calibration_estimate(spec: RunSpec, runs: int, workers: int = 1) -> Estimate:
    """A calibration: ``runs`` simulations of ``spec`` (each with its replications), ``workers`` at once.

    Only the runs in flight are held (a calibration keeps each run's target values, not its
    tables), so the memory is that of the largest run times the workers, and a record per run.
    """
    one = estimate_run(spec)
    workers = max(1, workers)
    memory = BYTES["process"] + workers * (one.bytes - BYTES["process"]) + runs * BYTES["simulation"]
    return Estimate(bytes=memory, runs=runs, seconds=runs * one.seconds / workers)


def check_table(path: str | Path, field: str) -> Estimate:
    """Refuse a data file whose frame would not fit in memory (unless forced); its estimate.

    A missing or unreadable file passes: the reader names that fault itself.

    Raises:
        SpecError: naming ``field`` and the file, with the file's size and the memory it needs.
    """
    try:
        size = float(Path(path).stat().st_size)
    except (OSError, ValueError):
        return Estimate(bytes=0.0)
    estimate = Estimate(bytes=BYTES["process"] + size * BYTES["table_byte"])
    check_fits(estimate, f"reading this {human_bytes(size)} file", field, str(path))
    return estimate


def _replications(e: Estimate) -> int:
    return max(1, e.runs)


def check_fits(estimate: Estimate, what: str, field: str = "sim.n_customers", value: object = None) -> None:
    """Refuse a job whose estimated memory exceeds what the machine has available (unless forced).

    Args:
        estimate: the job's estimate.
        what: the job in words, for the message (``this run``, ``this sweep``).
        field: the setting the message names (the one that most likely made it large).
        value: that setting's value.

    Raises:
        SpecError: ``needs about X GB, this machine has Y GB available; ...``.
    """
    if forced():
        return
    free = available_memory()
    if free is None or estimate.bytes <= free:
        return
    raise SpecError(field, value,
                    f"{what} needs about {human_bytes(estimate.bytes)} of memory, this machine has "
                    f"{human_bytes(free)} available; make it smaller, or add {FORCE_FLAG} "
                    f"(or set {FORCE_ENV}=1) to try anyway")


def largest_setting(spec: RunSpec) -> tuple[str, int]:
    """The setting that most likely made a run large, for the message: customers, cycles or replications."""
    sim = spec.sim
    if sim.n_cycles * BYTES["cycle"] * sim.replications > sim.n_customers * BYTES["row"]:
        return ("sim.replications", sim.replications) if sim.replications > sim.n_cycles else ("sim.n_cycles",
                                                                                                 sim.n_cycles)
    return "sim.n_customers", sim.n_customers


def check_run(spec: RunSpec, what: str = "this run", customers_streamed: bool = False) -> Estimate:
    """Estimate one run and refuse it when it cannot fit (:func:`check_fits`); the estimate
    (``customers_streamed``: see :func:`estimate_run`)."""
    estimate = estimate_run(spec, customers_streamed)
    check_fits(estimate, what, *largest_setting(spec))
    return estimate


def announce(prog: str, estimate: Estimate, what: str = "run") -> str | None:
    """A line for stderr when a job will take a while: its runs, rough time and memory (else None)."""
    if estimate.seconds < ANNOUNCE_SECONDS:
        return None
    runs = f"{estimate.runs} {what}s, " if estimate.runs > 1 else ""
    return (f"{prog}: {runs}roughly {human_seconds(estimate.seconds)} and {human_bytes(estimate.bytes)} "
            "of memory (a rough estimate)")
