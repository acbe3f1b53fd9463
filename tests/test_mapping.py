"""The generic config -> spec builder: every shape of field, and errors with the full dotted path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import pytest

from cxsim.errors import SpecError
from cxsim.specs import checks
from cxsim.specs.distribution import Distribution, Normal
from cxsim.specs.mapping import from_mapping


@dataclass(frozen=True)
class Leaf:
    size: int = 1

    def __post_init__(self) -> None:
        checks.integer("size", self.size, 1)


@dataclass(frozen=True)
class Circle:
    kind: ClassVar[str] = "circle"
    radius: float = 1.0


@dataclass(frozen=True)
class Square:
    kind: ClassVar[str] = "square"
    side: float = 1.0


@dataclass(frozen=True)
class Tree:
    name: str
    leaf: Leaf = field(default_factory=Leaf)
    leaves: tuple[Leaf, ...] = ()
    spare: Leaf | None = None
    named: Mapping[str, Leaf] = field(default_factory=dict)
    shape: Circle | Square = field(default_factory=Circle)
    spread: Distribution | None = None
    tags: tuple[str, ...] = ()
    mode: Literal["a", "b"] = "a"
    twice: int = field(default=0, metadata={"convert": lambda path, v: 2 * int(v)})


def test_every_shape_is_built() -> None:
    t = from_mapping(Tree, {
        "name": "oak", "leaf": {"size": 2}, "leaves": [{"size": 3}, {}], "spare": None,
        "named": {"x": {"size": 4}}, "shape": {"kind": "square", "side": 2.5},
        "spread": {"dist": "normal", "mean": 1.0, "sd": 0.5}, "tags": ["a", "b"], "twice": 3,
    }, "tree")
    assert t == Tree("oak", Leaf(2), (Leaf(3), Leaf(1)), None, {"x": Leaf(4)}, Square(2.5),
                     Normal(1.0, 0.5), ("a", "b"), "a", 6)
    assert from_mapping(Tree, {"name": "fir", "leaf": None}) == Tree("fir")  # null: the defaults


@pytest.mark.parametrize("data, field_, allowed", [
    ({"name": "x", "colour": "red"}, "tree.colour", "known fields: name, leaf, leaves"),
    ({"name": "x", "leaf": {"sise": 2}}, "tree.leaf.sise", "known fields: size"),
    ({"name": "x", "leaves": [{}, {"size": 0}]}, "tree.leaves[1].size", ">= 1"),
    ({"name": "x", "leaves": "many"}, "tree.leaves", "a list is required"),
    ({"name": "x", "named": {"y": {"size": -1}}}, "tree.named.y.size", ">= 1"),
    ({"name": "x", "shape": {"kind": "star"}}, "tree.shape.kind", "allowed: circle, square"),
    ({"name": "x", "shape": {"kind": "circle", "side": 1}}, "tree.shape.side", "known fields: radius"),
    ({"name": "x", "spread": {"dist": "normal", "mean": 0}}, "tree.spread.sd", "required for dist normal"),
    ({}, "tree.name", "required"),
    ({"name": "x", "leaf": 3}, "tree.leaf", "a mapping"),
])
def test_errors_name_the_full_path_and_what_is_allowed(data: dict, field_: str, allowed: str) -> None:
    with pytest.raises(SpecError) as err:
        from_mapping(Tree, data, "tree")
    assert err.value.field == field_
    assert allowed in str(err.value) and "\n" not in str(err.value)


def test_null_list_of_specs_is_as_if_not_given() -> None:
    assert from_mapping(Tree, {"name": "x", "leaves": None, "named": None}) == Tree("x")
