"""Process-wide patches of botocore, installed while at least one mock is active.

- `Endpoint._do_get_response`: imagebuilder requests are answered by the innermost active mock
  *in place of* the `before-send` event (so moto's catch-all handler never sees them); botocore's own
  response parsing, retries, paginators and waiters then run as in production. Other services pass
  through untouched, at the cost of one attribute check.
- `Endpoint._send_request` + `botocore.endpoint.time`: retry back-off of an imagebuilder request
  advances the simulated clock instead of sleeping (injected errors exercise botocore's retries fast).
- `Waiter.wait` + `botocore.waiter.time`: an imagebuilder waiter's delay advances the simulated clock
  instead of sleeping.
- `CredentialResolver.load_credentials`: fake credentials only where none are configured.

The wrappers are wrapt FunctionWrappers. Their cost, measured against plain functions (docs/performance.md):
~0.5 us more per wrapped call (~1 us per imagebuilder request, 0.3 % of botocore's own ~0.3 ms), and
`import wrapt` (~20 ms once per process, at the first mock start).
"""

from __future__ import annotations

import contextvars
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
_serving: contextvars.ContextVar["MockImageBuilder | None"] = contextvars.ContextVar("imagebuilder_request", default=None)
_originals: dict = {}
FAKE_ACCESS_KEY = "AKIAIMAGEBUILDERMOCK"


def current() -> "MockImageBuilder | None":
    return _active[-1] if _active else None


class _RawBody:
    """The minimal urllib3-like body botocore's AWSResponse reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


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
    """The endpoint as botocore's `_do_get_response` sees it, with the mock's emitter."""

    __slots__ = ("_endpoint", "_event_emitter", "_response_parser_factory")

    def __init__(self, endpoint, mock: "MockImageBuilder") -> None:
        self._endpoint = endpoint
        self._event_emitter = _Emitter(endpoint._event_emitter, mock)
        self._response_parser_factory = endpoint._response_parser_factory  # read on every response

    def __getattr__(self, name):
        return getattr(self._endpoint, name)


def _lowered_headers(headers) -> dict[str, str]:
    """Header names in lower case, values as str. Reads botocore's HeadersDict storage directly when it
    can (its items() goes through a key object per header); any other mapping the slow, general way."""
    store = getattr(headers, "_dict", None)
    try:
        pairs = [(key._lower, value) for key, value in store.items()]
    except AttributeError:
        pairs = [(str(key).lower(), value) for key, value in headers.items()]
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in pairs}


def respond(mock: "MockImageBuilder", request) -> AWSResponse:
    """Answer one prepared botocore request from the mock's engine."""
    url = urlsplit(request.url)
    headers = _lowered_headers(request.headers)
    headers.setdefault("host", url.netloc)
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    status, out_headers, out_body = mock.engine.handle_normalized(request.method.upper(), url.path, url.query,
                                                                  headers, body)
    return AWSResponse(request.url, status, out_headers, _RawBody(out_body))


# The wrappers are wrapt FunctionWrappers (transparent to introspection and binding). Measured against
# plain functions (docs/performance.md): ~0.5 us more per wrapped call, so ~1 us per imagebuilder request
# (0.3 % of botocore's own ~300 us floor) and ~0.5 us for other services: negligible.
def _is_imagebuilder(args: tuple, kwargs: dict) -> bool:
    """Whether an Endpoint method's call (`request`, `operation_model`, ...) is an imagebuilder request."""
    model = args[1] if len(args) > 1 else kwargs["operation_model"]
    return model.service_model.endpoint_prefix == "imagebuilder"


def _make_send_request(original):
    def _send_request(wrapped, instance, args, kwargs):
        mock = _active[-1] if _active else None
        if mock is not None and _is_imagebuilder(args, kwargs):
            token = _serving.set(mock)
            try:
                return wrapped(*args, **kwargs)
            finally:
                _serving.reset(token)
        return wrapped(*args, **kwargs)

    return wrapt.FunctionWrapper(original, _send_request)


def _make_get_response(original):
    def _do_get_response(wrapped, instance, args, kwargs):
        mock = _serving.get()
        # A handler may itself call another service through botocore (e.g. S3 under moto): only the
        # imagebuilder request is answered here.
        if mock is not None and _is_imagebuilder(args, kwargs):
            return original(_EndpointView(instance, mock), *args, **kwargs)
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
        mock = _waiting.get() or _serving.get()
        if mock is None:
            time.sleep(seconds)
        else:
            mock.clock.advance(seconds)


def _make_load_credentials(original):
    def load_credentials(wrapped, instance, args, kwargs):
        found = wrapped(*args, **kwargs)
        if found is None and current() is not None:
            return botocore.credentials.Credentials(FAKE_ACCESS_KEY, "imagebuilder-mock-secret",
                                                    method="imagebuilder-mock")
        return found

    return wrapt.FunctionWrapper(original, load_credentials)


_TARGETS = (
    (botocore.endpoint.Endpoint, "_send_request", _make_send_request),
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
        if not _active and _originals:
            for owner, name, _ in _TARGETS:
                setattr(owner, name, _originals.pop((owner, name)))
            botocore.waiter.time = _originals.pop("waiter_time")
            botocore.endpoint.time = _originals.pop("endpoint_time")
