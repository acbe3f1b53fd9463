"""The teachers' page's class experiment and presentation mode (Solara components).

* :func:`ClassRoundView` — **Open class round** starts the students' pages
  (:mod:`cxsim.teach.class_server`) and shows the join code, the address and a QR code of it;
  the class's answers are tallied live beside the published share and the simulated population
  (:func:`cxsim.teach.slides.class_slide`); **Download CSV** saves the answers; **Close class
  round** stops the students' server, so nothing listens beyond this machine's own page.
* :func:`Presentation` (``?present=1``) — one idea per screen in large type (the episode curve,
  remembered vs experienced, the class result, the business case); the arrow keys, Page Up/Down
  and the space bar move between screens, ``f`` toggles full screen; every figure downloads as
  PNG or SVG at slide size (:mod:`cxsim.teach.slides`).

The address of the students' pages is set by the server's ``--class-host`` / ``--class-port``
(environment ``CXSIM_TEACH_CLASS_HOST`` / ``CXSIM_TEACH_CLASS_PORT``); by default this machine's
LAN address and a port the system picks.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import segno
import solara

from cxsim.errors import SpecError
from cxsim.teach import class_server, i18n, slides
from cxsim.teach.i18n import N_

#: Environment variables through which ``cxsim teach`` passes the class round's address.
HOST_VAR = "CXSIM_TEACH_CLASS_HOST"
PORT_VAR = "CXSIM_TEACH_CLASS_PORT"
#: How often the teacher's page reads the class's answers (seconds).
POLL_SECONDS = 1.0

lang = solara.reactive(i18n.default_language())


@solara.component
def LanguageBar() -> None:
    """English / 中文 buttons and the link to the presentation."""
    with solara.Row(classes=["cx-wrap", "cx-lang"]):
        for code, name in i18n.LANGUAGES.items():
            solara.Button(name, on_click=partial(lang.set, code), outlined=code != lang.value, small=True,
                          classes=[f"cx-lang-{code}"])
        solara.HTML(tag="a", unsafe_innerHTML=html.escape(i18n.translator(lang.value)("presentation mode")),
                    attributes={"href": f"?present=1&lang={lang.value}"},
                    classes=["cx-present-link"]).key(f"present-{lang.value}")  # a new link per language


def _class_address() -> tuple[str | None, int]:
    host = os.environ.get(HOST_VAR, "").strip() or None
    port = os.environ.get(PORT_VAR, "").strip()
    return host, int(port) if port.isdigit() else 0


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as inline SVG (drawn here, by segno: no web service)."""
    return str(segno.make(url, error="m").svg_inline(scale=6, border=2))


def _downloads(make: Callable[[], Any], stem: str, css: str) -> None:
    _ = i18n.translator(lang.value)
    for fmt in slides.FORMATS:
        with solara.Div(classes=[f"{css}-{fmt}"]):  # FileDownload takes no CSS classes of its own
            solara.FileDownload(lambda fmt=fmt: slides.export(make(), fmt), filename=f"{stem}.{fmt}",
                                label=_("download {fmt}").format(fmt=fmt.upper()), mime_type=slides.FORMATS[fmt])


def _round_state() -> tuple[str, int, int]:
    """What the view shows of the open round: its code, answers and long-trial choices ("" and 0s when none)."""
    now = class_server.current()
    if now is None:
        return ("", 0, 0)
    t = now.round.tally()
    return (now.round.code, t.n, t.long)


def use_tally() -> tuple[str, int, int]:
    """The open round's code, answers and long-trial choices, read every :data:`POLL_SECONDS` seconds.

    The component re-renders only when one of them changes (they are plain strings and integers:
    no NaN that would differ from itself and redraw the figure every second).
    """
    state = solara.use_reactive(_round_state())

    def poll(cancel: threading.Event) -> None:
        while not cancel.is_set():
            seen = _round_state()
            if seen != state.value:
                state.value = seen
            cancel.wait(POLL_SECONDS)

    solara.use_thread(poll, dependencies=[])
    return state.value


