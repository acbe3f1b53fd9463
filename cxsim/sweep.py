"""Sweeps: samplers, a fast in-process batch runner, a crash-safe resumable store, an aggregator.

A sweep runs one composed config at many *points* (values of chosen parameters) and
``replications`` replications per point, and gathers one tidy table (Parquet) with a row per run:
every swept parameter, the seed, the replication, the config hash, the project's git commit and
every column of the run summary (README "Output reference").

* **Samplers** — ``grid`` (every combination of the listed values, or ``num`` evenly spaced values
  between ``low`` and ``high``), ``random`` (uniform between bounds or uniform over values),
  ``lhs`` (Latin hypercube, :class:`scipy.stats.qmc.LatinHypercube`; McKay, Beckman & Conover
  1979), and ``sobol`` / ``morris`` (SALib's samples for :mod:`cxsim.sensitivity`).
* **Fast runner** — runs are executed in batches (many runs per task) by the execution layer
  (:mod:`cxsim.execution`: in this process, a local process pool, Ray or Dask, chosen by the
  ``execution`` config group), so 1,000 small runs do not pay Hydra's per-job start-up, config
  composition and directory set-up 1,000 times; ``cxsim -m`` (Hydra multirun) remains available
  for sweeps of few, large runs and for Hydra's launchers.
* **Crash-safe and resumable** — each finished task's rows are written at once to the Parquet
  dataset ``rows/`` (one fragment per task, by write-then-rename), so a row exists only for a
  finished run and partial results are readable while the sweep goes on. Re-running the same
  sweep into the same directory skips the runs that have a row and does the others, on any
  backend; :func:`collect` builds the table from whatever is there and lists the missing runs
  instead of failing.
* **Common random numbers** — every point uses the same ``sim.seed``, so replication ``r`` of every
  point shares its random streams (see :mod:`cxsim.engine.streams`).
* **Parameter uncertainty** (``sweep.posterior=<posterior.parquet>`` of a Bayesian calibration) —
  every point runs twice over its replications: ``parameters: fixed`` at the posterior means, and
  ``parameters: posterior`` with replication ``r`` at the posterior draw ``r``
  (:meth:`cxsim.fit.posterior.Posterior.draw`, keyed by the replication alone, so the same draw at
  every point: common random numbers in the parameters too). The drawn values are in
  ``param:<path>`` columns; :func:`cxsim.fit.posterior.sweep_uncertainty` puts each point's
  interval with the parameters fixed beside its interval with parameter uncertainty.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from cxsim.compare import replication_summary
from cxsim.errors import MISSING, SpecError
from cxsim.execution.backend import batch_size, batches, open_backend
from cxsim.execution.cache import cached_spec
from cxsim.execution.settings import Execution
from cxsim.execution.store import RowStore
from cxsim.files import write_atomic
from cxsim.fit.posterior import Posterior, with_parameters
from cxsim.progress import progress_bar
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.intervention import get_path, set_path
from cxsim.specs.mapping import from_mapping

SAMPLERS = ("grid", "random", "lhs", "sobol", "morris")
#: Config groups a parameter may swap (``path: intervention, values: [none, dealer_gala]``).
GROUP_PARAMS = ("intervention", "memory")
CONFIG_MODULE = "cxsim.configs"
#: The streamed result store of a sweep directory (a Parquet dataset, one fragment per task).
ROWS_DIR = "rows"
#: With a posterior: the ``parameters`` column of runs at the posterior means and at posterior draws.
FIXED, DRAWN = "fixed", "posterior"


# ---------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class Param:
    """One swept parameter: a dotted config path and its values or bounds.

    Attributes:
        path: dotted path in the composed config (list items by index or ``name``), or a config
            group (``intervention``, ``memory``) whose option is swapped.
        values: discrete values (grid: all of them; random / lhs: drawn uniformly among them).
        low, high: bounds of a continuous parameter (``low <= high``).
        num: grid only: evenly spaced values between ``low`` and ``high`` (default 3).
        integer: round continuous draws to integers.
    """

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    num: int = 3
    integer: bool = False

    def __post_init__(self) -> None:
        checks.name("path", self.path)
        if self.values is not None:
            if self.low is not None or self.high is not None:
                raise SpecError("values", list(self.values), "give either values or low and high, not both")
            if not checks.sequence("values", self.values):
                raise SpecError("values", [], "at least one value is required")
            return
        if self.low is None or self.high is None:
            raise SpecError("low" if self.low is None else "high", MISSING,
                            "a parameter needs values: [...] or both low and high")
        lo, hi = checks.number("low", self.low), checks.number("high", self.high)
        if lo > hi:
            raise SpecError("low", self.low, f"must be <= high ({self.high})")
        checks.integer("num", self.num, 1)
        if not isinstance(self.integer, bool):
            raise SpecError("integer", self.integer, "true or false")

    @property
    def discrete(self) -> bool:
        return self.values is not None

    def grid(self) -> list[Any]:
        """The values a grid visits."""
        if self.values is not None:
            return list(self.values)
        pts = np.linspace(float(self.low), float(self.high), int(self.num))  # type: ignore[arg-type]
        return [round(float(v)) for v in pts] if self.integer else [float(v) for v in pts]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map uniform numbers in [0, 1) to this parameter's values."""
        if self.values is not None:
            k = len(self.values)
            return [self.values[min(int(x * k), k - 1)] for x in u]
        v = float(self.low) + u * (float(self.high) - float(self.low))  # type: ignore[arg-type]
        return [round(float(x)) for x in v] if self.integer else [float(x) for x in v]


