"""Server-side validation of input against the model: what botocore's client does not check.

Each shape compiles once into a checking closure `check(value, path)` that raises the first problem
it finds as a ServiceError (cached by shape name, `_per_shape`). Messages follow the service's wording:
"The value supplied for parameter 'p' is not valid. ...".
"""

from __future__ import annotations

import pathlib
import re
from typing import Any, Callable, cast

import yaml
from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

from ._errors import ServiceError, invalid_value
from ._per_shape import PerShape

Check = Callable[[Any, str], None]

#: output members whose pattern older models got wrong, with what the service returns there
OUTPUT_FORMS_FILE = pathlib.Path(__file__).with_name("data") / "output_forms.yaml"

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "double": "a number",
    "float": "a number",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "list": "a list",
    "map": "a map",
    "structure": "an object",
}


def missing(param: str) -> ServiceError:
    return ServiceError("InvalidRequestException", f"The request is missing required parameter '{param}'.")


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _wrong_type(path: str, type_name: str) -> ServiceError:
    return invalid_value(path, f"{_leaf(path)} must be {_TYPE_NAMES[type_name]}.")


class Validator(PerShape):
    """Compiles and caches a checking closure per shape."""

    def __init__(self, output: bool = False) -> None:
        super().__init__()
        #: for checking what we emit: the service itself returns empty maps and lists (`tags: {}`)
        #: below their modelled minimum, so sizes of containers are not checked on output
        self._output = output
        #: (structure, member) -> what the service returns, for the members of `OUTPUT_FORMS_FILE`
        self._returns: dict[tuple[str, str], str] = {}
        if output:
            with OUTPUT_FORMS_FILE.open(encoding="utf-8") as handle:
                forms = yaml.safe_load(handle)
            self._returns = {(structure, member): str(entry["returns"])
                             for structure, members in forms.items() for member, entry in members.items()}

    def validate(self, shape: Shape, value: Any, path: str = "") -> None:
        self.compile(shape)(value, path)

    def _build(self, shape: Shape) -> Check:
        check: Check = getattr(self, "_" + shape.type_name)(shape)  # _structure, _list, ... by type_name
        return check

    def _structure(self, shape: StructureShape) -> Check:
        members = [(name, self._member(shape, name, member)) for name, member in shape.members.items()]
        required = list(shape.required_members)
        union = bool(shape.metadata.get("union"))

        def check(value: Any, path: str) -> None:
            if not isinstance(value, dict):
                raise _wrong_type(path or shape.name, "structure")
            prefix = path + "." if path else ""
            for name in required:
                if value.get(name) is None:
                    raise missing(prefix + name)
            for name, member_check in members:
                item = value.get(name)
                if item is not None:
                    member_check(item, prefix + name)
            if union and sum(1 for v in value.values() if v is not None) != 1:
                raise invalid_value(path, "Exactly one member must be set.")

        return check

    def _member(self, structure: StructureShape, name: str, member: Shape) -> Check:
        """The member's check; on output, without the pattern of a member whose loaded pattern refuses what
        the service returns there (`OUTPUT_FORMS_FILE`: a stale pattern of an older model)."""
        returns = self._returns.get((structure.name, name))
        pattern = member.metadata.get("pattern") if returns is not None else None
        if pattern is not None and re.search(pattern, returns or "") is None:
            return self._string(cast(StringShape, member), check_pattern=False)
        check: Check = self.compile(member)
        return check

    def _list(self, shape: ListShape) -> Check:
        member = self.compile(shape.member)
        low, high = (None, None) if self._output else (shape.metadata.get("min"), shape.metadata.get("max"))

        def check(value: Any, path: str) -> None:
            if not isinstance(value, list):
                raise _wrong_type(path, "list")
            _check_size(path, len(value), low, high, "items")
            for index, item in enumerate(value):
                member(item, f"{path}[{index}]")

        return check

    def _map(self, shape: MapShape) -> Check:
        key, val = self.compile(shape.key), self.compile(shape.value)
        low, high = (None, None) if self._output else (shape.metadata.get("min"), shape.metadata.get("max"))

        def check(value: Any, path: str) -> None:
            if not isinstance(value, dict):
                raise _wrong_type(path, "map")
            _check_size(path, len(value), low, high, "entries")
            for k, v in value.items():
                key(k, f"{path}.key")
                val(v, f"{path}[{k}]")

        return check

    def _string(self, shape: StringShape, check_pattern: bool = True) -> Check:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        pattern = shape.metadata.get("pattern") if check_pattern else None
        regex = re.compile(pattern) if pattern else None
        enum = frozenset(shape.enum) if shape.enum else None

        def check(value: Any, path: str) -> None:
            if not isinstance(value, str):
                raise _wrong_type(path, "string")
            if low is not None or high is not None:
                _check_size(path, len(value), low, high, "characters")
            if enum is not None and value not in enum:
                raise invalid_value(path, f"{_leaf(path)} must be one of [{', '.join(sorted(enum))}].")
            if regex is not None and regex.search(value) is None:
                raise invalid_value(path, f"{_leaf(path)} must match pattern {pattern}")

        return check

    def _number(self, shape: Shape, types: tuple[type, ...]) -> Check:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check(value: Any, path: str) -> None:
            if isinstance(value, bool) or not isinstance(value, types):
                raise _wrong_type(path, shape.type_name)
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"between {low} and {high}" if low is not None and high is not None else (
                    f"at least {low}" if low is not None else f"at most {high}")
                raise invalid_value(path, f"{_leaf(path)} must be {bounds}.")

        return check

    def _integer(self, shape: Shape) -> Check:
        return self._number(shape, (int,))

    _long = _integer

    def _double(self, shape: Shape) -> Check:
        return self._number(shape, (int, float))

    _float = _double

    def _boolean(self, shape: Shape) -> Check:
        def check(value: Any, path: str) -> None:
            if not isinstance(value, bool):
                raise _wrong_type(path, "boolean")

        return check

    def _timestamp(self, shape: Shape) -> Check:
        def check(value: Any, path: str) -> None:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _wrong_type(path, "timestamp")

        return check


def _check_size(path: str, size: int, low: int | None, high: int | None, unit: str) -> None:
    if low is not None and size < low:
        raise invalid_value(path, f"{_leaf(path)} must have at least {low} {unit}.")
    if high is not None and size > high:
        raise invalid_value(path, f"{_leaf(path)} must have at most {high} {unit}.")
