"""The teachers' page (Solara): memory is not the average.

Start it with ``cxsim-teach`` (bound to 127.0.0.1 by default), or ``solara run cxsim.teach.app``.

* **Episode editor** — one experience as a row of sliders (affect per moment; 0 = as expected),
  or typed as numbers; a memory model to choose; the remembered value shown beside the average,
  with the peak and the end marked on the curve. Presets: the cold-water trials (Kahneman et al.
  1993) and colonoscopy patients A and B (Redelmeier & Kahneman 1996); ``?preset=NAME`` in the
  address opens one. Every number shown comes from :func:`cxsim.teach.episode.remember`, i.e.
  from :mod:`cxsim.behaviour.memory`.
* **Population view** — a shipped scenario run live, month by month, with cxsim's Mesa model,
  beside the same scenario with an intervention (``configs/intervention``) and the same seed
  (common random numbers): mean satisfaction and retention update as the months pass.

Bad input (no moments, a value that is not a number, an unknown preset, an intervention that
does not apply) shows a one-line message on the page, never a stack trace.
"""

from __future__ import annotations

import threading
from functools import partial
from urllib.parse import parse_qs

import solara

from cxsim.config import available, load_run_spec
from cxsim.errors import SpecError
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.teach import style
from cxsim.teach.episode import MODEL_LABELS, PRESETS, Episode, parse_moments, remember

PRESET_LABELS = {
    "cold_water_short": "cold water: short",
    "cold_water_long": "cold water: long",
    "colonoscopy_A": "colonoscopy: patient A",
    "colonoscopy_B": "colonoscopy: patient B",
}
START = "cold_water_long"
SLIDER_MIN, SLIDER_MAX, SLIDER_STEP = -10.0, 10.0, 0.1
POP_CUSTOMERS = 2000
POP_MONTHS = 12

episode = solara.reactive(PRESETS[START])
model = solara.reactive("peak_end")
message = solara.reactive("")
typed = solara.reactive(", ".join(f"{v:g}" for v in PRESETS[START].affect))


def _show(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.6g}" for v in values)


def choose_preset(name: str) -> None:
    """Load preset ``name`` into the editor, or show why it cannot be loaded."""
    try:
        ep = PRESETS[checks.choice("preset", name, PRESETS)]
    except SpecError as err:
        message.value = str(err)
        return
    episode.value = ep
    typed.value = _show(ep.affect)
    message.value = ""


def _slider_value(v: float) -> float:
    """What a slider shows for moment value ``v``: clamped to its range, on its step's grid."""
    return round(max(SLIDER_MIN, min(SLIDER_MAX, v)) / SLIDER_STEP) * SLIDER_STEP


def set_moment(index: int, value: object) -> None:
    """Set one moment from a slider; a value that is not a number shows a message."""
    try:
        changed = episode.value.with_moment(index, value)
    except SpecError as err:
        message.value = str(err)
        return
    if _slider_value(changed.affect[index]) == _slider_value(episode.value.affect[index]):
        return  # the slider echoing what it shows (clamped, on its 0.1 grid): keep the moment and any message
    episode.value = changed
    typed.value = _show(changed.affect)
    message.value = ""


def set_typed(text: str | None) -> None:
    """Replace the episode by typed numbers; no moment or a non-number shows a message."""
    if (text or "") == typed.value:  # the box echoing what it shows: keep any message
        return
    typed.value = text or ""
    try:
        ep = parse_moments(text or "")
    except SpecError as err:
        message.value = str(err)
        return
    old = episode.value
    durations = old.durations if len(old.durations) == len(ep.affect) else ep.durations
    labels = old.labels if len(old.labels) == len(ep.affect) else ep.labels
    episode.value = Episode("your episode", ep.affect, durations, labels)
    message.value = ""


def _episode_figure(ep: Episode, kind: str, value: float):
    with figure_style(style.THEME, style.RC):
        fig, ax = subplots(figsize=(8, 4))
        minutes = all(d == 60.0 for d in ep.durations)
        durs = [d / 60 for d in ep.durations] if minutes else list(ep.durations)
        style.episode_axes(ax, ep.affect, durs, value, kind.replace("_", "-"), title=ep.name,
                           time_unit="minutes" if minutes else "s")
        lo, hi = min(ep.affect), max(ep.affect)
        ax.set_ylim(min(lo, value, 0) - 1, max(hi, value, 0) + 1)
        fig.tight_layout()
        return fig


