"""The control API: the Python handle's methods over HTTP, under `CONTROL_PREFIX` (docs/server.md).

Each endpoint takes a JSON object whose keys are the handle method's keyword arguments and answers JSON;
a bad argument is a 400 `InvalidRequestException` naming it, an unknown endpoint a 404.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Callable, Iterable

from .._backend.clock import iso, parse_iso
from .._engine._errors import ServiceError
from . import _state
from ._app import ServerApp, _request_id, json_response

Response = tuple[int, dict[str, str], bytes]


def calls(app: ServerApp) -> list[dict[str, Any]]:
    """The journal of requests served. The one place that reads it: when the handle keeps its own record of
    calls (`m.calls`), this is where the server switches to it."""
    return app.journal.entries()


def _health(app: ServerApp, args: dict[str, Any]) -> Any:
    from .. import __version__

    return {"status": "ok", "version": __version__, "accountId": app.mock.account_id}


def _reset(app: ServerApp, args: dict[str, Any]) -> Any:
    app.mock.reset()
    app.journal.clear()
    return {}


def _clock(app: ServerApp, args: dict[str, Any]) -> Any:
    return {"now": app.mock.clock.iso_now()}


def _advance(app: ServerApp, args: dict[str, Any]) -> Any:
    units = {k: _number(args, k) for k in ("seconds", "minutes", "hours", "days", "weeks") if k in args}
    _only(args, units)
    try:
        now = app.mock.clock.advance(**units)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return {"now": iso(now)}


def _move_to(app: ServerApp, args: dict[str, Any]) -> Any:
    _only(args, ("time",))
    try:
        moment = _parse_time(args["time"])
    except (KeyError, ValueError, TypeError):
        raise _bad("time must be an ISO-8601 date and time, e.g. 2030-01-01T00:00:00Z") from None
    clock = app.mock.clock
    move_to = getattr(clock, "move_to", None)
    try:
        if move_to is not None:
            now = move_to(moment)
        else:
            now = clock.advance(moment - clock.now())
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return {"now": iso(now)}


def _inject_error(app: ServerApp, args: dict[str, Any]) -> Any:
    _only(args, ("operation", "code", "count", "message"))
    _call(app.mock.inject_error, args, required=("operation", "code"))
    return {}


def _fail_builds(app: ServerApp, args: dict[str, Any]) -> Any:
    _only(args, ("reason", "at", "count", "match"))
    _call(app.mock.fail_builds, args)
    return {}


def _register_access_key(app: ServerApp, args: dict[str, Any]) -> Any:
    _only(args, ("access_key_id", "account_id"))
    _call(app.mock.register_access_key, args, required=("access_key_id", "account_id"))
    return {}


def _run_lifecycle_policies(app: ServerApp, args: dict[str, Any]) -> Any:
    _only(args, ("account_id", "region"))
    return {"lifecycleExecutionIds": _call(app.mock.run_lifecycle_policies, args)}


def _calls(app: ServerApp, args: dict[str, Any]) -> Any:
    return {"calls": calls(app)}


def _clear_calls(app: ServerApp, args: dict[str, Any]) -> Any:
    app.journal.clear()
    return {}


def _export(app: ServerApp, args: dict[str, Any]) -> Any:
    return _state.export_state(app.mock.backend)


def _import(app: ServerApp, args: dict[str, Any]) -> Any:
    try:
        _state.import_state(app.mock.backend, args)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return {}


#: (method, path after the prefix) -> endpoint; docs/server.md has the table.
ENDPOINTS: dict[tuple[str, str], Callable[[ServerApp, dict[str, Any]], Any]] = {
    ("GET", "/health"): _health,
    ("POST", "/reset"): _reset,
    ("GET", "/clock"): _clock,
    ("POST", "/clock/advance"): _advance,
    ("POST", "/clock/move_to"): _move_to,
    ("POST", "/inject_error"): _inject_error,
    ("POST", "/fail_builds"): _fail_builds,
    ("POST", "/register_access_key"): _register_access_key,
    ("POST", "/run_lifecycle_policies"): _run_lifecycle_policies,
    ("GET", "/calls"): _calls,
    ("DELETE", "/calls"): _clear_calls,
    ("GET", "/state"): _export,
    ("PUT", "/state"): _import,
}


def control(app: ServerApp, method: str, path: str, body: bytes) -> Response:
    """Answer one control request (`path` without the prefix)."""
    endpoint = ENDPOINTS.get((method, path.rstrip("/") or "/"))
    request_id = _request_id()
    try:
        if endpoint is None:
            methods = sorted(m for m, p in ENDPOINTS if p == path.rstrip("/"))
            detail = f" (it answers {', '.join(methods)})" if methods else ""
            raise ServiceError("UnknownOperationException",
                               f"No imagebuilder-mock control endpoint answers {method} {path}{detail}.", 404)
        try:
            args = json.loads(body) if body.strip() else {}
        except ValueError:
            raise _bad("The request body is not valid JSON.") from None
        if not isinstance(args, dict):
            raise _bad("The request body must be a JSON object.")
        status, headers, out = json_response(200, endpoint(app, args))
        headers["x-amzn-RequestId"] = request_id
        return status, headers, out
    except ServiceError as error:
        return app.mock.engine.render_error(error, request_id)


# -- arguments ---------------------------------------------------------------------------------------
def _bad(message: str) -> ServiceError:
    return ServiceError("InvalidRequestException", message, 400)


def _only(args: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise _bad(f"Unknown arguments {unknown}; this endpoint takes {sorted(allowed)}.")


def _number(args: dict[str, Any], name: str) -> float:
    value = args[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(f"{name} must be a number, got {value!r}.")
    return value


def _call(method: Callable[..., Any], args: dict[str, Any], required: tuple[str, ...] = ()) -> Any:
    missing = [name for name in required if name not in args]
    if missing:
        raise _bad(f"Missing required arguments {missing}.")
    try:
        return method(**args)
    except (ValueError, TypeError) as exc:
        raise _bad(str(exc)) from None


def _parse_time(text: str) -> datetime.datetime:
    if not isinstance(text, str):
        raise TypeError
    try:
        return parse_iso(text)
    except ValueError:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise
        return moment
