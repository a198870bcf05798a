"""Pipeline schedules at run time: the lazy catch-up that starts scheduled builds when the simulated
clock passes their due times (expressions and due times: schedule_expressions.py).
"""

from __future__ import annotations

import dataclasses
import datetime

from ..._backend.clock import UTC, iso
from ..._backend.context import RequestContext
from ..._backend.store import Backend, Store
from .schedule_expressions import MAX_CATCH_UP, next_due
from .._shared.types import Params, Resource


# -- running what is due ---------------------------------------------------------------------------
@dataclasses.dataclass
class ScheduledContext(RequestContext):
    """A context whose clock reads the due time: builds it starts are dated when they were due."""

    at: datetime.datetime = dataclasses.field(default_factory=lambda: datetime.datetime.now(UTC))

    def now(self) -> datetime.datetime:
        return self.at

    def iso_now(self) -> str:
        return iso(self.at)


#: backend.extensions key: no pipeline of the backend is due before this time (absent: none is due).
#: Lowered by `arm`, recomputed by a catch-up that ran something; a deleted pipeline leaves it early,
#: which costs one scan. So a request with nothing due costs one comparison, however many pipelines.
_EARLIEST = "schedules.earliest_due"


def arm(backend: Backend, pipeline: Resource, now: datetime.datetime) -> None:
    """(Re)start `pipeline`'s schedule from `now` (create/update): dues up to now are not run."""
    schedule = pipeline.get("schedule")
    if not schedule:
        pipeline.pop("_nextDue", None)
        pipeline.pop("_scheduleAnchor", None)
        return
    pipeline["_scheduleAnchor"] = now
    due = pipeline["_nextDue"] = next_due(schedule, now, now)
    earliest = backend.extensions.get(_EARLIEST)
    if due is not None and (earliest is None or due < earliest):
        backend.extensions[_EARLIEST] = due
    if catch_up not in backend.hooks:
        backend.hooks.append(catch_up)


def catch_up(ctx: RequestContext, params: Params | None = None) -> None:
    """Backend hook (before every request, under the lock): run every due time that has passed."""
    backend = ctx.backend
    earliest = backend.extensions.get(_EARLIEST)
    if earliest is None:
        return
    now = backend.clock.now()
    if earliest > now:
        return
    for store in list(backend.stores.values()):
        for pipeline in list(store.image_pipelines.values()):
            due = pipeline.get("_nextDue")
            if due is None or due > now:
                continue
            _run_until(backend, store, pipeline, now, ctx.request_id)
    dues = [p["_nextDue"] for store in backend.stores.values() for p in store.image_pipelines.values()
            if p.get("_nextDue") is not None]
    if dues:
        backend.extensions[_EARLIEST] = min(dues)
    else:
        backend.extensions.pop(_EARLIEST, None)


def _run_until(backend: Backend, store: Store, pipeline: Resource, now: datetime.datetime, request_id: str) -> None:
    schedule = pipeline["schedule"]
    anchor = pipeline["_scheduleAnchor"]
    due = pipeline["_nextDue"]
    runs = 0
    while due is not None and due <= now:
        if runs >= MAX_CATCH_UP:
            due = next_due(schedule, now, anchor)
            break
        at_ctx = ScheduledContext(backend, store.account, store.region, "StartImagePipelineExecution",
                                  request_id, at=due)
        from .handlers import run_due  # here: the handlers import this module

        run_due(at_ctx, pipeline, due)
        if store.image_pipelines.get(pipeline["arn"]) is not pipeline:
            return  # replaced or deleted meanwhile
        runs += 1
        due = next_due(schedule, due, anchor)
    pipeline["_nextDue"] = due