@dataclass(frozen=True)
class SweepSettings:
    """The ``sweep`` block of the config (see ``configs/sweep/none.yaml``)."""

    sampler: str = "grid"
    n_samples: int = 8
    seed: int = 0
    params: tuple[Param, ...] = ()
    replications: int = 1
    n_jobs: int = 1
    progress: bool = True
    outputs: tuple[str, ...] = ("satisfaction_mean", "retention_rate", "nps", "profit")
    posterior: str | None = None

    def __post_init__(self) -> None:
        checks.choice("sampler", self.sampler, SAMPLERS)
        checks.integer("n_samples", self.n_samples, 1)
        checks.integer("seed", self.seed, 0)
        checks.integer("replications", self.replications, 1)
        checks.integer("n_jobs", self.n_jobs, 0)
        if not isinstance(self.progress, bool):
            raise SpecError("progress", self.progress, "true or false")
        # the engine (numba, Mesa): loaded only when needed
        from cxsim.engine.run import SUMMARY_COLUMNS

        numeric = [c for c in SUMMARY_COLUMNS if c not in ("scenario", "replication", "seed", "intervention",
                                                            "memory_model", "engine")]
        for name in self.outputs:
            checks.choice("outputs", name, numeric)
        paths = [p.path for p in self.params]
        for path in paths:
            if paths.count(path) > 1:
                raise SpecError("params", path, "each parameter may be swept only once")
        if self.sampler in ("sobol", "morris"):
            for k, p in enumerate(self.params):
                if p.discrete:
                    raise SpecError(f"params[{k}].values", list(p.values or ()),
                                    f"the {self.sampler} sampler needs continuous parameters (low and high)")
            if not self.params:
                raise SpecError("params", [], f"the {self.sampler} sampler needs at least one parameter")
        if self.posterior is not None:
            checks.name("posterior", self.posterior)
            if self.sampler in ("sobol", "morris"):
                raise SpecError("posterior", self.posterior, f"the {self.sampler} indices need fixed parameters: "
                                "use sampler grid, random or lhs with a posterior")

    @property
    def workers(self) -> int:
        return (os.cpu_count() or 1) if self.n_jobs == 0 else self.n_jobs


def settings_from_dict(data: Mapping[str, Any] | None) -> SweepSettings:
    """:class:`SweepSettings` from the config's ``sweep`` mapping (errors name ``sweep.*``), through
    the generic builder (:func:`~cxsim.specs.mapping.from_mapping`)."""
    return from_mapping(SweepSettings, data, "sweep")


# ---------------------------------------------------------------------------- samplers

