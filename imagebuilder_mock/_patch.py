"""Process-wide patches of botocore, installed while at least one mock is active.

- `Endpoint._do_get_response`: imagebuilder requests are answered by the innermost active mock
  *in place of* the `before-send` event (so moto's catch-all handler never sees them); botocore's own
  response parsing, retries, paginators and waiters then run as in production. Other services pass
  through untouched, at the cost of one attribute check.
- `botocore.endpoint.time`: the retry back-off of an imagebuilder request (botocore's
  `Endpoint._needs_retry` is the module's only sleep) advances the simulated clock instead of sleeping
  (injected errors exercise botocore's retries fast); every other sleep is real.
- `Waiter.wait` + `botocore.waiter.time`: an imagebuilder waiter's delay advances the simulated clock
  instead of sleeping.
- `CredentialResolver.load_credentials`: fake credentials only where none are configured.

The wrappers are wrapt FunctionWrappers. Their cost, measured against plain functions (docs/performance.md):
~0.5 us more per wrapped call (one per request), and `import wrapt` (~20 ms once per process, at the
first mock start).
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import botocore.credentials
import botocore.endpoint
import botocore.waiter
import wrapt
from botocore.awsrequest import AWSResponse

if TYPE_CHECKING:
    from ._mock import MockImageBuilder

_lock = threading.RLock()
_active: list["MockImageBuilder"] = []
_waiting: contextvars.ContextVar["MockImageBuilder | None"] = contextvars.ContextVar("imagebuilder_waiter", default=None)
_originals: dict = {}
FAKE_ACCESS_KEY = "AKIAIMAGEBUILDERMOCK"


def current() -> "MockImageBuilder | None":
    return _active[-1] if _active else None


class _RawBody(tuple):
    """The minimal urllib3-like body botocore's AWSResponse reads: `_RawBody((body,))` (a tuple: made
    without a Python-level constructor)."""

    __slots__ = ()

    def stream(self, **_kwargs):
        yield self[0]


class _Emitter:
    """The endpoint's emitter, except that `before-send` is answered by the mock."""

    __slots__ = ("_inner", "_mock")

    def __init__(self, inner, mock: "MockImageBuilder") -> None:
        self._inner, self._mock = inner, mock

    def emit(self, event_name: str, **kwargs):
        if event_name.startswith("before-send."):
            return [(None, respond(self._mock, kwargs["request"]))]
        return self._inner.emit(event_name, **kwargs)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _EndpointView:
    """The endpoint as botocore's `_do_get_response` sees it, with the mock's emitter. One per endpoint
    and mock, kept while a mock is active (`_views`)."""

    __slots__ = ("_endpoint", "_event_emitter", "_response_parser_factory", "mock")

    def __init__(self, endpoint, mock: "MockImageBuilder") -> None:
        self._endpoint = endpoint
        self.mock = mock
        self._event_emitter = _Emitter(endpoint._event_emitter, mock)
        self._response_parser_factory = endpoint._response_parser_factory  # read on every response

    def __getattr__(self, name):
        return getattr(self._endpoint, name)


#: id(endpoint) -> its view (which holds the endpoint, so the id is not reused while it is here);
#: emptied when the last mock stops
_views: dict[int, _EndpointView] = {}


def _view(endpoint, mock: "MockImageBuilder") -> _EndpointView:
    view = _views.get(id(endpoint))
    if view is None or view.mock is not mock:
        view = _views[id(endpoint)] = _EndpointView(endpoint, mock)
    return view


def _split_url(url: str) -> tuple[str, str, str]:
    """(netloc, path, query) as urlsplit gives them, cheaply for the plain http(s) URLs botocore sends."""
    at = 8 if url.startswith("https://") else 7 if url.startswith("http://") else -1
    if at > 0 and "#" not in url and "\t" not in url and "\r" not in url and "\n" not in url:
        slash = url.find("/", at)
        question = url.find("?", at)
        if slash > 0 and not 0 < question < slash:
            if question < 0:
                return url[at:slash], url[slash:], ""
            return url[at:slash], url[slash:question], url[question + 1:]
    parts = urlsplit(url)
    return parts.netloc, parts.path, parts.query


