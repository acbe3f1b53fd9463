"""The scenario a survey fit writes: a config mapping, its provenance comments, and its YAML text.

:func:`build` lays out the fitted pieces (:mod:`cxsim.fit.scenario_from_survey`) as the mapping a
shipped scenario file holds, so that the file runs through ``cxsim`` and ``cxsim-compare``
unchanged; :func:`to_text` writes it with a comment above each part saying where its numbers come
from (the survey, a fit, or an assumption); :func:`to_scenario` validates it as any scenario file is.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import yaml
from numpy.typing import NDArray

from cxsim.behaviour.memory import memory_model_to_dict
from cxsim.errors import SpecError
from cxsim.fit.survey_data import SurveyData
from cxsim.fit.survey_memory import MemoryChoice
from cxsim.fit.survey_model import Group, Link, fit_margin
from cxsim.specs.build import scenario_from_dict
from cxsim.specs.scenario import Loyalty, Scenario

Array = NDArray[np.float64]

#: Decimals of the probabilities written to the file (the last one takes the rest, so they sum to 1).
DECIMALS = 6
#: The single journey stage of a scenario built from a survey (touchpoints keep the column order).
STAGE = "journey"
#: Probit-to-logit factor: σ(x) ≈ Φ(x / 1.702) (Camilli 1994).
LOGIT_PROBIT = 1.702


@dataclass
class Comments:
    """Provenance comments: above the file, above a top-level key, above a touchpoint."""

    header: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    touchpoints: dict[str, list[str]] = field(default_factory=dict)


def touchpoint_names(columns: Sequence[str]) -> tuple[str, ...]:
    """Column names as touchpoint names: lower case, runs of other characters as ``_``, unique."""
    out: list[str] = []
    for c in columns:
        base = re.sub(r"[^0-9a-zA-Z]+", "_", str(c)).strip("_").lower() or "touchpoint"
        name, k = base, 2
        while name in out:
            name, k = f"{base}_{k}", k + 1
        out.append(name)
    return tuple(out)


def _num(x: float) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() else x


def probabilities(shares: Sequence[float]) -> list[float]:
    """Shares rounded to :data:`DECIMALS`, the last one taking what is left (they sum to 1)."""
    p = [round(float(s), DECIMALS) for s in shares]
    p[-1] = round(1.0 - sum(p[:-1]), DECIMALS + 3)
    return p


def recommend_line(link: Link, m: Array, answers: Array) -> dict[str, float] | None:
    """The engine's ``recommend = intercept + slope·S + noise·z`` (0-10, rounded) from a recommend fit.

    A 0/1 recommend answer is read as "a promoter" (9-10): with noise 1 the engine's
    ``P(score ≥ 9) = Φ(intercept − 8.5 + slope·m)`` matches the logistic ``σ(α + β·m)`` through
    ``σ(x) ≈ Φ(x / 1.702)``. A numeric answer within 0-10 gets the least-squares line and its
    residual spread. Anything else: ``None`` (the scenario keeps the default line).
    """
    if link.kind == "logistic" and {float(cast(float, v)) for v in link.values} == {0.0, 1.0}:
        noise = 1.0
        return {"recommend_intercept": 8.5 + noise * link.intercept / LOGIT_PROBIT,
                "recommend_slope": noise * link.slope / LOGIT_PROBIT, "recommend_noise": noise}
    if answers.size > 2 and answers.min() >= 0 and answers.max() <= 10:
        slope, intercept = np.polyfit(m, answers, 1)
        resid = answers - (intercept + slope * m)
        return {"recommend_intercept": float(intercept), "recommend_slope": float(slope),
                "recommend_noise": float(np.std(resid, ddof=2))}
    return None


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**9, allow_unicode=True).strip()
    return text[:-4].rstrip() if text.endswith("\n...") else text


def _block(key: str, value: Any) -> list[str]:
    return yaml.safe_dump({key: value}, default_flow_style=False, sort_keys=False, width=10**9,
                          allow_unicode=True).rstrip("\n").split("\n")


def to_text(doc: dict[str, Any], comments: Comments) -> str:
    """The mapping as YAML with the comments in place."""
    lines = [f"# {c}" for c in comments.header]
    for key, value in doc.items():
        lines += [f"# {c}" for c in comments.sections.get(key, [])]
        if key != "journey":
            lines += _block(key, value)
            continue
        lines.append("journey:")
        lines.append(f"  stages: {_flow(value['stages'])}")
        lines.append("  touchpoints:")
        for tp in value["touchpoints"]:
            lines += [f"    # {c}" for c in comments.touchpoints.get(tp["name"], [])]
            for i, (k, v) in enumerate(tp.items()):
                lines.append(f"{'    - ' if i == 0 else '      '}{k}: {_flow(v)}")
        if "copula" in value:
            lines += [f"  # {c}" for c in comments.sections.get("copula", [])]
            lines.append("  copula:")
            lines.append(f"    touchpoints: {_flow(value['copula']['touchpoints'])}")
            lines.append("    correlation:")
            lines += [f"      - {_flow(row)}" for row in value["copula"]["correlation"]]
            lines += _segment_lines(value["copula"].get("segments", []))
    return "\n".join(lines) + "\n"


def _segment_lines(segments: Sequence[dict[str, Any]]) -> list[str]:
    if not segments:
        return []
    lines = ["    segments:"]
    for seg in segments:
        lines.append(f"      - name: {_flow(seg['name'])}")
        lines.append("        correlation:")
        lines += [f"          - {_flow(row)}" for row in seg["correlation"]]
        lines.append("        performance:")
        lines += [f"          {_flow(tp)}: {_flow(d)}" for tp, d in seg["performance"].items()]
    return lines


def copula_segments(groups: Sequence[Group], names: Sequence[str]) -> list[dict[str, Any]]:
    """Each segment's own copula draws: its polychoric correlations and its rating shares per touchpoint."""
    return [{"name": g.name, "correlation": correlation_rows(g.corr),
             "performance": {tp: {"dist": "empirical", "values": [_num(v) for v in g.margins[j].values],
                                  "probs": probabilities(g.margins[j].shares)} for j, tp in enumerate(names)}}
            for g in groups]


