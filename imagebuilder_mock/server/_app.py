"""The WSGI application: Image Builder requests to the engine, the control API under `CONTROL_PREFIX`,
CORS for browser SDKs, the request log and the journal of requests served."""

from __future__ import annotations

import collections
import http
import json
import logging
import threading
import time
from typing import Any, Callable, Iterable, TextIO, cast
from urllib.parse import quote

from .._engine._errors import ServiceError
from .._mock import MockImageBuilder

#: Every control endpoint lives under this prefix; the service's request URIs are `/CreateComponent`-style
#: names and `/tags/{arn}` (tests/test_server.py checks the model never starts one with it).
CONTROL_PREFIX = "/_imagebuilder_mock"
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024
JOURNAL_SIZE = 10_000

#: What the AWS SDK for JavaScript v3 (and other browser SDKs) send: allowed on a preflight.
CORS_ALLOW_HEADERS = ("authorization", "content-type", "content-length", "host", "x-amz-date", "x-amz-security-token",
                      "x-amz-user-agent", "x-amz-content-sha256", "x-amz-target", "amz-sdk-invocation-id",
                      "amz-sdk-request", "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm")
#: What a browser script may read from a response.
CORS_EXPOSE_HEADERS = ("x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", "x-amz-request-id",
                       "x-amz-id-2", "x-amz-apigw-id", "Date", "Content-Length")
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


class Journal:
    """The requests the server answered, oldest first (the last `JOURNAL_SIZE`)."""

    def __init__(self, size: int = JOURNAL_SIZE) -> None:
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)

    def record(self, entry: dict[str, Any]) -> None:
        self._entries.append(entry)  # deque.append is atomic: no lock on the request path

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()


class ServerApp:
    """A WSGI application answering Image Builder requests from `mock`'s state."""

    def __init__(self, mock: MockImageBuilder, *, cors_origins: Iterable[str] = ("*",),
                 max_body_size: int = DEFAULT_MAX_BODY_SIZE, log: TextIO | None = None) -> None:
        self.mock = mock
        self.cors_origins = frozenset(cors_origins)
        self.max_body_size = max_body_size
        self.log = log
        self.journal = Journal()
        self._log_lock = threading.Lock()
        self._router = mock.engine.router

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"].upper()
        # The raw path keeps %2F inside ARNs (tag operations); PATH_INFO has it decoded.
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        path = raw.split("?", 1)[0] if raw else quote(environ.get("PATH_INFO", "/"))
        origin = environ.get("HTTP_ORIGIN")
        if path.startswith(CONTROL_PREFIX + "/") or path == CONTROL_PREFIX:
            from ._control import control

            operation = "control"
            try:
                status, headers, body = control(self, method, path[len(CONTROL_PREFIX):], _read(environ, self))
            except ServiceError as error:  # a body over the limit
                status, headers, body = self.mock.engine.render_error(error, _request_id())
        elif method == "OPTIONS":
            operation = "preflight"
            status, headers, body = self._preflight(environ, origin)
        else:
            status, headers, body, operation = self._service(environ, method, path)
        if origin is not None:
            headers = dict(headers, **self._cors_headers(origin))
        headers = dict(headers, **{"Content-Length": str(len(body))})
        start_response(f"{status} {_reason(status)}", list(headers.items()))
        elapsed = (time.perf_counter() - started) * 1000
        self.journal.record({"operation": operation, "method": method, "path": path, "status": status,
                             "milliseconds": round(elapsed, 3), "requestId": headers.get("x-amzn-RequestId"),
                             "time": time.time()})
        if self.log is not None:
            self.write_log(f"{method} {path} {operation} {status} {elapsed:.1f}ms")
        return [body]

    def write_log(self, line: str) -> None:
        """One line of the request log: method, path, operation, status, milliseconds."""
        log = cast(TextIO, self.log)  # called only where the server has a log
        with self._log_lock:
            log.write(line + "\n")
            log.flush()

    def _service(self, environ: dict[str, Any], method: str, path: str) -> tuple[int, dict[str, str], bytes, str]:
        routed = self._router.route(method, path)
        operation = routed[0].name if routed is not None else "-"
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        try:
            body = _read(environ, self)
        except ServiceError as error:
            return (*self.mock.engine.render_error(error, _request_id()), operation)
        try:
            status, out_headers, out_body = self.mock.engine.handle(
                method, path, environ.get("QUERY_STRING", ""), headers, body)
        except Exception:  # strict mode raises our bugs: the client still gets a clean 500, no exception text
            logging.getLogger("imagebuilder_mock").exception("imagebuilder-mock failed on %s %s", method, path)
            failure = ServiceError("ServiceException", "imagebuilder-mock failed to answer this request.", 500)
            return (*self.mock.engine.render_error(failure, _request_id()), operation)
        return status, out_headers, out_body, operation

    # -- CORS ------------------------------------------------------------------------------------
    def _allowed(self, origin: str) -> bool:
        return "*" in self.cors_origins or origin in self.cors_origins

    def _cors_headers(self, origin: str) -> dict[str, str]:
        if not self._allowed(origin):
            return {}
        headers = {"Access-Control-Allow-Origin": "*" if "*" in self.cors_origins else origin,
                   "Access-Control-Expose-Headers": ", ".join(CORS_EXPOSE_HEADERS)}
        if "*" not in self.cors_origins:
            headers["Vary"] = "Origin"
        return headers

    def _preflight(self, environ: dict[str, Any], origin: str | None) -> tuple[int, dict[str, str], bytes]:
        if origin is not None and not self._allowed(origin):
            error = ServiceError("ForbiddenException", f"The origin '{origin}' is not allowed by this server's "
                                 "--cors-origins.", 403)
            return self.mock.engine.render_error(error, _request_id())
        asked = [h.strip().lower() for h in environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",")
                 if h.strip()]
        allowed = list(dict.fromkeys([*CORS_ALLOW_HEADERS, *asked]))
        return 200, {"Access-Control-Allow-Methods": CORS_METHODS,
                     "Access-Control-Allow-Headers": ", ".join(allowed),
                     "Access-Control-Max-Age": "86400"}, b""


def _read(environ: dict[str, Any], app: ServerApp) -> bytes:
    """The request body (at most the app's `max_body_size`; waitress has already enforced its framing)."""
    text = environ.get("CONTENT_LENGTH") or "0"
    if not text.isdigit():
        raise ServiceError("InvalidRequestException", "The request's Content-Length is not a number of bytes.")
    length = int(text)
    if length > app.max_body_size:
        raise ServiceError("InvalidRequestException", body_too_large(app.max_body_size))
    return environ["wsgi.input"].read(length) if length else b""


def body_too_large(limit: int) -> str:
    return f"The request body is larger than this server's limit of {limit} bytes (--max-body-size)."


def _request_id() -> str:
    from .._engine.engine import random_uuid

    return random_uuid()


def json_response(status: int, payload: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _reason(status: int) -> str:
    """The HTTP reason phrase of `status` ("Status" for a code the standard does not name)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def make_app(mock: MockImageBuilder | None = None, *, cors_origins: Iterable[str] = ("*",),
             max_body_size: int = DEFAULT_MAX_BODY_SIZE, log: TextIO | None = None) -> ServerApp:
    """A WSGI application answering Image Builder requests from `mock`'s state (a new mock if None);
    `app.mock` is the handle. `log`: a stream for one line per request (None: no log)."""
    return ServerApp(mock or MockImageBuilder(), cors_origins=cors_origins, max_body_size=max_body_size, log=log)


__all__ = ["CONTROL_PREFIX", "ServerApp", "make_app"]
