"""The Zhijiang Silicone dealer survey, simulated: peak-end of the means vs the key moments.

Sources:
    Case study 000, article 1 (docs, "Zhijiang Silicone dealer survey"): 47 valid questionnaires
    from dealers, five-point scale (3 = neutral). Touchpoint means: brand image 4.82, price 3.62,
    technology 4.15, product quality 4.54, delivery speed 3.61, service staff 4.23, annual dealer
    meeting 4.46; overall satisfaction 4.17. Peak (brand image) and end (dealer meeting) average to
    4.64, far above the observed 4.17. Regressing the overall on the seven touchpoints, only
    delivery speed and the dealer meeting are significant.
    Kahneman et al. (1993); Redelmeier & Kahneman (1996) for the peak-end rule.

Design. Simulated surveys of 47 dealers each. A dealer's rating of a touchpoint is the published
mean plus dealer-to-dealer spread ``Normal(0, 0.5)`` (an assumption), clipped to 1–5 — so the
touchpoint means are *inputs*. The dealer's overall rating is what a memory model of
:mod:`cxsim.behaviour.memory` remembers of the seven ratings in journey order (affect = rating − 3,
3 being neutral), plus response noise ``Normal(0, 0.3)``, clipped to 1–5. Four worlds:

* ``peak_end_0.5`` — the case study's calculation, (peak + end) / 2;
* ``peak_end`` — cxsim's default peak-end (0.4 peak + 0.4 end + 0.2 mean);
* ``mean`` — the average touchpoint;
* ``key_moments`` — the dealer scenarios' key moments (``b2b_dealer``, ``b2b_dealer_survey``): delivery speed 0.35,
  dealer meeting 0.35, the rest on the mean.

For each world the overall rating is a prediction to set beside the observed 4.17; and an OLS
regression of the overall on the seven ratings (statsmodels) on each simulated survey tells which
touchpoints come out significant — the published pattern (delivery speed and the dealer meeting
only) is what the key-moments world produces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.behaviour import memory
from cxsim.engine.streams import Streams, replication_seeds
from cxsim.figures import figure_style, subplots
from cxsim.specs import checks
from cxsim.specs.distribution import Normal
from cxsim.teach import i18n, style, typeface
from cxsim.teach.i18n import N_

#: The survey's touchpoints in the dealers' order (names marked for the catalogue: the article's own words).
TOUCHPOINTS = (N_("brand_image"), N_("price"), N_("technology"), N_("product_quality"), N_("delivery_speed"),
               N_("service_staff"), N_("dealer_meeting"))
PUBLISHED_MEANS = dict(zip(TOUCHPOINTS, (4.82, 3.62, 4.15, 4.54, 3.61, 4.23, 4.46)))
PUBLISHED_OVERALL = 4.17
PUBLISHED_PEAK_END = 4.64
PUBLISHED_SIGNIFICANT = ("delivery_speed", "dealer_meeting")
SURVEY_SIZE = 47
NEUTRAL = 3.0
RATING_SD = 0.5
RESPONSE_SD = 0.3
KEY_WEIGHTS = {"delivery_speed": 0.35, "dealer_meeting": 0.35}
WORLDS = (N_("peak_end_0.5"), N_("peak_end"), N_("mean"), N_("key_moments"))


def remembered_rating(world: str, ratings: np.ndarray) -> np.ndarray:
    """Overall rating (1–5 scale) that ``world``'s memory model gives each row of ``ratings``."""
    checks.choice("world", world, WORLDS)
    affect = ratings - NEUTRAL
    if world == "peak_end_0.5":
        r = memory.PeakEnd(w_peak=0.5, w_end=0.5).remember(affect, 1.0)
    elif world == "peak_end":
        r = memory.PeakEnd().remember(affect, 1.0)
    elif world == "mean":
        r = memory.mean(affect)
    else:
        r = memory.KeyMoments(tuple(KEY_WEIGHTS.items())).remember(affect, 1.0, touchpoints=TOUCHPOINTS)
    return NEUTRAL + r


@dataclass(frozen=True)
class ZhijiangResult:
    """Simulated ratings, overall ratings per world, and the regression view."""

    n: int
    seed: int
    ratings: np.ndarray  # (n, 7)
    overall: dict[str, np.ndarray]
    significant: pd.DataFrame  # share of surveys where each touchpoint is significant, per world
    table: pd.DataFrame

    def pattern(self, world: str) -> float:
        """How much more often the published key touchpoints come out significant than the others."""
        return _pattern_share(self.significant[world])


def significance_shares(ratings: np.ndarray, overall: np.ndarray, size: int = SURVEY_SIZE,
                        alpha: float = 0.05) -> pd.Series:
    """Share of consecutive surveys of ``size`` dealers in which OLS finds each touchpoint significant."""
    import statsmodels.api as sm  # statsmodels: loaded only when a model is fitted

    k = ratings.shape[0] // size
    hits = np.zeros(ratings.shape[1])
    for i in range(k):
        s = slice(i * size, (i + 1) * size)
        fit = sm.OLS(overall[s], sm.add_constant(ratings[s])).fit()
        hits += np.asarray(fit.pvalues[1:]) < alpha
    return pd.Series(hits / max(k, 1), index=list(TOUCHPOINTS))


