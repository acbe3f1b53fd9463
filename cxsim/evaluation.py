"""Evaluating portfolios under common random numbers: runs, a cache, and paired differences.

Every evaluation of a portfolio runs replications ``0, 1, …`` of the *same* root seed
(``sim.seed``) as the baseline, so that replication ``r`` of every portfolio serves the same
customers with the same draws (common random numbers; :mod:`cxsim.engine.streams`). A portfolio's
outcome is then the *paired* difference ``portfolio_r − baseline_r`` per replication, as in
:mod:`cxsim.compare`. Runs are cached by the portfolio's resolved changes and costs, so a
portfolio (or the baseline) met twice is run once; with ``n_jobs > 1`` the runs go to worker
processes (joblib), each running the compiled engine on one thread — the kernels are compiled
once per worker, not per evaluation, so a portfolio costs the sum of its runs. The rows do not
depend on ``n_jobs``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from cxsim.compare import replication_summary
from cxsim.engine.model import quiet_mesa
from cxsim.engine.run import run_replication
from cxsim.execution.local import watch_parent
from cxsim.portfolio import Portfolio, portfolio_intervention
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.scenario import RunSpec

#: Settings of the commands, not of a run: dropped from a portfolio's config.
COMMAND_BLOCKS = ("optimise", "sweep", "compare", "hydra")
#: Identity columns of a run summary (not outcomes).
ID_COLUMNS = ("scenario", "replication", "seed", "intervention", "memory_model", "engine", "n_customers",
              "n_cycles")


def prepared(config: Mapping[str, Any], replications: int) -> dict[str, Any]:
    """``config`` for many single-replication runs: no per-customer tables or figures, and room for
    ``replications`` replications (replication ``r``'s seed does not depend on the total)."""
    cfg = {k: v for k, v in json.loads(json.dumps(config)).items() if k not in COMMAND_BLOCKS}
    cfg["sim"] = {**cfg.get("sim", {}), "replications": int(replications)}
    cfg["outputs"] = {**cfg.get("outputs", {}), "customers": "never", "moments": False, "figures": False,
                      "operations": "never"}
    return cfg


def one_thread(spec: RunSpec) -> RunSpec:
    """The spec with the engine on one thread (for worker processes; the results are the same)."""
    return replace(spec, runtime=replace(spec.runtime, threads=1))


def run_one(spec: RunSpec, replication: int) -> dict[str, Any]:
    """The summary row of replication ``replication`` of ``spec`` (module level: workers import it)."""
    with quiet_mesa():
        return replication_summary(run_replication(spec, replication), spec)


def run_in_worker(spec: RunSpec, replication: int, parent: int | None = None) -> dict[str, Any]:
    """:func:`run_one` in a pool worker, which ends when its parent (pid ``parent``) does (no orphans after a kill)."""
    watch_parent(parent=parent)
    return run_one(spec, replication)


def run_tasks(tasks: Sequence[tuple[RunSpec, int]], n_jobs: int = 1) -> list[dict[str, Any]]:
    """Run ``(spec, replication)`` tasks, in this process or in ``n_jobs`` workers; rows in task order."""
    workers = (os.cpu_count() or 1) if n_jobs == 0 else n_jobs
    if workers <= 1 or len(tasks) <= 1:
        return [run_one(spec, r) for spec, r in tasks]
    return list(Parallel(n_jobs=workers)(delayed(run_in_worker)(one_thread(spec), r, os.getpid()) for spec, r in tasks))


def spend(arm: pd.DataFrame | Mapping[str, Any], base: pd.DataFrame | Mapping[str, Any]) -> Any:
    """What an arm spends beyond the baseline: its intervention cost plus the change in operations cost
    (capacity it adds, events it makes dearer), as in :func:`cxsim.compare.paired_differences`."""
    out = arm["intervention_cost"] - base["intervention_cost"]
    if "operations_cost" in arm and "operations_cost" in base:
        out = out + (arm["operations_cost"] - base["operations_cost"])
    return out


class Evaluator:
    """Runs portfolios on one base config under common random numbers, with a cache.

    Args:
        config: the composed, resolved baseline config (its ``intervention`` is ignored).
        max_replications: the most replications any portfolio will get.
        n_jobs: worker processes (``0``: one per core).
    """

    def __init__(self, config: Mapping[str, Any], max_replications: int, n_jobs: int = 1) -> None:
        base = prepared(config, max_replications)
        base["intervention"] = {"name": "none", "changes": {}, "cost": {}}
        self.base = base
        self.n_jobs = n_jobs
        self.baseline_spec = run_spec_from_dict(base)
        self._specs: dict[str, RunSpec] = {"": self.baseline_spec}
        self._rows: dict[tuple[str, int], dict[str, Any]] = {}
        self.runs = 0  # simulation runs done (cache misses)

    def key(self, p: Portfolio | None) -> str:
        """The identity of a portfolio here: its resolved changes and costs (``""``: the baseline)."""
        if p is None or not p.members:
            return ""
        iv = portfolio_intervention(self.base, p)
        key = json.dumps({"changes": iv["changes"], "cost": iv["cost"]}, sort_keys=True, default=str)
        if key not in self._specs:
            self._specs[key] = run_spec_from_dict({**self.base, "intervention": iv})
        return key

    def spec(self, p: Portfolio | None) -> RunSpec:
        """The validated run spec of a portfolio (``None``: the baseline)."""
        return self._specs[self.key(p)]

    def rows(self, requests: Sequence[tuple[Portfolio | None, int]]) -> list[dict[str, Any]]:
        """Summary rows of ``(portfolio, replication)`` requests, running only what is not cached."""
        keys = [(self.key(p), r) for p, r in requests]
        todo = list(dict.fromkeys(k for k in keys if k not in self._rows))
        if todo:
            out = run_tasks([(self._specs[k], r) for k, r in todo], self.n_jobs)
            self._rows.update(zip(todo, out))
            self.runs += len(todo)
        return [self._rows[k] for k in keys]

    def paired(self, portfolios: Sequence[Portfolio | None], replications: Sequence[int]) -> list[pd.DataFrame]:
        """Per portfolio, one row per replication: ``arm − baseline`` of every outcome, and ``spend``.

        All portfolios' runs (and the baseline's) are requested at once, so they run in parallel.
        """
        reps = list(replications)
        requests = [(None, r) for r in reps] + [(p, r) for p in portfolios for r in reps]
        rows = self.rows(requests)
        base = pd.DataFrame(rows[:len(reps)])
        out = []
        for k in range(len(portfolios)):
            arm = pd.DataFrame(rows[len(reps) * (k + 1):len(reps) * (k + 2)])
            out.append(differences(arm, base))
        return out


def differences(arm: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """``arm − base`` of every numeric outcome column, row by row (paired replications), with ``spend``."""
    cols = [c for c in arm.columns if c not in ID_COLUMNS and c in base.columns
            and pd.api.types.is_numeric_dtype(arm[c])]
    d = arm[cols].reset_index(drop=True) - base[cols].reset_index(drop=True)
    d["spend"] = np.asarray(spend(arm.reset_index(drop=True), base.reset_index(drop=True)), dtype=float)
    d.insert(0, "replication", arm["replication"].to_numpy())
    return d