@solara.component
def EpisodeEditor() -> None:
    """Sliders or typed numbers for one episode; the remembered value beside the average."""
    router = solara.use_router()

    def from_address() -> None:
        wanted = parse_qs(router.search or "").get("preset")
        if wanted:
            choose_preset(wanted[0])

    solara.use_effect(from_address, [router.search])
    ep = episode.value
    with solara.Card("Episode editor: memory is not the average"):
        solara.Markdown("Choose a classic experience, or make your own: each slider is one moment "
                        "(0 = as expected, below 0 = unpleasant).")
        with solara.Row(classes=["cx-presets"]):
            for name, label in PRESET_LABELS.items():
                solara.Button(label, on_click=partial(choose_preset, name), outlined=name != ep_name(ep),
                              classes=[f"cx-preset-{name}"])
        solara.Select("memory model", values=list(MODEL_LABELS), value=model, classes=["cx-model"])
        solara.Text(MODEL_LABELS[model.value])
        solara.InputText("moments, typed (comma-separated numbers)", value=typed.value, on_value=set_typed,
                         classes=["cx-typed"])
        if message.value:
            solara.Error(message.value, classes=["cx-error"])
        try:
            value = remember(ep, model.value)
            mean = remember(ep, "mean")
        except SpecError as err:  # pragma: no cover - the episode is validated when set
            solara.Error(str(err), classes=["cx-error"])
            return
        with solara.Row(classes=["cx-values"]):
            solara.Markdown("**remembered:**")
            solara.Text(f"{value:.3f}", classes=["cx-remembered"], style={"font-size": "1.4em", "color": "darkorange"})
            solara.Markdown("**average moment:**")
            solara.Text(f"{mean:.3f}", classes=["cx-mean"], style={"font-size": "1.4em"})
            solara.Markdown(f"**peak:** {ep.affect[ep.peak_index]:+.2f} (moment {ep.peak_index + 1}) · "
                            f"**end:** {ep.affect[-1]:+.2f}")
        solara.Text(_show(ep.affect), classes=["cx-moments"], style={"display": "none"})
        solara.FigureMatplotlib(_episode_figure(ep, model.value, value), format="png")
        with solara.Columns([1, 1, 1]):
            for i, v in enumerate(ep.affect):
                with solara.Column(classes=[f"cx-slider-{i}"]):
                    solara.SliderFloat(ep.labels[i], value=max(SLIDER_MIN, min(SLIDER_MAX, v)), min=SLIDER_MIN,
                                       max=SLIDER_MAX, step=SLIDER_STEP, on_value=partial(set_moment, i))


def ep_name(ep: Episode) -> str:
    """The preset ``ep`` is, or an empty string."""
    return next((k for k, v in PRESETS.items() if v == ep), "")


def run_live(scenario: str, intervention: str, months: int, on_month, cancel: threading.Event | None = None):
    """Run ``scenario`` without and with ``intervention`` month by month (same seed).

    Calls ``on_month(cycles)`` after every month with the tidy cycles table of both arms so far
    (column ``arm``). Raises :class:`~cxsim.errors.SpecError` if the intervention does not apply.
    """
    # pandas and the engine (numba, Mesa): loaded only when a simulation runs
    import pandas as pd

    from cxsim.engine.model import CustomerModel
    from cxsim.engine.streams import replication_seeds

    base = [f"scenario={scenario}", f"sim.n_customers={POP_CUSTOMERS}", f"sim.n_cycles={months}", "sim.replications=1"]
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


def _population_figure(cycles):
    import seaborn as sns  # seaborn: loaded only when a figure is drawn

    with figure_style(style.THEME, style.RC):
        fig, axes = subplots(1, 2, figsize=(11, 3.8))
        for ax, col, label in zip(axes, ["satisfaction_mean", "retention_rate"],
                                  ["mean satisfaction (affect units)", "retention (share of starting customers)"]):
            sns.lineplot(cycles, x="cycle", y=col, hue="arm", marker="o", ax=ax, palette=["0.4", style.SIMULATED])
            ax.set_xlabel("month")
            ax.set_ylabel(label)
            ax.set_xlim(0.5, POP_MONTHS + 0.5)
        fig.tight_layout()
        return fig


@solara.component
def PopulationView() -> None:
    """A shipped scenario run live, with and without an intervention."""
    scenario = solara.use_reactive("b2b_dealer")
    intervention = solara.use_reactive("faster_delivery")
    switched_on = solara.use_reactive(False)
    cycles = solara.use_reactive(None)
    error = solara.use_reactive("")

    def work(cancel: threading.Event) -> None:
        cycles.value = None
        error.value = ""
        if not switched_on.value:
            return
        try:
            run_live(scenario.value, intervention.value, POP_MONTHS, lambda c: cycles.set(c), cancel)
        except SpecError as err:
            error.value = str(err)

    solara.use_thread(work, dependencies=[scenario.value, intervention.value, switched_on.value])
    with solara.Card("Population view: a shipped scenario, live"):
        solara.Markdown(f"{POP_CUSTOMERS:,} simulated customers, {POP_MONTHS} months, the scenario's own memory "
                        "model; baseline and intervention share their random draws.")
        with solara.Row():
            solara.Select("scenario", values=available("scenario"), value=scenario)
            solara.Select("intervention", values=[i for i in available("intervention") if i != "none"],
                          value=intervention)
            solara.Switch(label="run with the intervention beside the baseline", value=switched_on,
                          classes=["cx-run"])
        if error.value:
            solara.Error(error.value, classes=["cx-pop-error"])
        elif cycles.value is not None:
            last = cycles.value.groupby("arm").tail(1).set_index("arm")
            solara.Text(f"month {int(last['cycle'].max())} of {POP_MONTHS}", classes=["cx-month"])
            solara.FigureMatplotlib(_population_figure(cycles.value), format="png")
        elif switched_on.value:
            solara.Text("running…")


@solara.component
def Page() -> None:
    """The whole page."""
    solara.Title("cxsim · teaching the peak-end rule")
    with solara.Column():
        EpisodeEditor()
        PopulationView()
