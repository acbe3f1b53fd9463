"""The open market's cycle step: acquisition, losses to competitors and win-back.

Our customers are rows of the population's arrays (:mod:`cxsim.engine.state`); everybody else in
the market — prospects and each competitor's customers — is counted per segment
(:class:`MarketState`). The rows are allocated once, for ``market.capacity × sim.n_customers``
customers: the starting customers take the first rows, and a new customer takes a free row (one
never used, or one whose customer left), with that row's place in the social network, and a new
customer id (``customer_id`` in the records; people at the competitors are counted, not followed,
so a customer won back is a new id whose expectations carry the competitor's experience).

:func:`market_step` runs once per cycle after the journeys and word of mouth, on the whole
population at once, so the population engine and the Mesa agent engine call the same function
(the agent engine then makes agents of the rows it activated). Its randomness comes from the
``market`` streams only, so adding a market shifts no other draw. Per segment ``s``:

1. **Choice shares** of every brand ``b`` (ours first), an attraction / logit model
   (:func:`cxsim.behaviour.market.attraction_shares`) over reputation (our customers' mean
   satisfaction this cycle; a competitor's ``experience``), price and convenience (Huff's pull of
   each brand's sites; ours are the open stores of the operations model).
2. **Losses**: the customers who switched this cycle go to a competitor chosen by those shares
   among the competitors (to the prospects when there is none): ``lost_to_<b>``.
3. **Reconsideration at the competitors**: a share ``churn_b`` of each competitor's customers
   chooses again among all brands by the shares; those who choose us are ``switching`` (won from
   the competitor) or ``won_back`` (they had been ours).
4. **Prospects**: a prospect who hears detractors' stories may rule us out (deterrence); the
   others are won by referral (promoter stories heard, a Bass imitation term), else by
   advertising (adstock with Hill saturation), else may enter the category (Bass's ``p``) and
   choose a brand by the shares (a deterred prospect who enters chooses among the competitors).
5. Our new customers take free rows, with fresh expectations from their segment; one coming from
   a competitor moves each expectation toward what that competitor delivered (the joy-pain law:
   after a painful rival, the same service here delights).

Conservation: ``prospects + ours + Σ competitors = market size`` in every segment, every cycle
(``tests/test_market_properties.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxsim.behaviour import market as mm
from cxsim.behaviour.affect import moment_affect
from cxsim.engine.compiled import Compiled
from cxsim.engine.state import PopulationState
from cxsim.engine.streams import Streams
from cxsim.specs.market import Competitor, Market, segment_value

#: Channels of new customers, in the order capacity is handed out when rows run short.
CHANNELS = ("won_back", "switching", "referral", "marketing", "choice")
_FROM_RIVAL = 2  # the first two channels come from a competitor


@dataclass
class MarketState:
    """Who is where in the market, besides our customers (the active rows).

    Attributes:
        size: ``(S,)`` people in the market per segment (constant).
        prospects: ``(S,)`` people who have not bought in the category yet (or left it).
        rival: ``(K, S)`` each competitor's customers.
        former: ``(K, S)`` of them, those who had been ours (for ``won_back``).
        cohort: ``(rows,)`` the starting customers who have never left (for ``retention_rate``).
        adstock: the advertising stock (per thousand people in the market).
        n_start: starting customers.
        expectation_mean: ``(S, T)`` the starting customers' mean expectations (competitors'
            experience is judged against them).
        next_id: the customer id the next new customer gets (ids are never reused, rows are).
    """

    size: NDArray[np.int64]
    prospects: NDArray[np.int64]
    rival: NDArray[np.int64]
    former: NDArray[np.int64]
    cohort: NDArray[np.bool_]
    adstock: float
    n_start: int
    expectation_mean: NDArray[np.float64]
    next_id: int = 0

    def ours(self, state: PopulationState) -> NDArray[np.int64]:
        """Our customers per segment (the active rows)."""
        return np.bincount(state.segment[state.active], minlength=self.size.size).astype(np.int64)


@dataclass(frozen=True)
class MarketTally:
    """What the market did in one cycle (totals over segments unless noted).

    Attributes:
        new: ``(channels,)`` new customers per channel (:data:`CHANNELS`).
        new_by_segment: ``(S,)`` new customers per segment.
        lost_to: ``(K,)`` our customers lost to each competitor.
        lost_to_prospects: leavers who went back to the prospects (no competitor).
        shortfall: acquisitions that waited for want of free rows.
        marketing_cost: this cycle's advertising spend (money).
        customers: ``(B,)`` customers of every brand after the step (ours first).
        prospects: prospects after the step.
        rows: the rows that became our customers (ascending).
        by_segment: ``(B, S)`` customers of every brand per segment after the step, and
        lost_by_segment: ``(S,)`` our customers lost (to competitors or prospects) per segment,
        prospects_by_segment: ``(S,)``.
    """

    new: NDArray[np.int64]
    new_by_segment: NDArray[np.int64]
    lost_to: NDArray[np.int64]
    lost_to_prospects: int
    shortfall: int
    marketing_cost: float
    customers: NDArray[np.int64]
    prospects: int
    rows: NDArray[np.intp]
    by_segment: NDArray[np.int64]
    lost_by_segment: NDArray[np.int64]
    prospects_by_segment: NDArray[np.int64]

    @property
    def shares(self) -> NDArray[np.float64]:
        """Market share of every brand (ours first): its customers over all brands' (NaN if none)."""
        total = int(self.customers.sum())
        return self.customers / total if total else np.full(self.customers.size, np.nan)


