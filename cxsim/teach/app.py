"""The teachers' page (Solara): memory is not the average.

Start it with ``cxsim teach`` (bound to 127.0.0.1; ``--lang zh|en``), or ``solara run cxsim.teach.app``.
Every word on the page comes from the message catalogues of :mod:`cxsim.teach.i18n`; the language
is chosen with ``?lang=zh`` in the address, the buttons at the top, or the server's default.

* **Episode editor** — one experience as a row of sliders (affect per moment; 0 = as expected),
  or typed as numbers; a memory model to choose; the remembered value shown beside the average,
  with the peak and the end marked on the curve. Presets: the cold-water trials (Kahneman et al.
  1993) and colonoscopy patients A and B (Redelmeier & Kahneman 1996); ``?preset=NAME`` in the
  address opens one. Every number shown comes from :func:`cxsim.teach.episode.remember`, i.e.
  from :mod:`cxsim.behaviour.memory`.
* **Population view** — a shipped scenario run live, month by month, with cxsim's Mesa model,
  beside the same scenario with an intervention (``configs/intervention``) and the same seed
  (common random numbers), started with **Run** (and cleared with **Reset**), with a progress bar:
  mean satisfaction and retention update as the months pass.
* **Class experiment** and **presentation mode** (``?present=1``): :mod:`cxsim.teach.class_view`.

Bad input (no moments, a value that is not a number, an unknown preset, an intervention that
does not apply) shows a one-line message on the page, never a stack trace.
"""

from __future__ import annotations

import html
import threading
from functools import partial
from typing import Any
from urllib.parse import parse_qs

import solara

from cxsim.config import available, load_run_spec
from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.teach import class_view, i18n, style, typeface, warmup
from cxsim.teach.episode import MODEL_LABELS, PRESETS, Episode, parse_moments, remember
from cxsim.teach.i18n import N_
from cxsim.teach.page_style import css

PRESET_LABELS = {
    "cold_water_short": N_("cold water: short"),
    "cold_water_long": N_("cold water: long"),
    "colonoscopy_A": N_("colonoscopy: patient A"),
    "colonoscopy_B": N_("colonoscopy: patient B"),
}
START = "cold_water_long"
SLIDER_MIN, SLIDER_MAX, SLIDER_STEP = -10.0, 10.0, 0.1
POP_CUSTOMERS = 2000
POP_MONTHS = 12
#: Customers of the warm-up run (tiny: it only loads the engine's kernels and composes a scenario).
WARM_CUSTOMERS = 50

lang = class_view.lang
episode = solara.reactive(PRESETS[START])
model = solara.reactive("peak_end")
#: The editor's last bad input (shown in the page's language), None when there is none.
message: solara.Reactive[SpecError | None] = solara.reactive(None)
typed = solara.reactive(", ".join(f"{v:g}" for v in PRESETS[START].affect))


def _show(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.6g}" for v in values)


def choose_preset(name: str) -> None:
    """Load preset ``name`` into the editor, or show why it cannot be loaded."""
    try:
        ep = PRESETS[checks.choice("preset", name, PRESETS)]
    except SpecError as err:
        message.value = err
        return
    episode.value = ep
    typed.value = _show(ep.affect)
    message.value = None


def _slider_value(v: float) -> float:
    """What a slider shows for moment value ``v``: clamped to its range, on its step's grid."""
    return round(max(SLIDER_MIN, min(SLIDER_MAX, v)) / SLIDER_STEP) * SLIDER_STEP


def set_moment(index: int, value: object) -> None:
    """Set one moment from a slider; a value that is not a number shows a message."""
    try:
        changed = episode.value.with_moment(index, value)
    except SpecError as err:
        message.value = err
        return
    if _slider_value(changed.affect[index]) == _slider_value(episode.value.affect[index]):
        return  # the slider echoing what it shows (clamped, on its 0.1 grid): keep the moment and any message
    episode.value = changed
    typed.value = _show(changed.affect)
    message.value = None


def set_typed(text: str | None) -> None:
    """Replace the episode by typed numbers; no moment or a non-number shows a message."""
    if (text or "") == typed.value:  # the box echoing what it shows: keep any message
        return
    typed.value = text or ""
    try:
        ep = parse_moments(text or "")
    except SpecError as err:
        message.value = err
        return
    old = episode.value
    durations = old.durations if len(old.durations) == len(ep.affect) else ep.durations
    labels = old.labels if len(old.labels) == len(ep.affect) else ep.labels
    episode.value = Episode("your episode", ep.affect, durations, labels)
    message.value = None


def reset_episode() -> None:
    """Back to the start preset and the peak-end model."""
    choose_preset(START)
    model.value = "peak_end"


def _episode_figure(ep: Episode, kind: str, value: float, lang_: str) -> Any:
    _ = i18n.translator(lang_)
    with figure_style(style.THEME, style.RC):
        fig, ax = subplots(figsize=(8, 4.5))
        minutes = all(d == 60.0 for d in ep.durations)
        durs = [d / 60 for d in ep.durations] if minutes else list(ep.durations)
        style.episode_axes(ax, ep.affect, durs, value, _(kind.replace("_", "-")), title=_(ep.name),
                           time_unit="minutes" if minutes else "s", lang=lang_)
        lo, hi = min(ep.affect), max(ep.affect)
        ax.set_ylim(min(lo, value, 0) - 1, max(hi, value, 0) + 1)
        return typeface.localise(fig, lang_)


