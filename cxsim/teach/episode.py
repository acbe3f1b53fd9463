"""One experience as a sequence of moments, what each memory model remembers of it, and presets.

An :class:`Episode` is what a teacher draws on the board: the affect of each moment (0 = as
expected, negative = unpleasant, positive = pleasant), how long each moment lasted, and a label
per moment. :func:`remember` applies one of cxsim's memory models
(:mod:`cxsim.behaviour.memory`) to it, so the page, the notebooks and the experiments all show
the value the library computes.

The presets are the two classic demonstrations:

* cold water (Kahneman, Fredrickson, Schreiber & Redelmeier 1993, *Psychological Science* 4:401):
  60 s of a hand in water at 14 °C, and the same followed by 30 s while the water warms to 15 °C;
  the affect of a moment is the Delta law's ``temperature − comfort threshold`` (threshold 17 °C,
  1 °C = one affect unit), one moment per 10 s;
* colonoscopy (Redelmeier & Kahneman 1996, *Pain* 66:3): patients A and B, pain reported every
  minute on a 0–10 scale, affect = −pain. Both peak at 8; A ends at 7 after 8 minutes, B ends at 1
  after 24 minutes. The curves are shaped after the paper's Figure 1 (illustrative, not digitised).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cxsim.behaviour import memory
from cxsim.behaviour.affect import moment_affect
from cxsim.behaviour.memory_parts import describe_of
from cxsim.errors import SpecError
from cxsim.specs import checks

#: Parameters of the memory models on the teaching page where they differ from the defaults:
#: an episode's durations are in seconds, so the total is the area under the curve per minute.
TEACHING_PARAMETERS: dict[str, dict[str, Any]] = {"total": {"per": 60.0}}

#: The memory models a teacher can choose: every model of the registry that needs no touchpoint
#: names, with the teaching page's parameters.
TEACHING_MODELS: dict[str, memory.MemoryModel] = {
    kind: cls(**TEACHING_PARAMETERS.get(kind, {}))
    for kind, cls in memory.MEMORY_MODELS.items() if not cls.definition.needs_touchpoints  # type: ignore[attr-defined]
}

#: The words shown on the page for each model (its description with its parameters).
MODEL_LABELS: dict[str, str] = {kind: describe_of(model) for kind, model in TEACHING_MODELS.items()}

#: Comfort threshold of the cold-water presets (°C): water colder than this is unpleasant.
COLD_THRESHOLD_C = 17.0


@dataclass(frozen=True)
class Episode:
    """One experience: affect per moment, duration per moment (seconds) and labels.

    Attributes:
        name: what the episode is (shown as the figure title).
        affect: affect of each moment in order (0 = as expected; negative = unpleasant).
        durations: duration of each moment in seconds (all 1 if not given).
        labels: a label per moment (``t1``, ``t2``, … if not given).
    """

    name: str
    affect: tuple[float, ...]
    durations: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        values = checks.sequence("moments", self.affect)
        if not values:
            raise SpecError("moments", [], "an episode needs at least one moment")
        affect = tuple(checks.number(f"moments[{i}]", v) for i, v in enumerate(values))
        durs = checks.sequence("durations", self.durations) if self.durations != () else [1.0] * len(affect)
        if len(durs) != len(affect):
            raise SpecError("durations", list(durs), f"one duration per moment is required ({len(affect)})")
        durs_t = tuple(checks.positive(f"durations[{i}]", d) for i, d in enumerate(durs))
        labels = tuple(self.labels) or tuple(f"t{i + 1}" for i in range(len(affect)))
        if len(labels) != len(affect):
            raise SpecError("labels", list(labels), f"one label per moment is required ({len(affect)})")
        object.__setattr__(self, "affect", affect)
        object.__setattr__(self, "durations", durs_t)
        object.__setattr__(self, "labels", tuple(str(x) for x in labels))

    @property
    def values(self) -> np.ndarray:
        """Affect per moment as a float array."""
        return np.asarray(self.affect, dtype=np.float64)

    @property
    def seconds(self) -> np.ndarray:
        """Duration per moment as a float array (seconds)."""
        return np.asarray(self.durations, dtype=np.float64)

    @property
    def peak_index(self) -> int:
        """Index of the most intense moment (largest |affect|; the first one on ties)."""
        return int(np.argmax(np.abs(self.values)))

    def with_moment(self, index: int, value: Any) -> Episode:
        """A copy with moment ``index`` set to ``value`` (validated like the rest)."""
        if not 0 <= index < len(self.affect):
            raise SpecError("moment", index, f"an index from 0 to {len(self.affect) - 1} is required")
        v = checks.number(f"moments[{index}]", value)
        affect = list(self.affect)
        affect[index] = v
        return Episode(self.name, tuple(affect), self.durations, self.labels, self.notes)


def remember(episode: Episode, model: str = "peak_end") -> float:
    """What ``model`` remembers of ``episode``, computed by :mod:`cxsim.behaviour.memory`.

    ``total`` is the area under the curve per minute (durations are in seconds). Every other model
    is bounded by the worst and the best moment.

    Example:
        >>> remember(PRESETS["colonoscopy_A"], "peak_end") < remember(PRESETS["colonoscopy_B"], "peak_end")
        True
    """
    checks.choice("model", model, MODEL_LABELS)
    return float(TEACHING_MODELS[model].remember(episode.values, episode.seconds))


def cold_water_temperatures(long: bool) -> tuple[np.ndarray, np.ndarray]:
    """Water temperature (°C) and duration (s) of each 10-second moment of a cold-water trial.

    Short: 60 s at 14 °C. Long: the same, then 30 s while the water warms to 15 °C.
    """
    temps = [14.0] * 6
    if long:
        temps += [14.0 + 1.0 / 3.0, 14.0 + 2.0 / 3.0, 15.0]
    t = np.asarray(temps)
    return t, np.full(t.shape, 10.0)


def cold_water_episode(long: bool, threshold: float = COLD_THRESHOLD_C) -> Episode:
    """A cold-water trial as an episode: Delta-law affect of temperature against ``threshold``."""
    temps, durs = cold_water_temperatures(long)
    affect = moment_affect(temps, threshold)  # higher is better, difference form, 1 °C = 1 unit
    labels = [f"{10 * (i + 1)} s · {t:.1f} °C" for i, t in enumerate(temps)]
    name = "cold water, long trial (90 s)" if long else "cold water, short trial (60 s)"
    return Episode(name, tuple(float(x) for x in affect), tuple(durs), tuple(labels),
                   notes="Kahneman, Fredrickson, Schreiber & Redelmeier (1993)")


#: Pain per minute (0–10) of the two patients of Redelmeier & Kahneman (1996), shaped after Fig. 1.
COLONOSCOPY_PAIN: Mapping[str, tuple[float, ...]] = {
    "A": (2, 3, 5, 8, 6, 4, 6, 7),
    "B": (1, 2, 4, 3, 5, 4, 6, 8, 7, 5, 6, 4, 5, 6, 4, 3, 4, 5, 3, 2, 3, 2, 2, 1),
}


def colonoscopy_episode(patient: str) -> Episode:
    """Patient A or B of Redelmeier & Kahneman (1996): affect = −pain, one moment per minute."""
    checks.choice("patient", patient, COLONOSCOPY_PAIN)
    pain = COLONOSCOPY_PAIN[patient]
    affect = moment_affect(np.asarray(pain, dtype=float), 0.0, sign=-1.0)  # pain: lower is better
    return Episode(f"colonoscopy, patient {patient} ({len(pain)} min)", tuple(float(x) for x in affect),
                   tuple([60.0] * len(pain)), tuple(f"{i + 1} min" for i in range(len(pain))),
                   notes="Redelmeier & Kahneman (1996)")


PRESETS: dict[str, Episode] = {
    "cold_water_short": cold_water_episode(long=False),
    "cold_water_long": cold_water_episode(long=True),
    "colonoscopy_A": colonoscopy_episode("A"),
    "colonoscopy_B": colonoscopy_episode("B"),
}


def preset(name: str) -> Episode:
    """The preset called ``name``; an unknown name is a :class:`~cxsim.errors.SpecError`."""
    checks.choice("preset", name, PRESETS)
    return PRESETS[name]


def parse_moments(text: str) -> Episode:
    """An episode from text such as ``"-3, -3, -2.5"`` (commas or spaces; one moment each).

    Raises:
        SpecError: no moment, or a value that is not a number.
    """
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        raise SpecError("moments", text, "an episode needs at least one moment, e.g. -3, -3, -1")
    values = []
    for i, p in enumerate(parts):
        try:
            v = float(p)
        except ValueError:
            raise SpecError(f"moments[{i}]", p, "a number is required") from None
        if not math.isfinite(v):
            raise SpecError(f"moments[{i}]", p, "a finite number is required")
        values.append(v)
    return Episode("your episode", tuple(values), tuple([10.0] * len(values)))


def summary(episode: Episode, models: Sequence[str] = tuple(MODEL_LABELS)) -> dict[str, float]:
    """Remembered value of ``episode`` under each of ``models``."""
    return {m: remember(episode, m) for m in models}
