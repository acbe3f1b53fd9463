"""Bayesian calibration: a posterior over simulation parameters from observed targets.

A Bayesian calibration file (``configs/calibrate/*_bayes.yaml``) is the point fit's file
(:mod:`cxsim.fit.calibrate`) with a **prior** per parameter (:mod:`cxsim.fit.priors`) and
targets that state their **observation noise** (:mod:`cxsim.fit.observations`: normal ``sd``,
binomial ``n`` for shares, multinomial counts for a survey's rating distribution)::

    method: npe            # npe (default) | abc-smc
    simulations: 1000      # simulator budget of the inference
    parameters:
      scenario.loyalty.satisfaction_slope: {dist: uniform, low: 0.0, high: 3.0}
    targets:
      - {name: retention, metric: summary.retention_rate, value: 0.80, sd: 0.02}
      - {name: overall, metric: survey.overall, counts: {1: 2, 2: 5, 3: 40, 4: 120, 5: 80}}

The model is ``θ ~ prior``, ``s = simulate(θ)`` (the targets' statistics of one run of the
population engine), ``y ~ noise(s)``. The posterior ``p(θ | y_observed)`` is found by a
likelihood-free method from a maintained library, both working on the priors' standard-normal
working space (so no proposal ever leaves the bounds):

* ``npe`` — **neural posterior estimation** (sbi; Papamakarios & Murray 2016, Greenberg et al.
  2019, Tejero-Cantero et al. 2020): ``simulations`` draws from the prior, each run once and given
  observation noise, train a conditional normalising flow ``q(θ | y)`` (a masked autoregressive
  flow); the posterior is ``q`` at the observed ``y``. Its quality is checked after every fit by
  importance weights on the predictive-check runs (``importance_ess``: ``p(y|θ)p(θ)/q(θ|y)``,
  near the number of runs when ``q`` is right).
* ``abc-smc`` — ABC sequential Monte Carlo (pyabc; Toni et al. 2009, Klinger et al. 2018) with a
  stochastic acceptor whose kernel *is* the observation model and a temperature schedule
  (Wilkinson 2013; Schälte & Hasenauer 2020): exact once the temperature reaches one; a run that
  stops above one (budget spent) is reported with a warning.

**Why NPE is the default.** Both were measured on one problem with the same budget
(``python benchmarks/bench_calibrate.py --methods``: two loyalty parameters of ``retail_street``
at 2,000 customers, three targets, 600 simulations per fit, five synthetic data sets from truths
drawn from the prior, two shared cores): NPE took 48 s for all five data sets (600 simulations
and one training — it is *amortised*: one network answers any observed data) and held the truth
in 10 of 10 90 % intervals with posterior sd 0.41 of the prior's; ABC-SMC took 695 s (3,873
simulations, a run per data set), held 9 of 10, and stopped at temperatures 1.8–8.8, never one,
so its posteriors were wider than the data justify (sd 0.49 of the prior's). Amortisation also
makes the coverage checks of the test suite (simulation-based calibration, Talts et al. 2018)
cheap: one network, a hundred and fifty synthetic data sets. ABC-SMC is kept because it costs
little (it shares the simulator and the likelihood) and needs no neural network or torch.

**Common random numbers** (``crn: true``, the default): every simulation of the inference runs
with the run's seed, so the targets are a smooth function of the parameters and the only noise
in the model is the observation noise the targets state — the Monte Carlo noise of a finite
simulated population is not mistaken for information (or for its absence) about the parameters;
the predictive checks use the same seed. With ``crn: false`` simulation ``i`` gets its own seed
from ``SeedSequence([seed, i])`` and the simulation noise becomes part of the model.

Reproducible: the same file, overrides and ``seed`` give the same posterior (numpy Generators
from ``SeedSequence``; torch's and pyabc's global generators are seeded inside a scope and
restored afterwards, so the library leaves no global random state changed).
"""

from __future__ import annotations

