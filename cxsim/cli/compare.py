"""The ``cxsim-compare`` command: every intervention against the baseline, paired, with intervals.

    cxsim-compare                                              # every shipped intervention, R = 10
    cxsim-compare compare.interventions=[dealer_gala,faster_delivery] compare.replications=20 \\
                  sim.n_customers=5000 hydra.run.dir=out

A Hydra app like ``cxsim``: the same config groups and overrides. The composed config (with
``intervention=none`` unless chosen otherwise) is the baseline; each arm is the same config with
``intervention=<name>``. Everything is composed and validated before Hydra creates the run
directory; bad input is one line naming the field, exit status 2. Writes ``comparison.csv``,
``ranking.csv``, ``pairs.csv``, ``runs.csv``, ``notes.txt`` and ``comparison.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cxsim.cli.main import launch
from cxsim.errors import SpecError, fail


def _fail(err: SpecError) -> None:
    fail("cxsim-compare", err)


def _hydra_composer(overrides: list[str]):  # type: ignore[no-untyped-def]
    """Compose arms inside the running Hydra app (same search path and overrides)."""
    from hydra import compose
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from cxsim.config import _from_hydra

    def composer(name: str) -> dict[str, Any]:
        arm = [*overrides, f"intervention={name}"] if name else list(overrides)
        try:
            cfg = compose("config", overrides=arm)
        except (HydraException, OmegaConfBaseException) as err:
            raise _from_hydra(err, arm) from None
        data = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(data, dict)
        data.pop("hydra", None)
        return data

    return composer


def _task(cfg) -> None:  # type: ignore[no-untyped-def]
    import logging

    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from cxsim.compare import compare, report, settings_from_dict

    logging.getLogger("MESA").setLevel(logging.WARNING)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    try:
        settings = settings_from_dict(OmegaConf.to_container(cfg.compare, resolve=True))  # type: ignore[arg-type]
        result = compare(_hydra_composer(list(hc.overrides.task)), settings)
    except SpecError as err:
        _fail(err)
    written = result.save(out)
    written.append(result.figure(out / "comparison.png"))
    print(report(result))
    print(f"\nwrote {', '.join(p.name for p in written)}\n   to {out}")


def check(argv: list[str]) -> None:
    """Compose and validate the baseline, every arm and the compare settings (raises SpecError)."""
    from cxsim.compare import composer_from_overrides, plan, settings_from_dict
    from cxsim.config import compose_config

    settings = settings_from_dict(compose_config(argv).get("compare"))
    plan(composer_from_overrides(argv), settings)


def main() -> None:
    """Entry point of the ``cxsim-compare`` console script."""
    launch("cxsim-compare", _task, check)  # check: before Hydra creates the run directory


if __name__ == "__main__":
    main()