def Words(text: str, classes: list[str] | None = None) -> Any:
    """A paragraph of plain text (not Markdown: Markdown would load KaTeX for formulas the page has none of)."""
    return solara.HTML(tag="p", unsafe_innerHTML=html.escape(text), classes=classes or [])


@solara.component
def EpisodeEditor() -> None:
    """Sliders or typed numbers for one episode; the remembered value beside the average."""
    router = solara.use_router()
    _ = i18n.translator(lang.value)

    def from_address() -> None:
        wanted = parse_qs(router.search or "").get("preset")
        if wanted:
            choose_preset(wanted[0])

    solara.use_effect(from_address, [router.search])
    ep = episode.value
    with solara.Card(_("Episode editor: memory is not the average")):
        Words(_("Choose a classic experience, or make your own: each slider is one moment "
                "(0 = as expected, below 0 = unpleasant)."))
        with solara.Row(classes=["cx-presets", "cx-wrap"]):
            for name, label in PRESET_LABELS.items():
                solara.Button(_(label), on_click=partial(choose_preset, name), outlined=name != ep_name(ep),
                              classes=[f"cx-preset-{name}"])
        with solara.Row(classes=["cx-wrap"]):
            solara.Select(_("memory model"), values=list(MODEL_LABELS), value=model, classes=["cx-model"])
            solara.Button(_("Run"), on_click=lambda: None, color="primary", classes=["cx-editor-run"])
            solara.Button(_("Reset"), on_click=reset_episode, outlined=True, classes=["cx-editor-reset"])
        solara.Text(MODEL_LABELS[model.value])
        solara.InputText(_("moments, typed (comma-separated numbers)"), value=typed.value, on_value=set_typed,
                         classes=["cx-typed"])
        if message.value is not None:
            solara.Error(i18n.error_text(message.value, lang.value), classes=["cx-error"])
        try:
            value = remember(ep, model.value)
            mean = remember(ep, "mean")
        except SpecError as err:  # pragma: no cover - the episode is validated when set
            solara.Error(i18n.error_text(err, lang.value), classes=["cx-error"])
            return
        with solara.Row(classes=["cx-values", "cx-wrap"]):
            solara.Text(_("remembered:"), style={"font-weight": "bold"})
            solara.Text(f"{value:.3f}", classes=["cx-remembered"], style={"font-size": "1.4em", "color": "darkorange"})
            solara.Text(_("average moment:"), style={"font-weight": "bold"})
            solara.Text(f"{mean:.3f}", classes=["cx-mean"], style={"font-size": "1.4em"})
            solara.Text(_("peak: {peak:+.2f} (moment {index}) · end: {end:+.2f}").format(
                peak=ep.affect[ep.peak_index], index=ep.peak_index + 1, end=ep.affect[-1]))
        solara.Text(_show(ep.affect), classes=["cx-moments"], style={"display": "none"})
        solara.FigureMatplotlib(_episode_figure(ep, model.value, value, lang.value), format="png")
        with solara.Div(classes=["cx-sliders"]):
            for i, v in enumerate(ep.affect):
                with solara.Div(classes=["cx-slider", f"cx-slider-{i}"]):
                    solara.Text(ep.labels[i], classes=["cx-slider-label"])
                    solara.SliderFloat("", value=max(SLIDER_MIN, min(SLIDER_MAX, v)), min=SLIDER_MIN,
                                       max=SLIDER_MAX, step=SLIDER_STEP, on_value=partial(set_moment, i))


def ep_name(ep: Episode) -> str:
    """The preset ``ep`` is, or an empty string."""
    return next((k for k, v in PRESETS.items() if v == ep), "")


def run_live(scenario: str, intervention: str, months: int, on_month, cancel: threading.Event | None = None,
             customers: int = POP_CUSTOMERS):
    """Run ``scenario`` without and with ``intervention`` month by month (same seed).

    Calls ``on_month(cycles)`` after every month with the tidy cycles table of both arms so far
    (column ``arm``), ``customers`` customers per arm. Raises :class:`~cxsim.errors.SpecError` if the
    intervention does not apply.
    """
    # pandas and the engine (numba, Mesa): loaded only when a simulation runs
    import pandas as pd

    from cxsim.engine.model import CustomerModel
    from cxsim.engine.streams import replication_seeds

    base = [f"scenario={scenario}", f"sim.n_customers={customers}", f"sim.n_cycles={months}", "sim.replications=1"]
    arms = {"baseline": load_run_spec([*base, "intervention=none"]),
            intervention: load_run_spec([*base, f"intervention={intervention}"])}
    models = {arm: CustomerModel(spec.scenario, spec.sim, replication_seeds(spec.sim.seed, 1)[0], keep_customers=False,
                                 runtime=spec.runtime)
              for arm, spec in arms.items()}
    for _ in range(months):
        if cancel is not None and cancel.is_set():
            return
        for m in models.values():
            m.step()
        on_month(pd.concat([m.recorder.cycles().assign(arm=arm) for arm, m in models.items()], ignore_index=True))


