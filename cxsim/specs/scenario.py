"""A scenario (journey, population, memory, loyalty, word of mouth, economics), the experiment's
settings (:class:`Sim`), the outputs and the whole run (:class:`RunSpec`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cxsim.behaviour.memory import KeyMoments
from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.copula import check_segments
from cxsim.specs.intervention import NONE, Intervention
from cxsim.specs.market import Market, check_market
from cxsim.specs.operations import OperationsSpec, check_sources
from cxsim.specs.population import MemorySpec, Population, Segment
from cxsim.specs.runtime import Runtime
from cxsim.specs.survey import SurveySpec, survey_spec_from_dict
from cxsim.specs.touchpoint import Journey, positive_support

NETWORKS = ("small_world", "random", "none")
ENGINES = ("population", "agent")
CUSTOMER_OUTPUT = ("auto", "always", "never")
#: The two forms of the Delta law (:mod:`cxsim.behaviour.affect`): experience − expectation, or their ratio.
AFFECT_FORMS = ("difference", "ratio")


@dataclass(frozen=True)
class Loyalty:
    """Repurchase, switching after terrible moments, and likelihood to recommend.

    See :mod:`cxsim.behaviour.loyalty` for the formulas.

    Switching after a terrible moment has two forms. The escalation form: ``terrible_hazard`` for
    a customer's first terrible moment, raised by ``hazard_escalation`` for each earlier one.
    The table form, ``terrible_hazard_by_count`` (optional): the hazard of a customer's 1st, 2nd,
    3rd … terrible moment (the last entry for every later one), indexed by the lifetime count of
    earlier terrible moments; when given, it replaces the escalation form; ``null`` or ``[]``
    keeps the escalation form. (``terrible_hazards`` is the table's old config key, kept for one
    release, and :attr:`terrible_hazards` its old attribute name.)
    """

    base_repurchase: float = 0.9
    satisfaction_slope: float = 1.0
    terrible_floor: float = -2.0
    terrible_hazard: float = 0.3
    hazard_escalation: float = 0.0
    bad_memory_retention: float = 0.9
    recommend_intercept: float = 7.0
    recommend_slope: float = 1.5
    recommend_noise: float = 1.0
    terrible_hazard_by_count: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "terrible_hazard_by_count", _hazard_table(self.terrible_hazard_by_count))
        b = checks.number("base_repurchase", self.base_repurchase)
        if not 0.0 < b < 1.0:
            raise SpecError("base_repurchase", self.base_repurchase, "must lie strictly between 0 and 1")
        checks.non_negative("satisfaction_slope", self.satisfaction_slope)
        checks.number("terrible_floor", self.terrible_floor)
        checks.unit_interval("terrible_hazard", self.terrible_hazard)
        checks.non_negative("hazard_escalation", self.hazard_escalation)
        checks.unit_interval("bad_memory_retention", self.bad_memory_retention)
        checks.number("recommend_intercept", self.recommend_intercept)
        checks.non_negative("recommend_slope", self.recommend_slope)
        checks.non_negative("recommend_noise", self.recommend_noise)

    @property
    def terrible_hazards(self) -> tuple[float, ...] | None:
        """The old name of :attr:`terrible_hazard_by_count`, kept for one release."""
        return self.terrible_hazard_by_count


def _hazard_table(value: object) -> tuple[float, ...] | None:
    """``terrible_hazard_by_count`` as a tuple of hazards in [0, 1]; ``None`` for null or an empty list."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise SpecError("terrible_hazard_by_count", value, "a list of hazards in [0, 1] (one or more), or null")
    items = list(value)
    if not items:
        return None
    out = []
    for k, h in enumerate(items):
        v = checks.number(f"terrible_hazard_by_count[{k}]", h)
        if not 0.0 <= v <= 1.0:
            raise SpecError(f"terrible_hazard_by_count[{k}]", h, "a hazard must lie in [0, 1]")
        out.append(v)
    return tuple(out)


