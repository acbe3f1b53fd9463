"""Hydra multirun (``cxsim run -m ...``): the launchers, each job's result, the sweep table.

Each job of ``cxsim run -m`` (any launcher, e.g. ``hydra/launcher=cxsim_joblib``) writes
``result.parquet`` beside its outputs (skipped when a finished result with the same config hash is
already there), and :class:`SweepTable` gathers them into ``<sweep dir>/sweep.parquet``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.plugins import Plugins
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from cxsim import sweep
from cxsim.errors import SpecError

LAUNCHER_GROUP = "hydra/launcher"
#: Shipped launcher configs that need an optional extra: the module it installs and the extra.
NEEDS_EXTRA = {"cxsim_ray": ("hydra_plugins.hydra_ray_launcher", "ray-launcher")}


def base_config(data: Mapping[Any, Any]) -> dict[str, Any]:
    """The config a sweep varies: everything but Hydra's and the commands' own settings."""
    return {k: v for k, v in data.items() if k not in ("hydra", "sweep", "compare", "execution")}


def launchers() -> list[str]:
    """Launchers Hydra can use here: the shipped configs and those of installed plugins."""
    Plugins.instance()  # registers the installed plugins' configs
    found = set(ConfigStore.instance().repo.get("hydra", {}).get("launcher", {}))
    folder = resources.files("cxsim.configs").joinpath("hydra", "launcher")
    found |= {p.name for p in folder.iterdir()}
    return sorted(n[:-5] for n in found if n.endswith(".yaml"))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check_launcher(argv: list[str]) -> None:
    """An unknown ``hydra/launcher=NAME``, or one whose extra is missing, is a one-line error.

    Raises:
        SpecError: naming the launcher and what is allowed (or the ``pip install`` that adds it).
    """
    for item in argv:
        key, sep, value = item.partition("=")
        if sep and key.lstrip("+~") == LAUNCHER_GROUP:
            allowed = launchers()
            if value not in allowed:
                raise SpecError(
                    LAUNCHER_GROUP,
                    value,
                    "allowed: "
                    + ", ".join(allowed)
                    + " (the Ray launcher needs the [ray-launcher] extra: pip install 'cxsim[ray-launcher]')",
                )
            module, extra = NEEDS_EXTRA.get(value, ("", ""))
            if module and not _installed(module):
                raise SpecError(
                    LAUNCHER_GROUP,
                    value,
                    f"this launcher needs the [{extra}] extra: pip install 'cxsim[{extra}]'",
                )


def multirun_job(cfg: DictConfig, run_results: Any) -> Path | None:
    """In a ``cxsim run -m`` job: write ``result.parquet`` (summary, swept overrides, identity)."""
    hc = HydraConfig.get()
    if hc.mode != RunMode.MULTIRUN:
        return None
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    table = run_results.summary.copy()
    for item in hc.overrides.task:
        key, _, value = item.partition("=")
        if key.lstrip("+~") not in table.columns:  # the summary's own scenario name stays
            table[key.lstrip("+~")] = value
    table["job"] = int(hc.job.num)
    table["config_hash"] = sweep.config_hash(base_config(data))
    table["git_commit"] = sweep.git_commit()
    out = Path(hc.runtime.output_dir) / "result.parquet"
    return sweep.atomic_parquet(out, table)


def multirun_done(cfg: DictConfig) -> bool:
    """Whether this ``cxsim run -m`` job already has a finished result for its config (resume)."""
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
    except Exception:  # an unreadable file is not a finished run
        return False
    return bool(len(old)) and old["config_hash"].iloc[0] == sweep.config_hash(base_config(data))


class SweepTable(Callback):
    """Hydra callback: after ``cxsim run -m``, gather the jobs' results in ``sweep.parquet``.

    Jobs that started but did not finish are listed in ``missing.csv`` instead of failing.
    Registered in ``configs/config.yaml`` under ``hydra.callbacks`` (as
    ``cxsim.cli.sweep.SweepTable``).
    """

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write ``<sweep dir>/sweep.parquet`` (and ``missing.csv`` for unfinished jobs)."""
        root = Path(config.hydra.sweep.dir)
        if not root.is_dir():
            return
        collected = sweep.aggregate_directories([d for d in root.iterdir() if d.is_dir()])
        written = sweep.save(collected, root)
        note = (
            ""
            if collected.complete
            else f"; {len(collected.missing)} job(s) unfinished (missing.csv)"
        )
        print(f"cxsim: sweep table {written[0]} ({len(collected.table)} rows{note})")
