"""The image build lifecycle as a graph, evaluated lazily (no threads, no sleeps).

INTERFACE (other modules rely on it; keep these names):
- `STATUSES_IN_PROGRESS`, `TERMINAL`, `TRANSITIONS`
- `transition(ctx, image, status, reason=None)`: the one place an image's state.status changes;
  checks the graph and calls every listener.
- `settle(ctx, image)`: bring an image up to date with the progression mode; called on every read.
- `gates`: callables `(ctx, image, next_status) -> bool`; any False holds the image where it is
  (workflow WaitForAction steps use this).
- `listeners`: callables `(ctx, image, old_status, new_status)` run after each transition
  (workflow executions, pipelines' lastRunDate/consecutiveFailures, ...).
"""

from __future__ import annotations

from typing import Callable

from .._engine._errors import ServiceError

BUILD_PATH = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
STATUSES_IN_PROGRESS = frozenset(BUILD_PATH[:-1])
TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED", "DEPRECATED", "DISABLED", "DELETED"})
_AFTER_BUILD = {"AVAILABLE", "DEPRECATED", "DISABLED", "DELETED"}

TRANSITIONS: dict[str, frozenset[str]] = {
    "PENDING": frozenset({"CREATING", "FAILED", "CANCELLED"}),
    "CREATING": frozenset({"BUILDING", "FAILED", "CANCELLED"}),
    "BUILDING": frozenset({"TESTING", "DISTRIBUTING", "FAILED", "CANCELLED"}),
    "TESTING": frozenset({"DISTRIBUTING", "FAILED", "CANCELLED"}),
    "DISTRIBUTING": frozenset({"INTEGRATING", "FAILED", "CANCELLED"}),
    "INTEGRATING": frozenset({"AVAILABLE", "FAILED", "CANCELLED"}),
    "AVAILABLE": frozenset(_AFTER_BUILD - {"AVAILABLE"}),
    "DEPRECATED": frozenset(_AFTER_BUILD - {"DEPRECATED"}),
    "DISABLED": frozenset(_AFTER_BUILD - {"DISABLED"}),
    "DELETED": frozenset(),
    "FAILED": frozenset({"PENDING"}),  # RetryImage
    "CANCELLED": frozenset({"PENDING"}),  # RetryImage
}

gates: list[Callable] = []
listeners: list[Callable] = []


def transition(ctx, image: dict, status: str, reason: str | None = None) -> None:
    old = image["state"]["status"]
    if status not in TRANSITIONS[old]:
        raise ServiceError("ServiceException", f"imagebuilder-mock: illegal image transition {old} -> {status}")
    image["state"] = {"status": status}
    if reason:
        image["state"]["reason"] = reason
    for listener in listeners:
        listener(ctx, image, old, status)


def settle(ctx, image: dict) -> dict:
    """Default ('immediate') progression until the lifecycle module lands: straight to AVAILABLE."""
    while image["state"]["status"] in STATUSES_IN_PROGRESS:
        current = image["state"]["status"]
        nxt = BUILD_PATH[BUILD_PATH.index(current) + 1]
        if any(not gate(ctx, image, nxt) for gate in gates):
            break
        transition(ctx, image, nxt)
    return image
