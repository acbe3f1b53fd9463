"""The ``cxsim-sweep`` command, and the Hydra multirun hooks of ``cxsim -m``.

    cxsim-sweep sweep=b2b_lhs sweep.n_samples=100 sweep.replications=3 sweep.n_jobs=2 hydra.run.dir=out
    cxsim-sweep hydra.run.dir=out ...          # the same command again resumes: finished runs are skipped

A Hydra app like ``cxsim`` (same groups and overrides). It plans every run (points × replications)
and validates every point before anything is written, then runs them in this process or in
``sweep.n_jobs`` worker processes (batches of runs per worker, no per-run Hydra overhead), writing
each run's row atomically to ``runs/``. At the end it writes ``sweep.parquet`` (one tidy table),
``points.csv`` and, when runs are missing, ``missing.csv``; with ``sweep.sampler=sobol|morris``
also ``sensitivity.csv`` and ``sensitivity.png``.

For ``cxsim -m`` (Hydra multirun: any launcher, e.g. ``hydra/launcher=cxsim_joblib``) each job
writes ``result.parquet`` beside its outputs (skipped when a finished result with the same config
hash is already there) and :class:`SweepTable` gathers them into ``<sweep dir>/sweep.parquet``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cxsim.errors import SpecError, fail

LAUNCHER_GROUP = "hydra/launcher"


def _fail(err: SpecError, command: str = "cxsim-sweep") -> None:
    fail(command, err)


def launchers() -> list[str]:
    """Launchers Hydra can use here: the shipped configs and those of installed plugins."""
    from importlib import resources

    from hydra.core.config_store import ConfigStore
    from hydra.core.plugins import Plugins

    Plugins.instance()  # registers the installed plugins' configs
    found = set(ConfigStore.instance().repo.get("hydra", {}).get("launcher", {}))
    folder = resources.files("cxsim.configs").joinpath("hydra", "launcher")
    found |= {p.name for p in folder.iterdir()}
    return sorted(n[:-5] for n in found if n.endswith(".yaml"))


def check_launcher(argv: list[str]) -> None:
    """An unknown ``hydra/launcher=NAME`` is a one-line error (raises SpecError)."""
    for item in argv:
        key, sep, value = item.partition("=")
        if sep and key.lstrip("+~") == LAUNCHER_GROUP:
            allowed = launchers()
            if value not in allowed:
                raise SpecError(LAUNCHER_GROUP, value, "allowed: " + ", ".join(allowed)
                                + " (the Ray launcher needs: pip install hydra-ray-launcher ray)")


def base_config(data: dict[str, Any]) -> dict[str, Any]:
    """The config a sweep varies: everything but Hydra's and the commands' own settings."""
    return {k: v for k, v in data.items() if k not in ("hydra", "sweep", "compare")}


def _task(cfg) -> None:  # type: ignore[no-untyped-def]
    import logging

    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from cxsim import sweep

    logging.getLogger("MESA").setLevel(logging.WARNING)
    out = Path(HydraConfig.get().runtime.output_dir)
    raw = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(raw, dict)
    try:
        settings = sweep.settings_from_dict(OmegaConf.to_container(cfg.sweep, resolve=True))  # type: ignore[arg-type]
        p = sweep.plan(base_config(raw), settings)
    except SpecError as err:
        _fail(err)
    done_before = len(sweep.finished(out) & set(p.run_ids))
    print(f"cxsim-sweep · {settings.sampler} · {len(p.points)} point(s) × {p.replications} "
          f"replication(s) = {len(p)} runs · {done_before} already done")
    if settings.params:
        print(sweep.describe(settings.params))
    sweep.atomic_csv(out / "points.csv", p.points)
    ran = sweep.execute(p, out, n_jobs=settings.workers, progress=settings.progress, commit=sweep.git_commit())
    collected = sweep.collect(p, out)
    written = sweep.save(collected, out)
    if settings.sampler in ("sobol", "morris") and collected.complete:
        from cxsim import sensitivity

        indices = sensitivity.analyse(p, collected.table, settings)
        written.append(sweep.atomic_csv(out / "sensitivity.csv", indices))
        written.append(sensitivity.figure(indices, out / "sensitivity.png"))
        print(indices.to_string(index=False))
    print(f"ran {ran} run(s); table has {len(collected.table)} of {len(p)} runs")
    if not collected.complete:
        print(f"missing {len(collected.missing)} run(s): see missing.csv; run the same command again to finish them")
    print(f"wrote {', '.join(q.name for q in written)}\n   to {out}")


def check(argv: list[str]) -> None:
    """Compose and validate the sweep and every point before anything is written."""
    from cxsim import sweep
    from cxsim.config import compose_config

    check_launcher(argv)
    data = compose_config(argv)
    settings = sweep.settings_from_dict(data.get("sweep"))
    sweep.plan(base_config(data), settings)


def main() -> None:
    """Entry point of the ``cxsim-sweep`` console script."""
    from cxsim.cli.main import launch

    launch("cxsim-sweep", _task, check)


# ---------------------------------------------------------------------------- cxsim -m

def multirun_job(cfg, spec, run_results) -> Path | None:  # type: ignore[no-untyped-def]
    """In a ``cxsim -m`` job: write ``result.parquet`` (summary rows + swept overrides + identity)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from cxsim import sweep

    hc = HydraConfig.get()
    if hc.mode != RunMode.MULTIRUN:
        return None
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    table = run_results.summary.copy()
    for item in hc.overrides.task:
        key, _, value = item.partition("=")
        table[key.lstrip("+~")] = value
    table["job"] = int(hc.job.num)
    table["config_hash"] = sweep.config_hash(base_config(data))
    table["git_commit"] = sweep.git_commit()
    out = Path(hc.runtime.output_dir) / "result.parquet"
    return sweep.atomic_parquet(out, table)


def multirun_done(cfg) -> bool:  # type: ignore[no-untyped-def]
    """Whether this ``cxsim -m`` job already has a finished result for the same config (resume)."""
    import pandas as pd
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from cxsim import sweep

    hc = HydraConfig.get()
    if hc.mode != RunMode.MULTIRUN:
        return False
    f = Path(hc.runtime.output_dir) / "result.parquet"
    if not f.is_file():
        return False
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    try:
        old = pd.read_parquet(f, columns=["config_hash"])
    except Exception:  # an unreadable file is not a finished run  # noqa: BLE001
        return False
    return bool(len(old)) and old["config_hash"].iloc[0] == sweep.config_hash(base_config(data))


try:  # the callback is only importable where Hydra is (it always is for the commands)
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover
    Callback = object  # type: ignore[assignment,misc]


class SweepTable(Callback):  # type: ignore[misc,valid-type]
    """Hydra callback: after ``cxsim -m``, gather every job's ``result.parquet`` into ``sweep.parquet``.

    Jobs that started but did not finish are listed in ``missing.csv`` instead of failing.
    Registered in ``configs/config.yaml`` under ``hydra.callbacks``.
    """

    def on_multirun_end(self, config, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
        from cxsim import sweep

        root = Path(config.hydra.sweep.dir)
        if not root.is_dir():
            return
        collected = sweep.aggregate_directories([d for d in root.iterdir() if d.is_dir()])
        written = sweep.save(collected, root)
        note = "" if collected.complete else f"; {len(collected.missing)} job(s) unfinished (missing.csv)"
        print(f"cxsim: sweep table {written[0]} ({len(collected.table)} rows{note})")


if __name__ == "__main__":
    main()
