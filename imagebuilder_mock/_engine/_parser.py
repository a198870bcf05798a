"""Request parsing: read each input member from its location (uri, querystring, header, body)."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from ._errors import ServiceError, invalid_value
from ._json import read_request


def _malformed(detail: str) -> ServiceError:
    return ServiceError("InvalidRequestException", f"The request body is malformed: {detail}")


def _scalar(shape: Shape, raw: str, param: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise invalid_value(param, f"{param} must be an integer.") from None
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise invalid_value(param, f"{param} must be a boolean.")
        return raw == "true"
    return raw


class Parser:
    """Compiles, per operation, the list of located members to read."""

    def __init__(self) -> None:
        self._plans: dict[str, tuple] = {}

    def plan(self, op: OperationModel) -> tuple:
        """(input shape, located members as (name, location, wire name, shape), names of body members)."""
        plan = self._plans.get(op.name)
        if plan is None:
            located = []
            shape = op.input_shape
            for name, member in (shape.members.items() if shape else ()):
                location = member.serialization.get("location")
                if location:
                    located.append((name, location, member.serialization.get("name", name), member))
            body_members = frozenset(n for n, m in (shape.members.items() if shape else ())
                                     if not m.serialization.get("location"))
            plan = (shape, tuple(located), body_members)
            self._plans[op.name] = plan
        return plan

    def parse(self, op: OperationModel, query: dict[str, list[str]], headers: dict[str, str],
              body: bytes, uri_params: dict[str, str]) -> dict:
        shape, located, body_members = self.plan(op)
        if shape is None:
            return {}
        params = read_body(body, body_members)
        if located:
            read_located(located, params, query, headers, uri_params)
        return params


_WHITESPACE = b" \t\n\r\x0b\x0c"  # what bytes.strip() strips


def read_body(body: bytes, body_members: frozenset) -> dict:
    """The modelled members of a JSON request body ({} for an empty or blank body)."""
    if not body or (body[0] in _WHITESPACE and not body.strip()):
        return {}
    try:
        params = read_request(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _malformed(f"not valid JSON ({exc}).") from None
    if not isinstance(params, dict):
        raise _malformed("the top level must be a JSON object.")
    if not body_members.issuperset(params):
        # The service ignores members its model does not have (and located members never
        # come from the body): a handler only ever sees modelled members.
        params = {k: v for k, v in params.items() if k in body_members}
    return params


def read_located(located: tuple, params: dict, query: dict[str, list[str]], headers: dict[str, str],
                 uri_params: dict[str, str]) -> None:
    """Set in `params` the members read from the uri, the query string and headers."""
    for name, location, wire, member in located:
        if location == "uri":
            if wire in uri_params:
                params[name] = uri_params[wire]
        elif location == "querystring":
            values = query.get(wire)
            if values:
                if member.type_name == "list":
                    params[name] = [_scalar(member.member, v, name) for v in values]
                else:
                    params[name] = _scalar(member, values[0], name)
        elif location == "header":
            value = headers.get(wire.lower())
            if value is not None:
                params[name] = _scalar(member, value, name)
