"""Benchmark: Bayesian calibration — wall time, simulations and coverage of the truth.

    python benchmarks/bench_calibrate.py                       # b2b_dealer, 4 parameters, 10,000 customers
    python benchmarks/bench_calibrate.py --methods             # NPE against ABC-SMC on one small problem
    python benchmarks/bench_calibrate.py --methods --no-abc    # the NPE half only

Default (issue 19, item 8): a calibration of four parameters of ``b2b_dealer`` at 10,000
customers (``configs/calibrate/b2b_dealer_bayes.yaml``; its targets are synthetic, simulated at
known values) must finish in under ten minutes on two cores. Prints the wall time, the
simulations, the posterior summary and whether each true value lies in its 90 % interval.

``--methods``: the same simulator budget for both likelihood-free methods on one small problem —
two loyalty parameters of ``retail_street`` at 2,000 customers, ``--datasets`` synthetic data
sets from truths drawn from the prior. NPE is trained once (amortised) and asked about every data
set; ABC-SMC runs once per data set. Reports wall time, simulations, coverage of the truth by the
90 % intervals and the posterior sd relative to the prior's.
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np

from cxsim.fit import bayes
from cxsim.fit import observations as obs
from cxsim.fit.priors import Prior, to_values

SMALL = {
    "name": "retail_methods",
    "overrides": ["scenario=retail_street", "sim.n_customers=2000", "sim.seed=0"],
    "parameters": {
        "scenario.loyalty.satisfaction_slope": {"dist": "uniform", "low": 0.0, "high": 3.0},
        "scenario.loyalty.terrible_hazard": {"dist": "uniform", "low": 0.05, "high": 0.8},
    },
    "targets": [
        {"name": "retention", "metric": "summary.retention_rate", "value": 0.5, "sd": 0.02},
        {"name": "nps", "metric": "summary.nps", "value": -50.0, "sd": 3.0},
        {"name": "retained_3", "metric": "cycles.retention_rate", "cycle": 3, "value": 0.8, "sd": 0.02},
    ],
}


def covered(priors: tuple[Prior, ...], z: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Whether each true value lies in the central 90 % interval of the draws ``z`` (working space)."""
    x = to_values(priors, z)
    lo, hi = np.quantile(x, [0.05, 0.95], axis=0)
    return (truth >= lo) & (truth <= hi)


def sd_ratio(priors: tuple[Prior, ...], z: np.ndarray) -> np.ndarray:
    x = to_values(priors, z)
    return np.std(x, axis=0) / np.array([p.moments()[1] for p in priors])


def methods(budget: int, datasets: int, seed: int, abc: bool = True) -> None:
    spec = bayes.spec_from_dict(SMALL)
    sim = bayes.Simulator(spec)
    lik = obs.Likelihood(spec.targets)
    priors, k = spec.priors, len(spec.priors)
    rng = bayes.stream(seed, "benchmark truths")
    z_true = rng.standard_normal((datasets, k))
    truth = to_values(priors, z_true)
    ys = lik.draw(sim(truth, np.zeros(datasets, int)), rng)
    print(f"problem: {k} parameters of retail_street, 2,000 customers, {len(spec.targets)} targets; "
          f"budget {budget} simulations; {datasets} synthetic data sets\n")

    def sim_z(z: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return sim(to_values(priors, z), idx)

    t = time.perf_counter()
    calls = sim.calls
    net = bayes.NeuralPosterior(sim_z, k, lik, budget, seed)
    train = time.perf_counter() - t
    cov, ratio = [], []
    for i, y in enumerate(ys):
        z = net.sample(y[None, :], 4000, seed=i)
        cov.append(covered(priors, z, truth[i]))
        ratio.append(sd_ratio(priors, z))
    print(f"npe:     {time.perf_counter() - t:7.1f} s wall ({train:.1f} s simulate + train once), "
          f"{sim.calls - calls} simulations, coverage {np.mean(cov):.2f} "
          f"({int(np.sum(cov))}/{np.size(cov)}), posterior/prior sd {np.mean(ratio):.2f}")
    if not abc:
        return
    logging.getLogger("ABC").setLevel(logging.WARNING)
    t = time.perf_counter()
    calls = sim.calls
    cov, ratio, temps = [], [], []
    for i, y in enumerate(ys):
        lik_i = obs.Likelihood(obs.with_observed(spec.targets, y))
        inf = bayes.infer_abc(sim_z, k, lik_i, budget, 4000, seed + i)
        cov.append(covered(priors, inf.z, truth[i]))
        ratio.append(sd_ratio(priors, inf.z))
        temps.append(inf.diagnostics["final_temperature"])
    print(f"abc-smc: {time.perf_counter() - t:7.1f} s wall ({datasets} runs), {sim.calls - calls} simulations, "
          f"coverage {np.mean(cov):.2f} ({int(np.sum(cov))}/{np.size(cov)}), posterior/prior sd {np.mean(ratio):.2f}, "
          f"final temperatures {', '.join(f'{x:.3g}' for x in temps)}")


def dealer(seed: int) -> None:
    spec = bayes.load("b2b_dealer_bayes")
    start = time.perf_counter()
    result = bayes.calibrate_bayes(spec, seed=seed)
    wall = time.perf_counter() - start
    d = result.diagnostics
    print(f"b2b_dealer_bayes: {len(spec.priors)} parameters, {d['simulations']} + {d['predictive_runs']} "
          f"simulations ({spec.method}), {wall:.1f} s wall (target: < 600 s on two cores)")
    print(result.summary[["parameter", "mean", "sd", "q05", "q95", "sd_ratio"]].to_string(index=False))
    truth = TRUTH_B2B
    inside = [(r.q05 <= truth[r.parameter] <= r.q95) for r in result.summary.itertuples()]
    print(f"true values inside the 90 % intervals: {sum(inside)}/{len(inside)}")
    for w in result.warnings:
        print("warning:", w)


#: The values b2b_dealer_bayes.yaml's synthetic targets were simulated at (see that file).
TRUTH_B2B = {
    "scenario.loyalty.satisfaction_slope": 1.0,
    "scenario.loyalty.terrible_hazard": 0.25,
    "scenario.loyalty.recommend_intercept": 7.0,
    "scenario.word_of_mouth.negative_reach": 0.25,
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--methods", action="store_true", help="NPE against ABC-SMC on one small problem")
    p.add_argument("--budget", type=int, default=600, help="simulations per method (--methods)")
    p.add_argument("--datasets", type=int, default=5, help="synthetic data sets (--methods)")
    p.add_argument("--no-abc", action="store_true", help="NPE only (--methods)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    if args.methods:
        methods(args.budget, args.datasets, args.seed, abc=not args.no_abc)
    else:
        dealer(args.seed)


if __name__ == "__main__":
    main()