def to_scenario(doc: dict[str, Any]) -> Scenario:
    """Validate the mapping as a scenario file is validated (every segment has its own memory)."""
    return scenario_from_dict(doc, memory={"kind": "peak_end"})


def build(*, name: str, data: SurveyData, groups: Sequence[Group], everybody: Group, names: Sequence[str],
          choice: MemoryChoice,
          outcome_link: Link, recommend_link: Link | None, recommend_line: dict[str, float] | None,
          drivers: Any) -> tuple[dict[str, Any], Comments]:
    """The scenario mapping and its comments (see the module docstring)."""
    lo, hi = data.scale
    mid = _num((lo + hi) / 2.0)
    pooled = [fit_margin(c, data.ratings[:, j], data.not_applicable[:, j], data.blank[:, j])
              for j, c in enumerate(data.touchpoints)]
    signs = choice.remembered.signs
    comments = Comments(header=_header(data, choice, outcome_link))
    weights = dict(getattr(choice.remembered.model, "weights", ()) or ())
    share = np.clip(drivers["importance"].to_numpy(dtype=float), 0.0, None)
    share = share / share.sum() if share.sum() > 0 else share
    tps = []
    for j, (col, tp) in enumerate(zip(data.touchpoints, names)):
        mg = pooled[j]
        entry: dict[str, Any] = {
            "name": tp, "stage": STAGE,
            "measure": {"name": col, "unit": f"rating {_num(lo)}-{_num(hi)}",
                        "direction": "higher" if signs[j] > 0 else "lower"},
            "performance": {"dist": "empirical", "values": [_num(v) for v in mg.values],
                            "probs": probabilities(mg.shares)},
            "expectation": {"dist": "constant", "value": mid},
            "importance": round(100.0 * float(share[j]), 2),
        }
        if mg.not_applicable > 0:
            entry["probability"] = round(1.0 - mg.not_applicable, DECIMALS)
        tps.append(entry)
        comments.touchpoints[tp] = _touchpoint_comment(mg, data, weights.get(tp), signs[j], share[j])
    _always_one(tps, comments)
    doc: dict[str, Any] = {"name": name, "description": f"customers like the {data.n:,} respondents of {data.source}",
                           "affect": {"form": "difference"}}
    if weights:
        doc["key_moments"] = {k: float(v) for k, v in weights.items()}
        comments.sections["key_moments"] = ["the fitted key-moments weights (memory=key_moments reads them too)"]
    doc["journey"] = {"stages": [STAGE], "touchpoints": tps,
                      "copula": {"touchpoints": list(names), "correlation": correlation_rows(everybody.corr)}}
    comments.sections["copula"] = [
        f"polychoric correlations of the touchpoints' latent ratings ({everybody.n:,} respondents, pairwise "
        "complete); mean off-diagonal " + f"{_mean_off_diagonal(everybody.corr):.3f}"]
    if len(groups) > 1:
        doc["journey"]["copula"]["segments"] = copula_segments(groups, names)
        comments.sections["copula"].append(
            "segments: each segment's own rating shares and polychoric correlations (its customers draw from them)")
    doc["population"] = {"segments": _segments(groups, choice)}
    comments.sections["population"] = _population_comment(groups)
    loyalty = {f: getattr(Loyalty(), f) for f in Loyalty.__dataclass_fields__}
    loyalty["terrible_hazards"] = None
    if recommend_line is not None:
        loyalty |= {k: round(max(v, 0.0), DECIMALS) for k, v in recommend_line.items()}
    doc["loyalty"] = loyalty
    comments.sections["loyalty"] = _loyalty_comment(data, recommend_line, recommend_link)
    doc["word_of_mouth"] = {"network": "none"}
    comments.sections["word_of_mouth"] = [
        "assumed: off (the survey says nothing about word of mouth; switch it on to explore)"]
    doc["economics"] = {"revenue_per_purchase": 100.0, "fixed_cost_per_cycle": 0.0, "currency": "CNY"}
    comments.sections["economics"] = ["assumed: illustrative money (the survey has none)"]
    return doc, comments