@dataclass(frozen=True)
class WordOfMouth:
    """The social network and how far stories travel; see :mod:`cxsim.behaviour.wom`."""

    network: Literal["small_world", "random", "none"] = "small_world"
    degree: int = 10
    rewire: float = 0.1
    positive_reach: float = 0.1
    negative_reach: float = 0.2
    expectation_weight: float = 0.05
    satisfaction_weight: float = 0.05

    def __post_init__(self) -> None:
        checks.choice("network", self.network, NETWORKS)
        object.__setattr__(self, "degree", checks.integer("degree", self.degree, 0))
        checks.unit_interval("rewire", self.rewire)
        checks.unit_interval("positive_reach", self.positive_reach)
        checks.unit_interval("negative_reach", self.negative_reach)
        checks.unit_interval("expectation_weight", self.expectation_weight)
        checks.unit_interval("satisfaction_weight", self.satisfaction_weight)


@dataclass(frozen=True)
class Economics:
    """Money: revenue per purchase and overheads, in ``currency``."""

    revenue_per_purchase: float = 100.0
    fixed_cost_per_cycle: float = 0.0
    currency: str = "CNY"

    def __post_init__(self) -> None:
        checks.non_negative("revenue_per_purchase", self.revenue_per_purchase)
        checks.non_negative("fixed_cost_per_cycle", self.fixed_cost_per_cycle)
        checks.name("currency", self.currency)


@dataclass(frozen=True)
class Scenario:
    """Everything about the world being simulated, apart from run settings."""

    name: str
    journey: Journey
    population: Population
    memory: MemorySpec = field(default_factory=MemorySpec)
    affect_form: Literal["difference", "ratio"] = "difference"
    loyalty: Loyalty = field(default_factory=Loyalty)
    word_of_mouth: WordOfMouth = field(default_factory=WordOfMouth)
    economics: Economics = field(default_factory=Economics)
    description: str = ""
    operations: OperationsSpec = field(default_factory=OperationsSpec)
    market: Market | None = None  # the open market (None: a closed cohort); see cxsim.specs.market

    def __post_init__(self) -> None:
        checks.name("name", self.name)
        checks.choice("affect.form", self.affect_form, AFFECT_FORMS)
        names = self.journey.names
        check_market(self.market, self.population.names, names)
        check_sources(self.operations, self.journey.touchpoints, self.population.names)
        check_segments(self.journey.copula, self.population.names)  # a copula's segments exist
        for k, seg in enumerate(self.population.segments):
            for tp_name in seg.expectations:
                if tp_name not in names:
                    raise SpecError(f"population.segments[{k}].expectations.{tp_name}", tp_name,
                                    "names no touchpoint of the journey; touchpoints: " + ", ".join(names))
        for where, mem in self._memories():
            if isinstance(mem.model, KeyMoments):
                try:
                    mem.model.vector(names)
                except SpecError as err:
                    raise err.at(where) from None
        if self.affect_form == "ratio":
            for i, tp in enumerate(self.journey.touchpoints):
                if not positive_support(tp.expectation):
                    raise SpecError(f"journey.touchpoints[{i}].expectation", tp.expectation,
                                    "the ratio form needs positive expectations: use lognormal, "
                                    "or set low > 0")
            for k, seg in enumerate(self.population.segments):
                for tp_name, dist in seg.expectations.items():
                    if not positive_support(dist):
                        raise SpecError(f"population.segments[{k}].expectations.{tp_name}", dist,
                                        "the ratio form needs positive expectations: use lognormal, "
                                        "or set low > 0")

    def _memories(self) -> list[tuple[str, MemorySpec]]:
        out = [("memory", self.memory)]
        for k, seg in enumerate(self.population.segments):
            if seg.memory is not None:
                out.append((f"population.segments[{k}].memory", seg.memory))
        return out

    def memory_of(self, segment: Segment) -> MemorySpec:
        """The memory a segment uses: its own, or the scenario's."""
        return segment.memory if segment.memory is not None else self.memory