def _header(headers, name: str):
    """A request header by lower-case `name`, the slow, general way (any mapping)."""
    return next((value for key, value in headers.items() if str(key).lower() == name), None)


def _header_key(name: str):
    key = _HEADER_KEYS[name] = _HeaderKey(name)
    return key


def respond(mock: "MockImageBuilder", request) -> AWSResponse:
    """Answer one prepared botocore request from the mock's engine."""
    url = request.url
    netloc, path, query = _split_url(url)
    # The engine reads these two headers only (no operation has a header member: tests/test_protocol.py).
    request_headers = request.headers
    stored = getattr(request_headers, "_dict", None)
    if _FAST_RESPONSE and type(stored) is dict:  # botocore's HeadersDict
        authorization, host = stored.get(_AUTHORIZATION), stored.get(_HOST)
    else:
        authorization, host = _header(request_headers, "authorization"), _header(request_headers, "host")
    if type(authorization) is bytes:
        authorization = authorization.decode()
    if host is None:
        host = netloc
    elif type(host) is bytes:
        host = host.decode()
    headers = {"authorization": authorization or "", "host": host}
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    status, out_headers, out_body = (mock._engine or mock.engine).handle_normalized(
        request.method.upper(), path, query, headers, body)
    if not _FAST_RESPONSE:
        return AWSResponse(url, status, out_headers, _RawBody((out_body,)))
    # AWSResponse(url, status, out_headers, raw) without the constructors: the key objects of the few
    # header names the engine answers are made once
    stored = {}
    for name, value in out_headers.items():
        stored[_HEADER_KEYS.get(name) or _header_key(name)] = value
    response_headers = _NEW_HEADERS(HeadersDict)
    response_headers._dict = stored
    response = _NEW_RESPONSE(AWSResponse)
    response.url = url
    response.status_code = status
    response.headers = response_headers
    response.raw = _RawBody((out_body,))
    response._content = out_body  # what `content` would read from raw
    return response


def _fast_response_fits() -> bool:
    """Whether an AWSResponse and its HeadersDict can be made without their constructors: true while
    their constructors set exactly the attributes `respond` sets (checked once, on this botocore)."""
    try:
        made = AWSResponse("u", 200, {"A": "b"}, _RawBody((b"x",)))
        key = next(iter(made.headers._dict))
        return (set(vars(made)) == {"url", "status_code", "headers", "raw", "_content"} and made._content is None
                and set(vars(made.headers)) == {"_dict"} and type(key) is _HeaderKey and key._lower == "a"
                and made.content == b"x")
    except Exception:  # noqa: BLE001 - another botocore: the constructors it is
        return False


try:
    from botocore.awsrequest import HeadersDict, _HeaderKey
except ImportError:  # pragma: no cover - another botocore
    HeadersDict = _HeaderKey = None
_NEW_RESPONSE = _NEW_HEADERS = object.__new__
_FAST_RESPONSE = _HeaderKey is not None and _fast_response_fits()
_AUTHORIZATION, _HOST = (_HeaderKey("Authorization"), _HeaderKey("Host")) if _FAST_RESPONSE else (None, None)
_HEADER_KEYS: dict = {}


# The wrappers are wrapt FunctionWrappers (transparent to introspection and binding). Measured against
# plain functions (docs/performance.md): ~0.5 us more per wrapped call, so ~1 us per imagebuilder request
# (0.3 % of botocore's own ~300 us floor) and ~0.5 us for other services: negligible.
def _is_imagebuilder(args: tuple, kwargs: dict) -> bool:
    """Whether an Endpoint method's call (`request`, `operation_model`, ...) is an imagebuilder request."""
    model = args[1] if len(args) > 1 else kwargs["operation_model"]
    return model.service_model.endpoint_prefix == "imagebuilder"


