r"""``cxsim fit``: fit memory models and key drivers to survey data, apply saved models.

``cxsim-fit`` is an alias kept for one release (``cxsim-fit memory ...`` = ``cxsim fit memory ...``).
Its arguments are flags: a fit reads data files, no composed config.

    cxsim-fit memory DATA.csv --episode COLS --order COL --rating COL --retrospective COL \
        [--group COL] [--duration COL] [--scale 1-5] --out DIR
    cxsim-fit drivers DATA.csv --outcome COL [--positive VALUE] --touchpoints COLS --out DIR \
        [--save MODEL.json]
    cxsim-fit drivers DATA.csv ... --covariates "Class,Type of Travel" --nonlinear
    cxsim-fit scenario DATA.csv --outcome COL [--positive VALUE] --touchpoints COLS --scale 1-5 \\
        [--not-applicable 0] [--segment COL] [--recommend COL] --out DIR
    cxsim-fit predict MODEL.json DATA.csv [--rename OLD=NEW,...] --out PREDS.csv
    cxsim-fit gap TABLE.csv --out DIR [--form ratio] [--simulate SCENARIO]
    cxsim-fit gap --example meisu --simulate retail_street --out DIR

COLS are comma-separated column names (quote them when they contain spaces). Bad input gives one
line naming the file, column and line, exit status 2, and nothing written; output files are
written atomically once every fit has succeeded.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import yaml

from cxsim.cli.hydra_app import take_force
from cxsim.errors import OneLineParser, SpecError, fail
from cxsim.file_sets import Writer, write_all
from cxsim.files import write_atomic
from cxsim.fit import drivers, gap, memory_fit, persist
from cxsim.fit.survey import Scale, load_long, load_wide, read_table, split_columns
from cxsim.resources import check_table
from cxsim.specs import checks

PROG = "cxsim-fit"


_Parser = OneLineParser


def _progress(quiet: bool) -> Callable[[str], None] | None:
    if quiet:
        return None
    start = time.perf_counter()

    def show(msg: str) -> None:
        print(f"  {time.perf_counter() - start:6.1f}s  {msg}", file=sys.stderr, flush=True)

    return show


def _scale(text: str, na_zero: bool, field: str):
    return Scale.parse(text, na_zero, field)


def _write(out: Path, name: str, write: Callable[[str], object]) -> Path:
    return write_atomic(out / name, write)


# --------------------------------------------------------------------------- memory
def _memory(args: argparse.Namespace) -> list[Path]:

    survey = load_long(
        args.data, args.episode, args.order, args.rating, args.retrospective,
        duration=args.duration, group=args.group, touchpoint=args.touchpoint,
        scale=_scale(args.scale, args.na_zero, "--scale"),
        retrospective_scale=_scale(args.retrospective_scale, False, "--retrospective-scale")
        if args.retrospective_scale else None,
        blanks=args.blanks,
    )
    show = _progress(args.quiet)
    if show:
        show(survey.report())
    result = memory_fit.compare_memory_models(
        survey, folds=args.folds, bootstrap=args.bootstrap, seed=args.seed,
        grouped=args.group is not None, progress=show,
    )
    save_model = None
    if args.save:
        model = args.save_model or result.best
        if model not in result.fitted:
            raise SpecError("--save-model", model, "allowed: " + ", ".join(result.fitted))
        save_model = persist.memory_document(result.fitted[model], survey)
    written = write_all(Path(args.out), [
        ("memory_models.csv", lambda p: result.table.to_csv(p, index=False)),
        ("memory_weights.csv", lambda p: result.weights.to_csv(p, index=False)),
        ("memory_models.png", lambda p: memory_fit.figure(result, p)),
    ])
    if save_model is not None:
        written.append(persist.write_json(save_model, Path(args.save)))
    cols = ["rank", "model", "n_params", "cv_r", "cv_rmse", "parameters"]
    print(result.table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\n{result.verdict()}")
    return written


# --------------------------------------------------------------------------- drivers
def _drivers(args: argparse.Namespace) -> list[Path]:


    survey = load_wide(
        args.data, args.outcome, args.touchpoints, positive=args.positive,
        scale=_scale(args.scale, args.na_zero, "--scale"),
        outcome_scale=_scale(args.outcome_scale, False, "--outcome-scale") if args.outcome_scale else None,
        segment=args.segment, blanks=args.blanks,
    )
    show = _progress(args.quiet)
    if show:
        show(survey.report())
    fit = drivers.fit_drivers(survey, folds=args.folds, seed=args.seed, progress=show)
    compared = None
    if args.nonlinear or args.covariates:  # linear and gradient boosting, with the covariates, same folds
        from cxsim.fit.driver_models import compare_driver_models

        compared = compare_driver_models(
            args.data, args.touchpoints, args.outcome, covariates=args.covariates or (),
            scale=(survey.scale.low, survey.scale.high), positive=args.positive,
            not_applicable=0.0 if args.na_zero else None, folds=args.folds, seed=args.seed)
        if show:
            show(compared.gap())
    by_segment = drivers.by_segment(survey, seed=args.seed) if survey.segment is not None else None
    loyalty = None
    if args.loyalty:  # loyalty items (e.g. likelihood to recommend): their key drivers too

        parts = []
        for item in split_columns(args.loyalty):
            s = load_wide(args.data, item, args.touchpoints, scale=survey.scale, blanks=args.blanks)
            d = drivers.fit_drivers(s, cross_validate=False).drivers
            d.insert(0, "loyalty_item", item)
            parts.append(d[["loyalty_item", "touchpoint", "weight", "ci_low", "ci_high", "p_value", "importance"]])
        loyalty = pd.concat(parts, ignore_index=True)
        if show:
            show(f"key drivers of {len(parts)} loyalty item(s)")
    files: list[Writer] = [
        ("drivers.csv", lambda p: fit.drivers.to_csv(p, index=False)),
        ("models.csv", lambda p: fit.models.to_csv(p, index=False)),
        ("drivers.png", lambda p: drivers.figure(fit, p)),
    ]
    if by_segment is not None:
        files.append(("drivers_by_segment.csv", lambda p: by_segment.to_csv(p, index=False)))
    if loyalty is not None:
        files.append(("drivers_loyalty.csv", lambda p: loyalty.to_csv(p, index=False)))
    if compared is not None:
        files.append(("driver_models.csv", lambda p: compared.models.to_csv(p, index=False)))
        files.append(("driver_importance.csv", lambda p: compared.importance.to_csv(p, index=False)))
    written = write_all(Path(args.out), files)
    if args.save:
        written.append(persist.write_json(persist.drivers_document(fit), Path(args.save)))
    cols = ["touchpoint", "weight", "ci_low", "ci_high", "p_value", "importance", "quadrant"]
    print(fit.drivers[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print()
    print(fit.models.drop(columns=["n_rows", "folds"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nkey drivers (p < 0.05, positive weight, by importance): {', '.join(fit.key_drivers()) or 'none'}")
    if fit.peak_end is not None:
        print(fit.peak_end.sentence())
    if compared is not None:
        print()
        print(compared.models.drop(columns=["rows", "folds"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(compared.gap())
    return written


# --------------------------------------------------------------------------- scenario
def _scenario(args: argparse.Namespace) -> list[Path]:
    from cxsim.fit import ppc, scenario_files
    from cxsim.fit.scenario_from_survey import scenario_from_survey

    scale = _scale(args.scale, False, "--scale")
    outcome_scale = _scale(args.outcome_scale, False, "--outcome-scale") if args.outcome_scale else None
    common = {"scale": (scale.low, scale.high), "positive": args.positive, "not_applicable": args.not_applicable,
              "segment": args.segment, "recommend": args.recommend, "name": args.name, "folds": args.folds}
    show = _progress(args.quiet)
    fitted = scenario_from_survey(args.data, args.touchpoints, args.outcome, seed=args.seed, **common)
    if show:
        show(f"scenario {args.name}: memory {fitted.memory.name}, {len(fitted.groups)} group(s), "
             f"{fitted.outcome_link.kind} link")
    check = ppc.holdout_check(args.data, args.touchpoints, args.outcome, test_share=args.test_share,
                              seed=args.seed, simulated=args.simulated,
                              outcome_scale=(outcome_scale.low, outcome_scale.high) if outcome_scale else None,
                              **common)
    if show:
        show("held-out check done")
    written = scenario_files.write(fitted, check, Path(args.out), seed=args.seed)
    print(check.summary())
    worst = check.table.sort_values("distance", ascending=False).groupby("check").head(1)
    print(worst[["check", "item", "observed", "simulated", "distance", "limit", "ok"]]
          .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    whatifs = [p.stem for p in written if p.parent.name == "intervention"]
    print(f"\nrun it:      cxsim run --config-dir {args.out} scenario={args.name}")
    if whatifs:
        print(f"compare:     cxsim compare --config-dir {args.out} scenario={args.name} "
              f"'compare.interventions=[{','.join(whatifs)}]'")
    return written


# --------------------------------------------------------------------------- predict
def _predict(args: argparse.Namespace) -> list[Path]:

    doc = persist.read_json(args.model)
    frame, source = read_table(args.data)
    preds = persist.predict(doc, frame, source, persist.parse_rename(args.rename))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = [_write(out.parent, out.name, lambda p: preds.to_csv(p, index=False))]
    what = "probability of " + repr(doc.get("positive")) if doc.get("kind") == "logistic" else "prediction"
    print(f"wrote {len(preds):,} rows with a 'predicted' column ({what}) to {out}")
    return written


# --------------------------------------------------------------------------- gap
def _gap(args: argparse.Namespace) -> list[Path]:


    if (args.data is None) == (args.example is None):
        raise SpecError("data", args.data, "give a factor table CSV or --example meisu (one of them)")
    data = gap.meisu_table() if args.example else args.data
    analysis = gap.seven_step(data, form=args.form, source="meisu.csv" if args.example else None)
    req = comparison = None
    shops = tuple(checks.integer("--shops", k, 1) for k in split_columns(args.shops)) if args.shops.strip() else ()
    if args.simulate:
        cost = {k: v for k, v in (("fixed", args.cost_fixed), ("per_cycle", args.cost_per_cycle)) if v}
        req = gap.requirement(analysis, args.simulate, touchpoint=args.touchpoint, factor=args.factor,
                              points_per_unit=args.points_per_unit, cost=cost)
        overrides = [f"scenario={args.simulate}", f"sim.n_customers={args.customers}",
                     f"sim.n_cycles={args.cycles}", f"sim.seed={args.seed}", *args.override]
        comparison = gap.simulate_requirement(req, overrides, replications=args.replications,
                                              progress=not args.quiet)
        if not args.quiet:
            print("step 7: re-measuring the seven steps after the requirement, and sales per number of shops ...",
                  file=sys.stderr)
        fb = gap.feedback(analysis, req, overrides, replications=args.replications, shops=shops)
    files: list[Writer] = [
        ("gap.csv", lambda p: analysis.table.to_csv(p, index=False)),
        ("gap.png", lambda p: gap.figure(analysis, p)),
    ]
    if req is not None and comparison is not None:
        text = yaml.safe_dump(req, sort_keys=False)
        files += [("requirement.yaml", lambda p: Path(p).write_text(text)),
                  ("requirement_comparison.csv", lambda p: comparison.table.to_csv(p, index=False)),
                  ("feedback.csv", lambda p: fb.table.to_csv(p, index=False))]
    written = write_all(Path(args.out), files)
    print(analysis.table.to_string(index=False, float_format=lambda v: f"{v:g}", na_rep=""))
    print(f"\n{analysis.summary()}")
    if req is not None and comparison is not None:
        t = comparison.table.set_index("metric")
        print(f"\nstep 5, simulated ({args.simulate}, {args.replications} paired replications, common random numbers):")
        for m in ("satisfaction", "retention", "nps", "profit"):
            print(f"  delta {m:<13} {t.loc[m, 'delta']:+,.3f}  "
                  f"[{t.loc[m, 'ci_low']:+,.3f}, {t.loc[m, 'ci_high']:+,.3f}]")
        print(f"\nstep 7, the feedback loop: the seven steps re-measured in month {fb.cycle} "
              f"(baseline -> with the requirement, same seeds):")
        r = fb.remeasured()
        show = pd.DataFrame({q: [f"{b:+.2f} -> {a:+.2f}" if q not in ("experience", "expectation")
                                 else f"{b:.2f} -> {a:.2f}"
                                 for b, a in zip(r[f"{q}_before"], r[f"{q}_after"])] for q in gap.QUANTITIES},
                            index=r.index)
        show.index.name = "factor"
        print(show.to_string())
        print(f"largest gap to the ideal: {fb.largest_gap_before} before, {fb.largest_gap_after or 'none'} after")
        s = fb.shops()
        if not s.empty:
            print("\nstep 7, sales with n shops relative to one shop (same customers and seeds; published: Meisu):")
            rev = s[s["quantity"] == "revenue"].set_index("item")
            ret = s[s["quantity"] == "retention_rate"].set_index("item")
            for k in rev.index:
                print(f"  {k:<8} revenue x{rev.loc[k, 'ratio']:.2f} (published {rev.loc[k, 'published']})   "
                      f"retention {ret.loc[k, 'after']:.3f}")
            print("  (the population is fixed: more shops keep more of the same customers; none are drawn in)")
    return written


# --------------------------------------------------------------------------- parser
def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--blanks", default="drop", choices=["drop", "impute", "error"],
                   help="blank ratings: drop the row (counted), impute the column mean (wide data only), or error")
    p.add_argument("--folds", type=int, default=5, help="k of k-fold cross-validation (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the folds and bootstrap (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress messages")


DESCRIPTION = """\
Fit memory models and key drivers to survey data, or apply a saved model to new data.

