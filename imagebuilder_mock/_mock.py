"""`mock_imagebuilder`: decorator (sync, async, class), context manager, and start()/stop()."""

from __future__ import annotations

import functools
import os
import sys
import threading
from typing import Any, Callable, TypeVar

from ._backend.clock import Clock
from ._backend.store import DEFAULT_ACCOUNT, Backend

F = TypeVar("F", bound=Callable[..., Any])


class MockImageBuilder:
    """An in-memory Image Builder. Use it as a decorator, a context manager, or start()/stop().

    Each outermost start() begins from empty state; nested or repeated starts of the same
    object share its state, and stop() restores botocore once the last one ends.
    """

    def __init__(self, account_id: str = DEFAULT_ACCOUNT, **settings: Any) -> None:
        _check_settings(account_id, settings)
        self.account_id = account_id
        self.settings = settings
        self.backend = Backend(account_id, **settings)
        if settings.get("catalog_file"):  # a bad file fails here, not at the first request
            self.catalog.load(settings["catalog_file"])
        if "progression" in settings or "stage_durations" in settings:
            from . import _lifecycle as lifecycle

            # They read `.backend.settings`: a bad value fails here, not at the first build.
            lifecycle.progression(self)
            lifecycle.stage_durations(self)
        self._engine = None
        self._depth = 0
        self._lock = threading.RLock()

    # -- the handle --------------------------------------------------------------------------
    @property
    def engine(self):
        """The protocol engine serving this mock (built on first use; the model loads once per process)."""
        if self._engine is None:
            from ._engine.engine import Engine

            strict = self.settings.get("check_output", os.environ.get("IMAGEBUILDER_MOCK_STRICT") == "1")
            self._engine = Engine(self.backend, check_output=bool(strict))
        return self._engine

    @property
    def clock(self) -> Clock:
        """The simulated clock every date comes from: `now()`, `advance(seconds=…)`."""
        return self.backend.clock

    @property
    def catalog(self):
        """The AWS-managed catalog this mock serves, to extend or replace: `add_image`, `add_component`,
        `add_workflow`, `load(path)`, `clear()` (docs/catalog.md). Additions survive `reset()`."""
        if self.backend.catalog_extension is None:
            from ._resources._shared.catalog_extension import CatalogExtension

            self.backend.catalog_extension = CatalogExtension()
        return self.backend.catalog_extension

    def reset(self) -> None:
        """Forget every resource, token and registered access key's state (keys stay registered), and empty
        the process's caches (`_backend/caches.py`)."""
        from ._backend import caches

        self.backend.reset()
        caches.clear()

    def register_access_key(self, access_key_id: str, account_id: str) -> None:
        """Requests signed with `access_key_id` act as account `account_id`."""
        _check_account_id(account_id)
        self.backend.access_keys[access_key_id] = account_id

    def inject_error(self, operation: str, code: str, count: int = 1, message: str | None = None) -> None:
        """Answer the next `count` calls of `operation` (e.g. "CreateImage") with the model's error
        `code` (e.g. "ServiceUnavailableException") and its HTTP status; botocore retries what it retries."""
        self.backend.injector.add(operation, code, count, message)

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

        return run_policies(self.backend, account_id, region)

    # -- start / stop ------------------------------------------------------------------------
    def start(self) -> "MockImageBuilder":
        from . import _patch

        with self._lock:
            if self._depth == 0:
                self.backend.reset()
                self.engine  # noqa: B018 - build before the first request
            self._depth += 1
            _patch.activate(self)
            if self.settings.get("patch_sleep"):  # images family: time.sleep advances the clock
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
            if self.settings.get("patch_sleep"):  # images family: undo time.sleep's patch
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
        """A new mock with this one's account and settings (one per decorated call)."""
        return MockImageBuilder(self.account_id, **self.settings)

    def _decorate_class(self, cls: type) -> type:
        unittest = sys.modules.get("unittest")  # not imported: cls cannot be a TestCase (import stays cheap)
        if unittest is not None and issubclass(cls, unittest.TestCase):
            original_setup = cls.setUp

            @functools.wraps(original_setup)
            def setUp(test: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
                mock = self._fresh().start()
                test.addCleanup(mock.stop)
                test.imagebuilder_mock = mock  # type: ignore[attr-defined]
                original_setup(test)

            cls.setUp = setUp
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and callable(member):
                setattr(cls, name, _decorate_function(member, self._fresh))
        return cls


#: Keywords of mock_imagebuilder() besides account_id (docs/usage.md describes each).
SETTINGS = ("progression", "stage_durations", "patch_sleep", "check_output", "s3_objects", "catalog_file",
            "aws_endpoint_url")  # aws_endpoint_url: other services' endpoint (docs/aws-integration.md)


def _check_account_id(account_id: str) -> None:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"account_id must be 12 digits, got {account_id!r}")


def _check_settings(account_id: str, settings: dict) -> None:
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


def mock_imagebuilder(func: Callable | None = None, /, *, account_id: str = DEFAULT_ACCOUNT, **settings: Any) -> Any:
    """Mock EC2 Image Builder for every boto3/botocore client.

    `@mock_imagebuilder`, `@mock_imagebuilder(account_id=...)` on a function, coroutine function or
    class; `with mock_imagebuilder() as m:`; or `m = mock_imagebuilder(); m.start(); ...; m.stop()`.
    """
    mock = MockImageBuilder(account_id, **settings)
    if func is not None:
        return mock(func)
    return mock
