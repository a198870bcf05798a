"""Output serialisation: pick the output shape's members off a handler's result.

Resources are plain dicts keyed by the model's member names (private keys start with "_"); the
serialiser copies exactly the members the shape declares, dropping None, so nothing private leaks
and no resource needs a hand-written to_dict().

Each structure shape compiles once into straight-line Python (generated source, as dataclasses does):
one `get` per member, no loop and no per-member closure. Scalars, lists of scalars and maps of
scalars are handed on as they are, not copied: the result is encoded to JSON at once and dropped, so
nothing can see it shared. A handler may hand over a list already in its output form (`EmittedList`,
e.g. ListComponents' entries, made once per component): it is passed on as it is.
"""

from __future__ import annotations

import datetime
import keyword
from typing import Any, Callable

from botocore.model import Shape

Emit = Callable[[Any], Any]


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    return value


class EmittedList(list):
    """A list whose items are in their shape's output form already (as the list's emitter would make
    them): the serialiser passes it on as it is. Only for values that are encoded at once and dropped."""

    __slots__ = ()


def _as_list(value: Any) -> list:
    return value if type(value) is list else list(value)


def _as_dict(value: Any) -> dict:
    return value if type(value) is dict else dict(value)


class Serializer:
    """Compiles and caches an emitting function per shape (None means: the value as it is)."""

    def __init__(self) -> None:
        self._cache: dict[str, Emit | None] = {}

    def serialize(self, shape: Shape, value: dict) -> dict:
        emit = self._cache.get(shape.name) or self.compile(shape)
        return emit(value) if emit else value

    def emitter(self, shape: Shape) -> Emit | None:
        """The compiled function of `shape` (None: the value as it is)."""
        return self._cache[shape.name] if shape.name in self._cache else self.compile(shape)

    def compile(self, shape: Shape) -> Emit | None:
        if shape.name in self._cache:
            return self._cache[shape.name]
        name = shape.name
        self._cache[name] = lambda v: self._cache[name](v)  # recursive shapes call through the cache
        emit = self._build(shape)
        self._cache[name] = emit
        return emit

    def _build(self, shape: Shape) -> Emit | None:
        kind = shape.type_name
        if kind == "structure":
            return _structure(shape, self.compile)
        if kind == "list":
            emit = self.compile(shape.member)
            if emit is None:
                return _as_list
            return lambda value: value if type(value) is EmittedList else [emit(item) for item in value]
        if kind == "map":
            emit = self.compile(shape.value)
            if emit is None:
                return _as_dict
            return lambda value: {k: emit(v) for k, v in value.items()}
        if kind == "timestamp":
            return _timestamp
        return None


def _structure(shape: Shape, compile_member: Callable[[Shape], Emit | None]) -> Emit:
    """A function `value -> dict` of the shape's body members that are set, in the model's order.

    A member is read by `in` and `[]` (no call; an absent member costs one test), and lists and maps of
    scalars are copied only when they are not lists and dicts already (`_as_list`, `_as_dict`, inline)."""
    namespace: dict[str, Any] = {"EmittedList": EmittedList}
    lines = [f"def emit_{_identifier(shape.name)}(value):", "    out = {}"]
    for index, (name, member) in enumerate(shape.members.items()):
        if member.serialization.get("location") is not None:
            continue
        emit = compile_member(member)
        lines += [f"    if {name!r} in value:", f"        v = value[{name!r}]"]
        if emit is None:
            lines.append(f"        if v is not None: out[{name!r}] = v")
        elif emit is _as_list:
            lines.append(f"        if v is not None: out[{name!r}] = v if type(v) is list else list(v)")
        elif emit is _as_dict:
            lines.append(f"        if v is not None: out[{name!r}] = v if type(v) is dict else dict(v)")
        else:
            namespace[f"e{index}"] = emit
            lines.append(f"        if v is not None: out[{name!r}] = e{index}(v)")
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from the model's member names (repr'd)
    return namespace[f"emit_{_identifier(shape.name)}"]


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in name)
    return text + "_" if keyword.iskeyword(text) else text
