"""Output serialisation: pick the output shape's members off a handler's result.

Resources are plain dicts keyed by the model's member names (private keys start with "_"); the
serialiser copies exactly the members the shape declares, dropping None, so nothing private leaks
and no resource needs a hand-written to_dict().

Each shape compiles once into an emitting closure (cached by shape name, `_per_shape`); None means
"the value as it is". Scalars, lists of scalars and maps of scalars are handed on as they are, not
copied: the result is encoded to JSON at once and dropped, so nothing can see it shared. A handler may
hand over a list already in its output form (`EmittedList`, e.g. ListComponents' entries, made once per
component): it is passed on as it is.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, cast

from botocore.model import ListShape, MapShape, Shape, StructureShape

from . import _codegen
from ._per_shape import PerShape

Emit = Callable[[Any], Any]


class EmittedList(list[Any]):
    """A list whose items are in their shape's output form already (as the list's emitter would make
    them): the serialiser passes it on as it is. Only for values that are encoded at once and dropped."""

    __slots__ = ()


class Serializer(PerShape):
    """Compiles and caches an emitting function per shape (None means: the value as it is). With
    `generated`, structures get the `_codegen` seam's written-out emitter; else the plain closure."""

    def __init__(self, generated: bool = False) -> None:
        super().__init__()
        self.generated = generated

    def serialize(self, shape: Shape, value: dict[str, Any]) -> dict[str, Any]:
        emit = self.compile(shape)
        out: dict[str, Any] = emit(value) if emit else value
        return out

    def emitter(self, shape: Shape) -> Emit | None:
        """The compiled function of `shape` (None: the value as it is)."""
        emit: Emit | None = self.compile(shape)
        return emit

    def _build(self, shape: Shape) -> Emit | None:
        kind = shape.type_name
        if kind == "structure":
            shape = cast(StructureShape, shape)  # type_name says which botocore class it is
            if self.generated:
                return _codegen.structure_emitter(shape, self.compile)
            return _structure([(name, self.compile(member)) for name, member in shape.members.items()
                               if member.serialization.get("location") is None])
        if kind == "list":
            return _list(self.compile(cast(ListShape, shape).member))
        if kind == "map":
            return _map(self.compile(cast(MapShape, shape).value))
        if kind == "timestamp":
            return _timestamp
        return None


def _structure(members: list[tuple[str, Emit | None]]) -> Emit:
    """The body members of a structure that are set (not None), in the model's order."""

    def emit(value: Any) -> dict[str, Any]:
        out = {}
        for name, emit_member in members:
            item = value.get(name)
            if item is not None:
                out[name] = item if emit_member is None else emit_member(item)
        return out

    return emit


def _list(emit_item: Emit | None) -> Emit:
    if emit_item is None:
        return lambda value: value if type(value) is list else list(value)
    return lambda value: value if type(value) is EmittedList else [emit_item(item) for item in value]


def _map(emit_value: Emit | None) -> Emit:
    if emit_value is None:
        return lambda value: value if type(value) is dict else dict(value)
    return lambda value: {key: emit_value(item) for key, item in value.items()}


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    return value