def correlation_rows(corr: Array) -> list[list[float]]:
    """The correlation matrix rounded to :data:`DECIMALS` as nested lists, still positive definite
    (shrunk toward the identity by 0.1 % steps if rounding broke that)."""
    r = np.asarray(corr, dtype=np.float64)
    for _ in range(100):
        rounded = np.round(r, DECIMALS)
        np.fill_diagonal(rounded, 1.0)
        try:
            np.linalg.cholesky(rounded)
            return [[float(v) for v in row] for row in rounded]
        except np.linalg.LinAlgError:
            r = 0.999 * r + 0.001 * np.eye(r.shape[0])
    raise SpecError("correlation", "not positive definite", "a positive definite correlation matrix")


def _mean_off_diagonal(r: Array) -> float:
    k = r.shape[0]
    return float(r[np.triu_indices(k, 1)].mean()) if k > 1 else float("nan")


def _always_one(tps: list[dict[str, Any]], comments: Comments) -> None:
    """A journey needs one touchpoint in every cycle: the most often applicable one, if none is always."""
    if any("probability" not in t for t in tps):
        return
    best = max(tps, key=lambda t: t["probability"])
    comments.touchpoints[best["name"]].append(
        f"probability set to 1 (observed {best['probability']:g}): a journey needs one touchpoint in every cycle")
    del best["probability"]


def _header(data: SurveyData, choice: MemoryChoice, link: Link) -> list[str]:
    lo, hi = data.scale
    if data.positive is not None:
        outcome = f"binary, positive {data.positive!r}"
    else:
        outcome = "rating " + ", ".join(str(v) for v in link.values)
    t = choice.table.set_index("model")
    lines = [
        f"Scenario fitted by cxsim.fit.scenario_from_survey from {data.source}: {data.n:,} respondents,",
        f"{len(data.touchpoints)} touchpoints rated {lo:g}-{hi:g}, outcome {data.outcome!r} ({outcome}).",
        "Where the numbers come from:",
        "- performance: each touchpoint draws a rating with the survey's shares (empirical); the expectation",
        f"  is the scale's midpoint {(lo + hi) / 2:g} with no tolerance and loss aversion 1, so a moment's affect",
        "  is its rating minus the midpoint, as in the memory fit;",
        "- probability: 1 minus the share of respondents answering 'not applicable';",
        "- importance: the touchpoint's share of the explained variance of the outcome, in % (Shapley",
        "  decomposition of R2, cxsim.fit.drivers);",
        _memory_line(choice, t),
    ]
    lines += [f"  skipped (not a valid scenario memory): {s}" for s in choice.skipped]
    if link.kind == "logistic":
        lines.append(f"- outcome link (used by simulate_survey; not part of the engine): P({link.values[1]!s}) = "
                     f"logistic({link.intercept:.4f} + {link.slope:.4f} * remembered)")
    else:
        lines.append(f"- outcome link (used by simulate_survey; not part of the engine): ordinal logistic, slope "
                     f"{link.slope:.4f}, thresholds " + ", ".join(f"{c:.3f}" for c in link.cuts))
    lines += [
        "- journey.copula: the polychoric correlations of every pair of touchpoints' ratings (a Gaussian",
        "  copula, Olsson 1979; Hoff 2007), so simulated customers rate touchpoints as jointly as respondents;",
        "Assumed, not from the survey: memory retention 0 and adaptation 0 (a cross-sectional survey says",
        "nothing about carry-over between cycles), loyalty apart from recommend_*, word of mouth, economics.",
    ]
    return lines


def _memory_line(choice: MemoryChoice, t: Any) -> str:
    row = t.loc[choice.name]
    line = (f"- memory: {choice.name}, the best of {len(t)} memory models by {choice.folds}-fold "
            f"cross-validation (cv RMSE {row['cv_rmse']:.4f}, cv r {row['cv_r']:.3f}")
    if "mean" in t.index:
        line += f"; the mean: cv RMSE {t.loc['mean', 'cv_rmse']:.4f}"
    return line + ")"


