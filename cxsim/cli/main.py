"""The ``cxsim`` command: one entry point, a subcommand per job.

    cxsim                                   # run the default scenario (same as `cxsim run`)
    cxsim scenario=retail_street memory=mean   # `cxsim run` with overrides
    cxsim compare compare.replications=20
    cxsim fit drivers survey.csv --outcome satisfied --touchpoints a,b,c --out outputs/drivers

With no subcommand, or with only ``key=value`` overrides and Hydra flags, ``cxsim`` runs the main
job (``cxsim run``). The subcommands are registered in :mod:`cxsim.cli.commands`; a mistyped one
gets "did you mean ...", one line, exit status 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from cxsim.cli.commands import COMMANDS
from cxsim.config import SEARCH_PATH_ENV, UnknownKeyError
from cxsim.errors import fail

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
and folders of your own configs (--config-dir DIR, or {SEARCH_PATH_ENV}=DIR1:DIR2).
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
    importlib.import_module(command.module).main(args[1:] if explicit else args, prog)


if __name__ == "__main__":
    main()
