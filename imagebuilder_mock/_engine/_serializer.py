"""Output serialisation: pick the output shape's members off a handler's result.

Resources are plain dicts keyed by the model's member names (private keys start with "_"); the
compiled serialiser copies exactly the members the shape declares, so nothing private leaks and no
resource needs a hand-written to_dict().
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

from botocore.model import Shape

Emit = Callable[[Any], Any]


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    return value


class Serializer:
    """Compiles and caches an emitting closure per shape (None means: the value as it is)."""

    def __init__(self) -> None:
        self._cache: dict[str, Emit | None] = {}

    def serialize(self, shape: Shape, value: dict) -> dict:
        emit = self.compile(shape)
        return emit(value) if emit else value

    def compile(self, shape: Shape) -> Emit | None:
        if shape.name in self._cache:
            return self._cache[shape.name]
        self._cache[shape.name] = lambda v: self._cache[shape.name](v)  # recursive shapes
        emit = self._build(shape)
        self._cache[shape.name] = emit
        return emit

    def _build(self, shape: Shape) -> Emit | None:
        kind = shape.type_name
        if kind == "structure":
            members = [(name, self.compile(member)) for name, member in shape.members.items()
                       if member.serialization.get("location") is None]

            def structure(value: dict) -> dict:
                out = {}
                for name, emit in members:
                    item = value.get(name)
                    if item is not None:
                        out[name] = emit(item) if emit else item
                return out

            return structure
        if kind == "list":
            emit = self.compile(shape.member)
            if emit is None:
                return list
            return lambda value: [emit(item) for item in value]
        if kind == "map":
            emit = self.compile(shape.value)
            if emit is None:
                return dict
            return lambda value: {k: emit(v) for k, v in value.items()}
        if kind == "timestamp":
            return _timestamp
        return None
