"""The output reference: every file a run writes and every column, with its unit.

The output reference page renders these tables and, in an executed cell, runs the shipped
scenarios and checks that every column they write is described here (the build fails otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: file -> [(column or pattern, unit, meaning)]; ``<process>`` and ``<name>`` match any word.
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "summary.csv": [
        ("scenario", "", "scenario name"),
        ("replication", "", "replication index r (0-based)"),
        ("seed", "", "root seed of the run; replication r uses child r of `SeedSequence(seed)`"),
        ("intervention", "", "the intervention in force (`none` for the baseline)"),
        ("memory_model", "", "the memory config's name, then any segment with a model of its own: `peak_end (loyal: "
                             "mean)`"),
        ("engine", "", "`population` or `agent`"),
        ("n_customers", "customers", "customers simulated"),
        ("n_cycles", "cycles", "purchase cycles simulated"),
        ("satisfaction_mean", "affect units", "cumulative satisfaction after each purchase, averaged over all "
                                              "purchases"),
        ("satisfaction_final", "affect units", "mean satisfaction of the customers of the last cycle"),
        ("experienced_mean", "affect units", "mean affect of all moments, purchase-weighted"),
        ("remembered_mean", "affect units", "mean remembered value of a cycle, purchase-weighted"),
        ("retention_rate", "share 0–1", "share of the starting customers still customers at the end"),
        ("nps", "points −100…100", "net promoter score over all purchases: % promoters (9–10) − % detractors (0–6)"),
        ("nps_final", "points −100…100", "NPS in the last cycle"),
        ("terrible_moments", "moments", "moments below the loyalty floor `terrible_floor`"),
        ("revenue", "currency", "revenue over all cycles, in the scenario's `economics.currency`"),
        ("cost", "currency", "per-encounter and fixed costs, operations costs and the intervention's cost"),
        ("profit", "currency", "`revenue − cost`"),
        ("intervention_cost", "currency", "the intervention's own cost (already included in `cost`)"),
        ("<process>_utilisation", "share 0–1", "busy time of counters / production slots / first-line agents over "
                                               "their open time"),
        ("<process>_wait_mean", "minutes (stores, callcentre) or days (pipeline)", "mean wait for service"),
        ("<process>_wait_p90", "minutes or days", "90th percentile of the wait (exact order statistic over the run)"),
        ("<process>_abandonment_rate", "share 0–1", "stores and call centre: share left unserved (balked, abandoned, "
                                                    "turned away at closing)"),
        ("pipeline_delivery_days_mean", "days", "mean order-to-delivery time"),
        ("pipeline_delivery_days_p90", "days", "90th percentile of the order-to-delivery time"),
        ("pipeline_on_time_share", "share 0–1", "share of orders delivered within `promised_days`"),
        ("events_<name>_attendance", "share 0–1", "share of invitees who got a seat"),
        ("events_<name>_rating_mean", "rating", "mean rating of the event by its attendees"),
        ("operations_cost", "currency", "capacity costs of the operations (already included in `cost`)"),
        ("purchases", "purchases", "open market: purchases over the run (customers served, summed over cycles)"),
        ("new_customers", "customers", "open market: customers won over the run"),
        ("new_customers_<name>", "customers",
         "open market: won by channel: `won_back`, `switching` (from a competitor), `referral`, `marketing`, "
         "`choice` (prospects entering the category)"),
        ("won_back", "customers", "open market: former customers won back from a competitor"),
        ("lost_to_<name>", "customers",
         "open market: customers lost to competitor `<name>` (or to the prospects: `lost_to_prospects`)"),
        ("market_share", "share 0–1", "open market: our share of all brands' customers in the last cycle"),
        ("market_share_<name>", "share 0–1",
         "open market: a competitor's share in the last cycle (the shares sum to one)"),
        ("prospects", "people", "open market: prospects left after the last cycle"),
        ("active_customers", "customers", "open market: our customers after the last cycle's new customers"),
        ("capacity_shortfall", "customers",
         "open market: would-be new customers who stayed where they were because the rows kept for customers "
         "(`market.capacity`) were full"),
        ("marketing_cost", "currency", "open market: advertising spend (already included in `cost`)"),
        ("acquisition_cost", "currency", "open market: marketing cost per new customer"),
        ("discounted_profit", "currency", "open market: profit discounted at `market.discount_rate` per cycle"),
        ("clv", "currency",
         "open market: discounted profit (after acquisition spend) per customer served, the starting ones and "
         "every new one (Berger & Nasr 1998)"),
    ],
    "cycles.csv": [
        ("scenario", "", "scenario name"),
        ("replication", "", "replication index"),
        ("seed", "", "root seed"),
        ("cycle", "", "cycle number, 1-based"),
        ("customers_start", "customers", "customers who went through the journey this cycle"),
        ("churned", "customers", "customers who switched after this cycle"),
        ("customers_end", "customers", "customers left at the end of the cycle"),
        ("retention_rate", "share 0–1", "share of the starting population still customers"),
        ("experienced_mean", "affect units", "mean affect of the cycle's moments"),
        ("remembered_mean", "affect units", "mean remembered value of the cycle"),
        ("satisfaction_mean", "affect units", "mean cumulative satisfaction after the cycle"),
        ("nps", "points −100…100", "the cycle's NPS"),
        ("promoters", "share 0–1", "share of the cycle's customers scoring 9–10"),
        ("detractors", "share 0–1", "share of the cycle's customers scoring 0–6"),
        ("terrible_moments", "moments", "moments below the loyalty floor"),
        ("wom_positive", "stories", "positive stories heard"),
        ("wom_negative", "stories", "negative stories heard"),
        ("revenue", "currency", "the cycle's revenue"),
        ("cost", "currency", "the cycle's costs (per-encounter, fixed, operations, intervention)"),
        ("profit", "currency", "`revenue − cost`"),
        ("operations_cost", "currency", "the cycle's operations capacity costs"),
        ("intervention", "", "the intervention in force"),
        ("intervention_cost", "currency", "the intervention's cost in this cycle (its fixed cost falls in cycle 1)"),
        ("purchases", "purchases", "open market: customers served this cycle (= `customers_start`)"),
        ("prospects", "people", "open market: prospects after the cycle's market step"),
        ("active_customers", "customers", "open market: our customers after the cycle's new customers"),
        ("new_customers", "customers", "open market: customers won this cycle"),
        ("new_customers_<name>", "customers",
         "open market: won by channel: `won_back`, `switching`, `referral`, `marketing`, `choice`"),
        ("won_back", "customers", "open market: former customers won back"),
        ("lost_to_<name>", "customers", "open market: lost this cycle to competitor `<name>` (or `lost_to_prospects`)"),
        ("market_share", "share 0–1", "open market: our customers over all brands' customers"),
        ("market_share_<name>", "share 0–1", "open market: a competitor's share (the shares sum to one)"),
        ("customers_<name>", "customers", "open market: a competitor's customers"),
        ("capacity_shortfall", "customers", "open market: would-be new customers who waited for lack of free rows"),
        ("marketing_cost", "currency", "open market: the cycle's advertising spend (in `cost`)"),
        ("acquisition_cost", "currency", "open market: marketing cost per new customer"),
        ("clv", "currency",
         "open market: lifetime value at the cycle's margin and retention, `m·r / (1 + d − r)` (Gupta & Lehmann "
         "2003)"),
        ("discounted_profit", "currency", "open market: the cycle's profit discounted to the start"),
    ],
    "market.csv": [
        ("scenario", "", "scenario name"),
        ("replication", "", "replication index"),
        ("cycle", "", "cycle number, 1-based"),
        ("segment", "", "the segment"),
        ("prospects", "people", "prospects after the cycle's market step"),
        ("customers", "customers", "our customers in the segment"),
        ("customers_<name>", "customers", "a competitor's customers in the segment"),
        ("new_customers", "customers", "customers won in the segment this cycle"),
        ("lost", "customers", "customers lost in the segment this cycle"),
        ("market_share", "share 0–1", "our share of the segment's customers"),
    ],
    "customers.parquet": [
        ("scenario", "", "scenario name"),
        ("replication", "", "replication index"),
        ("customer_id", "",
         "customer id within the replication (with an open market, each new customer gets a new id)"),
        ("cycle", "", "cycle number, 1-based (one row per cycle in which they were a customer)"),
        ("segment", "", "the customer's segment"),
        ("experienced_mean", "affect units", "mean affect of the customer's moments this cycle"),
        ("remembered", "affect units", "the cycle's memory"),
        ("satisfaction", "affect units", "cumulative satisfaction after the cycle and word of mouth"),
        ("recommend_score", "0–10", "likelihood to recommend"),
        ("terrible_moments", "moments", "moments below the loyalty floor this cycle"),
        ("churned", "bool", "switched after this cycle"),
    ],
    "moments.parquet": [
        ("scenario", "", "scenario name"),
        ("replication", "", "replication index"),
        ("customer_id", "", "customer index"),
        ("cycle", "", "cycle number, 1-based"),
        ("position", "", "0-based position of the moment within the cycle's episode"),
        ("touchpoint", "", "touchpoint name"),
        ("stage", "", "journey stage of the touchpoint"),
        ("duration", "the scenario's time unit", "duration of the moment"),
        ("performance", "the measure's unit", "performance met"),
        ("expectation", "the measure's unit", "the customer's expectation before adaptation"),
        ("affect", "affect units", "the moment's affect (Delta law)"),
    ],
    "warnings.csv": [
        ("code", "", "the warning, e.g. `queue_overload` (every code: the model sanity warnings page)"),
        ("field", "", "the config path or output column concerned"),
        ("message", "", "what is odd and, in parentheses, why it matters (the line printed on stderr)"),
    ],
    "operations.parquet": [
        ("scenario", "", "scenario name"),
        ("replication", "", "replication index"),
        ("cycle", "", "cycle number, 1-based"),
        ("process", "", "`stores`, `pipeline`, `callcentre` or `events.<name>`"),
        ("customer_id", "", "customer index"),
        ("arrival", "minutes or days from the cycle's start", "when the visit, order or call arrived"),
        ("site", "", "stores: the site chosen"),
        ("travel_minutes", "minutes", "stores: travel to the site"),
        ("wait_minutes", "minutes", "stores, call centre: wait in the queue"),
        ("service_minutes", "minutes", "stores: time at the counter"),
        ("visit_minutes", "minutes", "stores: travel + wait (+ `unserved_penalty_minutes` if unserved)"),
        ("queue_length", "customers", "stores: queue found on arrival"),
        ("handle_minutes", "minutes", "call centre: handling time"),
        ("agent_minutes", "minutes", "call centre: agent time including transfer and repeat"),
        ("total_minutes", "minutes", "call centre: wait + handling (+ penalty if unserved)"),
        ("served", "bool", "served"),
        ("unserved", "bool", "not served (balked, abandoned or closed)"),
        ("balked", "bool", "stores: left on seeing the queue"),
        ("abandoned", "bool", "left the queue after their patience ran out"),
        ("closed", "bool", "turned away at closing"),
        ("transferred", "bool", "call centre: transferred to a specialist"),
        ("repeated", "bool", "call centre: had to repeat the problem"),
        ("delivery_days", "days", "pipeline: order to delivery"),
        ("wait_days", "days", "pipeline: waiting for production and shipping"),
        ("production_wait_days", "days", "pipeline: waiting for a production slot (or campaign)"),
        ("shipping_wait_days", "days", "pipeline: waiting for a truck"),
        ("production_days", "days", "pipeline: production time"),
        ("shipping_days", "days", "pipeline: shipping time"),
        ("promised_days", "days", "pipeline: the promise"),
        ("late_days", "days", "pipeline: days past the promise (0 if on time)"),
        ("early_days", "days", "pipeline: days before the promise (0 if late)"),
        ("on_time", "bool", "pipeline: delivered within the promise"),
        ("attended", "bool", "events: got a seat"),
        ("rating", "rating", "events: the attendee's rating"),
    ],
}


def _pattern(column: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(column).replace("<process>", r"\w+").replace("<name>", r"\w+") + "$")


def undocumented(file: str, columns: Iterable[str]) -> list[str]:
    """The columns of ``file`` that no entry of :data:`COLUMNS` describes."""
    patterns = [_pattern(c) for c, _, _ in COLUMNS[file]]
    return [c for c in columns if not any(p.match(c) for p in patterns)]


def table(file: str) -> str:
    """The columns of ``file`` as a Markdown table."""
    rows = ["| column | unit | meaning |", "|---|---|---|"]
    rows += [f"| `{c}` | {u} | {m.replace('|', chr(92) + '|')} |" for c, u, m in COLUMNS[file]]
    return "\n".join(rows)
