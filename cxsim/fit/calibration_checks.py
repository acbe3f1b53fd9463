"""The checks every calibration makes: the point fit (:mod:`cxsim.fit.calibrate`) and the Bayesian
calibration (:mod:`cxsim.fit.bayes`) alike.

Both read a calibration file — a name shipped in ``configs/calibrate/`` or a YAML file — and both
name their parameters by dotted paths into the composed run config and their targets by a metric
of the run. Each check is made here once, with one message for both: the file found and parsed;
the spec's name, parameters and targets; then, against the composed run, every parameter path
holds a number, no target is read after the run's last cycle, and every target's column is in the
run's tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import yaml

from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.intervention import get_path

CONFIG_MODULE = "cxsim.configs.calibrate"


class Named(Protocol):
    """A target as the checks see it: its name (errors name it ``targets.<name>``)."""

    @property
    def name(self) -> str:
        """The target's name, unique in its calibration."""
        ...


class RunMetric(Named, Protocol):
    """A target read from a run's tables: ``metric`` (``summary.<column>``, ``cycles.<column>`` or
    ``switched``) at ``cycle`` for the per-cycle ones."""

    @property
    def metric(self) -> str:
        """What is read from the run."""
        ...

    @property
    def cycle(self) -> int | None:
        """The cycle a curve is read at (``None`` for summary metrics)."""
        ...


def shipped() -> list[str]:
    """Names of the calibrations shipped in ``configs/calibrate/``."""
    folder = resources.files(CONFIG_MODULE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def read(name_or_path: str | Path) -> tuple[dict[str, Any], Path | None]:
    """The parsed file of a shipped calibration (by name) or of a YAML file, and the file's folder
    (``None`` for a shipped one)."""
    p = Path(name_or_path)
    base = None
    if p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise SpecError(p.name, str(p), "no such calibration file")
        text, base = p.read_text(), p.parent
    elif str(name_or_path) in shipped():
        text = resources.files(CONFIG_MODULE).joinpath(f"{name_or_path}.yaml").read_text()
    else:
        raise SpecError("calibration", str(name_or_path), "a YAML file or a shipped name: " + ", ".join(shipped()))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SpecError(p.name, "invalid YAML", " ".join(str(err).split())) from None
    return dict(checks.mapping("calibration", data or {})), base


def check_spec(name: str, parameters: Sequence[object], targets: Sequence[Named], no_parameters: str) -> None:
    """The spec's name, at least one parameter, at least one target, and unique target names.

    Args:
        name: the calibration's name.
        parameters: its parameters (bounds or priors).
        targets: its targets.
        no_parameters: what the error says when there is no parameter.
    """
    checks.name("name", name)
    if not parameters:
        raise SpecError("parameters", {}, no_parameters)
    if not targets:
        raise SpecError("targets", [], "at least one target is required")
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise SpecError("targets", names, "target names must be unique")


def parameter_values(base: Mapping[str, Any], paths: Iterable[str]) -> list[float]:
    """Each parameter's value in the composed run config ``base``; a path the config lacks, or one
    that holds no number, is an error naming ``parameters.<path>``."""
    values = []
    for path in paths:
        try:
            values.append(checks.number(f"parameters.{path}", get_path(base, path)))
        except SpecError as err:
            raise SpecError(f"parameters.{path}", err.value, err.allowed) from None
    return values


def check_cycles(targets: Iterable[Named], n_cycles: int) -> None:
    """No target is read after the run's last cycle (targets without a ``cycle`` pass)."""
    for target in targets:
        cycle = getattr(target, "cycle", None)
        if cycle is not None and cycle > n_cycles:
            raise SpecError(f"targets.{target.name}.cycle", cycle, f"the run has sim.n_cycles = {n_cycles}")


def metric_value(results: Any, t: RunMetric) -> float:
    """A target's metric read from a run's results (``summary``: the mean over replications;
    ``cycles``: the mean at ``cycle``; ``switched``: ``1 − retention_rate`` at ``cycle``); a
    column the run's table lacks is an error naming ``targets.<name>.metric``."""
    kind, _, column = t.metric.partition(".")
    if t.metric == "switched":
        kind, column = "cycles", "retention_rate"
    table = results.summary if kind == "summary" else results.cycles
    if column not in table.columns:
        raise SpecError(f"targets.{t.name}.metric", t.metric, f"no column {column!r} in the run's {kind} table; "
                        "columns: " + ", ".join(map(str, table.columns)))
    if kind == "summary":
        return float(table[column].mean())
    value = float(table.loc[table["cycle"] == t.cycle, column].mean())
    return 1.0 - value if t.metric == "switched" else value
