"""Output serialisation: pick the output shape's members off a handler's result.

Resources are plain dicts keyed by the model's member names (private keys start with "_"); the
serialiser copies exactly the members the shape declares, dropping None, so nothing private leaks
and no resource needs a hand-written to_dict().

Each structure shape compiles once into straight-line Python (generated source, as dataclasses does):
one `get` per member, no loop and no per-member closure. Scalars, lists of scalars and maps of
scalars are handed on as they are, not copied: the result is encoded to JSON at once and dropped, so
nothing can see it shared. A handler may hand over a list already in its output form (`EmittedList`,
e.g. ListComponents' entries, made once per component): it is passed on as it is. A resource kept in
its output form (`emitted_type(shape name)`, e.g. a component or an image recipe) is passed on as it
is by its own shape's function, however deep it sits (GetImage's recipe): a read does no per-member work.
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


class EmittedDict(dict):
    """Base of the marked dicts: a structure in its shape's output form (as the shape's function would
    make it: only model members, none None, nested values in output form too). Each shape has its own
    subclass (`emitted_type`), so only that shape's function passes it on as it is. A copy (copy.copy,
    copy.deepcopy, pickle) is a plain dict, which is always safe: it is serialised member by member."""

    __slots__ = ()

    def __reduce__(self):
        return dict, (dict(self),)


_EMITTED_TYPES: dict[str, type] = {}  # shape name -> its EmittedDict subclass (one per process)


def emitted_type(shape_name: str) -> type:
    """The marked dict type of structure `shape_name`: a dict of it is in that shape's output form."""
    marked = _EMITTED_TYPES.get(shape_name)
    if marked is None:
        marked = _EMITTED_TYPES[shape_name] = type(f"Emitted{shape_name}", (EmittedDict,), {"__slots__": ()})
    return marked


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

    def stored(self, shape: Shape, members_only: bool = False) -> Callable[[dict], dict]:
        """A function giving a structure's output form, marked (`emitted_type`): for resources kept
        that way. Members the shape does not have (private keys, unknown ones a client sent) are dropped.
        A value in output form already, as far as a glance tells (`_stored`), is only copied.
        `members_only`: the caller promises that every key is a body member and no value is None."""
        return _stored(shape, self.emitter(shape), self.compile, members_only)

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
    scalars are copied only when they are not lists and dicts already (`_as_list`, `_as_dict`, inline).
    A value of the shape's marked type (`emitted_type`) is in output form already: passed on as it is."""
    namespace: dict[str, Any] = {"EmittedList": EmittedList, "Emitted": emitted_type(shape.name)}
    lines = [f"def emit_{_identifier(shape.name)}(value):", "    if type(value) is Emitted:", "        return value",
             "    out = {}"]
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


def _stored(shape: Shape, emit: Emit, compile_member: Callable[[Shape], Emit | None],
            members_only: bool) -> Callable[[dict], dict]:
    """A function `value -> marked copy of emit(value)` that skips the walk when `emit(value) == value` is
    plain: every key a body member, no None (both taken as given with `members_only`), and each member
    the emitter would do work on passed on as it is (a list or dict of scalars of exactly that type, a
    marked structure, an `EmittedList`)."""
    namespace: dict[str, Any] = {"EmittedList": EmittedList, "Marked": emitted_type(shape.name), "emit": emit}
    members = [(name, member) for name, member in shape.members.items()
               if member.serialization.get("location") is None]
    namespace["members"] = frozenset(name for name, _ in members)
    lines = [f"def store_{_identifier(shape.name)}(value):"]
    if not members_only:
        lines += ["    if not members.issuperset(value) or None in value.values():", "        return Marked(emit(value))"]
    for index, (name, member) in enumerate(members):
        member_emit = compile_member(member)
        if member_emit is None:
            continue  # a scalar: as it is
        if member_emit is _as_list:
            same = "type(v) is list"
        elif member_emit is _as_dict:
            same = "type(v) is dict"
        elif member.type_name == "structure":
            namespace[f"M{index}"] = emitted_type(member.name)
            same = f"type(v) is M{index}"
        elif member.type_name == "list":
            same = "type(v) is EmittedList"
        else:
            same = "False"  # maps of structures, timestamps: the walk decides
        lines += [f"    if {name!r} in value:", f"        v = value[{name!r}]",
                  f"        if not ({same}): return Marked(emit(value))"]
    lines.append("    return Marked(value)")
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from the model's member names (repr'd)
    return namespace[f"store_{_identifier(shape.name)}"]


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in name)
    return text + "_" if keyword.iskeyword(text) else text
