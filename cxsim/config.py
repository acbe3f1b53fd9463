"""The shipped Hydra configs, composed from Python (notebooks, tests, the ``cxsim`` pre-check).

The library itself needs no Hydra: build specs from dicts with :mod:`cxsim.specs.build` or from
the dataclasses directly. These helpers compose the shipped YAML files with overrides, exactly as
the ``cxsim`` command does, and turn Hydra's composition errors into one-line
:class:`~cxsim.errors.SpecError` messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any

from cxsim.errors import SpecError
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.scenario import RunSpec

CONFIG_MODULE = "cxsim.configs"
GROUPS = ("scenario", "memory")


def available(group: str) -> list[str]:
    """Names of the shipped options of a config group (``scenario`` or ``memory``)."""
    folder = resources.files(CONFIG_MODULE).joinpath(group)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _check_group_choices(overrides: Sequence[str]) -> None:
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.lstrip("+~")
        if sep and key in GROUPS and value not in available(key):
            raise SpecError(key, value, "allowed: " + ", ".join(available(key)))


def compose_config(overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Compose ``config.yaml`` with Hydra overrides into plain, resolved dicts (no ``hydra`` key)."""
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    _check_group_choices(overrides)
    user = [o for o in overrides if not o.lstrip("+~").startswith("hydra.")]
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
            cfg = compose("config", overrides=list(user))
        data = OmegaConf.to_container(cfg, resolve=True)
    except (HydraException, OmegaConfBaseException) as err:
        raise _from_hydra(err, user) from None
    assert isinstance(data, dict)
    data.pop("hydra", None)
    return data


def _from_hydra(err: Exception, overrides: Sequence[str]) -> SpecError:
    text = " ".join(str(err).split())
    for item in overrides:
        key = item.partition("=")[0].lstrip("+~")
        if key and key in text:
            return SpecError(key, item.partition("=")[2], f"the override was refused: {text}")
    return SpecError("overrides", list(overrides), f"the config could not be composed: {text}")


def load_run_spec(overrides: Sequence[str] = ()) -> RunSpec:
    """Compose the shipped configs with ``overrides`` and validate them into a :class:`RunSpec`.

    Example:
        >>> spec = load_run_spec(["scenario=retail_street", "memory=mean", "sim.n_customers=500"])
        >>> spec.scenario.name, spec.scenario.memory.model.kind, spec.sim.n_customers
        ('retail_street', 'mean', 500)
    """
    return run_spec_from_dict(compose_config(overrides))
