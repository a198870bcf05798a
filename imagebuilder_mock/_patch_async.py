"""The async counterpart of `_patch.py`: aiobotocore's (and so aioboto3's) clients answered by the same engine.

Imported by `_patch.activate` only where aiobotocore is installed (`import imagebuilder_mock` stays cheap and
aiobotocore optional), installed with the sync patches at the first mock start and removed with them:

- `AioEndpoint._do_get_response`: an imagebuilder request is answered by the innermost active mock in place of
  the `before-send` event; aiobotocore's own parsing, retries, paginators and waiters then run. Other services
  pass through.
- `AioEndpoint._needs_retry`, `AIOWaiter.wait` + the `asyncio` module seen by `aiobotocore.endpoint` and
  `aiobotocore.waiter`: while an imagebuilder retry or waiter runs, `asyncio.sleep(delay)` there advances the
  simulated clock (and yields to the event loop once) instead of sleeping.
- `AioCredentialResolver.load_credentials`, `AioRequestSigner.get_auth_instance`: as the sync ones — providers
  that reach the network are skipped, fake credentials where none are configured.

Works with aiobotocore 2.x and 3.x (the aiohttp backend; the httpx backend is answered too, but its anyio
sleeps are real).
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import TYPE_CHECKING, Any, Callable, Coroutine

import aiobotocore.credentials
import aiobotocore.endpoint
import aiobotocore.signers
import aiobotocore.waiter
import wrapt
from aiobotocore.awsrequest import AioAWSResponse

from . import _patch
from ._patch import FAKE_ACCESS_KEY, _is_imagebuilder, _is_imagebuilder_waiter, _NETWORK_PROVIDERS, current

if TYPE_CHECKING:
    from ._mock import MockImageBuilder

#: The mock whose clock an imagebuilder waiter's or retry's `asyncio.sleep` advances (per task: each
#: asyncio task runs in its own copy of the context).
_sleeper: contextvars.ContextVar[MockImageBuilder | None] = contextvars.ContextVar(
    "imagebuilder_async_sleeper", default=None)
_originals: dict[Any, Any] = {}  # (class, name) -> function; module -> its asyncio


class _AsyncRawBody:
    """The minimal aiohttp-like body aiobotocore's AioAWSResponse reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self) -> bytes:
        return self._body


def _async_response(mock: MockImageBuilder, request: Any) -> AioAWSResponse:
    answer = _patch.respond(mock, request)
    return AioAWSResponse(answer.url, answer.status_code, answer.headers, _AsyncRawBody(answer.raw.body))


class _AsyncEmitter:
    """The endpoint's (async) event emitter, except that `before-send` is answered by the mock."""

    def __init__(self, inner: Any, mock: MockImageBuilder) -> None:
        self._inner = inner
        self._mock = mock

    async def emit(self, event_name: str, **kwargs: Any) -> Any:
        if event_name.startswith("before-send."):
            return [(None, _async_response(self._mock, kwargs["request"]))]
        return await self._inner.emit(event_name, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _AsyncEndpointView:
    """The endpoint as `AioEndpoint._do_get_response` sees it for one request: the mock's emitter in place of
    the endpoint's, every other attribute the endpoint's."""

    def __init__(self, endpoint: Any, mock: MockImageBuilder) -> None:
        self._endpoint = endpoint
        self._event_emitter = _AsyncEmitter(endpoint._event_emitter, mock)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)


_make_get_response = _patch.answering(_AsyncEndpointView)  # block_network guards async clients too


def _naming_the_mock(concerns_imagebuilder: Callable[[Any, tuple[Any, ...], dict[str, Any]], bool],
                     ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper maker for a coroutine method: while it runs for imagebuilder, `_sleeper` names the mock."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
            mock = current()
            if mock is None or not concerns_imagebuilder(instance, args, kwargs):
                return wrapped(*args, **kwargs)
            return _with_sleeper(mock, wrapped(*args, **kwargs))

        return wrapt.FunctionWrapper(original, wrapper)

    return make


async def _with_sleeper(mock: MockImageBuilder, coroutine: Coroutine[Any, Any, Any]) -> Any:
    token = _sleeper.set(mock)
    try:
        return await coroutine
    finally:
        _sleeper.reset(token)


class _SimulatedAsyncio:
    """Stands in for the `asyncio` module inside one aiobotocore module: while `_sleeper` names a mock,
    `sleep` advances that mock's simulated clock and yields to the loop once; otherwise, and for everything
    but `sleep`, it is the real `asyncio`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        mock = _sleeper.get()
        if mock is None:
            return await asyncio.sleep(delay, result)
        mock.clock.advance(delay)
        return await asyncio.sleep(0, result)


def _fake_credentials() -> Any:  # an AioCredentials
    return aiobotocore.credentials.AioCredentials(
        FAKE_ACCESS_KEY, "imagebuilder-mock-secret", method="imagebuilder-mock")


def _make_load_credentials(original: Callable[..., Any]) -> Callable[..., Any]:
    async def _first_offline(providers: list[Any]) -> Any:
        for provider in providers:
            if getattr(provider, "METHOD", None) in _NETWORK_PROVIDERS:
                continue
            found = await provider.load()
            if found is not None:
                return found
        return _fake_credentials()

    def load_credentials(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                         kwargs: dict[str, Any]) -> Any:
        if current() is None:
            return wrapped(*args, **kwargs)
        return _first_offline(instance.providers)

    return wrapt.FunctionWrapper(original, load_credentials)


_make_get_auth_instance = _patch.signing_with(_fake_credentials)  # aiobotocore's credentials


_TARGETS = (
    (aiobotocore.endpoint.AioEndpoint, "_do_get_response", _make_get_response),
    (aiobotocore.endpoint.AioEndpoint, "_needs_retry",
     _naming_the_mock(lambda instance, args, kwargs: _is_imagebuilder(args, kwargs))),
    (aiobotocore.waiter.AIOWaiter, "wait",
     _naming_the_mock(lambda instance, args, kwargs: _is_imagebuilder_waiter(instance))),
    (aiobotocore.credentials.AioCredentialResolver, "load_credentials", _make_load_credentials),
    (aiobotocore.signers.AioRequestSigner, "get_auth_instance", _make_get_auth_instance),
)
_TIMED_MODULES = (aiobotocore.endpoint, aiobotocore.waiter)


def install() -> None:
    """Patch aiobotocore (called by `_patch.activate` under its lock, at the first mock start)."""
    if _originals:
        return
    for owner, name, make_wrapper in _TARGETS:
        _originals[(owner, name)] = owner.__dict__[name]
        setattr(owner, name, make_wrapper(owner.__dict__[name]))
    for module in _TIMED_MODULES:
        _originals[module] = module.asyncio
        module.asyncio = _SimulatedAsyncio()


def uninstall() -> None:
    """Undo `install` (called by `_patch.deactivate` once the last mock stops)."""
    if not _originals:
        return
    for owner, name, _ in _TARGETS:
        setattr(owner, name, _originals.pop((owner, name)))
    for module in _TIMED_MODULES:
        module.asyncio = _originals.pop(module)