@solara.component
def ClassRoundView() -> None:
    """Open a class round, show the join code and QR, tally the answers live, download them."""
    _ = i18n.translator(lang.value)
    use_tally()
    error = solara.use_reactive("")
    clicks = solara.use_reactive(0)  # bumped by every button, so that the view shows the change at once
    now = class_server.current()

    def open_() -> None:
        host, port = _class_address()
        try:
            class_server.open_round(lang.value, host, port)
            error.value = ""
        except (OSError, SpecError) as err:
            error.value = _("the class round could not start: {reason}").format(reason=i18n.error_text(err, lang.value))
        clicks.value += 1

    def close() -> None:
        class_server.close_round()
        clicks.value += 1

    def reset() -> None:
        if now is not None:
            now.round.reset()
        clicks.value += 1

    with solara.Card(_("Class experiment: cold water")):
        solara.Text(_("Students join from their phones on this room's network; their answers stay on this "
                "machine. Each goes through the cold-water episode, rates both trials and chooses "
                "which one to repeat."))
        with solara.Row(classes=["cx-wrap"]):
            solara.Button(_("Open class round") if now is None else _("New class round"), on_click=open_,
                          color="primary", classes=["cx-open-round"])
            solara.Button(_("Reset answers"), on_click=reset,
                          outlined=True, disabled=now is None, classes=["cx-reset-round"])
            solara.Button(_("Close class round"), on_click=close, outlined=True,
                          disabled=now is None, classes=["cx-close-round"])
            if now is not None:
                with solara.Div(classes=["cx-csv"]):  # FileDownload takes no CSS classes of its own
                    solara.FileDownload(now.round.csv, filename="class_round.csv", label=_("Download CSV"),
                                        mime_type="text/csv")
        if error.value:
            solara.Error(error.value, classes=["cx-class-error"])
        if now is None:
            return
        with solara.Row(classes=["cx-wrap"]):
            with solara.Column():
                solara.Text(_("join code"))
                solara.Text(now.round.code, classes=["cx-code"])
                solara.Text(now.base_url, classes=["cx-join-url"])
                solara.Text(now.url, classes=["cx-join-link"], style={"display": "none"})
            solara.HTML(tag="div", unsafe_innerHTML=qr_svg(now.url), classes=["cx-qr"])
        t = now.round.tally()  # the poll re-renders this view when the answers change
        n, long = t.n, t.long
        solara.Text(_("{n} answers · {long} chose the long trial").format(n=n, long=long), classes=["cx-tally"])
        solara.FigureMatplotlib(slides.class_slide(n, long, lang.value), format="png")


_SLIDES: tuple[tuple[str, str], ...] = (
    ("episode", N_("One experience, moment by moment: the peak and the end stand out")),
    ("remembered", N_("Experienced and remembered are not the same")),
    ("class", N_("Your class, the published experiment and the simulation")),
    ("business", N_("The business case")),
)


def _slide_figure(name: str, lang_: str) -> Any:
    if name == "episode":
        return slides.episode_slide(lang_)
    if name == "remembered":
        return slides.remembered_slide(lang_)
    if name == "business":
        return slides.business_slide(lang_)
    now = class_server.current()
    t = now.round.tally() if now is not None else None
    return slides.class_slide(t.n if t else 0, t.long if t else 0, lang_)


@solara.component_vue(str(Path(__file__).resolve().parent / "static" / "keys.vue"))
def KeyNav(event_key: Callable[[str], None]) -> None:
    """Listens to the keyboard (arrows, Page Up/Down, space, Home/End; ``f``: full screen)."""


@solara.component
def Presentation() -> None:
    """One idea per screen, large type, keyboard navigation, figures downloadable at slide size."""
    _ = i18n.translator(lang.value)
    index = solara.use_reactive(0)
    use_tally()  # re-renders the class slide as answers arrive
    last = len(_SLIDES) - 1

    def key(what: str) -> None:
        index.value = {"next": min(last, index.value + 1), "previous": max(0, index.value - 1),
                       "first": 0, "last": last}.get(what, index.value)

    KeyNav(event_key=key)
    name, title = _SLIDES[index.value]
    with solara.Column(classes=["cx-present", f"cx-slide-{name}"]):
        solara.HTML(tag="h1", unsafe_innerHTML=html.escape(_(title)), classes=["cx-slide-title"])
        solara.FigureMatplotlib(_slide_figure(name, lang.value), format="png")
        with solara.Row(classes=["cx-wrap"]):
            solara.Button("←", on_click=partial(key, "previous"), disabled=index.value == 0, classes=["cx-prev"])
            solara.Text(f"{index.value + 1} / {len(_SLIDES)}", classes=["cx-slide-number"])
            solara.Button("→", on_click=partial(key, "next"), disabled=index.value == last, classes=["cx-next"])
            _downloads(partial(_slide_figure, name, lang.value), f"cxsim_{name}", "cx-export")
            solara.Text(_("keys: ← → to move, f for full screen"))
            solara.HTML(tag="a", unsafe_innerHTML=html.escape(_("back to the page")),
                        attributes={"href": f"?lang={lang.value}"}, classes=["cx-page-link"]).key(f"back-{lang.value}")