def sample(settings: SweepSettings) -> pd.DataFrame:
    """The sweep's points: one row per point, one column per parameter (path as column name).

    Deterministic given the settings (the random samplers draw from ``SeedSequence(seed)``).
    """
    params = settings.params
    cols = [p.path for p in params]
    if not params:
        return pd.DataFrame(index=pd.RangeIndex(1))
    if settings.sampler == "grid":
        rows = list(itertools.product(*(p.grid() for p in params)))
        return pd.DataFrame(rows, columns=cols)
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed))
    n = settings.n_samples
    if settings.sampler == "random":
        u = rng.random((n, len(params)))
    elif settings.sampler == "lhs":
        from scipy.stats import qmc  # SciPy: loaded only for this sampler

        u = qmc.LatinHypercube(d=len(params), seed=rng).random(n)
    else:
        return pd.DataFrame(salib_sample(settings), columns=cols)
    return pd.DataFrame({p.path: p.from_unit(u[:, k]) for k, p in enumerate(params)})


MORRIS_LEVELS = 4


def problem(settings: SweepSettings) -> dict[str, Any]:
    """SALib's problem definition from the sweep's (continuous) parameters."""
    return {"num_vars": len(settings.params), "names": [p.path for p in settings.params],
            "bounds": [[float(p.low), float(p.high)] for p in settings.params]}  # type: ignore[arg-type]


def salib_sample(settings: SweepSettings) -> np.ndarray:
    """The SALib sample of the sweep (:mod:`cxsim.sensitivity` analyses its runs).

    ``n_samples`` is Sobol's base N, or Morris' trajectories.
    """
    prob = problem(settings)
    if settings.sampler == "sobol":
        from SALib.sample import sobol  # SALib: loaded only for its samplers

        with warnings.catch_warnings():  # SALib warns when N is not a power of two; say it in the docs
            warnings.simplefilter("ignore")
            x = sobol.sample(prob, settings.n_samples, calc_second_order=False, seed=settings.seed)
    else:
        from SALib.sample import morris  # SALib: loaded only for its samplers

        x = morris.sample(prob, settings.n_samples, num_levels=MORRIS_LEVELS, seed=settings.seed)
    for k, p in enumerate(settings.params):
        if p.integer:
            x[:, k] = np.round(x[:, k])
    return x


# ---------------------------------------------------------------------------- points -> configs

def _load_group(group: str, option: str) -> dict[str, Any]:
    from omegaconf import OmegaConf  # OmegaConf (Hydra's): loaded only for config files

    folder = resources.files(CONFIG_MODULE).joinpath(group)
    options = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
    if option not in options:
        raise SpecError(group, option, "allowed: " + ", ".join(options))
    data = OmegaConf.to_container(OmegaConf.create(folder.joinpath(f"{option}.yaml").read_text()))
    assert isinstance(data, dict)
    return data  # type: ignore[return-value]


def point_config(base: Mapping[str, Any], point: Mapping[str, Any],
                 resolve: bool | None = None) -> dict[str, Any]:
    """The resolved config of one point: ``base`` (unresolved, no ``hydra`` key) with the point's values.

    ``resolve`` says whether interpolations must be resolved with OmegaConf (``None``: look).

    Raises:
        SpecError: a parameter's path does not exist in the config.
    """
    from omegaconf import OmegaConf  # OmegaConf (Hydra's): loaded only for config files

    cfg = json.loads(json.dumps(base))  # a deep copy of plain data, faster than copy.deepcopy
    for path, value in point.items():
        if path in GROUP_PARAMS:
            cfg[path] = _load_group(path, str(value))
            continue
        set_path(cfg, path, value.item() if isinstance(value, np.generic) else value)
    if resolve is None:
        resolve = _has_interpolation(cfg) or any(p in GROUP_PARAMS for p in point)
    if not resolve:  # nothing to resolve: skip OmegaConf (about 30 ms a point)
        return cfg
    out = OmegaConf.to_container(OmegaConf.create(cfg), resolve=True)
    assert isinstance(out, dict)
    return out  # type: ignore[return-value]