def market_rows(market: Market | None, n_customers: int) -> int:
    """Rows of the population: ``n_customers`` without a market, its capacity with one."""
    return n_customers if market is None else market.rows(n_customers)


def init_market(market: Market, compiled: Compiled, state: PopulationState, n_start: int) -> MarketState:
    """Make the rows past ``n_start`` free and count the market around the starting customers.

    Each segment's prospects and competitors' customers are its starting customers times the
    block's multiples (rounded to whole people).
    """
    state.active[n_start:] = False
    segs = compiled.segment_names
    start = np.bincount(state.segment[:n_start], minlength=len(segs)).astype(np.int64)
    prospects = np.array([round(start[s] * segment_value(market.prospects, name)) for s, name in enumerate(segs)],
                         dtype=np.int64)
    rival = np.array([[round(start[s] * segment_value(b.customers, name)) for s, name in enumerate(segs)]
                      for b in market.competitors], dtype=np.int64).reshape(len(market.competitors), len(segs))
    from cxsim.engine.market_kernel import segment_means  # numba: imported on first use only

    exp_mean = segment_means(state.segment[:n_start], state.expectation.T[:, :n_start], len(segs))
    cohort = np.zeros(state.n, dtype=bool)
    cohort[:n_start] = True
    state.customer_id = np.arange(state.n, dtype=np.int64)  # new customers get new ids (next_id on)
    return MarketState(size=start + prospects + rival.sum(axis=0), prospects=prospects, rival=rival,
                       former=np.zeros_like(rival), cohort=cohort, adstock=0.0, n_start=n_start,
                       expectation_mean=exp_mean, next_id=n_start)


# ------------------------------------------------------------------------------ brands
def our_convenience(market: Market, compiled: Compiled) -> NDArray[np.float64]:
    """``(S,)`` our accessibility: Huff's pull of the open stores, or ``market.convenience``."""
    stores = compiled.scenario.operations.stores
    segs = compiled.segment_names
    if stores is None:
        return np.full(len(segs), market.convenience)
    travel = np.array([[site.travel(seg) for site in stores.open_sites] for seg in segs])
    return mm.huff_accessibility(travel, market.choice.distance_decay)


def competitor_convenience(b: Competitor, market: Market, segments: tuple[str, ...]) -> NDArray[np.float64]:
    """``(S,)`` a competitor's accessibility: Huff's pull of its sites, or its ``convenience``."""
    if not b.sites:
        return np.full(len(segments), b.convenience)
    travel = np.array([[segment_value(site, seg) for site in b.sites] for seg in segments])
    return mm.huff_accessibility(travel, market.choice.distance_decay)


