"""Population-wide step vs an idiomatic plain Mesa 3 reference of the same model, in one process.

Both run the same model: 10 touchpoints drawn every cycle (normal performance against normal
expectations, difference form, tolerance and loss aversion), peak-end memory, cumulative
satisfaction, switching after terrible moments, no word of mouth. The reference is written the
way a Mesa user would: one ``mesa.Agent`` per customer, scalar Python in ``step()``, its own
random draws, ``model.agents.shuffle_do("step")``. cxsim's figure counts the draws and the journey
step of the population engine (``draw_cycle`` + ``step_journeys``, as in ``CustomerModel.step``).

    python benchmarks/bench_population.py            # 1,000,000 customers vs 20,000 in Mesa
    python benchmarks/bench_population.py --quick    # a smoke run of a few seconds

Prints customer-journeys per second (median over cycles) for both and their ratio, and checks
that the two models agree on mean satisfaction and retention after the same number of cycles.
cxsim's compiled kernels are loaded first, by one cycle of a small model, and the timed model's
cycle buffers are written once before its first cycle (the first write of fresh memory costs
about 1 ms a megabyte on the benchmark's virtual machine; the time is printed), so that the
timed cycles measure the step in a steady state, not loading nor first touches. It also prints
cxsim's CPU time per customer-journey, how many cores were kept busy and the share of the
machine's time the host stole meanwhile (``benchmarks/machine.py``): on a shared virtual machine the wall-clock rate
falls with steal while the CPU time per journey barely moves.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time

import mesa
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import Meter

from cxsim.engine.cycle import draw_cycle, step_journeys
from cxsim.engine.model import CustomerModel
from cxsim.engine.streams import replication_seeds
from cxsim.specs.distribution import Normal
from cxsim.specs.population import Population, Segment
from cxsim.specs.runtime import Runtime
from cxsim.specs.scenario import Loyalty, Scenario, Sim, WordOfMouth
from cxsim.specs.touchpoint import Journey, Measure, Touchpoint
from cxsim.workers import thread_count

N_TP = 10
PERF = [(7.0 + 0.2 * (i % 3), 1.0) for i in range(N_TP)]  # (mean, sd) of performance
EXPECT = (7.0, 0.5)
SEG = Segment("all", 1.0, tolerance=0.3, loss_aversion=2.0, adaptation=0.1)
LOY = Loyalty(base_repurchase=0.97, terrible_floor=-4.0)  # a few % switch per cycle, as in the scenarios
RETENTION = 0.6


def scenario() -> Scenario:
    tps = tuple(
        Touchpoint(f"t{i}", "visit", Measure(f"t{i}"), Normal(m, s), Normal(*EXPECT)) for i, (m, s) in enumerate(PERF)
    )
    return Scenario("bench", Journey(("visit",), tps), Population((SEG,)), loyalty=LOY,
                    word_of_mouth=WordOfMouth(network="none"))


def run_cxsim(n: int, cycles: int, seed: int, threads: int) -> tuple[list[float], float, float]:
    """Journeys/s per cycle (draws + journey step, as in ``CustomerModel.step``), final mean
    satisfaction and retention."""
    warm = CustomerModel(scenario(), Sim(n_customers=1000, n_cycles=1),
                         replication_seeds(seed, 1)[0], keep_customers=False, runtime=Runtime(threads=threads))
    draw_cycle(warm.compiled, 1000, 0, warm.streams, warm._draws, warm.workers)  # loads the compiled kernels
    step_journeys(warm.compiled, warm.state, warm._draws, warm._outcome, warm.state.active.copy(), warm.workers)
    warm.workers.close()
    model = CustomerModel(scenario(), Sim(n_customers=n, n_cycles=cycles),
                          replication_seeds(seed, 1)[0], keep_customers=False,
                          runtime=Runtime(threads=threads))
    draws, out, workers = model._draws, model._outcome, model.workers
    compiled, state = model.compiled, model.state
    t0 = time.perf_counter()
    workers.map(lambda a: a.fill(0), [*draws.present.T, *draws.performance.T, draws.churn_u, draws.recommend_z])
    first_touch = time.perf_counter() - t0
    rates, t_draw, t_step, active = [], [], [], []
    meter, journeys = Meter(), 0
    for c in range(cycles):
        went = state.active.copy()
        active.append(float(went.mean()))
        meter.start()
        t0 = time.perf_counter()
        draw_cycle(compiled, n, c, model.streams, draws, workers)
        t1 = time.perf_counter()
        step_journeys(compiled, state, draws, out, went, workers)
        t2 = time.perf_counter()
        meter.stop()
        journeys += int(went.sum())
        rates.append(went.sum() / (t2 - t0))
        t_draw.append(t1 - t0)
        t_step.append(t2 - t1)
    workers.close()
    print(f"cxsim per cycle (median): draws {statistics.median(t_draw):.3f} s for all {n:,} customers, "
          f"journey step {statistics.median(t_step):.3f} s (first write of the cycle's buffers before "
          f"timing: {first_touch:.3f} s, not counted)")
    print(f"cxsim per cycle, rate: {' '.join(f'{r / 1e6:.2f}' for r in rates)} M customer-journeys/s "
          f"(active customers {', '.join(f'{a:.0%}' for a in active)})")
    print(f"cxsim: {meter.describe(journeys, 'customer-journey')}")
    alive = state.active
    return rates, float(state.satisfaction[alive].mean()), float(alive.mean())


class RefCustomer(mesa.Agent):
    """The same customer in plain scalar Python."""

    def __init__(self, model: RefModel) -> None:
        super().__init__(model)
        self.expect = [model.random.gauss(*EXPECT) for _ in range(N_TP)]
        self.satisfaction = 0.0
        self.bad = 0.0

    def step(self) -> None:
        rnd = self.model.random
        affects = []
        for j, (m, s) in enumerate(PERF):
            p = rnd.gauss(m, s)
            g = p - self.expect[j]
            a = max(g - SEG.tolerance, 0.0) + SEG.loss_aversion * min(g + SEG.tolerance, 0.0)
            affects.append(a)
            self.expect[j] += SEG.adaptation * (p - self.expect[j])
        k = max(range(N_TP), key=lambda i: abs(affects[i]))
        remembered = 0.4 * affects[k] + 0.4 * affects[-1] + 0.2 * (sum(affects) / N_TP)
        self.satisfaction = RETENTION * self.satisfaction + (1 - RETENTION) * remembered
        terrible = sum(a < LOY.terrible_floor for a in affects)
        z = math.log(LOY.base_repurchase / (1 - LOY.base_repurchase)) + LOY.satisfaction_slope * self.satisfaction
        hazard = min(1.0, LOY.terrible_hazard * (1 + LOY.hazard_escalation * self.bad))
        stay = 1 / (1 + math.exp(-z)) * (1 - hazard) ** terrible
        self.bad = LOY.bad_memory_retention * self.bad + terrible
        self.model.last_satisfaction.append(self.satisfaction)
        if rnd.random() >= stay:
            self.remove()


class RefModel(mesa.Model):
    def __init__(self, n: int, seed: int) -> None:
        super().__init__(seed=seed)
        self.n = n
        self.last_satisfaction: list[float] = []
        RefCustomer.create_agents(self, n)

    def step(self) -> None:
        self.last_satisfaction = []
        self.agents.shuffle_do("step")


def run_reference(n: int, cycles: int, seed: int) -> tuple[list[float], float, float]:
    model = RefModel(n, seed)
    rates = []
    for _ in range(cycles):
        active = len(model.agents)
        t0 = time.perf_counter()
        model.step()
        rates.append(active / (time.perf_counter() - t0))
    sat = statistics.fmean(a.satisfaction for a in model.agents)
    return rates, sat, len(model.agents) / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--reference-customers", type=int, default=20_000)
    ap.add_argument("--cycles", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="cxsim worker threads (0: one per core)")
    ap.add_argument("--quick", action="store_true", help="50,000 vs 2,000 customers")
    args = ap.parse_args(argv)
    if args.quick:
        args.customers, args.reference_customers = 50_000, 2_000
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, mesa {mesa.__version__}")
    print(f"model: {N_TP} touchpoints, {args.cycles} cycles, peak-end memory, no word of mouth, "
          "all draws for all customers")
    print(f"load average before: {os.getloadavg()[0]:.1f} (other processes share the cores)")
    cx_rates, cx_sat, cx_ret = run_cxsim(args.customers, args.cycles, args.seed, args.threads)
    ref_rates, ref_sat, ref_ret = run_reference(args.reference_customers, args.cycles, args.seed)
    cx, ref = statistics.median(cx_rates), statistics.median(ref_rates)
    print(f"cxsim population step : {cx / 1e6:8.2f} M customer-journeys/s  ({args.customers:,} customers, "
          f"{thread_count(args.threads)} thread(s), median of {args.cycles} cycles)")
    print(f"Mesa reference        : {ref / 1e6:8.3f} M customer-journeys/s  ({args.reference_customers:,} customers)")
    print(f"ratio                 : {cx / ref:8.1f} x")
    print(f"final mean satisfaction: cxsim {cx_sat:+.4f}  reference {ref_sat:+.4f}")
    print(f"retention              : cxsim {cx_ret:.4f}  reference {ref_ret:.4f}")
    se = 4 * math.sqrt(cx_ret * (1 - cx_ret) / args.reference_customers)
    ok = abs(cx_ret - ref_ret) <= max(se, 0.01) and abs(cx_sat - ref_sat) <= 0.05
    print("averages agree" if ok else "AVERAGES DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
