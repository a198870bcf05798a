"""The engine's one speed-up seam: Python source generated from the model, per shape, beside the plain
closures it stands in for (`_validator.Validator`, `_serializer.Serializer`).

- `accepts(shape)`: a yes/no input check as straight-line code. It never accepts what the closures
  refuse (it may refuse more): a request it accepts skips the closures, one it refuses goes through them,
  and they raise the exact error.
- `emitter(shape)`: a structure's emitting function with one `in`/`[]` per member, no loop; lists, maps
  and scalars are the plain serialiser's.

`IMAGEBUILDER_MOCK_CODEGEN=0` turns the seam off (the plain closures alone answer: the reference
implementation). tests/test_engine_equivalence.py runs every operation's input and output shapes through
both; docs/performance.md says what the seam buys in the mix benchmark.
"""

from __future__ import annotations

import keyword
import os
import re
from typing import Any, Callable, cast

from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

from ._per_shape import PerShape


def enabled() -> bool:
    """Whether the generated code is used (the environment variable, read when a mock builds its engine)."""
    return os.environ.get("IMAGEBUILDER_MOCK_CODEGEN", "1") != "0"


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in name)
    return text + "_" if keyword.iskeyword(text) else text


class Acceptors(PerShape):
    """A generated `value -> bool` per shape: True only if `value` is valid input for it."""

    def _build(self, shape: Shape) -> Callable[[Any], bool]:
        namespace: dict[str, Any] = {}
        kind = shape.type_name
        if kind == "structure":
            shape = cast(StructureShape, shape)  # type_name says which botocore class it is
            lines = ["def ok(v):", "    if type(v) is not dict: return False"]
            required = set(shape.required_members)
            for index, (name, member) in enumerate(shape.members.items()):
                lines.append(f"    x = v.get({name!r})")
                test = self._test(member, "x", namespace, index)
                if name in required:
                    lines.append(f"    if x is None or not ({test}): return False")
                else:
                    lines.append(f"    if x is not None and not ({test}): return False")
            for name in sorted(required - set(shape.members)):
                lines.append(f"    if v.get({name!r}) is None: return False")
            if shape.metadata.get("union"):
                lines.append("    if sum(1 for x in v.values() if x is not None) != 1: return False")
            lines.append("    return True")
        elif kind == "list":
            shape = cast(ListShape, shape)
            lines = ["def ok(v):", "    if type(v) is not list: return False", *self._size("len(v)", shape),
                     "    for x in v:", f"        if not ({self._test(shape.member, 'x', namespace, 0)}): return False",
                     "    return True"]
        elif kind == "map":
            shape = cast(MapShape, shape)
            key, value = self._test(shape.key, "k", namespace, 0), self._test(shape.value, "x", namespace, 1)
            lines = ["def ok(v):", "    if type(v) is not dict: return False", *self._size("len(v)", shape),
                     "    for k, x in v.items():", f"        if not ({key}) or not ({value}): return False",
                     "    return True"]
        else:
            lines = ["def ok(v):", f"    return {self._test(shape, 'v', namespace, 0)}"]
        exec("\n".join(lines), namespace)  # noqa: S102 - source built from the model (names repr'd)
        ok: Callable[[Any], bool] = namespace["ok"]
        return ok

    @staticmethod
    def _size(size: str, shape: Shape) -> list[str]:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        out: list[str] = []
        if low is not None:
            out.append(f"    if {size} < {low!r}: return False")
        if high is not None:
            out.append(f"    if {size} > {high!r}: return False")
        return out

    def _test(self, shape: Shape, x: str, namespace: dict[str, Any], index: int) -> str:
        """An expression that is true only if `x` is a valid value of `shape`."""
        kind = shape.type_name
        if kind == "string":
            shape = cast(StringShape, shape)
            parts = [f"type({x}) is str"]
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            if low is not None:
                parts.append(f"len({x}) >= {low!r}")
            if high is not None:
                parts.append(f"len({x}) <= {high!r}")
            if shape.enum:
                namespace[f"enum_{index}"] = frozenset(shape.enum)
                parts.append(f"{x} in enum_{index}")
            pattern = shape.metadata.get("pattern")
            if pattern:
                namespace[f"pattern_{index}"] = re.compile(pattern).search
                parts.append(f"pattern_{index}({x}) is not None")
            return " and ".join(parts)
        if kind in ("integer", "long"):
            return self._bounded(f"type({x}) is int", shape, x)
        if kind in ("double", "float"):
            return self._bounded(f"type({x}) in (int, float)", shape, x)
        if kind == "boolean":
            return f"type({x}) is bool"
        if kind in ("structure", "list", "map"):
            namespace[f"member_{index}"] = self.compile(shape)
            return f"member_{index}({x})"
        return "False"  # timestamps and anything else: the closures decide

    @staticmethod
    def _bounded(test: str, shape: Shape, x: str) -> str:
        parts = [test]
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None:
            parts.append(f"not ({x} < {low!r})")
        if high is not None:
            parts.append(f"not ({x} > {high!r})")
        return " and ".join(parts)


def structure_emitter(shape: Shape, compile_member: Callable[[Shape], Any]) -> Callable[[Any], dict[str, Any]]:
    """A generated `value -> dict` of a structure's body members that are set, in the model's order:
    the plain serialiser's `_structure`, written out member by member."""
    structure = cast(StructureShape, shape)
    namespace: dict[str, Any] = {}
    lines = [f"def emit_{_identifier(shape.name)}(value):", "    out = {}"]
    for index, (name, member) in enumerate(structure.members.items()):
        if member.serialization.get("location") is not None:
            continue
        emit = compile_member(member)
        lines += [f"    if {name!r} in value:", f"        v = value[{name!r}]"]
        if emit is None:
            lines.append(f"        if v is not None: out[{name!r}] = v")
        else:
            namespace[f"e{index}"] = emit
            lines.append(f"        if v is not None: out[{name!r}] = e{index}(v)")
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from the model's member names (repr'd)
    emit_structure: Callable[[Any], dict[str, Any]] = namespace[f"emit_{_identifier(shape.name)}"]
    return emit_structure
