"""`mock_imagebuilder`: decorator (sync, async, class), context manager, and start()/stop()."""

from __future__ import annotations

import functools
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar, overload

from . import _settings
from ._backend.clock import Clock
from ._backend.store import DEFAULT_ACCOUNT, Backend
from ._journal import Calls

if TYPE_CHECKING:
    from ._resources._shared.catalog_extension import CatalogExtension

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

    from ._engine.engine import Engine
    from ._settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class MockImageBuilder:
    """An in-memory Image Builder. Use it as a decorator, a context manager, or start()/stop().

    Each outermost start() begins from empty state; nested or repeated starts of the same
    object share its state, and stop() restores botocore once the last one ends.
    """

    def __init__(self, account_id: str | None = None, **settings: Unpack[Settings]) -> None:
        given: dict[str, Any] = dict(settings)
        # Each setting not given here comes from its IMAGEBUILDER_MOCK_* variable (read now), if set.
        resolved = {**_settings.from_environment(), **given}
        from_environment = resolved.pop("account_id", DEFAULT_ACCOUNT)
        self.account_id: str = account_id if account_id is not None else from_environment
        _check_settings(self.account_id, resolved)
        #: the settings as given (a decorated call's fresh mock reads the environment again)
        self.settings: dict[str, Any] = given
        self._given_account = account_id
        self.backend = Backend(self.account_id, **resolved)
        #: any request of another service that would leave the process raises (`block_network` setting)
        self.block_network: bool = bool(resolved.get("block_network"))
        self._calls = Calls(self.backend)
        if resolved.get("catalog_file"):  # a bad file fails here, not at the first request
            self.catalog.load(resolved["catalog_file"])
        if "progression" in resolved or "stage_durations" in resolved:
            from . import _lifecycle as lifecycle

            # They read `.backend.settings`: a bad value fails here, not at the first build.
            lifecycle.progression(self)
            lifecycle.stage_durations(self)
        self._engine: Engine | None = None
        self._depth = 0
        self._lock = threading.RLock()

    # -- the handle --------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The protocol engine serving this mock (built on first use; the model loads once per process)."""
        if self._engine is None:
            from ._engine.engine import Engine

            self._engine = Engine(self.backend, check_output=bool(self.backend.settings.get("check_output")))
        return self._engine

    @property
    def calls(self) -> Calls:
        """Every request served since the mock started (or `reset()`), oldest first: `m.calls[-1].operation`,
        `m.calls.of("CreateImage")`, `m.calls.last.parameters` (docs/usage.md)."""
        return self._calls

    @property
    def clock(self) -> Clock:
        """The simulated clock every date comes from: `now()`, `advance(seconds=…)`."""
        return self.backend.clock

    @property
    def catalog(self) -> CatalogExtension:
        """The AWS-managed catalog this mock serves, to extend or replace: `add_image`, `add_component`,
        `add_workflow`, `load(path)`, `clear()` (docs/catalog.md). Additions survive `reset()`."""
        if self.backend.catalog_extension is None:
            from ._resources._shared.catalog_extension import CatalogExtension

            self.backend.catalog_extension = CatalogExtension()
        return self.backend.catalog_extension

    def reset(self) -> None:
        """Forget every resource, token, injected error and recorded call (registered access keys stay), put
        the clock and a seeded id generator back, and empty the process's caches (`_backend/caches.py`)."""
        from ._backend import caches

        self.backend.reset()
        caches.clear()

    def register_access_key(self, access_key_id: str, account_id: str) -> None:
        """Requests signed with `access_key_id` act as account `account_id`."""
        _check_account_id(account_id)
        self.backend.access_keys[access_key_id] = account_id

    def inject_error(self, operation: str, code: str, count: int | None = 1, message: str | None = None) -> None:
        """Answer the next `count` calls of `operation` (e.g. "CreateImage") with the model's error
        `code` (e.g. "ServiceUnavailableException") and its HTTP status; `count=None`: every call, until
        `clear_errors()` or `reset()`. botocore retries a 5xx or throttling error (3 attempts in all in its
        default "standard" mode, 5 in "legacy"), each attempt a call: `count=1` of such an error is absorbed
        by the retry; `count=None` (or a count of at least the attempts) fails the client's call."""
        self.backend.injector.add(operation, code, count, message)

    def clear_errors(self, operation: str | None = None) -> None:
        """Drop the injected errors not used up yet (of one operation, or all)."""
        self.backend.injector.clear(operation)

    def fail_builds(self, reason: str = "Image build failed (injected by imagebuilder-mock).", at: str = "BUILDING",
                    count: int = 1, match: str | None = None) -> None:
        """Make the next `count` image builds (optionally only those of recipe or pipeline ARN `match`)
        end FAILED at status `at`, with `state.reason` = `reason`. Applies to builds started or
        retried after the call."""
        from . import _lifecycle as lifecycle

        lifecycle.inject_failures(self.backend, reason, at, count, match)

    def run_lifecycle_policies(self, account_id: str | None = None, region: str | None = None) -> list[str]:
        """Run every ENABLED lifecycle policy now, as the service's daily schedule would (optionally only
        those of one account and/or region); returns the ids of the new lifecycle executions.

        Without this call policies still run on their own, once a day of simulated time (`clock.advance`)."""
        from ._resources.lifecycle_policies.runs import run_policies

        ids: list[str] = run_policies(self.backend, account_id, region)
        return ids

    # -- start / stop ------------------------------------------------------------------------
    def start(self) -> "MockImageBuilder":
        from . import _patch

        with self._lock:
            if self._depth == 0:
                self.backend.reset()
                self.engine  # noqa: B018 - build before the first request
            self._depth += 1
            _patch.activate(self)
            if self.backend.settings.get("patch_sleep"):  # images family: time.sleep advances the clock
                from ._backend import simulated_sleep

                simulated_sleep.install(self.backend.clock)
        return self

    def stop(self) -> None:
        from . import _patch

        with self._lock:
            if self._depth == 0:
                raise RuntimeError("mock_imagebuilder.stop() called more often than start()")
            self._depth -= 1
            _patch.deactivate(self)
            if self.backend.settings.get("patch_sleep"):  # images family: undo time.sleep's patch
                from ._backend import simulated_sleep

                simulated_sleep.uninstall(self.backend.clock)

    @property
    def active(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> "MockImageBuilder":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- decorator ---------------------------------------------------------------------------
    def __call__(self, target: F) -> F:
        if isinstance(target, type):
            return self._decorate_class(target)  # type: ignore[return-value]
        return _decorate_function(target, self._fresh)

    def _fresh(self) -> "MockImageBuilder":
        """A new mock with this one's account and settings (one per decorated call; the environment's
        defaults are read again)."""
        return MockImageBuilder(self._given_account, **self.settings)

    def _decorate_class(self, cls: type) -> type:
        unittest = sys.modules.get("unittest")  # not imported: cls cannot be a TestCase (import stays cheap)
        if unittest is not None and issubclass(cls, unittest.TestCase):
            original_setup: Callable[[Any], None] = getattr(cls, "setUp")

            @functools.wraps(original_setup)
            def setUp(test: Any) -> None:  # noqa: N802 - unittest's name
                mock = self._fresh().start()
                test.addCleanup(mock.stop)
                test.imagebuilder_mock = mock
                original_setup(test)

            setattr(cls, "setUp", setUp)
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and callable(member):
                setattr(cls, name, _decorate_function(member, self._fresh))
        return cls


#: Keywords of mock_imagebuilder() besides account_id (docs/usage.md describes each; `_settings.Settings`
#: types them and reads each from its IMAGEBUILDER_MOCK_* variable).
SETTINGS = ("progression", "stage_durations", "patch_sleep", "check_output", "s3_objects", "seed", "block_network",
            "max_calls", "catalog_file",
            "aws_endpoint_url")  # aws_endpoint_url: other services' endpoint (docs/aws-integration.md)


def _check_account_id(account_id: str) -> None:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"account_id must be 12 digits, got {account_id!r}")