import copy
import logging
import tempfile
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.config import compose_config
from cxsim.engine.run import run
from cxsim.engine.survey import survey_from_moments
from cxsim.errors import SpecError
from cxsim.extras import require
from cxsim.fit import observations as obs
from cxsim.fit.calibration_checks import check_cycles, check_spec, metric_value, parameter_values, read
from cxsim.fit.priors import Prior, priors_from_dict, to_values
from cxsim.specs import checks
from cxsim.specs.build import run_spec_from_dict
from cxsim.specs.intervention import get_path, set_path
from cxsim.teach.switching import with_bad_experience

Array = NDArray[np.float64]
Indices = NDArray[np.integer[Any]]
METHODS = ("npe", "abc-smc")
EXPERIMENTS = ("none", "bad_experience")
TOP_KEYS = ("name", "description", "overrides", "experiment", "parameters", "targets", "method",
            "simulations", "posterior_samples", "predictive_runs", "crn")
NETWORKS = 2      # NPE trains this many networks (own seeds) and keeps the best on validation data
PRIOR_ONLY = 0.9  # posterior sd / prior sd above this: the data barely moved the parameter
LEVEL = 0.90      # credible intervals: central 90 %

Simulate = Callable[[Array, Indices], Array]
"""``simulate(values (m, k), indices (m,)) -> statistics (m, d)``; NaN rows for failed runs."""


@dataclass(frozen=True)
class BayesSpec:
    """A Bayesian calibration problem (see the module docstring)."""

    name: str
    priors: tuple[Prior, ...]
    targets: tuple[obs.Target, ...]
    overrides: tuple[str, ...] = ()
    experiment: str = "none"
    method: str = "npe"
    simulations: int = 1000
    posterior_samples: int = 4000
    predictive_runs: int = 40
    crn: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        check_spec(self.name, self.priors, self.targets, "at least one parameter with its prior is required")
        paths = [p.path for p in self.priors]
        if len(set(paths)) != len(paths):
            raise SpecError("parameters", paths, "each parameter once")
        checks.choice("experiment", self.experiment, EXPERIMENTS)
        checks.choice("method", self.method, METHODS)
        checks.integer("simulations", self.simulations, 20)
        checks.integer("posterior_samples", self.posterior_samples, 100)
        checks.integer("predictive_runs", self.predictive_runs, 2)
        checks.flag("crn", self.crn)


def spec_from_dict(data: Mapping[str, Any], base: Path | None = None) -> BayesSpec:
    """Build and validate a :class:`BayesSpec` from plain data (``base``: folder of relative survey files)."""
    data = checks.mapping("calibration", data)
    checks.no_unknown_keys("", data, TOP_KEYS)
    priors = priors_from_dict(data.get("parameters") or {})
    targets = tuple(obs.target_from_dict(i, t, base=base)
                    for i, t in enumerate(checks.sequence("targets", data.get("targets") or [])))
    overrides = tuple(str(o) for o in checks.sequence("overrides", data.get("overrides") or []))
    rest = {k: data[k] for k in ("method", "simulations", "posterior_samples", "predictive_runs", "crn") if k in data}
    return BayesSpec(name=str(data.get("name") or "calibration"), priors=priors, targets=targets,
                     overrides=overrides, experiment=str(data.get("experiment", "none")),
                     description=str(data.get("description") or ""), **rest)


def is_bayesian(data: Mapping[str, Any]) -> bool:
    """Whether a parsed calibration file asks for the Bayesian path (its ``method``)."""
    return str(data.get("method", "")) in METHODS


def load(name_or_path: str | Path) -> BayesSpec:
    """A shipped Bayesian calibration by name (``switching_bayes``) or a YAML file."""
    data, base = read(name_or_path)
    return spec_from_dict(data, base)


