"""What every config-composing command shares: ``--config-dir``, ``--help``, checks, then Hydra.

``cxsim run``, ``cxsim compare`` and ``cxsim sweep`` are Hydra apps on the package's configs
(``cxsim.configs``). Before Hydra starts, :func:`launch`

* takes ``--config-dir DIR`` (repeatable) and adds the folder to the user's config search path
  (the environment variable ``CXSIM_CONFIG_PATH``, which worker processes inherit);
* answers ``-h``/``--help`` with the command's own help: what it does, two examples, the config
  groups and their options (``--cfg job`` prints the whole composed config, ``--hydra-help``
  Hydra's own flags);
* stages a scenario given by path (``scenario=path/to/mine.yaml``) and checks group choices;
* for a plain run (overrides only), composes and validates everything, so that bad input is one
  line ``prog: error: ...`` with exit status 2 before Hydra creates the run directory;
* checks that the run directory (``hydra.run.dir``, or ``hydra.sweep.dir`` with ``-m``) can be
  created and written and that no other cxsim process is writing there
  (:func:`cxsim.files.check_output_dir`, :mod:`cxsim.locks`), before Hydra configures its log file
  in it.

The task then runs holding the folder's lock, with the folder's config checked
(:func:`cxsim.locks.folder_guard`), and any I/O error (a full disk) is one line, exit status 2.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import hydra
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from cxsim.cli.multirun import check_launcher
from cxsim.config import CONFIG_MODULE, GROUPS, SEARCH_PATH_ENV, Prepared, available, config_dirs, prepare
from cxsim.errors import SpecError, fail
from cxsim.files import check_output_dir, io_errors
from cxsim.locks import check_unlocked, folder_guard
from cxsim.resources import FORCE_ENV, FORCE_FLAG
from cxsim.specs.operations import UnboundedQueueWarning

CONFIG_DIR_FLAGS = ("--config-dir", "-cd")
HELP_FLAGS = ("-h", "--help")


def take_config_dirs(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``--config-dir DIR`` / ``--config-dir=DIR`` / ``-cd DIR`` out of ``argv``.

    Returns:
        The remaining arguments and the folders, in order.

    Raises:
        SpecError: a ``--config-dir`` without a folder.
    """
    rest: list[str] = []
    dirs: list[str] = []
    items = iter(argv)
    for item in items:
        flag, eq, value = item.partition("=")
        if flag in CONFIG_DIR_FLAGS:
            value = value if eq else next(items, "")
            if not value or value.startswith("-"):
                raise SpecError(flag, value, "a folder of configs is required (--config-dir DIR)")
            dirs.append(value)
        else:
            rest.append(item)
    return rest, dirs


def take_force(argv: Sequence[str]) -> list[str]:
    """Take ``--force`` out of ``argv``: run despite the resource estimates (:mod:`cxsim.resources`)."""
    if FORCE_FLAG not in argv:
        return list(argv)
    os.environ[FORCE_ENV] = "1"  # read by the checks here and by worker processes
    return [a for a in argv if a != FORCE_FLAG]


def note_unused(argv: Sequence[str], key: str, instead: str, prog: str) -> None:
    """A warning line on stderr when ``argv`` sets ``key``, which the command replaces by its own setting.

    ``cxsim compare sim.replications=100`` would otherwise run the comparison's own number of
    replications without a word.
    """
    for item in argv:
        name, eq, value = item.lstrip("+~").partition("=")
        if eq and name == key:
            print(f"{prog}: warning: {key}={value} is not used: {instead}", file=sys.stderr, flush=True)


def use_config_dirs(dirs: Sequence[str]) -> None:
    """Put ``dirs`` in front of the user's config search path of this process and its workers."""
    if dirs:
        config_dirs(dirs)  # every folder must exist
        old = [d for d in os.environ.get(SEARCH_PATH_ENV, "").split(os.pathsep) if d]
        os.environ[SEARCH_PATH_ENV] = os.pathsep.join([*dirs, *old])


def groups_help() -> str:
    """The config groups, their options and how to see or change the rest."""
    lines = [
        "config groups (choose with group=option; your own: scenario=path/to/file.yaml,",
        f"  --config-dir DIR or {SEARCH_PATH_ENV}=DIR holding DIR/scenario/NAME.yaml):",
    ]
    lines += [f"  {g:<13} {', '.join(available(g))}" for g in GROUPS]
    lines += [
        "",
        "any key of the composed config can be overridden with key=value "
        "(e.g. sim.n_customers=5000);",
        "--cfg job prints the whole composed config; --hydra-help lists Hydra's own flags "
        "(-m, --cfg, ...).",
    ]
    return "\n".join(lines)


