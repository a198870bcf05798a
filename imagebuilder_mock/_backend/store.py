"""State per (account, region), and the backend that owns every store, the clock and the settings."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from .clock import Clock
from .injection import ErrorInjector

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclasses.dataclass
class Store:
    """One account's resources in one region. Every collection maps ARN (or id) -> resource dict.

    Resource dicts use the model's member names; keys starting with "_" are private bookkeeping
    that the serialiser never emits. Dicts keep insertion order, which is the order List* returns.
    """

    account: str
    region: str
    components: dict[str, dict] = dataclasses.field(default_factory=dict)  # build ARN ->
    image_recipes: dict[str, dict] = dataclasses.field(default_factory=dict)
    container_recipes: dict[str, dict] = dataclasses.field(default_factory=dict)
    infrastructure_configurations: dict[str, dict] = dataclasses.field(default_factory=dict)
    distribution_configurations: dict[str, dict] = dataclasses.field(default_factory=dict)
    image_pipelines: dict[str, dict] = dataclasses.field(default_factory=dict)
    images: dict[str, dict] = dataclasses.field(default_factory=dict)  # build ARN ->
    workflows: dict[str, dict] = dataclasses.field(default_factory=dict)  # build ARN ->
    workflow_executions: dict[str, dict] = dataclasses.field(default_factory=dict)  # id ->
    workflow_step_executions: dict[str, dict] = dataclasses.field(default_factory=dict)  # id ->
    lifecycle_policies: dict[str, dict] = dataclasses.field(default_factory=dict)
    lifecycle_executions: dict[str, dict] = dataclasses.field(default_factory=dict)  # id ->
    policies: dict[str, str] = dataclasses.field(default_factory=dict)  # resource ARN -> policy JSON
    #: build counters: version ARN -> last build number handed out (never reused after a delete)
    builds: dict[str, int] = dataclasses.field(default_factory=dict)
    #: lookup indexes that resource modules derive from the collections above, by name (e.g. the
    #: components' version ARN -> builds); each module keeps its own up to date and rebuilds it when stale
    indexes: dict[str, Any] = dataclasses.field(default_factory=dict)

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
        self.clock = Clock()
        self.access_keys: dict[str, str] = {}
        self.stores: dict[tuple[str, str], Store] = {}
        #: client tokens: (account, region, operation) -> the tokens seen and their first responses
        self.idempotency: dict[tuple, Any] = {}  # values: _engine/_idempotency.py's TokenTable
        #: extension state owned by resource modules (schedules, injections, ...), by name
        self.extensions: dict[str, Any] = {}
        #: callables (ctx, params) run before every dispatch, under the lock (injection, schedules)
        self.hooks: list = []
        self.injector = ErrorInjector()

    def store(self, account: str, region: str) -> Store:
        key = (account, region)
        store = self.stores.get(key)
        if store is None:
            with self.lock:
                store = self.stores.setdefault(key, Store(account, region))
        return store

    def account_for(self, access_key: str | None) -> str:
        return self.access_keys.get(access_key or "", self.default_account)

    def reset(self) -> None:
        with self.lock:
            self.stores.clear()
            self.idempotency.clear()
            self.extensions.clear()
            self.injector.clear()
            self.clock.reset()
