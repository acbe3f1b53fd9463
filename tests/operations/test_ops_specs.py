"""Bad operations input: one SpecError naming the field and the value; unbounded queues warn."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.errors import SpecError
from cxsim.operations import pipeline, stores
from cxsim.specs.operations import UnboundedQueueWarning, operations_from_dict

SERVICE = {"dist": "lognormal", "mean": 5, "sd": 2}


def store(**extra) -> dict:
    return {"stores": {"sites": [{"name": "a"}], "service_minutes": SERVICE, **extra}}


@pytest.mark.parametrize("data, field, value", [
    (store(counters=0), "scenario.operations.stores.counters", "0"),
    (store(counters=-2), "scenario.operations.stores.counters", "-2"),
    (store(count=2), "scenario.operations.stores.count", "2"),
    (store(hours={"default": [18, 9]}), "scenario.operations.stores.hours.mon", "[18, 9]"),
    (store(hours={"sun": [10, 25]}), "scenario.operations.stores.hours.sun", "[10, 25]"),
    (store(service_minutes={"dist": "normal", "mean": 5, "sd": 2}),
     "scenario.operations.stores.service_minutes.low", "None"),
    (store(patience_minutes={"dist": "constant", "value": -1}),
     "scenario.operations.stores.patience_minutes.value", "-1"),
    (store(sites=[{"name": "a", "travel_minutes": {"locals": -3}}]),
     "scenario.operations.stores.sites[0].travel_minutes.locals", "-3"),
    ({"pipeline": {"production_days": SERVICE, "shipping_days": SERVICE, "lines": 0}},
     "scenario.operations.pipeline.lines", "0"),
    ({"pipeline": {"production_days": SERVICE, "shipping_days": SERVICE, "trucks": 0}},
     "scenario.operations.pipeline.trucks", "0"),
    ({"pipeline": {"production_days": SERVICE, "shipping_days": {"dist": "constant", "value": -2}}},
     "scenario.operations.pipeline.shipping_days.value", "-2"),
    ({"callcentre": {"handle_minutes": SERVICE, "agents": 0}}, "scenario.operations.callcentre.agents", "0"),
    ({"callcentre": {"handle_minutes": SERVICE, "hours": {"default": [20, 8]}}},
     "scenario.operations.callcentre.hours.mon", "[20, 8]"),
    ({"pipeline": {"production_days": SERVICE, "shipping_days": SERVICE, "batch_every_days": 0}},
     "scenario.operations.pipeline.batch_every_days", "0"),
    ({"events": {"meeting": {"capacity": 0}}}, "scenario.operations.events.meeting.capacity", "0"),
    ({"events": {"meeting": {"budget": -5}}}, "scenario.operations.events.meeting.budget", "-5"),
    ({"backend": "fast"}, "scenario.operations.backend", "'fast'"),
    (store(hourly_weights={24: 1}), "scenario.operations.stores.hourly_weights.24", "24"),
    (store(hourly_weights={12: -1}), "scenario.operations.stores.hourly_weights.12", "-1"),
    (store(hourly_weights=[1, 2]), "scenario.operations.stores.hourly_weights", "[1, 2]"),
    (store(hours={"default": [10, 12]}, hourly_weights={10: 0, 11: 0}),
     "scenario.operations.stores.hourly_weights", "{10: 0, 11: 0}"),
    ({"stores": {"sites": [{"name": "a"}], "service_minutes": SERVICE, "queue": 3}},
     "scenario.operations.stores.queue", "3"),
])
def test_bad_operations_input_names_field_and_value(data: dict, field: str, value: str) -> None:
    with pytest.raises(SpecError) as err:
        operations_from_dict(data)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: {value}")
    assert "\n" not in str(err.value)


def test_unbounded_queue_warns_clearly() -> None:
    spec = operations_from_dict({"pipeline": {"production_days": SERVICE, "shipping_days": SERVICE,
                                              "lines": 1}}).pipeline
    with pytest.warns(UnboundedQueueWarning, match=r"pipeline: offered load 1\.67 >= 1"):
        pipeline.simulate_pipeline(spec, 10, np.random.default_rng(0))


def test_store_with_patience_or_closing_does_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    spec = operations_from_dict(store(hours={"default": [10, 11]}, days_per_cycle=1)).stores
    out = stores.simulate_stores(spec, np.zeros(50, dtype=np.intp), ["all"], np.random.default_rng(0))
    assert not [w for w in recwarn if issubclass(w.category, UnboundedQueueWarning)]
    assert out["closed"].any()  # load 50 × 5 / 60 ≈ 4: most are turned away at closing


def test_hourly_weights_as_a_list_of_24_and_hours_by_default() -> None:
    spec = operations_from_dict(store(hourly_weights=list(range(1, 25)), hours=None))
    assert spec.stores is not None
    assert spec.stores.hourly_weights == {h: h + 1 for h in range(24)}
    assert not spec.stores.hours.closes()


@pytest.mark.parametrize("data, field", [
    (store(sites=[{"name": "a", "travel_minutes": [3]}]), "scenario.operations.stores.sites[0].travel_minutes"),
    ({"stores": {"service_minutes": SERVICE}}, "scenario.operations.stores.sites"),
    (store(sites=[{"travel_minutes": {"x": 1}}]), "scenario.operations.stores.sites[0].name"),
])
def test_bad_sites_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        operations_from_dict(data)
    assert err.value.field == field and "\n" not in str(err.value)