def simulate(n: int = 4700, seed: int = 0) -> ZhijiangResult:
    """Simulate ``n`` dealers (default: a hundred surveys of 47) in each of the four worlds."""
    n = checks.integer("n", n, SURVEY_SIZE)
    seed = checks.integer("seed", seed, 0)
    streams = Streams(replication_seeds(seed, 1)[0])
    ratings = np.column_stack([
        Normal(PUBLISHED_MEANS[tp], RATING_SD, low=1.0, high=5.0).sample(streams.get("performance", tp), n)
        for tp in TOUCHPOINTS
    ])
    noise = RESPONSE_SD * streams.get("recommend", "overall").standard_normal(n)
    overall = {w: np.clip(remembered_rating(w, ratings) + noise, 1.0, 5.0) for w in WORLDS}
    sig = pd.DataFrame({w: significance_shares(ratings, overall[w]) for w in WORLDS})
    means = ratings.mean(axis=0)
    rows = [(N_("mean rating: {item}").format(item=tp), PUBLISHED_MEANS[tp], float(m), "input")
            for tp, m in zip(TOUCHPOINTS, means)]
    peak_of_means = float(means[np.argmax(np.abs(means - NEUTRAL))])
    rows.append((N_("(peak + end) / 2 of the touchpoint means"), PUBLISHED_PEAK_END,
                 (peak_of_means + float(means[-1])) / 2, N_("arithmetic")))
    for w in WORLDS:
        rows.append((N_("overall rating if dealers remember by {model}").format(model=w), PUBLISHED_OVERALL,
                     float(overall[w].mean()), "prediction"))
    table = pd.DataFrame(rows, columns=["quantity", "published", "simulated", "role"])
    extra = pd.DataFrame(
        [(N_("significant touchpoints (OLS, 47 dealers) if {model}").format(model=w), ", ".join(PUBLISHED_SIGNIFICANT),
          ", ".join(tp for tp in TOUCHPOINTS if sig.loc[tp, w] >= 0.5) or N_("none"), "prediction")  # type: ignore[arg-type, operator]
         for w in WORLDS],
        columns=table.columns)
    return ZhijiangResult(n, seed, ratings, overall, sig, pd.concat([table, extra], ignore_index=True))


def _pattern_share(shares: pd.Series) -> float:
    """A summary: mean share significant of the published key touchpoints minus of the others."""
    key = shares[list(PUBLISHED_SIGNIFICANT)].mean()
    rest = shares.drop(list(PUBLISHED_SIGNIFICANT)).mean()
    return float(key - rest)


def figure(result: ZhijiangResult, directory: str, lang: str = "en") -> list:
    """Touchpoint means, the overall in each world against 4.17, and the regression view."""
    _ = i18n.translator(lang)
    with figure_style(style.THEME, style.RC):
        fig, axes = subplots(1, 3, figsize=(18, 5), gridspec_kw={"width_ratios": [1.4, 1, 1.4]})
        means = result.ratings.mean(axis=0)
        ax = axes[0]
        x = np.arange(len(TOUCHPOINTS))
        ax.plot(x, [PUBLISHED_MEANS[t] for t in TOUCHPOINTS], "D-", color=style.PUBLISHED, label=_("published mean"))
        ax.plot(x, means, "o--", color=style.SIMULATED, label=_("simulated mean"))
        p = int(np.argmax(np.abs(means - NEUTRAL)))
        ax.scatter([p], [means[p]], s=300, facecolors="none", edgecolors=style.PEAK, lw=2.5, label=_("peak"))
        ax.scatter([x[-1]], [means[-1]], s=300, marker="s", facecolors="none", edgecolors=style.END, lw=2.5,
                   label=_("end"))
        ax.axhline(PUBLISHED_OVERALL, color="black", lw=1.5, ls=":", label=f"observed overall {PUBLISHED_OVERALL}")
        ax.axhline(PUBLISHED_PEAK_END, color=style.REMEMBERED, lw=2, label=f"(peak + end) / 2 = {PUBLISHED_PEAK_END}")
        ax.set_xticks(x, [t.replace("_", "\n") for t in TOUCHPOINTS], fontsize=9)
        ax.set_ylabel(_("rating (1-5, 3 = neutral)"))
        ax.set_ylim(3, 5)
        ax.set_title(_("the dealers' journey, in order"))
        ax.legend(fontsize=8, loc="lower left")
        ax = axes[1]
        vals = [result.overall[w].mean() for w in WORLDS]
        bars = ax.bar(range(len(WORLDS)), vals, color=style.SIMULATED)
        ax.bar_label(bars, [f"{v:.2f}" for v in vals], fontsize=9)
        ax.axhline(PUBLISHED_OVERALL, color="black", lw=2, ls=":", label=f"observed {PUBLISHED_OVERALL}")
        ax.set_xticks(range(len(WORLDS)), [w.replace("_", "-") for w in WORLDS], rotation=20)
        ax.set_ylim(3, 5)
        ax.set_ylabel(_("simulated overall rating (1-5)"))
        ax.set_title(_("overall satisfaction if dealers\nremembered by ..."))
        ax.legend(fontsize=8)
        ax = axes[2]
        sig = result.significant
        w = 0.2
        for i, world in enumerate(WORLDS):
            ax.bar(x + (i - 1.5) * w, sig[world], w, label=world.replace("_", "-"))
        for tp in PUBLISHED_SIGNIFICANT:
            ax.annotate("published:\nsignificant", (TOUCHPOINTS.index(tp), 1.0), ha="center", fontsize=8)
        ax.set_xticks(x, [t.replace("_", "\n") for t in TOUCHPOINTS], fontsize=9)
        ax.set_ylim(0, 1.2)
        ax.set_ylabel(_("share of 47-dealer surveys where OLS\nfinds the touchpoint significant (P < 0.05)"))
        ax.set_title(_("the key-moment view"))
        ax.legend(fontsize=8, loc="upper left", ncols=2)
        fig.suptitle(_("Zhijiang dealers: the peak and the end of the means overshoot; the key moments fit"), y=1.02)
        typeface.localise(fig, lang)
        paths = style.save(fig, directory, "zhijiang_dealers")
        return paths
