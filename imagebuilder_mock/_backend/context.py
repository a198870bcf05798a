"""What a handler knows about the request it serves."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from typing import Any

from .._engine._errors import ServiceError
from . import arns
from .clock import iso
from .store import Backend, Store


@dataclasses.dataclass
class RequestContext:
    backend: Backend
    account: str
    region: str
    operation: str
    request_id: str

    @functools.cached_property
    def store(self) -> Store:
        """The backend's store of this account and region (a context lives for one request)."""
        return self.backend.store(self.account, self.region)

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

    def check_dry_run(self, params: dict[str, Any]) -> None:
        """Call after every check and before any change: a dry run stops here, having changed nothing."""
        if params.get("dryRun"):
            raise ServiceError("DryRunOperationException",
                               "The request would have succeeded, but the DryRun parameter was set.")