def competitor_experience(b: Competitor, compiled: Compiled,
                          expectation_mean: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(S,)`` a competitor's remembered experience: its ``experience``, or the mean affect of its
    ``performance`` judged against each segment's mean expectations (the delta law)."""
    n_seg = expectation_mean.shape[0]
    if b.experience is not None:
        return np.full(n_seg, float(b.experience))
    if not b.performance:
        return np.zeros(n_seg)
    cols = [compiled.names.index(tp) for tp in b.performance]
    perf = np.array([b.performance[tp] for tp in b.performance])
    affect = moment_affect(perf[None, :], expectation_mean[:, cols], compiled.sign[cols],
                           compiled.scenario.affect_form, compiled.unit[cols],
                           compiled.tolerance[:, None], compiled.loss_aversion[:, None])
    return affect.mean(axis=1)


def choice_shares(market: Market, compiled: Compiled, ms: MarketState, reputation: NDArray[np.float64],
                  convenience: NDArray[np.float64], cycle: int) -> NDArray[np.float64]:
    """``(B, S)`` choice shares of every brand (ours first) in ``cycle`` (1-based)."""
    segs = compiled.segment_names
    rivals = [b.at(cycle) for b in market.competitors]
    rep = np.vstack([reputation, *(competitor_experience(b, compiled, ms.expectation_mean) for b in rivals)])
    conv = np.vstack([convenience, *(competitor_convenience(b, market, segs) for b in rivals)])
    price = np.array([market.price, *(b.price for b in rivals)])[:, None]
    appeal = np.array([0.0, *(b.appeal for b in rivals)])[:, None]
    c = market.choice
    u = mm.brand_utility(rep, price, np.maximum(conv, 1e-300), appeal, c.reputation, c.price, c.convenience)
    return mm.attraction_shares(u, axis=0)


# ------------------------------------------------------------------------------ the step
Demand = tuple[int, int, int, int]
"""A flow toward us: (channel, segment, competitor it comes from or -1 for the prospects, people)."""


def market_step(
    market: Market, compiled: Compiled, ms: MarketState, state: PopulationState, went: NDArray[np.bool_],
    churned: NDArray[np.bool_], recommend: NDArray[np.int8], cycle: int, streams: Streams,
    convenience: NDArray[np.float64] | None = None,
) -> MarketTally:
    """One cycle of the market after the journeys and word of mouth (0-based ``cycle``).

    ``went`` marks this cycle's customers, ``churned`` and ``recommend`` their outcome (rows of
    others are not read). Updates ``ms`` and ``state`` in place (the new customers' rows) and
    returns the cycle's tally. See the module docstring for the model.
    """
    from cxsim.engine.market_kernel import (  # numba: imported on first use only
        first_free,
        segment_tally,
    )

    rng = streams.get("market", "flows")
    k = len(market.competitors)
    if convenience is None:
        convenience = our_convenience(market, compiled)
    count, sat, left, promoters, detractors = segment_tally(
        state.segment, went, churned, recommend, state.satisfaction, state.active, ms.cohort, ms.size.size)

    # 1. choice shares; reputation: our customers' mean satisfaction this cycle (the unhappy who left too)
    reputation = np.where(count > 0, sat / np.maximum(count, 1), compiled.initial_satisfaction)
    shares = choice_shares(market, compiled, ms, reputation, convenience, cycle + 1)
    # 2. our leavers go to a competitor (or back to the prospects)
    leavers = left.astype(np.int64)
    lost = np.zeros((k, ms.size.size), dtype=np.int64)
    for s in range(ms.size.size) if k else ():
        lost[:, s] = rng.multinomial(leavers[s], shares[1:, s] / shares[1:, s].sum())
    # 3. competitors' customers reconsider; 4. prospects
    rivals = [b.at(cycle + 1) for b in market.competitors]
    wom = compiled.scenario.word_of_mouth
    contacts = 0.0 if wom.network == "none" else float(wom.degree)
    h_ref = mm.referral_hazard(mm.stories_heard(promoters, ms.size, contacts, wom.positive_reach), market.referral)
    deterred = mm.deterrence(mm.stories_heard(detractors, ms.size, contacts, wom.negative_reach),
                             market.detractor_weight)
    mk = market.marketing
    spend = mk.spend_at(cycle + 1)
    ms.adstock = spend + mk.carryover * ms.adstock
    h_mkt = float(mm.hill(ms.adstock, mk.half_saturation, mk.shape, mk.max_reach))
    new_rival, new_former = ms.rival.copy(), ms.former.copy()
    demands: list[Demand] = []
    for s in range(ms.size.size):
        for b in range(k):
            demands += _reconsider(rng, ms, b, s, rivals[b].churn, shares[:, s], new_rival, new_former)
        demands += _prospects(rng, market, ms, s, shares[:, s], float(h_ref[s]), float(deterred[s]), h_mkt,
                              new_rival)
    # 5. free rows for the new customers, channel by channel; who does not fit waits where they are
    free = first_free(state.active, sum(d[3] for d in demands))
    new, new_by_segment, origin, shortfall = _place(demands, free.size, ms, new_rival, new_former)
    new_rival += lost
    new_former += lost
    if not k:
        ms.prospects += leavers
    ms.rival, ms.former = new_rival, new_former
    rows = free[:int(new.sum())]
    _activate(compiled, market, state, ms, rows, origin, streams, rivals)
    ours = count.astype(np.int64) - leavers + new_by_segment
    return MarketTally(
        new=new, new_by_segment=new_by_segment, lost_to=lost.sum(axis=1),
        lost_to_prospects=0 if k else int(leavers.sum()), shortfall=shortfall,
        marketing_cost=spend * float(ms.size.sum()) / 1000.0,
        customers=np.concatenate(([ours.sum()], ms.rival.sum(axis=1))).astype(np.int64),
        prospects=int(ms.prospects.sum()), rows=rows, by_segment=np.vstack([ours, ms.rival]).astype(np.int64),
        lost_by_segment=leavers.copy(), prospects_by_segment=ms.prospects.copy(),
    )


def _reconsider(rng: np.random.Generator, ms: MarketState, b: int, s: int, churn: float,
                shares: NDArray[np.float64], new_rival: NDArray[np.int64],
                new_former: NDArray[np.int64]) -> list[Demand]:
    """A share ``churn`` of competitor ``b``'s customers in segment ``s`` choose again among all
    brands: moves between competitors now (in ``new_rival``, ``new_former``), ours as demands
    (won back: those who had been ours, drawn without replacement; switching: the others)."""
    k = new_rival.shape[0]
    out = int(rng.binomial(ms.rival[b, s], churn))
    dest = rng.multinomial(out, shares)
    formers = rng.multivariate_hypergeometric(
        np.array([ms.former[b, s], ms.rival[b, s] - ms.former[b, s]]), out)[0] if out else 0
    former_dest = rng.multivariate_hypergeometric(dest, int(formers)) if formers else np.zeros_like(dest)
    new_rival[b, s] -= out - dest[1 + b]  # those who chose it again stay
    new_former[b, s] -= formers - former_dest[1 + b]
    for c in range(k):
        if c != b:
            new_rival[c, s] += dest[1 + c]
            new_former[c, s] += former_dest[1 + c]
    return [(0, s, b, int(former_dest[0])), (1, s, b, int(dest[0] - former_dest[0]))]


def _prospects(rng: np.random.Generator, market: Market, ms: MarketState, s: int, shares: NDArray[np.float64],
               h_ref: float, deterred: float, h_mkt: float, new_rival: NDArray[np.int64]) -> list[Demand]:
    """Segment ``s``'s prospects: a deterred one rules us out (but may start buying from a
    competitor); the others may be won by referral, else by advertising, else start buying and
    choose among all brands. Entrants who chose a competitor move now; ours are demands."""
    k = new_rival.shape[0]
    keen = 1.0 - deterred
    entry = keen * (1.0 - h_ref) * (1.0 - h_mkt) * market.category_entry * shares
    if k:
        entry[1:] += (1.0 - keen) * market.category_entry * shares[1:] / shares[1:].sum()
    probs = np.concatenate(([keen * h_ref, keen * (1.0 - h_ref) * h_mkt], entry))
    probs = np.append(probs, max(0.0, 1.0 - probs.sum()))
    flows = rng.multinomial(ms.prospects[s], probs / probs.sum())
    ms.prospects[s] -= int(flows[3:3 + k].sum())
    new_rival[:, s] += flows[3:3 + k]
    return [(2, s, -1, int(flows[0])), (3, s, -1, int(flows[1])), (4, s, -1, int(flows[2]))]


def _place(
    demands: list[Demand], free: int, ms: MarketState, new_rival: NDArray[np.int64], new_former: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[tuple[int, int, int]], int]:
    """Hand the ``free`` rows out channel by channel (:data:`CHANNELS` order); who does not fit
    stays where they were. Returns new customers per channel and per segment, the origin of each
    run of rows ``(segment, competitor or -1, rows)`` in row order, and the shortfall."""
    new = np.zeros(len(CHANNELS), dtype=np.int64)
    new_by_segment = np.zeros(ms.size.size, dtype=np.int64)
    origin: list[tuple[int, int, int]] = []
    used = shortfall = 0
    for channel, s, b, want in sorted(demands, key=lambda d: d[0]):
        take = min(want, free - used)
        shortfall += want - take
        if b >= 0:  # they left the competitor in _reconsider; who does not fit stays with it
            new_rival[b, s] += want - take
            if channel == 0:
                new_former[b, s] += want - take
        else:
            ms.prospects[s] -= take
        if take:
            origin.append((s, b, take))
            new[channel] += take
            new_by_segment[s] += take
            used += take
    return new, new_by_segment, origin, shortfall


def _activate(compiled: Compiled, market: Market, state: PopulationState, ms: MarketState,
              rows: NDArray[np.intp], origin: list[tuple[int, int, int]], streams: Streams,
              rivals: list[Competitor]) -> None:
    """Fresh customers in ``rows``: segment, expectations (joy-pain shifted), satisfaction, loyalty."""
    if rows.size == 0:
        return
    seg = np.concatenate([np.full(n, s, dtype=np.intp) for s, _, n in origin])
    came_from = np.concatenate([np.full(n, b, dtype=np.intp) for _, b, n in origin])
    state.segment[rows] = seg
    scenario = compiled.scenario
    for j, tp in enumerate(scenario.journey.touchpoints):
        rng = streams.get("market", f"expectation/{tp.name}")
        col = np.empty(rows.size)
        for s, segment in enumerate(scenario.population.segments):
            at = np.flatnonzero(seg == s)
            if at.size:
                col[at] = segment.expectations.get(tp.name, tp.expectation).sample(rng, at.size)
        for b, rival in enumerate(rivals):
            if tp.name in rival.performance and market.joy_pain > 0:
                at = came_from == b
                col[at] = (1.0 - market.joy_pain) * col[at] + market.joy_pain * rival.performance[tp.name]
        state.expectation[:, j][rows] = col  # one column: a 1-d scatter (a 2-d one is several times slower)
    state.satisfaction[rows] = compiled.initial_satisfaction[seg]
    state.bad_memory[rows] = 0.0
    assert state.terrible_count is not None
    state.terrible_count[rows] = 0
    state.active[rows] = True
    ms.cohort[rows] = False
    assert state.customer_id is not None
    state.customer_id[rows] = ms.next_id + np.arange(rows.size)
    ms.next_id += int(rows.size)


# ------------------------------------------------------------------------------ records
def cycle_columns(market: Market, ms: MarketState, tally: MarketTally) -> dict[str, float | int]:
    """The market's columns of one ``cycles.csv`` row (see the README's output reference)."""
    shares = tally.shares
    new_total = int(tally.new.sum())
    row: dict[str, float | int] = {
        "prospects": tally.prospects,
        "active_customers": int(tally.customers[0]),
        "new_customers": new_total,
        **{f"new_customers_{c}": int(v) for c, v in zip(CHANNELS, tally.new)},
        "won_back": int(tally.new[0]),
        "lost_to_prospects": tally.lost_to_prospects,
        **{f"lost_to_{b.name}": int(v) for b, v in zip(market.competitors, tally.lost_to)},
        "market_share": float(shares[0]),
        **{f"market_share_{b.name}": float(v) for b, v in zip(market.competitors, shares[1:])},
        **{f"customers_{b.name}": int(v) for b, v in zip(market.competitors, tally.customers[1:])},
        "capacity_shortfall": tally.shortfall,
        "marketing_cost": tally.marketing_cost,
        "acquisition_cost": tally.marketing_cost / new_total if new_total else float("nan"),
        "retention_rate": float(ms.cohort.sum() / ms.n_start) if ms.n_start else float("nan"),
    }
    return row


def segment_rows(market: Market, segments: tuple[str, ...], tally: MarketTally, cycle: int) -> list[dict[str, object]]:
    """One cycle's rows of the ``market`` table, one per segment (1-based ``cycle``): ``cycle,
    segment, prospects, customers`` (ours), ``customers_<competitor>``, ``new_customers``,
    ``lost``, ``market_share`` (ours, within the segment)."""
    rows = []
    for s, name in enumerate(segments):
        brands = tally.by_segment[:, s]
        total = int(brands.sum())
        rows.append({
            "cycle": cycle, "segment": name, "prospects": int(tally.prospects_by_segment[s]),
            "customers": int(brands[0]),
            **{f"customers_{b.name}": int(v) for b, v in zip(market.competitors, brands[1:])},
            "new_customers": int(tally.new_by_segment[s]), "lost": int(tally.lost_by_segment[s]),
            "market_share": float(brands[0] / total) if total else float("nan"),
        })
    return rows


def add_value_columns(cycles: pd.DataFrame, market: Market) -> pd.DataFrame:
    """Add ``clv`` and ``discounted_profit`` to one replication's cycle table (after all costs).

    ``clv`` is the lifetime value of a customer at that cycle's margin and retention
    (:func:`~cxsim.behaviour.market.clv_constant`: margin = profit per purchase, retention = the
    share of the cycle's customers who stayed); ``discounted_profit`` the cycle's profit
    discounted to the start at ``market.discount_rate`` per cycle.
    """
    buyers = cycles["customers_start"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(buyers > 0, cycles["profit"].to_numpy(dtype=float) / buyers, np.nan)
        retention = np.where(buyers > 0, 1.0 - cycles["churned"].to_numpy(dtype=float) / buyers, np.nan)
    d = market.discount_rate
    cycles["clv"] = mm.clv_constant(margin, retention, d)
    cycles["discounted_profit"] = cycles["profit"].to_numpy(dtype=float) * mm.discount_factors(len(cycles), d)
    return cycles


def summary_columns(cycles: pd.DataFrame, market: Market) -> dict[str, float | int]:
    """The market's columns of one replication's ``summary.csv`` row (see the output reference).

    ``clv`` over the horizon: the discounted profit (after acquisition spend) per customer
    served — the starting customers and every new one (Berger & Nasr 1998; Gupta & Lehmann 2003).
    """
    last = cycles.iloc[-1]
    new = int(cycles["new_customers"].sum())
    served = int(cycles["customers_start"].iloc[0]) + new
    spend = float(cycles["marketing_cost"].sum())
    disc = float(cycles["discounted_profit"].sum())
    out: dict[str, float | int] = {
        "purchases": int(cycles["purchases"].sum()),
        "new_customers": new,
        **{f"new_customers_{c}": int(cycles[f"new_customers_{c}"].sum()) for c in CHANNELS},
        "won_back": int(cycles["won_back"].sum()),
        **{f"lost_to_{b.name}": int(cycles[f"lost_to_{b.name}"].sum()) for b in market.competitors},
        "market_share": float(last["market_share"]),
        **{f"market_share_{b.name}": float(last[f"market_share_{b.name}"]) for b in market.competitors},
        "prospects": int(last["prospects"]),
        "active_customers": int(last["active_customers"]),
        "capacity_shortfall": int(cycles["capacity_shortfall"].sum()),
        "marketing_cost": spend,
        "acquisition_cost": spend / new if new else float("nan"),
        "discounted_profit": disc,
        "clv": disc / served if served else float("nan"),
    }
    return out
