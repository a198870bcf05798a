"""State per (account, region), and the backend that owns every store, the clock and the settings."""

from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING, Any, Callable

from . import ids
from .clock import Clock
from .injection import ErrorInjector
from .moto_state import moto_active
from .undo import Collection, UndoLog
from .resource_types import RESOURCE_TYPES, ResourceType

if TYPE_CHECKING:
    from .._resources._shared.catalog_extension import CatalogExtension

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
#: how many of the last calls `m.calls` keeps by default: every call of a typical test, at a bounded cost
#: (~1.5 KB a call: a long test or a server does not grow without limit; docs/performance.md)
DEFAULT_MAX_CALLS = 100


class Store:
    """One account's resources in one region: a collection per row of the ResourceType table
    (`store.components`, `store.image_recipes`, ...), each mapping ARN (or id) -> resource dict.

    Resource dicts use the model's member names; keys starting with "_" are private bookkeeping
    that the serialiser never emits. Dicts keep insertion order, which is the order List* returns.
    The collections, policies and build counters keep an undo log (`undo.py`): a failed request's
    writes are undone.
    """

    def __init__(self, account: str, region: str, undo_log: UndoLog | None = None) -> None:
        self.account = account
        self.region = region
        undo_log = undo_log or UndoLog()
        for resource_type in RESOURCE_TYPES:
            setattr(self, resource_type.store_attribute, Collection(undo_log))
        #: resource ARN -> policy JSON (Put*Policy)
        self.policies: dict[str, str] = Collection(undo_log)
        #: build counters: version ARN -> last build number handed out (never reused after a delete)
        self.builds: dict[str, int] = Collection(undo_log)
        #: lookup indexes that resource modules derive from the collections, by name (e.g. the
        #: components' version ARN -> builds); each module keeps its own up to date and rebuilds it when stale
        self.indexes: dict[str, Any] = {}

    def collection(self, resource_type: ResourceType) -> dict[str, dict[str, Any]]:
        """The collection of `resource_type`."""
        found: dict[str, dict[str, Any]] = getattr(self, resource_type.store_attribute)
        return found

    def __getattr__(self, name: str) -> Any:  # for type checkers: the collections are set in __init__
        raise AttributeError(name)

    def next_build(self, version_arn: str) -> int:
        number = self.builds.get(version_arn, 0) + 1
        self.builds[version_arn] = number
        return number


class Backend:
    """Every store, keyed by (account, region), plus what is shared across them."""

    def __init__(self, default_account: str = DEFAULT_ACCOUNT, **settings: Any) -> None:
        self.lock = threading.RLock()
        self.default_account = default_account
        self.settings = settings
        #: the other services' endpoint (`aws_endpoint_url`): requests' accounts are then STS's (_aws/)
        self.aws_endpoint_url = settings.get("aws_endpoint_url")
        self.clock = Clock()
        self.access_keys: dict[str, str] = {}
        self.stores: dict[tuple[str, str], Store] = {}
        #: client tokens: (account, region, operation) -> the tokens seen and their first responses
        self.idempotency: dict[tuple[str, str, str], Any] = {}  # values: _engine/_idempotency.py's TokenTable
        #: extension state owned by resource modules (schedules, injections, ...), by name
        self.extensions: dict[str, Any] = {}
        #: callables (ctx, params) run before every dispatch, under the lock (injection, schedules)
        self.hooks: list[Callable[..., Any]] = []
        self.injector = ErrorInjector()
        #: the store writes of the request being served, undone if it fails (`undo.py`)
        self.undo_log = UndoLog()
        #: the handle's `m.catalog` (_resources/_shared/catalog_extension.py); kept across reset()
        self.catalog_extension: CatalogExtension | None = None
        #: the id generator (`seed` setting: backend/ids.py) and the calls served (the `m.calls` journal)
        self.seed = settings.get("seed")
        self.random = ids.generator(self.seed)
        self.new_uuid = ids.uuid_maker(self.random)
        from .pagination import _SECRET

        self.token_secret = ids.token_secret(self.seed, _SECRET)
        #: raw records (operation, params, account, region, time, status, body, error code, request id),
        #: read through `_journal.Calls`; the last `max_calls` are kept
        self.calls: collections.deque[tuple[Any, ...]] = collections.deque(
            maxlen=settings.get("max_calls", DEFAULT_MAX_CALLS))

    def store(self, account: str, region: str) -> Store:
        key = (account, region)
        store = self.stores.get(key)
        if store is None:
            with self.lock:
                store = self.stores.setdefault(key, Store(account, region, self.undo_log))
        return store

    def undo_request(self) -> None:
        """Undo the store writes of the failed request being served; the indexes derived from the
        collections are dropped, to be rebuilt from them on first use."""
        self.undo_log.undo()
        for store in self.stores.values():
            store.indexes.clear()

    def account_for(self, access_key: str | None) -> str:
        account = self.access_keys.get(access_key or "")
        if account is not None:
            return account
        if self.aws_endpoint_url is None and not moto_active():
            return self.default_account
        from .._aws.sessions import account_of  # moto active, or an endpoint: the account STS says

        return account_of(self, access_key)

    def reset(self) -> None:
        with self.lock:
            self.stores.clear()
            self.idempotency.clear()
            self.extensions.clear()
            self.injector.clear()
            self.clock.reset()
            self.calls.clear()
            ids.reseed(self.random, self.seed)
