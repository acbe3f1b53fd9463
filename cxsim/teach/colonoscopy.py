"""Colonoscopy, simulated: patients A and B (1996) and the randomised trial of a milder end (2003).

Sources:
    Redelmeier, D. A. & Kahneman, D. (1996). Patients' memories of painful medical treatments:
    real-time and retrospective evaluations of two minimally invasive procedures. *Pain* 66(1),
    3–8 (n = 154; patients A and B of Figure 1).
    Redelmeier, D. A., Katz, J. & Kahneman, D. (2003). Memories of colonoscopy: a randomized trial.
    *Pain* 104(1–2), 187–194 (n = 682). Abstract: final moments 1.7 vs 2.5 on a 10-point
    intensity scale; whole experience 4.4 vs 4.9 on a 10 cm visual analogue scale (P = 0.006);
    return for a repeat colonoscopy 50.4 % on average, odds ratio 1.41 for the extended procedure.
    Kahneman, D. (2011). *Thinking, Fast and Slow*, ch. 35 (Figure 15: patients A and B).

Part 1 — patients A and B. Both peak at 8 of 10; A ends at 7 after 8 minutes, B ends at 1 after
24 minutes (the preset curves of :mod:`cxsim.teach.episode`, shaped after the paper's figure).
Peak-end remembers B's procedure as the less painful one although B's total pain is far larger.
A population of raters (each minute's pain felt with noise, memory noise) shows how robust that is.

Part 2 — the 2003 trial. Simulated patients (assumptions, all stated):

* procedure length ``LogNormal(mean 20, sd 8)`` minutes, at least 5;
* pain each minute = background ``Normal(1.8, 1)`` (set by hand so that the control arm's final
  moments come out near the published 2.5, an input) + one peak of height ``Normal(5, 1.5)`` at a random minute, fading
  with a 2-minute scale + ``Normal(0, 1)`` noise, clipped to 0–10;
* the extended arm adds 3 minutes with the scope at rest: pain = 0.9 × background +
  ``Normal(0, 0.5)`` (set by hand so that its final moments come near the published 1.7, an
  input: "less painful, not painless");
* remembered pain = peak-end (:class:`cxsim.behaviour.memory.PeakEnd`, weights 0.4/0.4, the rest
  on the mean) of affect = −pain, plus rating noise ``Normal(0, 2)`` (an assumption; the published P = 0.006 at n = 682
  implies a spread of about 2.4 points), clipped to the 0–10 scale;
* return for a repeat procedure: :func:`cxsim.behaviour.loyalty.repurchase_probability` of the
  satisfaction ``expected pain − remembered pain`` (expected pain 5) with slope 1.0 per point (the
  shipped scenarios' loyalty slope); the base is solved (``scipy.optimize.brentq``) so that the
  average return equals the published 50.4 % (an input).

The remembered pain of each arm, its difference, the return rates and their odds ratio are the
model's predictions, set beside the published figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cxsim.behaviour import loyalty, memory
from cxsim.behaviour.affect import moment_affect
from cxsim.engine.streams import Streams, replication_seeds
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.specs.distribution import LogNormal, Normal
from cxsim.teach import i18n, style, typeface
from cxsim.teach.episode import COLONOSCOPY_PAIN, colonoscopy_episode, remember
from cxsim.teach.i18n import N_

PUBLISHED = {
    "final_control": 2.5, "final_extended": 1.7,
    "remembered_control": 4.9, "remembered_extended": 4.4,
    "return_rate": 0.504, "odds_ratio": 1.41, "n": 682,
}
EXPECTED_PAIN = 5.0
RETURN_SLOPE = 1.0
EXTENSION_MINUTES = 3
BACKGROUND_MEAN = 1.8
EXTENSION_FACTOR = 0.9
RATING_SD = 2.0


@dataclass(frozen=True)
class Trial:
    """One simulated patient per row: arm, final-moment pain, remembered pain, return."""

    extended: np.ndarray  # bool: in the extended arm
    final_pain: np.ndarray
    remembered: np.ndarray
    returned: np.ndarray  # bool
    total_pain: np.ndarray  # pain-minutes


@dataclass(frozen=True)
class ColonoscopyResult:
    """Both parts: raters of patients A and B, and the simulated randomised trial."""

    n: int
    seed: int
    rater_a: np.ndarray  # remembered pain of A by each rater (peak-end)
    rater_b: np.ndarray
    trial: Trial
    power: float  # share of 682-patient trials with P < 0.05 on remembered pain
    table: pd.DataFrame

    def arm(self, extended: bool) -> np.ndarray:
        """Row mask of one arm of the trial."""
        return self.trial.extended == extended

    @property
    def odds_ratio(self) -> float:
        """Odds of returning, extended vs control."""
        p1 = self.trial.returned[self.arm(True)].mean()
        p0 = self.trial.returned[self.arm(False)].mean()
        return float(p1 / (1 - p1) / (p0 / (1 - p0)))


def _peak_end_pain(pain: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    affect = moment_affect(pain, 0.0, sign=-1.0)  # Delta law: pain is lower-is-better, expected 0
    return -memory.PeakEnd().remember(affect, 1.0, present)


def _raters(n: int, streams: Streams) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for patient in ("A", "B"):
        pain = np.asarray(COLONOSCOPY_PAIN[patient], dtype=float)
        felt = np.clip(pain + streams.get("performance", f"rater/{patient}").standard_normal((n, pain.size)), 0, 10)
        noise = streams.get("memory", f"rater/{patient}").standard_normal(n)
        out.append(np.clip(_peak_end_pain(felt) + noise, 0, 10))
    return out[0], out[1]


def _trial(n: int, streams: Streams) -> Trial:
    g = lambda name: streams.get("population", name)  # noqa: E731
    extended = g("arm").permutation(np.arange(n) % 2 == 1)
    minutes = np.maximum(5, np.rint(LogNormal(20.0, 8.0).sample(g("length"), n))).astype(int)
    longest = int(minutes.max()) + EXTENSION_MINUTES
    t = np.arange(longest)[None, :]
    background = Normal(BACKGROUND_MEAN, 1.0, low=0.0).sample(g("background"), n)[:, None]
    height = Normal(5.0, 1.5, low=0.0).sample(g("peak"), n)[:, None]
    at = np.floor(g("peak_at").random(n) * minutes)[:, None]
    pain = background + height * np.exp(-np.abs(t - at) / 2.0)
    pain += streams.get("performance", "minute").standard_normal((n, longest))
    in_main = t < minutes[:, None]
    in_ext = (t >= minutes[:, None]) & (t < minutes[:, None] + EXTENSION_MINUTES) & extended[:, None]
    rest = EXTENSION_FACTOR * background + 0.5 * streams.get("performance", "extension").standard_normal((n, longest))
    pain = np.clip(np.where(in_ext, rest, pain), 0.0, 10.0)
    present = in_main | in_ext
    last = present.sum(axis=1) - 1
    final = pain[np.arange(n), last]
    noise = RATING_SD * streams.get("memory", "vas").standard_normal(n)
    remembered = np.clip(_peak_end_pain(pain, present) + noise, 0.0, 10.0)
    satisfaction = EXPECTED_PAIN - remembered
    base = optimize.brentq(  # calibrate: the average return equals the published 50.4 %
        lambda b: loyalty.repurchase_probability(satisfaction, b, RETURN_SLOPE).mean() - PUBLISHED["return_rate"],
        1e-6, 1 - 1e-6)
    p_return = loyalty.repurchase_probability(satisfaction, base, RETURN_SLOPE)
    returned = streams.get("churn", "return").random(n) < p_return
    total = np.where(present, pain, 0.0).sum(axis=1)
    return Trial(extended, final, remembered, returned, total)


def _power(trial: Trial, size: int) -> float:
    k = trial.remembered.size // size
    if k == 0:
        return float("nan")
    hits = 0
    for i in range(k):
        s = slice(i * size, (i + 1) * size)
        ext, rem = trial.extended[s], trial.remembered[s]
        hits += stats.ttest_ind(rem[ext], rem[~ext], equal_var=False).pvalue < 0.05
    return hits / k


def simulate(n: int = 68_200, seed: int = 0) -> ColonoscopyResult:
    """Simulate ``n`` patients randomised half and half (default: a hundred trials of 682)."""
    n = checks.integer("n", n, 2)
    seed = checks.integer("seed", seed, 0)
    streams = Streams(replication_seeds(seed, 1)[0])
    rater_a, rater_b = _raters(n, streams)
    trial = _trial(n, streams)
    power = _power(trial, PUBLISHED["n"])  # type: ignore[arg-type]
    ext = trial.extended
    a, b = colonoscopy_episode("A"), colonoscopy_episode("B")
    rows = [
        (N_("1996: remembered pain of A (peak-end, 0-10)"), N_("A worse than B"),
         -remember(a, "peak_end"), "prediction"),
        (N_("1996: remembered pain of B (peak-end, 0-10)"), N_("B better than A"),
         -remember(b, "peak_end"), "prediction"),
        (N_("1996: total pain A (pain x minutes)"), N_("A less than B"), -remember(a, "total"), "prediction"),
        (N_("1996: total pain B (pain x minutes)"), N_("B more than A"), -remember(b, "total"), "prediction"),
        (N_("1996: share of noisy raters remembering B as less painful"), float("nan"),
         float(np.mean(rater_b < rater_a)), "prediction"),
        (N_("2003: final-moment pain, control (0-10)"), PUBLISHED["final_control"],
         float(trial.final_pain[~ext].mean()), "input"),
        (N_("2003: final-moment pain, extended (0-10)"), PUBLISHED["final_extended"],
         float(trial.final_pain[ext].mean()), "input"),
        (N_("2003: remembered pain, control (0-10)"), PUBLISHED["remembered_control"],
         float(trial.remembered[~ext].mean()), "prediction"),
        (N_("2003: remembered pain, extended (0-10)"), PUBLISHED["remembered_extended"],
         float(trial.remembered[ext].mean()), "prediction"),
        (N_("2003: remembered pain, extended - control"),
         PUBLISHED["remembered_extended"] - PUBLISHED["remembered_control"],
         float(trial.remembered[ext].mean() - trial.remembered[~ext].mean()), "prediction"),
        (N_("2003: total pain, extended - control (pain x min)"), float("nan"),
         float(trial.total_pain[ext].mean() - trial.total_pain[~ext].mean()), "prediction"),
        (N_("2003: return for a repeat procedure, all"), PUBLISHED["return_rate"], float(trial.returned.mean()),
         "input"),
        (N_("2003: return rate, control"), float("nan"), float(trial.returned[~ext].mean()), "prediction"),
        (N_("2003: return rate, extended"), float("nan"), float(trial.returned[ext].mean()), "prediction"),
    ]
    table = pd.DataFrame(rows, columns=["quantity", "published", "simulated", "role"])
    result = ColonoscopyResult(n, seed, rater_a, rater_b, trial, power, table)
    extra = pd.DataFrame([
        (N_("2003: odds ratio of return, extended vs control"), PUBLISHED["odds_ratio"], result.odds_ratio,
         "prediction"),
        (N_("2003: share of 682-patient trials with P < 0.05 (remembered pain)"), N_("significant (P = 0.006)"), power,
         "prediction"),
    ], columns=table.columns)
    return ColonoscopyResult(n, seed, rater_a, rater_b, trial, power, pd.concat([table, extra], ignore_index=True))


def figure(result: ColonoscopyResult, directory: str, lang: str = "en") -> list:
    """Patients A and B with peak and end marked; the trial's remembered pain and return by arm."""
    _ = i18n.translator(lang)
    with figure_style(style.THEME, style.RC):
        fig, axes = subplots(1, 3, figsize=(17, 4.8), gridspec_kw={"width_ratios": [1.3, 1.3, 1]})
        for ax, patient in zip(axes[:2], ("A", "B")):
            ep = colonoscopy_episode(patient)
            pain = [-x for x in ep.affect]
            style.episode_axes(ax, pain, [d / 60 for d in ep.durations], -remember(ep, "peak_end"), _("peak-end"),
                               lang=lang,
                               title=f"patient {patient}: total pain {-remember(ep, 'total'):.0f} pain x min",
                               time_unit="minutes", value_label=_("pain (0 = none, 10 = worst)"))
            ax.set_xlim(0, 24)
            ax.set_ylim(0, 10)
        ax = axes[2]
        t = result.trial
        labels = ["remembered pain\n(0-10)", "return for a\nrepeat (x10)"]
        ctrl = [t.remembered[~t.extended].mean(), 10 * t.returned[~t.extended].mean()]
        ext = [t.remembered[t.extended].mean(), 10 * t.returned[t.extended].mean()]
        x = np.arange(2)
        ax.bar(x - 0.2, ctrl, 0.38, color=style.PUBLISHED, label=_("simulated control"))
        ax.bar(x + 0.2, ext, 0.38, color=style.SIMULATED, label=_("simulated extended (+3 min, milder)"))
        ax.scatter([-0.2, 0.2], [PUBLISHED["remembered_control"], PUBLISHED["remembered_extended"]], marker="D",
                   color="black", zorder=5, label=_("published (2003)"))
        ax.set_xticks(x, labels)
        ax.set_ylabel(_("pain points / return rate x 10"))
        ax.set_title(f"2003 trial, {result.n:,} simulated patients")
        ax.legend(fontsize=8, loc="upper right")
        ax.set_ylim(0, 9)
        fig.suptitle(_("Colonoscopy: the end, not the length, sets the memory"), y=1.02)
        typeface.localise(fig, lang)
        paths = style.save(fig, directory, "colonoscopy")
        return paths
