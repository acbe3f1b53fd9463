"""The ``cxsim`` command: one entry point, a subcommand per job.

    cxsim                                   # run the default scenario (same as `cxsim run`)
    cxsim scenario=retail_street memory=mean   # `cxsim run` with overrides
    cxsim compare compare.replications=20
    cxsim fit drivers survey.csv --outcome satisfied --touchpoints a,b,c --out outputs/drivers

With no subcommand, or with only ``key=value`` overrides and Hydra flags, ``cxsim`` runs the main
job (``cxsim run``). The subcommands are registered in :mod:`cxsim.cli.commands`; a mistyped one
gets "did you mean ...", one line, exit status 2; an I/O error any of them meets (a file in the way
of its output, a full disk) is one line, exit status 2, too.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from cxsim.cli.commands import COMMANDS
from cxsim.config import SEARCH_PATH_ENV, UnknownKeyError
from cxsim.errors import SpecError, fail
from cxsim.files import check_output_dir, io_errors

HELP = f"""\
usage: cxsim [COMMAND] [key=value ...]

cxsim simulates customer experience: customers go through journeys of touchpoints, remember them
(peak-end and rival memory models), and stay, leave and talk; it reports satisfaction, retention,
NPS, revenue and cost, and compares interventions.

examples:
  cxsim scenario=retail_street memory=mean sim.n_customers=50000 hydra.run.dir=outputs/street
  cxsim compare scenario=path/to/my_scenario.yaml compare.replications=20

commands:
{{commands}}

`cxsim COMMAND --help` explains one command. Commands that compose a config (run, compare, sweep,
calibrate) take Hydra key=value overrides, a scenario file of your own (scenario=path/to/file.yaml)
and folders of your own configs (--config-dir DIR, or {SEARCH_PATH_ENV}=DIR1:DIR2). A job estimated
not to fit in the memory available is refused before it starts; --force runs it anyway.
"""


def help_text() -> str:
    """The top-level help: what cxsim does, two examples, the subcommands."""
    lines = [
        f"  {c.name:<10} {c.summary}" + (f"  (alias: {c.alias})" if c.alias else "")
        for c in COMMANDS.values()
    ]
    return HELP.format(commands="\n".join(lines))


def _is_word(arg: str) -> bool:
    return not arg.startswith("-") and "=" not in arg


#: Where the commands that are not Hydra apps take their output folder: command -> flag or key.
OUTPUT_ARGS = {"fit": "--out", "calibrate": "calibrate.out"}


def declared_output(name: str, args: Sequence[str]) -> tuple[str, str] | None:
    """The output folder a command's arguments name, and how (``--out``, ``calibrate.out``), if any."""
    flag = OUTPUT_ARGS.get(name)
    if flag is None or any(a in ("-h", "--help") for a in args):
        return None
    for k, item in enumerate(args):
        key, eq, value = item.partition("=")
        if key == flag and (eq or flag.startswith("-")):
            value = value if eq else (args[k + 1] if k + 1 < len(args) else "")
            return (flag, value) if value and not value.startswith("-") else None
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``cxsim`` console script (arguments default to ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"], ["help"]):
        print(help_text().rstrip())
        return
    explicit = bool(args) and _is_word(args[0])
    name = args[0] if explicit else "run"
    command = COMMANDS.get(name)
    if command is None:
        fail("cxsim", UnknownKeyError(name, list(COMMANDS), "unknown command"))
    prog = f"cxsim {name}" if explicit else "cxsim"
    dispatch(name, args[1:] if explicit else args, prog)


def dispatch(name: str, args: list[str], prog: str) -> None:
    """Run the command ``name`` with its arguments, its output folder checked first and I/O faults in one line."""
    command = COMMANDS[name]
    out = declared_output(name, args)
    if out is not None:  # checked before the command reads its data, so a bad folder costs nothing
        try:
            check_output_dir(out[1], out[0])
        except SpecError as err:
            fail(prog, err)
    with io_errors(prog, ""):  # a file in the way or a full disk met by any subcommand: one line, exit 2
        importlib.import_module(command.module).main(args, prog)


def fit_alias() -> None:
    """The ``cxsim-fit`` console script: ``cxsim fit`` under its older name, with the same checks."""
    dispatch("fit", sys.argv[1:], "cxsim-fit")


def calibrate_alias() -> None:
    """The ``cxsim-calibrate`` console script: ``cxsim calibrate`` under its older name, with the same checks."""
    dispatch("calibrate", sys.argv[1:], "cxsim-calibrate")


if __name__ == "__main__":
    main()
