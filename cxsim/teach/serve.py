"""``cxsim teach``: start the teachers' page (Solara) on this machine.

    cxsim teach                       # http://127.0.0.1:8765 (localhost only)
    cxsim teach --port 9000
    cxsim teach --lang zh             # the page in Chinese (default: the system locale)

The teacher's page listens on 127.0.0.1 only. The students' pages of a class round listen on the
machine's LAN address only while the teacher has a round open (``--class-host`` / ``--class-port``
choose another address or a fixed port; see :mod:`cxsim.teach.class_view`).

It runs ``solara run cxsim.teach.app`` in production mode, quietly: no check for a newer
Solara (the project pins its version) and no warning about cookies over plain HTTP on
127.0.0.1. The page needs the ``[teach]`` extra
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

from cxsim.errors import OneLineParser, SpecError, fail
from cxsim.teach import i18n, warmup

PROG = "cxsim-teach"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: The modules the ``[teach]`` extra installs and the page needs.
TEACH_MODULES = ("solara", "ipyvuetify", "ipyvue", "segno", "babel")
EXTRA_MISSING = "the teaching page needs the [teach] extra: pip install 'cxsim[teach]'"

#: Solara's warning when a page is served over plain HTTP to a host other than "localhost" (as
#: 127.0.0.1 is): irrelevant to a page on this machine; ignored in the server's process only.
COOKIE_WARNING = "Cookies with samesite=none require https"

DESCRIPTION = """\
Serve the teachers' page: the peak-end rule's classic experiments and the shipped scenarios,
with sliders, a class experiment and a presentation mode, in a browser on this machine.

examples:
  cxsim teach                  # http://127.0.0.1:8765
  cxsim teach --port 9000
  cxsim teach --lang zh        # in Chinese
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


def _lang(text: str) -> str:
    try:
        return i18n.check_language(text)
    except SpecError:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: {', '.join(i18n.LANGUAGES)}") from None


#: Where the teacher's page may listen: this machine only (students use a class round's pages).
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _loopback(text: str) -> str:
    if text not in LOOPBACK:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; allowed: {', '.join(LOOPBACK)} (students join through a class round)")
    return text


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
        "--no-check-version",
    ]


def environment(lang: str, class_host: str | None, class_port: int | None,
                base: dict[str, str] | None = None) -> dict[str, str]:
    """The server process's environment: ``base`` (default: this one) with the language, the class
    round's address, the engine's warm-up asked for (:mod:`cxsim.teach.warmup`) and the cookie warning
    silenced (:data:`COOKIE_WARNING`)."""
    env = dict(os.environ if base is None else base)
    env[i18n.ENV_VAR] = lang
    env[warmup.ENV_VAR] = "1"
    if class_host:
        env["CXSIM_TEACH_CLASS_HOST"] = class_host
    if class_port:
        env["CXSIM_TEACH_CLASS_PORT"] = str(class_port)
    ignore = f"ignore:{COOKIE_WARNING}:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS", ""), ignore) if w)
    return env


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
        type=_loopback,
        default=DEFAULT_HOST,
        help=f"address of the teacher's page, on this machine only: {', '.join(LOOPBACK)} (default {DEFAULT_HOST}); "
             "students reach a class round's own pages instead",
    )
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    p.add_argument("--lang", type=_lang, default=None,
                   help="language of the page: en or zh (default: $CXSIM_TEACH_LANG, else the system locale)")
    p.add_argument("--class-host", default=None,
                   help="address of the class round's student pages, while a round is open "
                        "(default: this machine's LAN address)")
    p.add_argument("--class-port", type=_port, default=None,
                   help="port of the class round's student pages (default: one the system picks)")
    return p


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> None:
    """``cxsim teach`` (and its alias ``cxsim-teach``); arguments default to ``sys.argv[1:]``."""
    args = parser(prog).parse_args(argv)
    if not has_teach_extra():
        fail(prog, EXTRA_MISSING)
    try:
        lang = args.lang or i18n.default_language()
    except SpecError as err:
        fail(prog, str(err))
    cmd = command(args.host, args.port)
    print(
        f"{prog}: serving the teaching page on http://{args.host}:{args.port}  (Ctrl-C stops it)",
        flush=True,
    )
    # Serve from a neutral folder: `python -m` puts the working directory first on sys.path, and
    # in a source checkout that would shadow the installed cxsim (whose configs package lives
    # elsewhere).
    os.chdir(tempfile.gettempdir())
    os.execve(cmd[0], cmd, environment(lang, args.class_host, args.class_port))


if __name__ == "__main__":
    main()