def _make_get_response(original):
    def _do_get_response(wrapped, instance, args, kwargs):
        mock = _active[-1] if _active else None
        # A handler may itself call another service through botocore (e.g. S3 under moto): only the
        # imagebuilder request is answered here.
        if mock is not None and _is_imagebuilder(args, kwargs):
            return original(_view(instance, mock), *args, **kwargs)
        return wrapped(*args, **kwargs)

    return wrapt.FunctionWrapper(original, _do_get_response)


def _make_waiter_wait(original):
    def wait(wrapped, instance, args, kwargs):
        mock = current()
        if mock is None or not _is_imagebuilder_waiter(instance):
            return wrapped(*args, **kwargs)
        token = _waiting.set(mock)
        try:
            return wrapped(*args, **kwargs)
        finally:
            _waiting.reset(token)

    return wrapt.FunctionWrapper(original, wait)


def _is_imagebuilder_waiter(waiter) -> bool:
    method = getattr(waiter, "_operation_method", None)
    client = getattr(getattr(method, "_client_method", None), "__self__", None)
    meta = getattr(client, "meta", None)
    return meta is not None and meta.service_model.service_name == "imagebuilder"


class _SimulatedTime:
    """Stands in for the `time` module inside botocore.waiter and botocore.endpoint: the sleep of an
    imagebuilder waiter or retry advances the simulated clock; anything else sleeps for real."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        mock = _waiting.get() or _retrying(sys._getframe(1))
        if mock is None:
            time.sleep(seconds)
        else:
            mock.clock.advance(seconds)


def _retrying(frame) -> "MockImageBuilder | None":
    """The mock answering imagebuilder when `frame` is botocore's `Endpoint._needs_retry` about to back
    off before retrying an imagebuilder request (its `operation_model` says which service); else None.
    Read only when botocore sleeps, so requests that are not retried pay nothing for it."""
    model = frame.f_locals.get("operation_model")
    service = getattr(model, "service_model", None)
    if getattr(service, "endpoint_prefix", None) == "imagebuilder":
        return current()
    return None


def _make_load_credentials(original):
    def load_credentials(wrapped, instance, args, kwargs):
        found = wrapped(*args, **kwargs)
        if found is None and current() is not None:
            return botocore.credentials.Credentials(FAKE_ACCESS_KEY, "imagebuilder-mock-secret",
                                                    method="imagebuilder-mock")
        return found

    return wrapt.FunctionWrapper(original, load_credentials)


_TARGETS = (
    (botocore.endpoint.Endpoint, "_do_get_response", _make_get_response),
    (botocore.waiter.Waiter, "wait", _make_waiter_wait),
    (botocore.credentials.CredentialResolver, "load_credentials", _make_load_credentials),
)


def activate(mock: "MockImageBuilder") -> None:
    with _lock:
        if not _active:
            for owner, name, wrapper in _TARGETS:
                _originals[(owner, name)] = owner.__dict__[name]
                setattr(owner, name, wrapper(owner.__dict__[name]))
            _originals["waiter_time"] = botocore.waiter.time
            _originals["endpoint_time"] = botocore.endpoint.time
            botocore.waiter.time = botocore.endpoint.time = _SimulatedTime()
        _active.append(mock)


def deactivate(mock: "MockImageBuilder") -> None:
    with _lock:
        for index in range(len(_active) - 1, -1, -1):
            if _active[index] is mock:
                del _active[index]
                break
        if not _active:
            _views.clear()
        if not _active and _originals:
            for owner, name, _ in _TARGETS:
                setattr(owner, name, _originals.pop((owner, name)))
            botocore.waiter.time = _originals.pop("waiter_time")
            botocore.endpoint.time = _originals.pop("endpoint_time")
