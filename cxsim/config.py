"""Compose a run's config from the shipped Hydra configs, the user's own files and overrides.

The library itself needs no Hydra: build specs from dicts with :mod:`cxsim.specs.build` or from
the dataclasses directly. These helpers compose the YAML files with overrides, exactly as the
``cxsim`` commands do, and turn Hydra's composition errors into one-line
:class:`~cxsim.errors.SpecError` messages (with "did you mean ..." for a mistyped key or group).

Where configs come from, first match wins:

1. the shipped configs (the package ``cxsim.configs``: ``scenario/``, ``memory/``,
   ``intervention/``, ``sweep/``, ...);
2. the folders named in the environment variable ``CXSIM_CONFIG_PATH`` (separated by
   ``os.pathsep``, ``:`` on Linux and macOS) and the ``config_dirs`` argument (the commands'
   ``--config-dir DIR``), each laid out like the shipped configs: ``DIR/scenario/mine.yaml`` is
   chosen with ``scenario=mine``;
3. a scenario file given by its path: ``scenario=path/to/mine.yaml`` (a value that contains a
   ``/`` or ends in ``.yaml``).

A user's file is validated exactly as a shipped one; a YAML syntax error in it is one line naming
the file and the line.
"""

from __future__ import annotations

import atexit
import difflib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.errors import SpecError
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.scenario import RunSpec
from cxsim.yaml_files import read_yaml_text, yaml_error

CONFIG_MODULE = "cxsim.configs"
#: The config groups a command line chooses from (``group=option``).
GROUPS = ("scenario", "memory", "intervention", "sweep")
#: Environment variable: folders of the user's own configs, laid out like the shipped ones.
SEARCH_PATH_ENV = "CXSIM_CONFIG_PATH"
#: The option under which a scenario given by its path is composed (``scenario=file/<stem>``).
FILE_OPTION = "file"


