"""The one error type a user sees for bad input.

Every check on a config or spec raises :class:`SpecError`, which names the field (as a dotted
path such as ``scenario.journey.touchpoints[2].name``), the bad value and what is allowed. The
``cxsim`` command prints ``str(error)`` as one line and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

#: Exit status of every cxsim command for bad input (a config, an argument, a data file).
EXIT_BAD_INPUT = 2


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""Stands for a required field that was not given."""


class SpecError(ValueError):
    """A field of a scenario, memory model or simulation setting holds a value that is not allowed.

    Attributes:
        field: dotted path of the field, e.g. ``scenario.population.segments[0].share``.
        value: the offending value.
        allowed: what would have been accepted, in words.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        if value is MISSING:
            super().__init__(f"{field}: missing; {allowed}")
        else:
            super().__init__(f"{field}: {_show(value)} is not allowed; {allowed}")

    def at(self, prefix: str) -> SpecError:
        """The same error with ``prefix`` put in front of its field path."""
        if not prefix:
            return self
        field = f"{prefix}.{self.field}" if self.field and not self.field.startswith("[") else f"{prefix}{self.field}"
        return SpecError(field, self.value, self.allowed)


def fail(prog: str, err: Exception | str) -> NoReturn:
    r"""Print ``prog: error: err`` as one line on stderr and exit with :data:`EXIT_BAD_INPUT`.

    A line break inside the message (a name typed with one) is shown as ``\n``: the error stays one line.
    """
    text = str(err).replace("\r", "\\r").replace("\n", "\\n")
    print(f"{prog}: error: {text}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2, like every cxsim error."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog, message)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (``2.5``, not ``np.float64(2.5)``); other values as given."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    return value


def _show(value: Any) -> str:
    text = repr(_plain(value))
    return text if len(text) <= 80 else text[:77] + "..."