def _check_settings(account_id: str, settings: Mapping[str, Any]) -> None:
    """Fail at construction, not at the first request, on a misspelt or ill-typed setting (the values of
    `progression` and `stage_durations` are checked by the lifecycle, once the backend exists)."""
    _check_account_id(account_id)
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise TypeError(f"mock_imagebuilder() got unknown settings {unknown}; the settings are {list(SETTINGS)}")
    objects = settings.get("s3_objects")
    if objects is not None and not (isinstance(objects, dict)
                                    and all(isinstance(k, str) and k.startswith("s3://") for k in objects)):
        raise ValueError("s3_objects must map 's3://bucket/key' URIs to their contents")
    seed = settings.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str))):
        raise TypeError(f"seed must be an int or a str, got {seed!r}")
    max_calls = settings.get("max_calls")
    if max_calls is not None and (isinstance(max_calls, bool) or not isinstance(max_calls, int) or max_calls < 0):
        raise ValueError(f"max_calls must be an integer of at least 0, got {max_calls!r}")


def _decorate_function(func: F, factory: Callable[[], MockImageBuilder]) -> F:
    import inspect  # here, not at import time: `import imagebuilder_mock` stays cheap

    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with factory():
                return await func(*args, **kwargs)

        return run_async  # type: ignore[return-value]

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with factory():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]


@overload
def mock_imagebuilder(func: F, /) -> F: ...


@overload
def mock_imagebuilder(func: None = None, /, *, account_id: str | None = None,
                      **settings: Unpack[Settings]) -> MockImageBuilder: ...


def mock_imagebuilder(func: F | None = None, /, *, account_id: str | None = None,
                      **settings: Unpack[Settings]) -> F | MockImageBuilder:
    """Mock EC2 Image Builder for every boto3/botocore client.

    `@mock_imagebuilder`, `@mock_imagebuilder(account_id=...)` on a function, coroutine function or
    class; `with mock_imagebuilder() as m:`; or `m = mock_imagebuilder(); m.start(); ...; m.stop()`.
    A decorated callable keeps its type; the handle is a `MockImageBuilder`.
    """
    mock = MockImageBuilder(account_id, **settings)
    if func is not None:
        return mock(func)
    return mock
