"""Process-wide patches of botocore, installed while at least one mock is active.

- `Endpoint._do_get_response`: imagebuilder requests are answered by the innermost active mock
  *in place of* the `before-send` event (so moto's catch-all handler never sees them); botocore's own
  response parsing, retries, paginators and waiters then run as in production. Other services pass
  through untouched, at the cost of one attribute check.
- `Endpoint._needs_retry` + `botocore.endpoint.time`: the retry back-off of an imagebuilder request
  (`_needs_retry` decides on a retry and sleeps before it) advances the simulated clock instead of
  sleeping (injected errors exercise botocore's retries fast); every other sleep is real.
- `Waiter.wait` + `botocore.waiter.time`: an imagebuilder waiter's delay advances the simulated clock
  instead of sleeping.
- `CredentialResolver.load_credentials`: fake credentials only where none are configured; providers that
  would reach the network (instance metadata, container credentials, SSO) are skipped while a mock is active.
- `RequestSigner.get_auth_instance`: a client made before the mock without credentials signs with the fake
  ones while a mock is active.
- `block_network=True` (in `_do_get_response`): a request of another service that no `before-send` handler
  (moto's) answered raises `NetworkBlockedError` at the point botocore would send it.

The wrappers are wrapt FunctionWrappers (transparent to introspection and binding). Their cost, measured
against plain functions (docs/performance.md): ~0.5 us more per wrapped call (two per imagebuilder
request, the same two for other services), and `import wrapt` (~20 ms once per process, at the first
mock start).
"""

from __future__ import annotations

import contextvars
import importlib.util
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Iterator
from urllib.parse import urlsplit

import botocore.credentials
import botocore.endpoint
import botocore.signers
import botocore.waiter
import wrapt
from botocore.awsrequest import AWSResponse

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from ._mock import MockImageBuilder

_lock = threading.RLock()
_active: list["MockImageBuilder"] = []
_originals: dict[Any, Any] = {}  # (class, name) -> function; module -> its `time`
FAKE_ACCESS_KEY = "AKIAIMAGEBUILDERMOCK"

#: The mock whose simulated clock an imagebuilder waiter's delay advances, while its `Waiter.wait` runs.
_waiting: contextvars.ContextVar["MockImageBuilder | None"] = contextvars.ContextVar(
    "imagebuilder_waiter", default=None)
#: The mock whose simulated clock an imagebuilder retry's back-off advances, while `_needs_retry` runs.
_retrying: contextvars.ContextVar["MockImageBuilder | None"] = contextvars.ContextVar(
    "imagebuilder_retry", default=None)


def current() -> "MockImageBuilder | None":
    """The innermost active mock, or None."""
    return _active[-1] if _active else None


# -- answering a request ----------------------------------------------------------------------

