"""Benchmark: fitting memory models and key drivers on 100,000 respondents.

    python benchmarks/bench_fit.py [--n 100000] [--repeat 3]

Targets (issue 5): fitting the memory models on 100,000 synthetic respondents, and the driver
model on 100,000 rows, each under 1 s on a 2-core machine, bootstrap excluded. Each timing is the
median of ``--repeat`` runs, beside a reference in the same process:

* memory models — cxsim's cross-validation from per-fold Gram matrices against the same fits by
  ``numpy.linalg.lstsq`` on the training rows of every fold (what a direct implementation does);
* driver model — ``fit_drivers`` (statsmodels fit on standardised ratings, intervals, p-values,
  Shapley importance, quadrants) against a bare statsmodels fit of the same matrix (the floor).

Loading/validation and the cross-validated driver comparison are timed too, for information.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

CPU: list[float] = []  # CPU seconds of the last timed() call (median), for the table


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of ``repeat`` runs; the median CPU time goes to ``CPU`` (a loaded machine
    stretches wall time, much less the process's own CPU time)."""
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU.append(statistics.median(cpu))
    return statistics.median(times)


def lstsq_reference(survey, folds: int = 5, seed: int = 0) -> None:  # type: ignore[no-untyped-def]
    """The same candidate fits, each by lstsq on the training rows of each fold."""
    from cxsim.fit import crossval
    from cxsim.fit.memory_fit import candidates

    y = survey.retrospective
    fold = crossval.fold_ids(survey.n, folds, crossval.generators(seed)[0])
    for c in candidates(survey):
        for train, _test in crossval.splits(fold, folds):
            best = np.inf
            for x in c.variants:
                d = np.column_stack([np.ones(train.size), x[train]])
                coef, *_ = np.linalg.lstsq(d, y[train], rcond=None)
                sse = float(np.sum((y[train] - d @ coef) ** 2))
                best = min(best, sse)


def main() -> None:
    import statsmodels.api as sm

    from cxsim.fit.drivers import fit_drivers
    from cxsim.fit.memory_fit import compare_memory_models
    from cxsim.fit.survey import Scale, load_long, load_wide
    from cxsim.fit.synthetic import SurveySpec, answer_questionnaire, long_episodes

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="respondents / rows (default 100,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing; the median is shown")
    args = ap.parse_args()
    n, rep = args.n, args.repeat
    rows = []

    # --- memory models on long data ------------------------------------------------------------
    frame = long_episodes(np.random.default_rng(0), n, 1, moments=(4, 8), truth="peak_end",
                          truth_params={"w_peak": 0.5, "w_end": 0.3}, scale=Scale(0, 10))
    load = lambda: load_long(frame, "respondent,episode", "order", "rating", "retrospective",  # noqa: E731
                             duration="duration", group="respondent", scale=Scale(0, 10),
                             retrospective_scale=Scale(-50, 50))
    survey = load()
    rows.append(("load + validate long file", f"{len(frame):,} moments", timed(load, rep), float("nan"), CPU[-1]))
    fit_mem = lambda: compare_memory_models(survey, bootstrap=0, grouped=False)  # noqa: E731
    t_mem = timed(fit_mem, rep)
    c_mem = CPU[-1]
    t_ref = timed(lambda: lstsq_reference(survey), 1)
    result = fit_mem()
    rows.append((f"memory models ({len(result.table)}, 5-fold CV)", f"{n:,} episodes", t_mem, t_ref, c_mem))
    t_boot = timed(lambda: compare_memory_models(survey, bootstrap=200, grouped=False), 1)
    rows.append(("  all models + 200 bootstrap resamples (not in the target)", f"{n:,} episodes", t_boot,
                 float("nan"), CPU[-1]))

    # --- driver model on wide data ----------------------------------------------------------------
    rng = np.random.default_rng(1)
    tps = [f"tp{j}" for j in range(14)]
    aff = rng.normal(0, 1, (n, 14))
    w = np.zeros(14)
    w[[3, 9]] = 0.35
    spec = SurveySpec(scale_low=1, scale_high=5, anchor=3.5, noise=0.5, scale_use=0.3)
    wide = answer_questionnaire(aff, aff @ w + 0.3 * aff.mean(axis=1), tps, spec, np.random.default_rng(2))
    wide["label"] = np.where(wide["overall"] >= 4, "satisfied", "not")
    for kind, outcome, positive in (("linear", "overall", None), ("logistic", "label", "satisfied")):
        s = load_wide(wide, outcome, tps, positive=positive)
        t_fit = timed(lambda: fit_drivers(s, cross_validate=False), rep)
        c_fit = CPU[-1]
        x = sm.add_constant(s.ratings)
        model = sm.Logit if positive else sm.OLS
        kw = {"disp": 0, "method": "newton"} if positive else {}
        t_sm = timed(lambda: model(s.outcome, x).fit(**kw), rep)
        rows.append((f"driver model, {kind} (weights, CIs, Shapley)", f"{s.n:,} rows x 14", t_fit, t_sm, c_fit))
        t_cv = timed(lambda: fit_drivers(s), 1)
        rows.append((f"  + 5-fold CV of 3 models ({kind})", f"{s.n:,} rows x 14", t_cv, float("nan"), CPU[-1]))

    print(f"cxsim fitting benchmark · {platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}, median of {rep}")
    table = pd.DataFrame(rows, columns=["task", "size", "cxsim_s", "reference_s", "cxsim_cpu_s"])
    table["reference"] = ["", "lstsq per fold", "", "bare statsmodels fit (default BLAS threads)", "",
                          "bare statsmodels fit (default BLAS threads)", ""]
    with pd.option_context("display.width", 140):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
    ok_mem = t_mem < 1.0
    drv = [r[2] for r in rows if r[0].startswith("driver model")]
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"target < 1 s: memory models {t_mem:.2f} s ({'met' if ok_mem else 'NOT met'}); "
          f"driver model {max(drv):.2f} s ({'met' if max(drv) < 1.0 else 'NOT met'}); "
          f"Gram-matrix CV is {t_ref / t_mem:.1f}x the lstsq reference")


if __name__ == "__main__":
    main()