@dataclass(frozen=True)
class Outputs:
    """What a run writes besides ``summary.csv`` and ``cycles.csv``.

    Attributes:
        customers: ``customers.parquet`` — ``auto`` writes it up to ``customers_limit``
            customers, ``always`` writes it whatever the size, ``never`` skips it.
        moments: write ``moments.parquet`` (one row per moment; only up to ``moments_limit``).
        figures: save the seaborn figures.
        operations: ``operations.parquet``, one row per operations encounter (store visit, order,
            call, invitation) — ``auto`` up to ``operations_limit`` customers, ``always``,
            ``never``. The summary's operations figures are computed either way.
        survey: write ``survey.csv``, the simulated customers' answers to a questionnaire
            (:class:`cxsim.specs.survey.SurveySpec`; a mapping is converted).
    """

    customers: Literal["auto", "always", "never"] = "auto"
    moments: bool = False
    figures: bool = True
    customers_limit: int = 100_000
    moments_limit: int = 10_000
    operations: Literal["auto", "always", "never"] = "auto"
    operations_limit: int = 100_000
    survey: SurveySpec = field(default_factory=SurveySpec)

    def __post_init__(self) -> None:
        checks.choice("customers", self.customers, CUSTOMER_OUTPUT)
        checks.flag("moments", self.moments)
        checks.flag("figures", self.figures)
        checks.choice("operations", self.operations, CUSTOMER_OUTPUT)
        for key in ("customers_limit", "moments_limit", "operations_limit"):
            object.__setattr__(self, key, checks.integer(key, getattr(self, key), 0))
        object.__setattr__(self, "survey", survey_spec_from_dict(self.survey))


@dataclass(frozen=True)
class Sim:
    """The experiment: how many customers for how long, how many replications, the seed, the engine.

    Attributes:
        n_customers: customers simulated (each replication); with an open market
            (:class:`~cxsim.specs.market.Market`), the customers at the start, the population
            then having ``market.capacity`` times as many rows for the customers it wins.
        n_cycles: purchase cycles simulated (e.g. months).
        seed: root seed; ``0`` is a seed like any other.
        replications: independent replications, seeded from ``SeedSequence(seed).spawn``.
        engine: ``population`` (arrays, default) or ``agent`` (one Mesa agent at a time).

    The machine's settings (threads, backends, memory) are not here: they change no result and
    live in :class:`~cxsim.specs.runtime.Runtime`.
    """

    n_customers: int = 10_000
    n_cycles: int = 12
    seed: int = 0
    replications: int = 1
    engine: Literal["population", "agent"] = "population"

    def __post_init__(self) -> None:
        for key, minimum in (("n_customers", 1), ("n_cycles", 1), ("seed", 0), ("replications", 1)):
            # the validated int is the value used (1e3 given from Python is 1000, 2.5 is refused)
            object.__setattr__(self, key, checks.integer(key, getattr(self, key), minimum))
        checks.choice("engine", self.engine, ENGINES)


@dataclass(frozen=True)
class RunSpec:
    """A scenario with its run settings and outputs: everything one ``cxsim`` run needs.

    ``intervention`` is the intervention in force (its changes are already made to ``scenario``;
    its costs are added to each cycle's cost), :data:`cxsim.specs.intervention.NONE` for the baseline.
    """

    scenario: Scenario
    sim: Sim = field(default_factory=Sim)
    outputs: Outputs = field(default_factory=Outputs)
    intervention: Intervention = NONE
    runtime: Runtime = field(default_factory=Runtime)

    def __post_init__(self) -> None:
        if self.outputs.moments and self.sim.n_customers > self.outputs.moments_limit:
            raise SpecError("outputs.moments", True,
                            f"moments.parquet is for small runs: needs sim.n_customers <= "
                            f"{self.outputs.moments_limit} (got {self.sim.n_customers})")
        if self.outputs.survey.enabled and not self.outputs.moments:
            raise SpecError("outputs.survey.enabled", True,
                            "the survey is answered from the moment records: set outputs.moments=true too "
                            f"(runs of up to outputs.moments_limit = {self.outputs.moments_limit} customers)")