class UnknownKeyError(SpecError):
    """A key or name that does not exist; the message suggests the closest known one."""

    def __init__(self, field: str, known: Sequence[str], what: str = "unknown") -> None:
        super().__init__(field, field, did_you_mean(field, known))
        ValueError.__init__(self, f"{field}: {what}; {did_you_mean(field, known)}")


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """``"did you mean X?"`` for the closest of ``known`` (:func:`difflib.get_close_matches`)."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    shown = sorted(known)
    return "known: " + ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "")


# ---------------------------------------------------------------------------- search path


def config_dirs(extra: Sequence[str | Path] = ()) -> list[Path]:
    """The user's config folders: ``extra`` (``--config-dir``) first, then ``CXSIM_CONFIG_PATH``.

    Raises:
        SpecError: a folder that does not exist.
    """
    found: list[Path] = []
    named = [(str(d), "--config-dir") for d in extra]
    named += [
        (d, SEARCH_PATH_ENV) for d in os.environ.get(SEARCH_PATH_ENV, "").split(os.pathsep) if d
    ]
    for text, source in named:
        folder = Path(text).expanduser()
        if not folder.is_dir():
            raise SpecError(
                source,
                text,
                "an existing folder of configs (e.g. DIR/scenario/mine.yaml) is required",
            )
        if folder.resolve() not in found:
            found.append(folder.resolve())
    return found


def available(group: str, extra_dirs: Sequence[str | Path] = ()) -> list[str]:
    """Names of the options of a config group: shipped, and in the user's config folders."""
    folder = resources.files(CONFIG_MODULE).joinpath(group)
    names = (
        {p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")}
        if folder.is_dir()
        else set()
    )
    for d in config_dirs(extra_dirs):
        names |= {p.stem for p in (d / group).glob("*.yaml")}
    return sorted(names)


def read_yaml(path: Path, field: str) -> dict[str, Any]:
    """A user's YAML file as a mapping; a syntax error is one line naming the file and the line."""
    text = read_yaml_text(path, field)  # unreadable, binary or not UTF-8: one line
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SpecError(
            field, str(path), f"YAML syntax error in {path.name}, {where}: {problem}"
        ) from None
    if not isinstance(data, dict):
        raise SpecError(
            field, str(path), "the file must hold a YAML mapping (a scenario: name, journey, ...)"
        )
    return data


def is_path(value: str) -> bool:
    """Whether a group choice names a file (contains a ``/`` or ends in ``.yaml``/``.yml``)."""
    return "/" in value or os.sep in value or value.endswith((".yaml", ".yml"))


@dataclass(frozen=True)
class Prepared:
    """Overrides ready for Hydra: scenario files replaced by staged options, and the search path."""

    overrides: tuple[str, ...]
    searchpath: tuple[str, ...]

    def hydra_overrides(self) -> list[str]:
        """The overrides, with ``hydra.searchpath=[...]`` when there is a search path."""
        if not self.searchpath:
            return list(self.overrides)
        return [*self.overrides, "hydra.searchpath=[" + ",".join(self.searchpath) + "]"]


_STAGE: list[Path] = []


def _stage_dir() -> Path:
    """A private folder (removed at exit) that holds copies of scenario files given by path."""
    if not _STAGE:
        _STAGE.append(Path(tempfile.mkdtemp(prefix="cxsim-scenarios-")))
        atexit.register(shutil.rmtree, _STAGE[0], True)
    return _STAGE[0]


def _stage(path_text: str) -> str:
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise SpecError(
            "scenario",
            path_text,
            "a scenario file that exists (or a name: " + ", ".join(available("scenario")) + ")",
        )
    read_yaml(path, "scenario")
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", path.name.rsplit(".", 1)[0]) or "scenario"
    target = _stage_dir() / "scenario" / FILE_OPTION / f"{stem}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(path.read_bytes())
    return f"{FILE_OPTION}/{target.stem}"


def _check_choice(group: str, value: str, dirs: Sequence[Path]) -> None:
    names = available(group, dirs)
    if value not in names:
        hint = did_you_mean(value, names)
        hint = f"{hint} allowed: " if hint.startswith("did") else "allowed: "
        raise SpecError(group, value, hint + ", ".join(names))
    for d in dirs:  # a user's file that Hydra will load: its YAML checked first, for a clear error
        user_file = d / group / f"{value}.yaml"
        if (
            user_file.is_file()
            and not resources.files(CONFIG_MODULE).joinpath(group, f"{value}.yaml").is_file()
        ):
            read_yaml(user_file, group)
            break


def prepare(overrides: Sequence[str], extra_dirs: Sequence[str | Path] = ()) -> Prepared:
    """Check group choices, stage scenario files given by path, and build the search path.

    Raises:
        SpecError: an unknown group option, a missing file or a YAML syntax error.
    """
    dirs = config_dirs(extra_dirs)
    out: list[str] = []
    staged = False
    for item in overrides:
        key, sep, value = item.partition("=")
        bare = key.lstrip("+~")
        if (
            sep and bare == "scenario" and is_path(value)
        ):  # a file, or files swept with -m: a.yaml,b.yaml
            options = [_stage(v) if is_path(v) else v for v in value.split(",")]
            item, staged = f"{key}={','.join(options)}", True
        elif sep and bare in GROUPS and value.strip()[:1] in ("[", "{"):
            raise SpecError(bare, value, "the name of one option is required: " + ", ".join(available(bare, dirs)))
        elif sep and bare in GROUPS and "," not in value:
            _check_choice(bare, value, dirs)
        out.append(item)
    searchpath = [f"file://{d}" for d in dirs] + ([f"file://{_stage_dir()}"] if staged else [])
    return Prepared(tuple(out), tuple(searchpath))


# ---------------------------------------------------------------------------- compose


def _compose(overrides: Sequence[str]) -> dict[str, Any]:
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    data = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(data, dict)
    data.pop("hydra", None)
    return cast(dict[str, Any], data)


def compose_config(
    overrides: Sequence[str] = (), config_dirs: Sequence[str | Path] = ()
) -> dict[str, Any]:
    """Compose ``config.yaml`` with Hydra overrides into plain, resolved dicts (no ``hydra`` key).

    Args:
        overrides: Hydra overrides such as ``scenario=retail_street`` or ``sim.n_customers=500``;
            ``scenario=path/to/mine.yaml`` composes the user's own scenario file.
        config_dirs: folders of the user's own configs (searched after the shipped ones, like
            those in ``CXSIM_CONFIG_PATH``).

    Raises:
        SpecError: one line naming the override and what is allowed.
    """
    prepared = prepare(overrides, config_dirs)
    user = [o for o in prepared.overrides if not o.lstrip("+~").startswith("hydra.")]
    try:
        return _compose(Prepared(tuple(user), prepared.searchpath).hydra_overrides())
    except (HydraException, OmegaConfBaseException) as err:
        raise explain(err, user, prepared.searchpath) from None
    except yaml.YAMLError as err:  # a broken file reached through a defaults list
        raise yaml_error(err, "config") from None
    except (TypeError, ValueError, AttributeError, KeyError) as err:  # Hydra's own failure on odd input
        raise _from_hydra(err, user) from None


def flat_keys(data: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted key of a nested mapping (list items as ``.0``, ``.1``, ...), nodes included."""
    items: Any = (
        data.items()
        if isinstance(data, Mapping)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for k, v in items:
        key = f"{prefix}{k}"
        yield key
        yield from flat_keys(v, key + ".")


def explain(err: Exception, overrides: Sequence[str], searchpath: Sequence[str] = ()) -> SpecError:
    """Hydra's error as one line: "did you mean ..." for an unknown key, else the override."""
    try:
        groups = [o for o in overrides if o.partition("=")[0].lstrip("+~") in GROUPS]
        known = set(
            flat_keys(_compose(Prepared(tuple(groups), tuple(searchpath)).hydra_overrides()))
        )
    except (HydraException, OmegaConfBaseException):
        known = set()
    if known:
        for item in overrides:
            key = item.partition("=")[0]
            if (
                key.startswith(("+", "~"))
                or key.startswith("hydra")
                or key in GROUPS
                or key in known
            ):
                continue
            return UnknownKeyError(key, sorted(known | set(GROUPS)))
    return _from_hydra(err, overrides)


def _from_hydra(err: Exception, overrides: Sequence[str]) -> SpecError:
    text = " ".join(str(err).split())
    for item in overrides:
        key = item.partition("=")[0].lstrip("+~")
        if key and key in text:
            return SpecError(key, item.partition("=")[2], f"the override was refused: {text}")
    return SpecError("overrides", list(overrides), f"the config could not be composed: {text}")


def load_run_spec(overrides: Sequence[str] = (), config_dirs: Sequence[str | Path] = ()) -> RunSpec:
    """Compose the configs with ``overrides`` and validate them into a :class:`RunSpec`.

    Example:
        >>> spec = load_run_spec(["scenario=retail_street", "memory=mean", "sim.n_customers=500"])
        >>> spec.scenario.name, spec.scenario.memory.model.kind, spec.sim.n_customers
        ('retail_street', 'mean', 500)
    """
    return run_spec_from_dict(compose_config(overrides, config_dirs))
