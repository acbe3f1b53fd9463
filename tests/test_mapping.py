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


@dataclass(frozen=True)
class Pair:
    """A spec whose config shape differs from its fields: ``"3x4"`` or ``{a: 3, b: 4}``."""

    a: int = 1
    b: int = 1

    def __post_init__(self) -> None:
        checks.integer("a", self.a, 1)
        checks.integer("b", self.b, 1)

    @classmethod
    def from_config(cls, path: str, data: object) -> Pair:
        if isinstance(data, str):
            a, _, b = data.partition("x")
            data = {"a": int(a), "b": int(b)}
        return from_mapping(cls, data, path)


@dataclass(frozen=True)
class Renamed:
    CONFIG_ALIASES: ClassVar[Mapping[str, str]] = {"old_leaf": "leaf", "old_size": "size"}
    leaf: Leaf = field(default_factory=Leaf)
    size: int = 1
    pair: Pair = field(default_factory=Pair)

    def __post_init__(self) -> None:
        checks.integer("size", self.size, 1)


def test_a_nested_spec_with_its_own_config_shape_uses_its_from_config() -> None:
    assert from_mapping(Renamed, {"pair": "3x4"}).pair == Pair(3, 4)
    assert from_mapping(Renamed, {"pair": {"a": 2}}).pair == Pair(2, 1)
    with pytest.raises(SpecError) as err:
        from_mapping(Renamed, {"pair": "0x4"}, "top")
    assert err.value.field == "top.pair.a"


def test_old_key_names_set_the_new_ones_and_errors_name_the_key_as_written() -> None:
    assert from_mapping(Renamed, {"old_size": 3, "old_leaf": {"size": 2}}) == Renamed(Leaf(2), 3)
    assert from_mapping(Renamed, {"old_size": None, "size": 4}) == Renamed(size=4)  # null old key: not given
    assert from_mapping(Renamed, {"old_size": 5, "size": 4}).size == 5  # the old key, when given, wins
    for data, field_ in (({"old_size": 0}, "top.old_size"), ({"old_leaf": {"size": 0}}, "top.old_leaf.size"),
                         ({"size": 0}, "top.size")):
        with pytest.raises(SpecError) as err:
            from_mapping(Renamed, data, "top")
        assert err.value.field == field_


def test_aliases_by_type_reach_nested_specs() -> None:
    tree = from_mapping(Tree, {"name": "x", "leaves": [{"length": 2}]}, aliases={Leaf: {"length": "size"}})
    assert tree.leaves == (Leaf(2),)
    with pytest.raises(SpecError) as err:
        from_mapping(Tree, {"name": "x", "leaf": {"length": 0}}, "t", aliases={Leaf: {"length": "size"}})
    assert err.value.field == "t.leaf.length"