def _has_interpolation(node: Any) -> bool:
    if isinstance(node, str):
        return "${" in node
    if isinstance(node, Mapping):
        return any(_has_interpolation(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_interpolation(v) for v in node)
    return False


def config_hash(cfg: Mapping[str, Any]) -> str:
    """A short, stable hash of a resolved config (the identity of a point)."""
    text = json.dumps(cfg, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def git_commit() -> str | None:
    """The git commit of the project: of the cxsim checkout when cxsim runs from one, else of the
    working directory's repository (your project, with its configs); ``None`` when neither is."""
    for where in (Path(__file__).resolve().parent, Path.cwd()):
        try:
            out = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True,
                                 text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return None


@dataclass
class Plan:
    """Every run of a sweep, decided before anything runs.

    Attributes:
        points: one row per point: ``point``, the parameters, ``config_hash``.
        configs: resolved config of each point (same order as ``points``).
        replications: replications per point.
        params: the swept parameters' paths.
        posterior: with a posterior, each point appears twice in ``points`` (column
            ``parameters``: ``fixed`` at the posterior means, ``posterior`` drawn per replication).
        draw_seed: the seed of the posterior draws (the base config's ``sim.seed``).
    """

    points: pd.DataFrame
    configs: list[dict[str, Any]]
    replications: int
    params: list[str] = field(default_factory=list)
    posterior: Posterior | None = None
    draw_seed: int = 0

    @property
    def run_ids(self) -> list[str]:
        return [run_id(h, r) for h in self.points["config_hash"] for r in range(self.replications)]

    def __len__(self) -> int:
        return len(self.points) * self.replications


def run_id(config_hash_: str, replication: int) -> str:
    """The identifier of one run of a sweep: the point's config hash and the replication."""
    return f"{config_hash_}-r{replication}"


def plan(base: Mapping[str, Any], settings: SweepSettings) -> Plan:
    """Sample the points, build and validate every point's config; raise SpecError on bad input.

    ``base`` is the composed config, unresolved, without its ``hydra`` key. The sweep's
    replications replace ``sim.replications``; the outputs a sweep does not need (customers,
    moments, figures) are switched off.
    """
    for k, p in enumerate(settings.params):
        if p.path in GROUP_PARAMS:
            if p.values is None:
                raise SpecError(f"sweep.params[{k}].values", MISSING, f"{p.path} is a config group: list its options")
            for v in p.values:
                try:
                    _load_group(p.path, str(v))
                except SpecError as err:
                    raise SpecError(f"sweep.params[{k}].values", v, err.allowed) from None
            continue
        try:
            get_path(base, p.path)
        except SpecError as err:
            raise SpecError(f"sweep.params[{k}].path", p.path, err.allowed) from None
    posterior = _posterior(base, settings)
    points = sample(settings)
    base = json.loads(json.dumps(base))
    if posterior is not None:  # the points' own configs hold the parameters fixed at the posterior means
        base = with_parameters(base, posterior.mean())
    base["sim"] = {**base.get("sim", {}), "replications": settings.replications}  # type: ignore[index]
    base["outputs"] = {**base.get("outputs", {}), "customers": "never", "moments": False, "figures": False}  # type: ignore[index]
    resolve = _has_interpolation(base) or any(p.path in GROUP_PARAMS for p in settings.params)
    configs = [point_config(base, row, resolve) for row in points.to_dict("records")]  # type: ignore[arg-type]
    for k, cfg in enumerate(configs):
        try:
            run_spec_from_dict(cfg)
        except SpecError as err:
            values = ", ".join(f"{c}={points.iloc[k][c]!r}" for c in points.columns)
            raise SpecError(err.field, err.value, f"{err.allowed} (at sweep point {k}: {values})") from None
    points = points.copy()
    points.insert(0, "point", np.arange(len(points)))
    points["config_hash"] = [config_hash(c) for c in configs]
    paths = [p.path for p in settings.params]
    if posterior is None:
        return Plan(points, configs, settings.replications, paths)
    drawn = points.assign(config_hash=[f"{h}-{DRAWN}" for h in points["config_hash"]])
    points = pd.concat([points.assign(parameters=FIXED), drawn.assign(parameters=DRAWN)], ignore_index=True)
    seed = int(get_path(base, "sim.seed"))
    return Plan(points, configs + configs, settings.replications, paths, posterior, seed)


def _posterior(base: Mapping[str, Any], settings: SweepSettings) -> Posterior | None:
    """The sweep's posterior, checked against the config and the swept parameters (or ``None``)."""
    if settings.posterior is None:
        return None
    try:
        posterior = Posterior.load(settings.posterior)
        posterior.check(base)
    except SpecError as err:
        raise err.at("sweep") from None
    for k, p in enumerate(settings.params):
        if p.path in posterior.parameters:
            raise SpecError(f"sweep.params[{k}].path", p.path,
                            "the posterior draws this parameter: sweep other parameters or drop sweep.posterior")
    return posterior


# ---------------------------------------------------------------------------- running

Task = tuple[dict[str, Any], int, dict[str, Any], str]
"""One run: (resolved config, replication, identity columns, run id)."""


def _run_batch(job: tuple[list[Task], int | None]) -> list[dict[str, Any]]:
    """Run a batch of runs and return their rows (one per run, in the batch's order).

    Module-level so that worker processes (loky, Ray, Dask) can import it. Each point's spec is
    built once per process (:func:`cxsim.execution.cached_spec`), so its kernels are reused.
    """
    # the engine (numba, Mesa): loaded only when a simulation runs
    from cxsim.engine.model import quiet_mesa
    from cxsim.engine.run import run_replication

    tasks, threads = job
    rows = []
    with quiet_mesa():
        for cfg, replication, ident, rid in tasks:
            key = rid if ident.get("parameters") == DRAWN else ident["config_hash"]  # each draw: its own spec
            spec = cached_spec(key, cfg, threads)
            rows.append({**ident, **replication_summary(run_replication(spec, replication), spec)})
    return rows


def finished(directory: str | Path) -> set[str]:
    """Run ids whose row is in the directory's result store (only finished runs ever have one)."""
    return {run_id(h, int(r)) for h, r in RowStore(Path(directory) / ROWS_DIR).keys(["config_hash", "replication"])}


def execute(p: Plan, directory: str | Path, n_jobs: int = 1, progress: bool = False,
            commit: str | None = None, batch: int | None = None,
            execution: Execution | None = None) -> int:
    """Run every run of the plan that has no row yet; return how many were run.

    Each finished task's rows are written at once to the Parquet dataset ``<directory>/rows/``
    (:class:`cxsim.execution.RowStore`), readable while the sweep goes on.

    Args:
        p: the plan.
        directory: where ``rows/`` lives; re-running into the same directory resumes.
        n_jobs: worker processes of the local backend when ``execution.workers`` is not set.
        progress: show a progress bar.
        commit: git commit recorded with every row.
        batch: runs per task (default: ``execution.batch``, else automatic).
        execution: the backend (default: local, ``n_jobs`` workers).
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    store = RowStore(out / ROWS_DIR)
    done = finished(out)
    tasks: list[Task] = []
    for k, point in enumerate(p.points.to_dict("records")):
        ident = {"point": int(point["point"]), **{c: point[c] for c in p.params},
                 "config_hash": point["config_hash"], "git_commit": commit}
        for r in range(p.replications):
            rid = run_id(point["config_hash"], r)
            if rid not in done:  # points that coincide (a sampler may repeat one) run once
                tasks.append((*_with_draw(p, p.configs[k], r, ident, point.get("parameters")), rid))
                done.add(rid)
    total, todo = len({*p.run_ids}), len(tasks)
    exe = (execution or Execution()).with_default_workers(n_jobs)
    if batch:
        exe = replace(exe, batch=batch)
    with progress_bar(total, "sweep", enabled=progress, initial=total - todo) as bar:
        if not tasks:
            return 0
        with open_backend(exe) as backend:
            threads = None if exe.in_process else 1  # workers already use the cores
            size = batch_size(exe, todo, backend.workers)
            chunks = batches(tasks, size)
            for index, rows in backend.map_unordered(_run_batch, [(c, threads) for c in chunks]):
                store.write(rows, chunks[index][0][3])
                bar.update(len(rows))
    return todo


def _with_draw(p: Plan, cfg: dict[str, Any], replication: int, ident: dict[str, Any],
               parameters: str | None) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """A run's config and identity columns: with a posterior, its parameters (fixed or drawn)."""
    if p.posterior is None:
        return cfg, replication, ident
    values = p.posterior.draw(replication, p.draw_seed) if parameters == DRAWN else p.posterior.mean()
    ident = {**ident, "parameters": parameters, **{f"param:{k}": v for k, v in values.items()}}
    return (with_parameters(cfg, values) if parameters == DRAWN else cfg), replication, ident


# ---------------------------------------------------------------------------- aggregation

@dataclass
class Collected:
    """The sweep table and the runs that are missing from it."""

    table: pd.DataFrame
    missing: pd.DataFrame

    @property
    def complete(self) -> bool:
        return self.missing.empty


def collect(p: Plan, directory: str | Path) -> Collected:
    """Gather the finished runs of the plan into one tidy table, sorted by point and replication.

    Never fails because runs are missing: they are listed in ``missing`` (point, replication,
    run id and the point's parameters).
    """
    stored = RowStore(Path(directory) / ROWS_DIR).read()
    rows: dict[str, dict[str, Any]] = {}
    if not stored.empty:
        ids = [run_id(h, int(r)) for h, r in zip(stored["config_hash"], stored["replication"])]
        rows = dict(zip(ids, cast(list[dict[str, Any]], stored.to_dict("records"))))
    frames, missing = [], []
    for point in p.points.to_dict("records"):
        for r in range(p.replications):
            rid = run_id(point["config_hash"], r)
            if rid in rows:
                row = dict(rows[rid])
                row["point"] = point["point"]  # a run shared by coinciding points counts for each
                frames.append(row)
            else:
                missing.append({"point": point["point"], "replication": r, "run_id": rid,
                                **{c: point[c] for c in p.params},
                                **({} if p.posterior is None else {"parameters": point["parameters"]})})
    table = pd.DataFrame(frames)
    order = ["point", "replication"] if p.posterior is None else ["point", "parameters", "replication"]
    if not table.empty:
        table = table.sort_values(order, kind="stable").reset_index(drop=True)
    columns = ["point", "replication", "run_id", *p.params, *([] if p.posterior is None else ["parameters"])]
    return Collected(table, pd.DataFrame(missing, columns=columns))


def save(collected: Collected, directory: str | Path, name: str = "sweep.parquet") -> list[Path]:
    """Write the table (Parquet) and, when runs are missing, ``missing.csv``; atomically."""
    out = Path(directory)
    written = [write_atomic(out / name, lambda q: collected.table.to_parquet(q, index=False))]
    miss = out / "missing.csv"
    if collected.missing.empty:
        miss.unlink(missing_ok=True)
    else:
        written.append(write_atomic(miss, lambda q: collected.missing.to_csv(q, index=False)))
    return written


def run_sweep(base: Mapping[str, Any], settings: SweepSettings, directory: str | Path,
              commit: str | None = None, execution: Execution | None = None) -> Collected:
    """Plan, execute (resuming), collect and save a sweep; the library entry point.

    Example:
        >>> from cxsim.config import compose_config
        >>> import tempfile
        >>> s = settings_from_dict({"params": [{"path": "sim.seed", "values": [1, 2]}], "progress": False})
        >>> cfg = compose_config(["sim.n_customers=100", "sim.n_cycles=2"])
        >>> len(run_sweep(cfg, s, tempfile.mkdtemp()).table)
        2
    """
    p = plan(base, settings)
    execute(p, directory, n_jobs=settings.workers, progress=settings.progress, commit=commit,
            execution=execution)
    collected = collect(p, directory)
    save(collected, directory)
    return collected


def describe(params: Iterable[Param]) -> str:
    """One line per parameter, for the command's header."""
    out = []
    for p in params:
        out.append(f"  {p.path}: " + (", ".join(map(str, p.values)) if p.values is not None
                                      else f"[{p.low}, {p.high}]"))
    return "\n".join(out)


def aggregate_directories(dirs: Sequence[Path], name: str = "result.parquet") -> Collected:
    """Gather the per-job results of a Hydra multirun (``<sweep dir>/<job>/result.parquet``).

    A job directory with Hydra's ``.hydra/`` but without a result is listed as missing
    (started, not finished). Used by the ``cxsim -m`` callback.
    """
    frames, missing = [], []
    for d in sorted(dirs, key=lambda q: (len(q.name), q.name)):
        f = d / name
        if f.is_file():
            frames.append(pd.read_parquet(f))
        elif (d / ".hydra").is_dir():
            missing.append({"job": d.name, "directory": str(d)})
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Collected(table, pd.DataFrame(missing, columns=["job", "directory"]))


def atomic_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as CSV by write-then-rename."""
    return write_atomic(Path(path), lambda q: frame.to_csv(q, index=False))


def atomic_parquet(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet by write-then-rename."""
    return write_atomic(Path(path), lambda q: frame.to_parquet(q, index=False))