class _RawBody:
    """The minimal urllib3-like body botocore's AWSResponse reads."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self.body


def _text(value: str | bytes | None) -> str | None:
    """A header value as text (botocore encodes request header values to UTF-8 bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def respond(mock: "MockImageBuilder", request: Any) -> AWSResponse:
    """Answer one prepared botocore request from the mock's engine."""
    parts = urlsplit(request.url)
    # The engine reads these two headers only (no operation has a header member: tests/test_protocol.py).
    # botocore leaves Host to the HTTP layer: the URL's is the one it would send.
    headers = {"Authorization": _text(request.headers.get("Authorization")) or "",
               "Host": _text(request.headers.get("Host")) or parts.netloc}
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    status, response_headers, response_body = mock.engine.handle(
        request.method, parts.path, parts.query, headers, body)
    # AWSResponse wraps any mapping in a HeadersDict; the stubs ask for the HTTPHeaders of a real response.
    return AWSResponse(request.url, status, response_headers, _RawBody(response_body))  # type: ignore[arg-type]


class _Emitter:
    """The endpoint's event emitter, except that `before-send` is answered by the mock."""

    def __init__(self, inner: Any, mock: "MockImageBuilder") -> None:
        self._inner = inner
        self._mock = mock

    def emit(self, event_name: str, **kwargs: Any) -> Any:
        if event_name.startswith("before-send."):
            return [(None, respond(self._mock, kwargs["request"]))]
        return self._inner.emit(event_name, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _EndpointView:
    """The endpoint as botocore's `_do_get_response` sees it for one request: the mock's emitter in
    place of the endpoint's, every other attribute the endpoint's."""

    def __init__(self, endpoint: Any, mock: "MockImageBuilder") -> None:
        self._endpoint = endpoint
        self._event_emitter = _Emitter(endpoint._event_emitter, mock)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)


# -- block_network: a request of another service that would leave the process raises -----------

class NetworkBlockedError(RuntimeError):
    """A request that would have left the process while a mock with `block_network=True` was active."""


def _blocking() -> bool:
    return any(mock.block_network for mock in _active)


class _GuardedEndpoint:
    """The endpoint as `_do_get_response` sees it for one request of another service under
    `block_network`: `_send` (reached only when no `before-send` handler, such as moto's, answered)
    raises instead of sending; every other attribute is the endpoint's."""

    def __init__(self, endpoint: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._endpoint = endpoint
        self._operation = args[1] if len(args) > 1 else kwargs["operation_model"]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)

    def _send(self, request: Any) -> Any:
        operation = self._operation
        raise NetworkBlockedError(
            f"imagebuilder-mock (block_network=True) stopped a real AWS request: "
            f"{operation.service_model.service_name}.{operation.name} to {request.url}. Mock that service "
            f"(e.g. moto's mock_aws) or leave block_network off.")


# -- the wrappers -----------------------------------------------------------------------------

def _is_imagebuilder(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a call of an Endpoint method whose second argument is `operation_model`
    (`_do_get_response(request, operation_model, ...)`, `_needs_retry(attempts, operation_model, ...)`)
    is about an imagebuilder request."""
    model: OperationModel = args[1] if len(args) > 1 else kwargs["operation_model"]
    return model.service_model.endpoint_prefix == "imagebuilder"


def answering(view: Callable[[Any, MockImageBuilder], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The wrapper maker of an endpoint's `_do_get_response` (botocore's, or aiobotocore's with its own
    `view`): an imagebuilder request runs on `view(endpoint, mock)`, whose emitter the mock answers;
    under `block_network` another service's request runs on a `_GuardedEndpoint`."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def _do_get_response(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                             kwargs: dict[str, Any]) -> Any:
            mock = current()
            # A handler may itself call another service through botocore (e.g. S3 under moto): only the
            # imagebuilder request is answered here.
            if mock is not None and _is_imagebuilder(args, kwargs):
                return original(view(instance, mock), *args, **kwargs)
            if mock is not None and _blocking():
                return original(_GuardedEndpoint(instance, args, kwargs), *args, **kwargs)
            return wrapped(*args, **kwargs)

        return wrapt.FunctionWrapper(original, _do_get_response)

    return make


_make_get_response = answering(_EndpointView)


def _naming_the_mock(variable: contextvars.ContextVar[MockImageBuilder | None],
                     concerns_imagebuilder: Callable[[Any, tuple[Any, ...], dict[str, Any]], bool],
                     ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper maker: while the wrapped call runs for imagebuilder (`concerns_imagebuilder(instance, args,
    kwargs)`), `variable` names the active mock (whose simulated clock a sleep in it advances)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
            mock = current()
            if mock is None or not concerns_imagebuilder(instance, args, kwargs):
                return wrapped(*args, **kwargs)
            token = variable.set(mock)
            try:
                return wrapped(*args, **kwargs)
            finally:
                variable.reset(token)

        return wrapt.FunctionWrapper(original, wrapper)

    return make


_make_needs_retry = _naming_the_mock(_retrying, lambda instance, args, kwargs: _is_imagebuilder(args, kwargs))
_make_waiter_wait = _naming_the_mock(_waiting, lambda instance, args, kwargs: _is_imagebuilder_waiter(instance))


def _is_imagebuilder_waiter(waiter: Any) -> bool:
    method = getattr(waiter, "_operation_method", None)
    client = getattr(getattr(method, "_client_method", None), "__self__", None)
    meta = getattr(client, "meta", None)
    return meta is not None and meta.service_model.service_name == "imagebuilder"


#: Credential providers that would reach the network (instance metadata, container credentials, SSO):
#: skipped while a mock is active, so a lookup inside the mock never leaves the process.
_NETWORK_PROVIDERS = frozenset({"iam-role", "container-role", "sso"})


def _fake_credentials() -> botocore.credentials.Credentials:
    return botocore.credentials.Credentials(FAKE_ACCESS_KEY, "imagebuilder-mock-secret", method="imagebuilder-mock")


def _make_load_credentials(original: Callable[..., Any]) -> Callable[..., Any]:
    def load_credentials(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                         kwargs: dict[str, Any]) -> Any:
        if current() is None:
            return wrapped(*args, **kwargs)
        for provider in instance.providers:
            if getattr(provider, "METHOD", None) in _NETWORK_PROVIDERS:
                continue
            found = provider.load()
            if found is not None:
                return found
        return _fake_credentials()

    return wrapt.FunctionWrapper(original, load_credentials)


def signing_with(fake_credentials: Callable[[], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The wrapper maker of a signer's `get_auth_instance` (botocore's or aiobotocore's): a client made
    before the mock, where no credentials were configured, signs with `fake_credentials()` while a mock
    is active (the client itself is left as it is)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_auth_instance(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                              kwargs: dict[str, Any]) -> Any:
            given = args[3] if len(args) > 3 else kwargs.get("request_credentials")
            if current() is not None and instance._credentials is None and given is None:
                args, kwargs = args[:3], dict(kwargs, request_credentials=fake_credentials())
            return wrapped(*args, **kwargs)

        return wrapt.FunctionWrapper(original, get_auth_instance)

    return make


_make_get_auth_instance = signing_with(_fake_credentials)


class _SimulatedTime:
    """Stands in for the `time` module inside one botocore module: while `sleeper` names a mock (an
    imagebuilder waiter or retry is running), `sleep` advances that mock's simulated clock; otherwise,
    and for everything but `sleep`, it is the real `time`."""

    def __init__(self, sleeper: contextvars.ContextVar[MockImageBuilder | None]) -> None:
        self._sleeper = sleeper

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        mock = self._sleeper.get()
        if mock is None:
            time.sleep(seconds)
        else:
            mock.clock.advance(seconds)


_TARGETS = (
    (botocore.endpoint.Endpoint, "_do_get_response", _make_get_response),
    (botocore.endpoint.Endpoint, "_needs_retry", _make_needs_retry),
    (botocore.waiter.Waiter, "wait", _make_waiter_wait),
    (botocore.credentials.CredentialResolver, "load_credentials", _make_load_credentials),
    (botocore.signers.RequestSigner, "get_auth_instance", _make_get_auth_instance),
)
#: botocore modules whose `time` is replaced, and the context variable naming the mock their sleep advances
#: (modules typed Any: the stubs do not declare the `time` they import)
_TIMED_MODULES: tuple[tuple[Any, contextvars.ContextVar[MockImageBuilder | None]], ...] = (
    (botocore.endpoint, _retrying), (botocore.waiter, _waiting))


def activate(mock: "MockImageBuilder") -> None:
    with _lock:
        if not _active:
            for owner, name, make_wrapper in _TARGETS:
                _originals[(owner, name)] = owner.__dict__[name]
                setattr(owner, name, make_wrapper(owner.__dict__[name]))
            for module, sleeper in _TIMED_MODULES:
                _originals[module] = module.time
                module.time = _SimulatedTime(sleeper)
            _patch_async("install")
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
            for module, _ in _TIMED_MODULES:
                module.time = _originals.pop(module)
            _patch_async("uninstall")


def _patch_async(action: str) -> None:
    """Install or uninstall the aiobotocore patches (`_patch_async`), where aiobotocore is installed: it is
    imported only then, so aiobotocore stays optional."""
    if action == "uninstall":
        module = sys.modules.get(f"{__package__}._patch_async")
    elif "aiobotocore" in sys.modules or importlib.util.find_spec("aiobotocore") is not None:
        from . import _patch_async as module
    else:
        return
    if module is not None:
        getattr(module, action)()
