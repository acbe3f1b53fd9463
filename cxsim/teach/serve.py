"""The ``cxsim-teach`` command: start the teachers' page (Solara) on this machine.

    cxsim-teach                       # http://127.0.0.1:8765 (localhost only)
    cxsim-teach --port 9000
    cxsim-teach --host 0.0.0.0        # visible on the network: only on a classroom network you trust

It runs ``solara run cxsim.teach.app`` in production mode. A bad argument prints one line and
exits with status 2.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence

from cxsim.errors import OneLineParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _port(text: str) -> int:
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; a port number from 1 to 65535 is required")
    return port


def command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [sys.executable, "-m", "solara", "run", "cxsim.teach.app", "--host", host, "--port", str(port),
            "--production", "--no-open"]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``cxsim-teach``."""
    p = OneLineParser(prog="cxsim-teach", description=__doc__,
                      formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    args = p.parse_args(argv)
    cmd = command(args.host, args.port)
    print(f"cxsim-teach: serving the teaching page on http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
    # Serve from a neutral folder: `python -m` puts the working directory first on sys.path, and in a
    # source checkout that would shadow the installed cxsim (whose configs package lives elsewhere).
    os.chdir(tempfile.gettempdir())
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