def stream(seed: int, purpose: str) -> np.random.Generator:
    """The Generator of one purpose of a calibration (``SeedSequence([seed, crc32(purpose)])``)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(purpose.encode())]))


# --------------------------------------------------------------------------- the simulator
def simulation_config(spec: BayesSpec, extra_overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The composed config every simulation of ``spec`` starts from: one replication, no figures or
    customer files, the moments kept when a target is a rating distribution."""
    base = compose_config([*spec.overrides, *extra_overrides])
    if base.get("intervention") is None:
        base.pop("intervention", None)
    base["sim"]["replications"] = 1
    base["outputs"] = {**base.get("outputs", {}), "figures": False, "customers": "never"}
    if any(isinstance(t, obs.DistributionTarget) for t in spec.targets):
        base["outputs"]["moments"] = True
    return base


class Simulator:
    """The targets' statistics simulated by cxsim's population engine at given parameter values.

    Composes the run once (the file's overrides, then ``extra_overrides``), checks every
    parameter path and target against it, then runs one replication per call.
    """

    def __init__(self, spec: BayesSpec, extra_overrides: Sequence[str] = ()) -> None:

        self.spec = spec
        base = simulation_config(spec, extra_overrides)
        self.surveys = [t for t in spec.targets if isinstance(t, obs.DistributionTarget)]
        if self.surveys:
            survey = base["outputs"].get("survey", {})
            for t in self.surveys:
                scale = (survey.get("scale_low", 1), survey.get("scale_high", 5))
                if tuple(float(v) for v in t.scale) != tuple(float(v) for v in scale):
                    raise SpecError(f"targets.{t.name}.scale", list(t.scale),
                                    f"the run's survey scale is outputs.survey {scale[0]:g}..{scale[1]:g}")
        self.base = base
        parameter_values(base, [p.path for p in spec.priors])
        check_cycles(spec.targets, int(base["sim"]["n_cycles"]))
        self.seed = int(base["sim"]["seed"])
        self.calls = 0
        start = np.array([[p.moments()[0] for p in spec.priors]])
        self(start, np.zeros(1, int), strict=True)  # validates metrics and columns before the inference

    def config(self, x: Array, index: int = 0) -> dict[str, Any]:
        """The composed config with parameter values ``x`` (and the seed of simulation ``index``)."""
        cfg = copy.deepcopy(self.base)
        for p, v in zip(self.spec.priors, x):
            set_path(cfg, p.path, float(v))
        if not self.spec.crn:
            cfg["sim"]["seed"] = int(np.random.SeedSequence([self.seed, int(index)]).generate_state(1)[0])
        if self.spec.experiment == "bad_experience":
            cfg = with_bad_experience(cfg, cycles=int(cfg["sim"]["n_cycles"]))
        return cfg

    def __call__(self, values: Array, indices: Indices, strict: bool = False) -> Array:
        """``(m, d)`` statistics at ``(m, k)`` parameter values (a NaN row where a value is refused)."""
        values = np.atleast_2d(values)
        out = np.full((values.shape[0], sum(t.size for t in self.spec.targets)), np.nan)
        for row, (x, i) in enumerate(zip(values, indices)):
            self.calls += 1
            try:
                spec = run_spec_from_dict(self.config(x, int(i)))
            except SpecError:
                if strict:
                    raise
                continue  # a prior value the scenario refuses: no data, left out of the inference
            out[row] = self.statistics(run(spec), spec)
        return out

    def statistics(self, results: Any, spec: Any) -> Array:
        """The targets' statistics of one run (value targets, then rating shares)."""
        parts: list[Array] = []
        survey = None
        for t in self.spec.targets:
            if isinstance(t, obs.ValueTarget):
                parts.append(np.array([metric_value(results, t)]))
                continue
            if survey is None:
                survey = survey_from_moments(results.moments, spec)
            if t.column not in survey.columns:
                raise SpecError(f"targets.{t.name}.metric", t.metric,
                                "survey columns: " + ", ".join(
                                    c for c in survey.columns if c not in ("respondent", "customer_id", "replication")))
            counts = obs.rating_counts(survey[t.column].dropna().to_numpy(), t.scale, f"targets.{t.name}")
            parts.append(counts / max(counts.sum(), 1.0))
        return np.concatenate(parts)