def _touchpoint_comment(mg: Any, data: SurveyData, weight: float | None, sign: float, share: float) -> list[str]:
    shares = ", ".join(f"{_num(v)}: {p:.3f}" for v, p in zip(mg.values, mg.shares))
    line = [f"column {mg.column!r}: {mg.answered:,} ratings ({shares})"]
    extra = []
    if data.not_applicable_value is not None:
        extra.append(f"not applicable ({data.not_applicable_value:g}) {mg.not_applicable:.2%}")
    extra.append(f"blank {mg.blank:.2%}")
    extra.append(f"importance {100 * share:.1f}% of the explained variance")
    if weight is not None:
        extra.append(f"key-moments weight {weight:.4f}")
    line.append("; ".join(extra))
    if sign < 0:
        line.append("direction lower: a higher rating goes with a lower outcome here (the fitted weight is negative)")
    return line


def _segments(groups: Sequence[Group], choice: MemoryChoice) -> list[dict[str, Any]]:
    memory = memory_model_to_dict(choice.remembered.model) | {"retention": 0.0, "noise": 0.0}
    if memory.get("peak") == "intense":  # the default; a segment's memory block reads `peak` as a model name
        del memory["peak"]
    shares = probabilities([g.share for g in groups])
    out = []
    for g, s in zip(groups, shares):
        seg: dict[str, Any] = {"name": "respondents" if g.name == "all" else g.name, "share": s,
                               "tolerance": 0.0, "loss_aversion": 1.0, "adaptation": 0.0}
        seg["memory"] = copy.deepcopy(memory)  # one block per segment (no YAML anchors)
        out.append(seg)
    return out


def _population_comment(groups: Sequence[Group]) -> list[str]:
    if len(groups) == 1:
        return ["one segment: every respondent; memory fitted (see above), retention 0 assumed"]
    return ["segments: the shares observed; each segment draws its touchpoints' ratings from its own shares",
            "and correlations (journey.copula.segments), as simulate_survey does"]


def _loyalty_comment(data: SurveyData, line: dict[str, float] | None, link: Link | None) -> list[str]:
    if data.recommend is None:
        return ["assumed: the defaults (no recommend column)"]
    if line is None:
        return [f"assumed: the defaults; the recommend column {data.recommend!r} is neither 0/1 nor within 0-10"]
    if link is not None and link.kind == "logistic":
        how = (f"recommend_* from the logistic fit of {data.recommend!r} (1 = recommends = a promoter, 9-10) on the "
               "remembered experience")
    else:
        how = f"recommend_* from the least-squares line of {data.recommend!r} on the remembered experience"
    return [how + "; the rest assumed (defaults)"]


def improvement(doc: dict[str, Any], touchpoint: str, steps: int = 1) -> dict[str, Any]:
    """An intervention config that moves every rating of ``touchpoint`` up ``steps`` answers.

    The touchpoint's rating shares shift toward better answers (the best answer keeps its share
    and gains the shares that move onto it), in the journey and in every segment with shares of
    its own; for a ``direction: lower`` touchpoint "better" is a lower rating. The cost is zero:
    a placeholder for the user's own figures.
    """
    tps = {t["name"]: t for t in doc["journey"]["touchpoints"]}
    if touchpoint not in tps:
        raise SpecError("touchpoint", touchpoint, "allowed: " + ", ".join(tps))
    tp = tps[touchpoint]
    up = tp["measure"]["direction"] == "higher"
    base = "scenario.journey"
    changes = {f"{base}.touchpoints.{touchpoint}.performance.probs": {"set": _shifted(tp["performance"]["probs"],
                                                                                      steps, up)}}
    for seg in doc["journey"].get("copula", {}).get("segments", []):
        own = seg.get("performance", {}).get(touchpoint)
        if own is not None:
            changes[f"{base}.copula.segments.{seg['name']}.performance.{touchpoint}.probs"] = {
                "set": _shifted(own["probs"], steps, up)}
    return {"name": f"improve_{touchpoint}",
            "description": f"{tp['measure']['name']}: every rating {steps} answer(s) better (cost: set your own)",
            "scenarios": {doc["name"]: {"changes": changes, "cost": {"fixed": 0.0, "per_cycle": 0.0}}}}


def _shifted(probs: Sequence[float], steps: int, up: bool) -> list[float]:
    shifted = [0.0] * len(probs)
    for i, p in enumerate(probs):
        j = min(i + steps, len(probs) - 1) if up else max(i - steps, 0)
        shifted[j] += p
    return probabilities(shifted)


def concentrate_here(doc: dict[str, Any], drivers: Any, limit: int = 2) -> list[str]:
    """Touchpoints in the 'concentrate here' quadrant (important, under-performing), most important first."""
    d = drivers.assign(name=[t["name"] for t in doc["journey"]["touchpoints"]])
    d = d[d["quadrant"] == "concentrate here"].sort_values("importance", ascending=False)
    return list(d["name"])[:limit]