def warm_engine() -> None:
    """A tiny run of the population view's default scenario: the engine's kernels load, Hydra composes."""
    run_live("b2b_dealer", "faster_delivery", 1, lambda _cycles: None, customers=WARM_CUSTOMERS)


#: The engine's warm-up: started as the server loads this page when ``cxsim teach`` asks
#: (:func:`cxsim.teach.warmup.start_if_asked`), else by the first Run.
ENGINE = warmup.Warmup(warm_engine)
warmup.start_if_asked(ENGINE)


def _population_figure(cycles: Any, lang_: str) -> Any:
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    _ = i18n.translator(lang_)
    with figure_style(style.THEME, style.RC):
        fig, axes = subplots(1, 2, figsize=(11, 3.8))
        shown = cycles.assign(arm=[_(a) for a in cycles["arm"]])
        for ax, col, label in zip(axes, ["satisfaction_mean", "retention_rate"],
                                  [_("mean satisfaction (affect units)"),
                                   _("retention (share of starting customers)")]):
            sns.lineplot(shown, x="cycle", y=col, hue="arm", marker="o", ax=ax, palette=["0.4", style.SIMULATED])
            ax.set_xlabel(_("month"))
            ax.set_ylabel(label)
            ax.set_xlim(0.5, POP_MONTHS + 0.5)
        return typeface.localise(fig, lang_)


@solara.component
def PopulationView() -> None:
    """A shipped scenario run live, with and without an intervention: Run starts it, Reset clears it."""
    _ = i18n.translator(lang.value)
    scenario = solara.use_reactive("b2b_dealer")
    intervention = solara.use_reactive("faster_delivery")
    runs = solara.use_reactive(0)  # how many times Run was pressed since the last Reset (0: nothing runs)
    cycles = solara.use_reactive(None)
    month = solara.use_reactive(0)
    error = solara.use_reactive("")
    preparing = solara.use_reactive(False)  # a Run waits for the engine's warm-up

    def work(cancel: threading.Event) -> None:
        cycles.value = None
        month.value = 0
        error.value = ""
        if runs.value == 0:
            return
        ready = warmup.prepare(ENGINE, cancel, lambda: preparing.set(True))
        preparing.set(False)
        if not ready:
            return

        def shown(c: Any) -> None:
            cycles.set(c)
            month.set(int(c["cycle"].max()))

        try:
            run_live(scenario.value, intervention.value, POP_MONTHS, shown, cancel)
        except SpecError as err:
            error.value = _("the run could not start: {reason}").format(reason=i18n.error_text(err, lang.value))

    solara.use_thread(work, dependencies=[runs.value])

    def reset() -> None:
        runs.value = 0

    with solara.Card(_("Population view: a shipped scenario, live")):
        Words(_("{customers:,} simulated customers, {months} months, the scenario's own memory model; "
                "baseline and intervention share their random draws.").format(customers=POP_CUSTOMERS,
                                                                             months=POP_MONTHS))
        with solara.Row(classes=["cx-wrap"]):
            solara.Select(_("scenario"), values=available("scenario"), value=scenario)
            solara.Select(_("intervention"), values=[i for i in available("intervention") if i != "none"],
                          value=intervention)
            solara.Button(_("Run"), on_click=lambda: runs.set(runs.value + 1), color="primary", classes=["cx-run"])
            solara.Button(_("Reset"), on_click=reset, outlined=True, classes=["cx-reset"])
        if error.value:
            solara.Error(error.value, classes=["cx-pop-error"])
            return
        if preparing.value:
            solara.ProgressLinear(True, classes=["cx-progress", "cx-preparing"])
            solara.Text(_("preparing the engine…"))
        elif runs.value and month.value < POP_MONTHS:
            solara.ProgressLinear(100.0 * month.value / POP_MONTHS if month.value else True, classes=["cx-progress"])
            solara.Text(_("running…"))
        if cycles.value is not None:
            solara.Text(_("month {month} of {months}").format(month=month.value, months=POP_MONTHS),
                        classes=["cx-month"])
            solara.FigureMatplotlib(_population_figure(cycles.value, lang.value), format="png")


@solara.component
def Page() -> None:
    """The whole page: the teacher's view, or the presentation with ``?present=1``."""
    router = solara.use_router()
    query = parse_qs(router.search or "")

    def lang_from_address() -> None:
        wanted = query.get("lang")
        if wanted and wanted[0] in i18n.LANGUAGES:
            lang.value = wanted[0]

    solara.use_effect(lang_from_address, [router.search])
    _ = i18n.translator(lang.value)
    solara.Title(_("cxsim · teaching the peak-end rule"))
    solara.Style(css())
    if query.get("present"):
        class_view.Presentation()
        return
    with solara.Column(classes=["cx-page"]):
        class_view.LanguageBar()
        EpisodeEditor()
        PopulationView()
        class_view.ClassRoundView()
