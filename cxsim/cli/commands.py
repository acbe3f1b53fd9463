"""The subcommands of ``cxsim``: one module each, registered here by name.

A subcommand is a module with ``main(argv, prog)``; adding one (``optimise``, ...) is one module
and one :class:`Command` line in :data:`COMMANDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxsim.errors import SpecError


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, the module with its ``main(argv, prog)`` and a one-line summary."""

    name: str
    module: str
    summary: str
    alias: str = ""  # the old console script kept for one release

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or not self.module.startswith("cxsim."):
            raise SpecError("command", self.name, "a name and a module inside cxsim are required")


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "run", "cxsim.cli.run", "simulate a scenario and write tables and figures (the default)"
        ),
        Command(
            "compare",
            "cxsim.cli.compare",
            "every intervention against the baseline, paired, with intervals",
            "cxsim-compare",
        ),
        Command(
            "sweep",
            "cxsim.cli.sweep",
            "runs over a grid or sample of parameters; sensitivity indices",
            "cxsim-sweep",
        ),
        Command(
            "fit",
            "cxsim.cli.fit",
            "fit memory models and key drivers to survey data (memory, drivers, ...)",
            "cxsim-fit",
        ),
        Command(
            "calibrate",
            "cxsim.cli.calibrate",
            "fit scenario parameters to observed aggregates",
            "cxsim-calibrate",
        ),
        Command(
            "optimise",
            "cxsim.cli.optimise",
            "the best portfolio of interventions and doses for a budget, with a stated confidence",
        ),
        Command(
            "teach",
            "cxsim.cli.teach",
            "serve the teachers' page in a browser (needs the [teach] extra)",
            "cxsim-teach",
        ),
    )
}
