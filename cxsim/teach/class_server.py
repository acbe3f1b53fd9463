"""The students' pages of a class round: a small HTTP server that runs only while a round is open.

Opening a round (:func:`open_round`) starts a :class:`http.server.ThreadingHTTPServer` on the
address :func:`cxsim.teach.classroom.listen_host` decides (the machine's LAN address, or an
explicit one); closing it (:func:`close_round`) shuts the server and closes its socket, so that
nothing listens beyond the teacher's own page once the round is over. The pages are plain HTML
forms (no script, no cookie, no external asset) in the page's language:

* ``/`` — type the join code;
* ``/j/<CODE>`` — the cold-water episode as described, two ratings and the choice; any other code
  gets "no such round" (404), so only holders of the code reach the round.

Answers go to the round held in this process (:mod:`cxsim.teach.classroom`); nothing is written.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from cxsim.errors import SpecError
from cxsim.teach import classroom, i18n

#: Largest form body accepted (bytes): an answer is a few dozen.
MAX_BODY = 4096

_STYLE = """body{font-family:system-ui,sans-serif;max-width:34em;margin:0 auto;padding:1em;font-size:1.15em;
line-height:1.45}h1{font-size:1.4em}fieldset{border:1px solid #bbb;border-radius:8px;margin:1em 0;padding:.8em}
select,input,button{font-size:1.1em;padding:.4em;margin:.3em 0}button{width:100%;background:#2a9d8f;color:#fff;
border:0;border-radius:8px;padding:.7em}.err{color:#b00020}label{display:block;margin:.4em 0}"""


def _page(lang: str, body: str) -> bytes:
    title = html.escape(i18n.translator(lang)("Class experiment"))
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{_STYLE}</style></head><body>{body}</body></html>").encode()


def code_page(lang: str, message: str = "") -> bytes:
    """The page where a student types the join code."""
    _ = i18n.translator(lang)
    title, label, join = (html.escape(x) for x in (_("Class experiment"), _("join code"), _("Join")))
    err = f'<p class="err">{html.escape(message)}</p>' if message else ""
    return _page(lang, f"<h1>{title}</h1>{err}"
                       f'<form method="get" action="/join"><label>{label} '
                       f'<input name="code" autocomplete="off" autocapitalize="characters" required></label>'
                       f'<button type="submit">{join}</button></form>')


def episode_page(lang: str, code: str, message: str = "") -> bytes:
    """The cold-water episode as described, the two ratings and the choice (a fresh student token)."""
    _ = i18n.translator(lang)
    words = {k: html.escape(v) for k, v in {
        "title": _("Cold water: two trials"),
        "a": _("Trial A"),
        "a_text": _("Hold one hand in cold water (14 °C) for 60 seconds."),
        "b": _("Trial B"),
        "b_text": _("Hold the other hand in the same cold water (14 °C) for 60 seconds, then keep it there "
                    "30 seconds more while the water is warmed slightly, to 15 °C."),
        "rate_short": _("How unpleasant was trial A? (0 = not at all, 10 = extremely)"),
        "rate_long": _("How unpleasant was trial B? (0 = not at all, 10 = extremely)"),
        "choose": _("You must do one trial again. Which one?"),
        "short": _("trial A (60 s)"),
        "long": _("trial B (90 s)"),
        "send": _("Send"),
    }.items()}
    options = "".join(f'<option value="{v}">{v}</option>'
                      for v in range(classroom.RATING_MIN, classroom.RATING_MAX + 1))
    err = f'<p class="err">{html.escape(message)}</p>' if message else ""
    ratings = "".join(f'<label>{words["rate_" + trial]} <select name="unpleasant_{trial}" required>'
                      f'<option value="" selected disabled>—</option>{options}</select></label>'
                      for trial in classroom.TRIALS)
    return _page(lang, (
        f"<h1>{words['title']}</h1>{err}"
        f"<fieldset><legend>{words['a']}</legend><p>{words['a_text']}</p></fieldset>"
        f"<fieldset><legend>{words['b']}</legend><p>{words['b_text']}</p></fieldset>"
        f'<form method="post" action="/j/{quote(code)}">'
        f'<input type="hidden" name="student" value="{secrets.token_urlsafe(12)}">{ratings}'
        f"<fieldset><legend>{words['choose']}</legend>"
        f'<label><input type="radio" name="repeat" value="short" required> {words["short"]}</label>'
        f'<label><input type="radio" name="repeat" value="long"> {words["long"]}</label></fieldset>'
        f'<button type="submit" class="cx-send">{words["send"]}</button></form>'))


def thanks_page(lang: str, answer: classroom.Answer) -> bytes:
    """What a student sees after answering."""
    _ = i18n.translator(lang)
    chosen = _("trial A (60 s)") if answer.repeat == "short" else _("trial B (90 s)")
    title = html.escape(_("Thank you"))
    said = html.escape(_("You chose to repeat {trial}.").format(trial=chosen))
    look = html.escape(_("Look at the screen: the class result is there."))
    return _page(lang, f'<h1>{title}</h1><p class="cx-thanks">{said}</p><p>{look}</p>')


def _handler(round_: classroom.ClassRound, lang: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "cxsim-class"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the console quiet (students' requests are not the teacher's business)."""

        def _send(self, status: HTTPStatus, body: bytes, location: str = "") -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            self.wfile.write(body)

        def _code_of(self, path: str) -> str | None:
            parts = path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "j" and round_.accepts(parts[1]):
                return round_.code
            return None

        def do_GET(self) -> None:
            _ = i18n.translator(lang)
            url = urlsplit(self.path)
            if url.path in ("/", ""):
                self._send(HTTPStatus.OK, code_page(lang))
            elif url.path == "/join":
                typed = (parse_qs(url.query).get("code") or [""])[0]
                if round_.accepts(typed):
                    self._send(HTTPStatus.SEE_OTHER, b"", location=f"/j/{round_.code}")
                else:
                    self._send(HTTPStatus.NOT_FOUND, code_page(lang, _("No class round has this code.")))
            elif (code := self._code_of(url.path)) is not None:
                self._send(HTTPStatus.OK, episode_page(lang, code))
            else:
                self._send(HTTPStatus.NOT_FOUND, code_page(lang, _("No class round has this code.")))

        def do_POST(self) -> None:
            code = self._code_of(urlsplit(self.path).path)
            if code is None:
                missing = i18n.translator(lang)("No class round has this code.")
                self._send(HTTPStatus.NOT_FOUND, code_page(lang, missing))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                too_large = i18n.translator(lang)("form too large")
                self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, episode_page(lang, code, too_large))
                return
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
            try:
                answer = classroom.Answer(form.get("unpleasant_short", ""), form.get("unpleasant_long", ""),  # type: ignore[arg-type]
                                          form.get("repeat", ""))
                round_.answer(form.get("student", ""), answer)
            except SpecError as err:
                self._send(HTTPStatus.BAD_REQUEST, episode_page(lang, code, i18n.error_text(err, lang)))
                return
            self._send(HTTPStatus.OK, thanks_page(lang, answer))

    return Handler


@dataclass
class OpenRound:
    """A round with its students' server listening."""

    round: classroom.ClassRound
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def host(self) -> str:
        """The address the students' pages listen on."""
        return str(self.server.server_address[0])

    @property
    def port(self) -> int:
        """The port the students' pages listen on."""
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        """The address students open (the QR code's content): the round's page, code included."""
        return f"http://{self.host}:{self.port}/j/{self.round.code}"

    @property
    def base_url(self) -> str:
        """The address where students type the code."""
        return f"http://{self.host}:{self.port}/"


_lock = threading.Lock()
_current: OpenRound | None = None


def current() -> OpenRound | None:
    """The open round of this process, if any."""
    return _current


def open_round(lang: str = "en", host: str | None = None, port: int = 0) -> OpenRound:
    """Open a class round (closing any open one) and start its students' server.

    Args:
        lang: language of the students' pages.
        host: an explicit address (default: this machine's LAN address, :func:`classroom.listen_host`).
        port: the port (0: one the system picks).
    """
    global _current
    lang = i18n.check_language(lang)
    with _lock:
        _close_locked()
        round_ = classroom.ClassRound()
        where = classroom.listen_host(True, host)
        assert where is not None  # a round is open
        server = ThreadingHTTPServer((where, port), _handler(round_, lang))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name="cxsim-class-round", daemon=True)
        thread.start()
        _current = OpenRound(round_, server, thread)
        return _current


def _close_locked() -> None:
    global _current
    if _current is not None:
        _current.server.shutdown()
        _current.server.server_close()
        _current.thread.join(timeout=5)
        _current = None


def close_round() -> None:
    """Close the open round: its students' server stops and its socket closes (no-op when none is open)."""
    with _lock:
        _close_locked()