# --------------------------------------------------------------------------- inference
@dataclass
class Inference:
    """What a method returns: posterior draws in the working space and its diagnostics."""

    z: Array
    table: pd.DataFrame  # every simulation of the inference: z, statistics
    diagnostics: dict[str, Any] = field(default_factory=dict)
    log_q: Callable[[Array], Array] | None = None  # log q(z | y_observed), when the method has one


class NeuralPosterior:
    """An amortised neural posterior ``q(z | y)`` over the working space (sbi's ``NPE``).

    Trained once on ``budget`` prior draws, each simulated once and given observation noise;
    :meth:`sample` then gives the posterior for *any* observed data — the simulation-based
    calibration of the test suite reuses one network for many synthetic data sets.
    Training now and then stalls at a network that has learnt next to nothing (its validation
    loss stays near the prior's); ``NETWORKS`` networks are trained with their own seeds and the
    one with the lowest validation loss is kept. Torch runs on one thread inside the fit (restored
    afterwards): on a shared two-core machine more threads made training many times slower, not faster.
    """

    def __init__(self, simulate: Simulate, k: int, likelihood: obs.Likelihood, budget: int, seed: int) -> None:
        import torch  # deferred: torch and sbi are an optional, heavy dependency
        from sbi.inference import NPE

        self.likelihood = likelihood
        self.seed = seed
        self.z = stream(seed, "prior").standard_normal((budget, k))
        self.stats = simulate(self.z, np.arange(budget))
        ok = np.all(np.isfinite(self.stats), axis=1)
        if ok.sum() < 20:
            raise SpecError("parameters", int(ok.sum()),
                            "fewer than 20 prior draws gave a valid run; narrow the priors")
        y = likelihood.draw(np.nan_to_num(self.stats), stream(seed, "noise"))
        x = likelihood.features(y)
        theta = torch.as_tensor(self.z[ok], dtype=torch.float32)
        data = torch.as_tensor(x[ok], dtype=torch.float32)
        self.losses: list[float] = []
        best = np.inf
        for attempt in range(NETWORKS):
            with _torch_scope(seed, f"train{attempt}"):
                prior = torch.distributions.MultivariateNormal(torch.zeros(k), torch.eye(k))
                npe = NPE(prior=prior, density_estimator="maf", show_progress_bars=False, tracker=_NoTracker())
                npe.append_simulations(theta, data)
                estimator = npe.train(training_batch_size=50, learning_rate=1e-3, stop_after_epochs=20)
                loss = float(npe._summary["best_validation_loss"][-1])
                self.losses.append(loss)
                if attempt == 0 or loss < best:
                    best, self.posterior = loss, npe.build_posterior(estimator)
                    self.epochs = int(npe._summary["epochs_trained"][-1])
        self.valid = int(ok.sum())

    def _x(self, observed: Array) -> Any:
        import torch  # deferred: optional dependency

        return torch.as_tensor(self.likelihood.features(observed)[0], dtype=torch.float32)

    def sample(self, observed: Array, n: int, seed: int = 0) -> Array:
        """``(n, k)`` working-space draws of the posterior given observed statistics ``observed``."""
        with _torch_scope(self.seed, f"sample{seed}"):
            return self.posterior.sample((n,), x=self._x(observed), show_progress_bars=False).numpy().astype(float)

    def log_prob(self, z: Array, observed: Array) -> Array:
        """``log q(z | observed)``."""
        import torch  # deferred: optional dependency

        with _torch_scope(self.seed, "log_prob"), torch.no_grad():
            zz = torch.as_tensor(np.atleast_2d(z), dtype=torch.float32)
            return self.posterior.log_prob(zz, x=self._x(observed)).numpy().astype(float)


class _NoTracker:
    """sbi's training tracker that records nothing (its default writes ``./sbi-logs`` into the working folder)."""

    log_dir = None

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        """Nothing."""

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Nothing."""

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Nothing."""

    def add_figure(self, name: str, figure: Any, step: int | None = None) -> None:
        """Nothing."""

    def flush(self) -> None:
        """Nothing."""


