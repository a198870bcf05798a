"""Yes/no input checks generated as Python source per shape (one function per shape, calls between
them by name, so recursive shapes need nothing special): what `_validator` accepts, without building
a parameter path per member. A value refused here goes through `_validator`'s closures, which raise
the exact error; so a check here may refuse more than the closures would, never accept more
(tests/test_engine_equivalence.py compares the two)."""

from __future__ import annotations

import re
from typing import Any, Callable

from botocore.model import Shape


def compile_accepts(shape: Shape, output: bool = False) -> Callable[[Any], bool]:
    """A function value -> bool: True only if the value is valid input for `shape`."""
    return _Generator(output).function(shape)


class _Generator:
    def __init__(self, output: bool) -> None:
        self._output = output  # sizes of lists and maps are not checked on output (see Validator)
        self._names: dict[str, str] = {}
        self._sources: list[str] = []
        self._namespace: dict[str, Any] = {}

    def function(self, shape: Shape) -> Callable[[Any], bool]:
        name = self._define(shape)
        exec("\n\n".join(self._sources), self._namespace)  # noqa: S102 - source built from the model
        return self._namespace[name]

    def _define(self, shape: Shape) -> str:
        """The name of the function that checks `shape` (generating it, and what it calls, once)."""
        name = self._names.get(shape.name)
        if name is None:
            name = self._names[shape.name] = f"ok_{len(self._names)}"
            self._sources.append(self._source(name, shape))
        return name

    def _constant(self, value: Any) -> str:
        name = f"c_{len(self._namespace)}"
        self._namespace[name] = value
        return name

    def _source(self, name: str, shape: Shape) -> str:
        kind = shape.type_name
        lines = [f"def {name}(v):"]
        if kind == "structure":
            lines += ["    if not isinstance(v, dict): return False", "    g = v.get"]
            required = set(shape.required_members)
            for member_name, member in shape.members.items():
                lines.append(f"    x = g({member_name!r})")
                test = self._test(member, "x")
                if member_name in required:
                    lines.append(f"    if x is None or not ({test}): return False")
                else:
                    lines.append(f"    if x is not None and not ({test}): return False")
            for member_name in required - set(shape.members):
                lines.append(f"    if g({member_name!r}) is None: return False")
            if shape.metadata.get("union"):
                lines.append("    if sum(1 for x in v.values() if x is not None) != 1: return False")
            lines.append("    return True")
        elif kind == "list":
            item = self._test(shape.member, "x")
            lines += ["    if not isinstance(v, list): return False"]
            lines += self._size("len(v)", shape)
            lines += ["    for x in v:", f"        if not ({item}): return False", "    return True"]
        elif kind == "map":
            key, value = self._test(shape.key, "k"), self._test(shape.value, "x")
            lines += ["    if not isinstance(v, dict): return False"]
            lines += self._size("len(v)", shape)
            lines += ["    for k, x in v.items():", f"        if not ({key}) or not ({value}): return False",
                      "    return True"]
        else:
            lines.append(f"    return {self._test(shape, 'v')}")
        return "\n".join(lines)

    def _size(self, size: str, shape: Shape) -> list[str]:
        if self._output:
            return []
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        out = []
        if low is not None:
            out.append(f"    if {size} < {low!r}: return False")
        if high is not None:
            out.append(f"    if {size} > {high!r}: return False")
        return out

    def _test(self, shape: Shape, x: str) -> str:
        """An expression that is true only if `x` is a valid value of `shape`."""
        kind = shape.type_name
        if kind == "string":
            parts = [f"isinstance({x}, str)"]
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            if low is not None:
                parts.append(f"len({x}) >= {low!r}")
            if high is not None:
                parts.append(f"len({x}) <= {high!r}")
            if shape.enum:
                parts.append(f"{x} in {self._constant(frozenset(shape.enum))}")
            pattern = shape.metadata.get("pattern")
            if pattern:
                parts.append(f"{self._constant(re.compile(pattern).search)}({x}) is not None")
            return " and ".join(parts)
        if kind in ("integer", "long", "double", "float"):
            types = "int" if kind in ("integer", "long") else "(int, float)"
            parts = [f"not isinstance({x}, bool)", f"isinstance({x}, {types})"]
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            if low is not None:
                parts.append(f"not ({x} < {low!r})")
            if high is not None:
                parts.append(f"not ({x} > {high!r})")
            return " and ".join(parts)
        if kind == "boolean":
            return f"isinstance({x}, bool)"
        if kind == "timestamp":
            return f"not isinstance({x}, bool) and isinstance({x}, (int, float, str))"
        if kind in ("structure", "list", "map"):
            return f"{self._define(shape)}({x})"
        return "False"  # a kind the closures know and this does not: let them decide
