"""What a handler knows about the request it serves."""

from __future__ import annotations

import dataclasses
import datetime

from .._engine._errors import ServiceError
from . import arns
from .clock import iso
from .store import Backend, Store  # noqa: F401 - Store is named in a type comment below


class _StoreOf:
    """`ctx.store`: the backend's store of the context's account and region, looked up on first use and
    then an instance attribute (a context lives for one request; a store for the backend's life, or
    until `Backend.reset`, which no request runs)."""

    def __get__(self, ctx: "RequestContext | None", owner: type | None = None):
        if ctx is None:
            return self
        store = ctx.__dict__["store"] = ctx.backend.store(ctx.account, ctx.region)
        return store


@dataclasses.dataclass
class RequestContext:
    backend: Backend
    account: str
    region: str
    operation: str
    request_id: str

    store = _StoreOf()  # type: Store (not a field: no annotation)

    @property
    def partition(self) -> str:
        return arns.partition_for(self.region)

    def now(self) -> datetime.datetime:
        return self.backend.clock.now()

    def iso_now(self) -> str:
        return iso(self.backend.clock.now())

    def arn(self, resource_type: str, name: str, version: str | None = None, build: str | int | None = None,
            workflow_type: str | None = None) -> str:
        """An ARN of the caller's account and region."""
        return arns.make(self.partition, self.region, self.account, resource_type, name, version, build,
                         workflow_type)

    def check_dry_run(self, params: dict) -> None:
        """Call after every check and before any change: a dry run stops here, having changed nothing."""
        if params.get("dryRun"):
            raise ServiceError("DryRunOperationException",
                               "The request would have succeeded, but the DryRun parameter was set.")