class _torch_scope:
    """Seed torch's global generator and use one thread inside; restore both on exit."""

    def __init__(self, seed: int, purpose: str) -> None:
        import torch  # deferred: optional dependency

        self.torch = torch
        self.seed = int(np.random.SeedSequence([int(seed), zlib.crc32(purpose.encode())]).generate_state(1)[0])

    def __enter__(self) -> None:
        self.threads = self.torch.get_num_threads()
        self.fork = self.torch.random.fork_rng()
        self.fork.__enter__()
        self.torch.manual_seed(self.seed)
        self.torch.set_num_threads(1)

    def __exit__(self, *exc: Any) -> None:
        self.torch.set_num_threads(self.threads)
        self.fork.__exit__(*exc)


def infer_npe(simulate: Simulate, k: int, likelihood: obs.Likelihood, budget: int, n_samples: int,
              seed: int) -> Inference:
    """Neural posterior estimation from ``budget`` prior runs (:class:`NeuralPosterior`)."""
    net = NeuralPosterior(simulate, k, likelihood, budget, seed)
    observed = likelihood.observed[None, :]
    samples = net.sample(observed, n_samples)
    return Inference(samples, _table(net.z, net.stats),
                     {"method": "npe", "simulations": budget, "valid_runs": net.valid, "epochs": net.epochs,
                      "validation_losses": net.losses},
                     lambda zz: net.log_prob(zz, observed))