examples:
  cxsim fit memory long.csv --episode respondent --order step --rating rating --retrospective overall --out outputs/memory
  cxsim fit drivers wide.csv --outcome satisfied --positive yes --touchpoints "check-in,boarding,seat" --out outputs/drivers

A data file estimated not to fit in the available memory is refused before it is read; --force
(or CXSIM_FORCE=1) reads it anyway.
"""  # noqa: E501 - the examples are shown as one command each


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser of ``cxsim fit`` (``prog``: the name in messages)."""
    note = "" if prog.startswith("cxsim ") else f"({prog} is an alias of `cxsim fit`, kept for one release.)\n\n"
    top = _Parser(prog=prog, description=note + DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)

    m = sub.add_parser("memory", help="compare memory models on long data (one row per moment)")
    m.add_argument("data", help="long survey CSV")
    m.add_argument("--episode", required=True, help="episode id column(s), comma-separated")
    m.add_argument("--order", required=True, help="order of the moment within its episode")
    m.add_argument("--rating", required=True, help="momentary rating column")
    m.add_argument("--retrospective", required=True, help="the episode's retrospective rating")
    m.add_argument("--duration", help="optional duration of each moment (adds integral and total)")
    m.add_argument("--group", help="respondent column: cross-validate and bootstrap by respondent")
    m.add_argument("--touchpoint", help="touchpoint of each moment (adds key_moments: a weight per touchpoint)")
    m.add_argument("--scale", default="1-5", help="momentary rating scale, e.g. 1-5, 0-10 (default 1-5)")
    m.add_argument("--retrospective-scale", help="scale of the retrospective rating (default: --scale)")
    m.add_argument("--na-zero", action="store_true", help="a momentary rating of 0 means not applicable")
    m.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples for intervals (0 = none)")
    m.add_argument("--save", help="save a fitted model as JSON (default the best; see --save-model)")
    m.add_argument("--save-model", help="which model to save (a name from the table)")
    m.add_argument("--out", required=True, help="output directory")
    _add_common(m)
    m.set_defaults(run=_memory)

    d = sub.add_parser("drivers", help="key-driver analysis on wide data (one row per respondent)")
    d.add_argument("data", help="wide survey CSV")
    d.add_argument("--outcome", required=True, help="overall outcome column (a rating, or a label with --positive)")
    d.add_argument("--positive", help="for a binary outcome: the value counted as positive")
    d.add_argument("--touchpoints", required=True, help="touchpoint rating columns, comma-separated, in journey order")
    d.add_argument("--segment", help="optional segment column (adds drivers_by_segment.csv)")
    d.add_argument("--loyalty", help="optional loyalty items (numeric columns, e.g. recommend 0-10), comma-separated: "
                                     "their key drivers go to drivers_loyalty.csv")
    d.add_argument("--scale", default="1-5", help="touchpoint rating scale (default 1-5)")
    d.add_argument("--outcome-scale", help="check the rating outcome against this scale")
    d.add_argument("--na-zero", action="store_true", help="a rating of 0 means not applicable")
    d.add_argument("--covariates", help="columns beside the touchpoints (numbers or categories, comma-separated) "
                                        "for the linear and gradient-boosting models (driver_models.csv)")
    d.add_argument("--nonlinear", action="store_true", help="also compare gradient boosting with the linear model "
                                                            "out of sample (needs scikit-learn: cxsim[fit])")
    d.add_argument("--save", help="save the fitted driver model as JSON")
    d.add_argument("--out", required=True, help="output directory")
    _add_common(d)
    d.set_defaults(run=_drivers)

    sc = sub.add_parser("scenario", help="a scenario from a wide survey, checked on held-out rows")
    sc.add_argument("data", help="wide survey CSV")
    sc.add_argument("--outcome", required=True, help="overall outcome column (a rating, or a label with --positive)")
    sc.add_argument("--positive", help="for a binary outcome: the value counted as positive")
    sc.add_argument("--touchpoints", required=True, help="touchpoint rating columns, comma-separated, in journey order")
    sc.add_argument("--scale", default="1-5", help="touchpoint rating scale (default 1-5)")
    sc.add_argument("--not-applicable", type=float, help="a rating value meaning 'not applicable' (e.g. 0)")
    sc.add_argument("--segment", help="optional segment column: each segment gets its own distributions")
    sc.add_argument("--recommend", help="optional recommend column (0/1, or a 0-10 likelihood)")
    sc.add_argument("--outcome-scale", help="the outcome's scale for the check (default: the answers' range)")
    sc.add_argument("--name", default="from_survey", help="the scenario's name (default from_survey)")
    sc.add_argument("--test-share", type=float, default=0.3, help="share of rows held out for the check (default 0.3)")
    sc.add_argument("--simulated", type=int, default=20_000, help="simulated respondents in the check (default 20,000)")
    sc.add_argument("--folds", type=int, default=5, help="k of the cross-validation choosing the memory model")
    sc.add_argument("--seed", type=int, default=0, help="seed of the folds, the split and the simulation (default 0)")
    sc.add_argument("--quiet", action="store_true", help="no progress messages")
    sc.add_argument("--out", required=True, help="output directory (a config folder for cxsim --config-dir)")
    sc.set_defaults(run=_scenario)

    p = sub.add_parser("predict", help="apply a saved model (JSON) to a new file")
    p.add_argument("model", help="model JSON written by --save")
    p.add_argument("data", help="CSV to predict")
    p.add_argument("--rename", help="OLD=NEW,... renames columns of the new file to the model's names")
    p.add_argument("--out", required=True, help="output CSV")
    p.set_defaults(run=_predict)

    g = sub.add_parser("gap", help="the seven-step CEM gap analysis (and simulate closing the largest gap)")
    g.add_argument("data", nargs="?", help="CSV: factor, experience, expectation, importance, ideal")
    g.add_argument("--example", choices=["meisu"], help="use the shipped Meisu Electronics table")
    g.add_argument("--form", default="difference", choices=["difference", "ratio"], help="satisfaction form")
    g.add_argument("--simulate", metavar="SCENARIO", help="simulate step 5 in this scenario (e.g. retail_street)")
    g.add_argument("--factor", help="the factor to close (default: the largest gap)")
    g.add_argument("--touchpoint", help="the scenario's touchpoint for the factor (default: its name)")
    g.add_argument("--points-per-unit", type=float, default=1.0,
                   help="survey points per unit of the touchpoint's measure")
    g.add_argument("--cost-fixed", type=float, default=0.0, help="one-off cost of the requirement")
    g.add_argument("--cost-per-cycle", type=float, default=0.0, help="running cost per cycle")
    g.add_argument("--replications", type=int, default=5, help="paired replications (default 5)")
    g.add_argument("--customers", type=int, default=5000, help="customers per replication (default 5000)")
    g.add_argument("--cycles", type=int, default=12, help="cycles (default 12)")
    g.add_argument("--shops", default="1,2,3,4", help="step 7: shop counts whose sales are compared with one shop "
                                                       "(scenarios with store operations; '' to skip)")
    g.add_argument("--override", action="append", default=[], help="further cxsim override (repeatable)")
    g.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.add_argument("--out", required=True, help="output directory")
    g.set_defaults(run=_gap)
    return top


def check_sizes(args: argparse.Namespace) -> None:
    """Refuse a data file too large for this machine's memory before it is read (``--force`` reads it)."""
    for field in ("data", "model"):
        path = getattr(args, field, None)
        if isinstance(path, str) and path:
            check_table(path, field)


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> None:
    """``cxsim fit`` (and its alias ``cxsim-fit``); arguments default to ``sys.argv[1:]``.

    ``--force`` (or ``CXSIM_FORCE=1``) reads a data file estimated not to fit in memory anyway.
    """
    args = parser(prog).parse_args(take_force(sys.argv[1:] if argv is None else argv))
    try:
        check_sizes(args)
        args.run(args)
    except SpecError as err:
        fail(prog, err)


if __name__ == "__main__":
    main()
