"""``cxsim teach``: start the teachers' page (Solara) on this machine.

    cxsim teach                       # http://127.0.0.1:8765 (localhost only)
    cxsim teach --port 9000
    cxsim teach --host 0.0.0.0        # visible on the network: only on a classroom network

It runs ``solara run cxsim.teach.app`` in production mode. The page needs the ``[teach]`` extra
(``pip install 'cxsim[teach]'``); without it the command says so in one line. A bad argument
prints one line and exits with status 2. ``cxsim-teach`` is an alias kept for one release.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from collections.abc import Sequence

from cxsim.errors import OneLineParser, fail

PROG = "cxsim-teach"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: The modules the ``[teach]`` extra installs and the page needs.
TEACH_MODULES = ("solara", "ipyvuetify", "ipyvue")
EXTRA_MISSING = "the teaching page needs the [teach] extra: pip install 'cxsim[teach]'"

DESCRIPTION = """\
Serve the teachers' page: the peak-end rule's classic experiments and the shipped scenarios,
with sliders, in a browser on this machine.

examples:
  cxsim teach                  # http://127.0.0.1:8765
  cxsim teach --port 9000
"""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; a port number from 1 to 65535 is required"
        )
    return port


def has_teach_extra() -> bool:
    """Whether the ``[teach]`` extra is installed (solara and its front end)."""
    for name in TEACH_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


def command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "cxsim.teach.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]


def parser(prog: str = PROG) -> OneLineParser:
    """The argument parser of ``cxsim teach`` (``prog``: the name in messages)."""
    note = (
        ""
        if prog.startswith("cxsim ")
        else f"({prog} is an alias of `cxsim teach`, kept for one release.)\n\n"
    )
    p = OneLineParser(
        prog=prog,
        description=note + DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    return p


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> None:
    """``cxsim teach`` (and its alias ``cxsim-teach``); arguments default to ``sys.argv[1:]``."""
    args = parser(prog).parse_args(argv)
    if not has_teach_extra():
        fail(prog, EXTRA_MISSING)
    cmd = command(args.host, args.port)
    print(
        f"{prog}: serving the teaching page on http://{args.host}:{args.port}  (Ctrl-C stops it)",
        flush=True,
    )
    # Serve from a neutral folder: `python -m` puts the working directory first on sys.path, and
    # in a source checkout that would shadow the installed cxsim (whose configs package lives
    # elsewhere).
    os.chdir(tempfile.gettempdir())
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