def infer_abc(simulate: Simulate, k: int, likelihood: obs.Likelihood, budget: int, n_samples: int,
              seed: int) -> Inference:
    """ABC-SMC (pyabc) with a stochastic acceptor whose kernel is the observation model."""
    import pyabc  # deferred: an optional dependency of the Bayesian path

    rows: list[tuple[Array, Array]] = []
    names = [f"z{j}" for j in range(k)]

    def model(par: Mapping[str, float]) -> dict[str, Array]:
        zz = np.array([[par[n] for n in names]])
        s = simulate(zz, np.array([len(rows)]))[0]
        rows.append((zz[0], s))
        return {"s": s}

    def kernel(x: Mapping[str, Array], x_0: Mapping[str, Array], t: Any = None, par: Any = None) -> float:
        s = x["s"]
        return float(likelihood.log_likelihood(s[None, :])[0]) if np.all(np.isfinite(s)) else -np.inf

    prior = pyabc.Distribution(**{n: pyabc.RV("norm", 0.0, 1.0) for n in names})
    pop = int(min(500, max(50, budget // 8)))
    state = np.random.get_state()  # noqa: NPY002 - pyabc draws from numpy's global generator: seeded here, restored below
    log = logging.getLogger("ABC")  # pyabc reports every generation at INFO: quiet here, restored below
    level = log.level
    log.setLevel(logging.WARNING)
    np.random.seed(int(np.random.SeedSequence([seed, zlib.crc32(b"pyabc")]).generate_state(1)[0]))  # noqa: NPY002
    try:
        with tempfile.TemporaryDirectory() as tmp:
            abc = pyabc.ABCSMC(model, prior, pyabc.FunctionKernel(kernel, ret_scale="SCALE_LOG",
                                                                  pdf_max=likelihood.max_log_likelihood),
                               population_size=pop, eps=pyabc.Temperature(), acceptor=pyabc.StochasticAcceptor(),
                               sampler=pyabc.sampler.SingleCoreSampler())
            abc.new(f"sqlite:///{Path(tmp) / 'abc.db'}", {"s": likelihood.observed})
            history = abc.run(max_total_nr_simulations=budget)
            frame, weights = history.get_distribution(m=0, t=history.max_t)
            pops = history.get_all_populations()
            temperature = float(pops["epsilon"].iloc[-1])
            generations = int(history.max_t) + 1
            acceptance = (pops["particles"] / pops["samples"].replace(0, np.nan)).dropna()
    finally:
        np.random.set_state(state)  # noqa: NPY002 - the caller's global state back
        log.setLevel(level)
    w = np.asarray(weights, float) / np.sum(weights)
    pick = stream(seed, "resample").choice(len(w), n_samples, p=w)
    z = frame[names].to_numpy(float)[pick]
    zs = np.array([r[0] for r in rows]).reshape(-1, k)
    ss = np.array([r[1] for r in rows]).reshape(len(rows), -1)
    diag = {"method": "abc-smc", "simulations": len(rows), "generations": generations,
            "population": pop, "final_temperature": temperature, "ess": float(1.0 / np.sum(w ** 2)),
            "acceptance_last": float(acceptance.iloc[-1]) if len(acceptance) else float("nan")}
    return Inference(z, _table(zs, ss), diag)


def _table(z: Array, stats: Array) -> pd.DataFrame:
    t = pd.DataFrame(z, columns=[f"z{j}" for j in range(z.shape[1])])
    for j in range(stats.shape[1]):
        t[f"s{j}"] = stats[:, j]
    return t


INFER = {"npe": infer_npe, "abc-smc": infer_abc}


# --------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class BayesResult:
    """The outcome of :func:`calibrate_bayes`.

    Attributes:
        samples: posterior draws, one column per parameter (dotted path), ``posterior_samples`` rows.
        summary: per parameter: prior, prior mean and sd, posterior mean, sd, 5/50/95 % quantiles,
            ``sd_ratio`` (posterior sd / prior sd) and ``prior_only`` (ratio above 0.9).
        predictive: posterior predictive check per target statistic: observed, simulated mean,
            the 5–95 % predictive interval (with observation noise) and whether it holds the observation.
        simulations: every simulation of the inference: parameter values and statistics.
        diagnostics: method, simulations, seconds, ESS or acceptance, temperature, warnings.
    """

    spec: BayesSpec
    samples: pd.DataFrame
    summary: pd.DataFrame
    predictive: pd.DataFrame
    simulations: pd.DataFrame
    diagnostics: dict[str, Any]
    base: Mapping[str, Any] = field(default_factory=dict)  # the composed run config (empty: a custom simulator)

    @property
    def warnings(self) -> list[str]:
        """Plain-language warnings (a parameter the data did not inform, an unfinished ABC run...)."""
        return list(self.diagnostics.get("warnings", []))


def calibrate_bayes(spec: BayesSpec, extra_overrides: Sequence[str] = (), seed: int = 0,
                    simulate: Simulate | None = None, progress: Callable[[str], None] | None = None) -> BayesResult:
    """The posterior of ``spec``'s parameters given its targets (see the module docstring).

    Args:
        spec: the calibration.
        extra_overrides: further Hydra overrides of the run (sizes, seed ...).
        seed: seed of the inference's own draws (prior draws, observation noise, network, resampling).
        simulate: the simulator ``(values (m, k), indices (m,)) -> statistics (m, d)``; default the
            cxsim run of :class:`Simulator`. Tests pass cheap synthetic simulators through the same path.
        progress: called with a short message now and then.
    """
    start = time.perf_counter()
    if simulate is None:
        simulate = Simulator(spec, extra_overrides)
    likelihood = obs.Likelihood(spec.targets)
    priors = spec.priors
    k = len(priors)
    counter = {"runs": 0}

    def sim_z(z: Array, idx: Indices) -> Array:
        stats = simulate(to_values(priors, z), idx)
        counter["runs"] += len(z)  # counted once done: the message reports finished simulations
        if progress is not None and counter["runs"] // 100 != (counter["runs"] - len(z)) // 100:
            progress(f"{counter['runs']} simulations")
        return stats

    inf = INFER[spec.method](sim_z, k, likelihood, spec.simulations, spec.posterior_samples, seed)
    values = to_values(priors, inf.z)
    samples = pd.DataFrame(values, columns=[p.path for p in priors])
    summary = summarise(priors, values)
    predictive, extra = predictive_check(sim_z, priors, inf, likelihood, spec.predictive_runs, seed)
    sims = inf.table
    sims_values = to_values(priors, sims[[f"z{j}" for j in range(k)]].to_numpy())
    table = pd.DataFrame(sims_values, columns=[p.path for p in priors])
    labels = likelihood.labels()
    for j, (name, stat) in enumerate(labels):
        table[f"{name}:{stat}" if stat != "value" else name] = sims[f"s{j}"].to_numpy()
    diag = {**inf.diagnostics, **extra, "seconds": time.perf_counter() - start, "seed": seed,
            "crn": spec.crn, "parameters": k}
    diag["warnings"] = _warnings(summary, diag)
    return BayesResult(spec, samples, summary, predictive, table, diag, getattr(simulate, "base", {}))


def summarise(priors: Sequence[Prior], values: Array) -> pd.DataFrame:
    """Posterior mean, sd and 90 % interval per parameter, beside the prior's mean and sd."""
    rows = []
    for j, p in enumerate(priors):
        v = values[:, j]
        pm, psd = p.moments()
        sd = float(np.std(v, ddof=1))
        q = np.quantile(v, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
        rows.append({"parameter": p.path, "prior": p.describe(), "prior_mean": pm, "prior_sd": psd,
                     "mean": float(np.mean(v)), "sd": sd, "q05": q[0], "q50": q[1], "q95": q[2],
                     "sd_ratio": sd / psd if psd > 0 else float("nan"),
                     "prior_only": bool(psd > 0 and sd / psd > PRIOR_ONLY)})
    return pd.DataFrame(rows)


def predictive_check(simulate: Simulate, priors: Sequence[Prior], inf: Inference, likelihood: obs.Likelihood,
                     runs: int, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Posterior predictive check (Gelman et al., *Bayesian Data Analysis*, ch. 6) of every target.

    ``runs`` posterior draws are simulated (common random numbers as in the inference) and given
    observation noise; each statistic's observed value is set against the 5–95 % interval of
    those replicated observations. With a method that has a posterior density (NPE) the same
    runs give importance weights ``p(y|θ)p(θ)/q(θ|y)`` and their effective sample size.
    """
    rng = stream(seed, "predictive")
    pick = rng.choice(len(inf.z), size=min(runs, len(inf.z)), replace=False)
    z = inf.z[pick]
    stats = simulate(z, np.arange(len(z)) + 10_000_000)
    ok = np.all(np.isfinite(stats), axis=1)
    rep = likelihood.draw(np.nan_to_num(stats[ok]), rng)
    lo, hi = np.quantile(rep, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
    rows = []
    for j, (name, stat) in enumerate(likelihood.labels()):
        o = float(likelihood.observed[j])
        rows.append({"target": name, "statistic": stat, "observed": o,
                     "simulated_mean": float(np.mean(stats[ok, j])), "predictive_low": float(lo[j]),
                     "predictive_high": float(hi[j]), "inside": bool(lo[j] <= o <= hi[j]),
                     "p_value": float(np.mean(rep[:, j] >= o))})
    extra: dict[str, Any] = {"predictive_runs": int(ok.sum())}
    if inf.log_q is not None and ok.any():
        log_w = likelihood.log_likelihood(stats[ok]) - 0.5 * np.sum(z[ok] ** 2, axis=1) - inf.log_q(z[ok])
        w = np.exp(log_w - np.max(log_w))
        extra["importance_ess"] = float(w.sum() ** 2 / np.sum(w ** 2))
    return pd.DataFrame(rows), extra


def _warnings(summary: pd.DataFrame, diag: Mapping[str, Any]) -> list[str]:
    out = [f"{r.parameter}: the posterior is about the prior (sd ratio {r.sd_ratio:.2f} > {PRIOR_ONLY}); "
           "the targets say little about it" for r in summary.itertuples() if r.prior_only]
    if diag.get("method") == "abc-smc" and diag.get("final_temperature", 1.0) > 1.0 + 1e-9:
        out.append(f"ABC-SMC stopped at temperature {diag['final_temperature']:.3g} > 1 within the budget: "
                   "the posterior is wider than the data justify; raise simulations")
    ess, n = diag.get("importance_ess"), diag.get("predictive_runs", 0)
    if ess is not None and n and ess < 0.2 * n:
        out.append(f"importance ESS {ess:.1f} of {n} predictive runs: the neural posterior may be off; "
                   "raise simulations")
    return out


def posterior_overrides(result: BayesResult) -> tuple[str, ...]:
    """The posterior means as cxsim overrides (see :func:`as_overrides`)."""
    return as_overrides(result.base, list(result.summary["parameter"]), result.summary["mean"].to_numpy())


def as_overrides(base: Mapping[str, Any], paths: Sequence[str], values: Array) -> tuple[str, ...]:
    """Parameter values as cxsim overrides; items of a list (``…terrible_hazard_by_count.1``) are written
    as the whole list, so the overrides hold on their own (``…terrible_hazard_by_count=[0.4,0.25,0.78]``).

    Args:
        base: the composed config the paths point into (for the other items of a list).
        paths: dotted parameter paths.
        values: their values.
    """
    out: dict[str, Any] = {}
    for path, v in zip(paths, values):
        parent, _, last = path.rpartition(".")
        try:
            node = get_path(base, parent) if parent and last.lstrip("-").isdigit() else None
        except SpecError:
            node = None
        if isinstance(node, list):
            items = out.setdefault(parent, list(node))
            items[int(last)] = float(v)
        else:
            out[path] = float(v)
    return tuple(f"{k}=[{','.join(f'{x:.6g}' for x in v)}]" if isinstance(v, list) else f"{k}={v:.6g}"
                 for k, v in out.items())


def from_point_fit(point: Any, method: str = "npe") -> BayesSpec:
    """A Bayesian calibration from a point-fit calibration (:class:`cxsim.fit.calibrate.CalibrationSpec`).

    Bounds become uniform priors; each target's ``sd`` becomes its normal observation noise (the
    point fit's default ``sd`` of 1 is kept as it is: state a real one in the file).
    """
    priors = tuple(Prior(p.path, "uniform", low=p.low, high=p.high) for p in point.parameters)
    targets = tuple(obs.ValueTarget(t.name, t.metric, t.value, cycle=t.cycle, sd=t.sd) for t in point.targets)
    return BayesSpec(name=point.name, priors=priors, targets=targets, overrides=point.overrides,
                     experiment=point.experiment, method=method, description=point.description)


def report(result: BayesResult) -> str:
    """The posterior summary, the predictive check and the diagnostics as readable text."""
    d = result.diagnostics
    how = (f"{d['method']}, {d['simulations']} simulations + {d.get('predictive_runs', 0)} for the predictive check"
           f" ({'common random numbers' if d.get('crn') else 'a seed per simulation'}), {d['seconds']:.1f} s")
    lines = [f"{result.spec.name}: {how}", ""]
    cols = ["parameter", "prior", "mean", "sd", "q05", "q95", "sd_ratio"]
    lines.append(result.summary[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    lines += ["", "posterior predictive check (observed against the 90 % predictive interval):"]
    lines.append(result.predictive.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    extra = {k: d[k] for k in ("importance_ess", "ess", "final_temperature", "acceptance_last", "generations")
             if k in d}
    if extra:
        lines += ["", "diagnostics: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                                  for k, v in extra.items())]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def missing_method_dependency(method: str) -> SpecError | None:
    """A one-line error when the optional library of ``method`` is not installed, else ``None``."""
    module, purpose = {"npe": ("sbi.inference", "neural posterior estimation (method npe)"),
                       "abc-smc": ("pyabc", "ABC-SMC (method abc-smc)")}[method]
    try:
        require(module, "bayes", purpose)
    except SpecError as err:
        return err
    return None


__all__ = ["BayesSpec", "BayesResult", "Simulator", "calibrate_bayes", "load", "simulation_config", "spec_from_dict"]