def alias_note(prog: str, command: str) -> str:
    """The line an old command name's help starts with."""
    if prog.startswith("cxsim "):
        return ""
    return f"({prog} is an alias of `cxsim {command}`, kept for one release.)\n\n"


def _plain_run(argv: Sequence[str]) -> bool:
    """A single run with overrides only (no Hydra flags such as -m, --cfg)."""
    return all(not a.startswith("-") for a in argv)


MULTIRUN_FLAGS = ("-m", "--multirun")


def _hydra_dir(prepared: Prepared, key: str) -> str | None:
    """``hydra.run.dir`` / ``hydra.sweep.dir`` as Hydra will resolve it (None if it cannot be composed)."""
    given = [o.partition("=")[2] for o in prepared.overrides if o.partition("=")[0] == key]
    if given and "${" not in given[-1]:
        return given[-1]
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_module(CONFIG_MODULE, version_base="1.3"):
            overrides = prepared.hydra_overrides()
            if key == "hydra.sweep.dir":  # swept values (a,b) cannot be composed: Hydra's keys only
                overrides = [o for o in overrides if o.lstrip("+~").startswith("hydra.")]
            cfg = compose("config", overrides=overrides, return_hydra_config=True)
            value = OmegaConf.select(cfg, key)
    except (HydraException, OmegaConfBaseException, TypeError, ValueError, AttributeError, KeyError):
        return None  # bad overrides: the command's own validation names them
    finally:
        GlobalHydra.instance().clear()
    return None if value is None else str(value)


def check_run_dir(prepared: Prepared, args: Sequence[str]) -> None:
    """The folder Hydra will create can be created and written, and no other writer holds it.

    Raises:
        SpecError: naming ``hydra.run.dir`` (or ``hydra.sweep.dir``), the folder and the reason.
    """
    multirun = any(a in MULTIRUN_FLAGS for a in args)
    if not multirun and not _plain_run(args):
        return  # --cfg, --info, ...: Hydra writes nothing
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    folder = _hydra_dir(prepared, key)
    if folder is not None:
        check_output_dir(folder, key)
        check_unlocked(folder)


def guarded(prog: str, task: Callable[[DictConfig], Any]) -> Callable[[DictConfig], Any]:
    """``task`` run holding the run folder's lock, its config checked, I/O errors as one line."""

    @functools.wraps(task)  # Hydra names the job (and its log file) after the wrapped task's module
    def run(cfg: DictConfig) -> Any:
        out = HydraConfig.get().runtime.output_dir
        try:
            config = OmegaConf.to_container(cfg, resolve=True)
        except OmegaConfBaseException:
            config = OmegaConf.to_container(cfg, resolve=False)
        assert isinstance(config, dict)
        config.pop("hydra", None)
        try:
            with io_errors(prog), folder_guard(out, {str(k): v for k, v in config.items()}, prog), \
                    warnings.catch_warnings():
                # an unbounded queue is reported once, as a sanity warning (cxsim.sanity), not every cycle
                warnings.simplefilter("ignore", UnboundedQueueWarning)
                return task(cfg)
        except SpecError as err:
            fail(prog, err)

    return run


def launch(
    prog: str,
    task: Callable[[DictConfig], Any],
    validate: Callable[[list[str]], object],
    argv: Sequence[str] | None,
    help_text: str,
) -> None:
    """Run a Hydra command on the package's configs, bad input caught before anything is written.

    Args:
        prog: the command's name in messages (``cxsim``, ``cxsim compare``, ``cxsim-compare``).
        task: the Hydra task function.
        validate: composes and checks everything for a plain run (raises :class:`SpecError`).
        argv: the arguments (default ``sys.argv[1:]``).
        help_text: what ``--help`` prints before the config groups.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in HELP_FLAGS for a in args):
        print(help_text.rstrip() + "\n\n" + groups_help())
        return
    try:
        args = take_force(args)
        args, dirs = take_config_dirs(args)
        use_config_dirs(dirs)
        check_launcher(args)  # also for -m, where the overrides themselves cannot be pre-composed
        prepared = prepare(args)
        check_run_dir(prepared, args)  # first: what validate prints (a long job's estimate) is then true
        if _plain_run(args):
            validate(args)
    except SpecError as err:
        fail(prog, err)
    sys.argv = [sys.argv[0], *prepared.hydra_overrides()]
    app = hydra.main(config_path="pkg://cxsim.configs", config_name="config", version_base="1.3")(
        guarded(prog, task)
    )
    app()
