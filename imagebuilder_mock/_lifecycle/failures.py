"""Failure injection: the mock handle's `fail_builds`, and failures a build is due to meet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .graph import STATUSES_IN_PROGRESS, path_order

if TYPE_CHECKING:
    from .._backend.context import RequestContext
    from .._backend.store import Backend

_INJECTIONS = "image_failures"  # Backend.extensions key: the pending `fail_builds` injections


def fail_when(image: dict[str, Any], status: str, reason: str) -> None:
    """The build fails with `reason` when it reaches `status`, unless a failure is already attached."""
    progress = image["_lifecycle"]
    if progress.failure is None:
        progress.failure = (reason, status)


def inject_failures(backend: Backend, reason: str, at: str, count: int, match: str | None) -> None:
    """`fail_builds`: the next `count` builds matching `match` (any, if None) fail at stage `at`."""
    if at not in STATUSES_IN_PROGRESS:
        raise ValueError(f"at must be one of {sorted(STATUSES_IN_PROGRESS, key=path_order)}, got {at!r}")
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    if not reason:
        raise ValueError("reason must be a non-empty string")
    backend.extensions.setdefault(_INJECTIONS, []).append(
        {"reason": reason, "at": at, "remaining": count, "match": match})


def attach_injection(ctx: RequestContext, image: dict[str, Any], match: tuple[str, ...]) -> None:
    """Attach to a build (its `image["_lifecycle"]`) the first pending injection that matches one of the
    ARNs in `match`, and use it up."""
    pending = ctx.backend.extensions.get(_INJECTIONS) or []
    for injection in pending:
        wanted = injection["match"]
        if wanted is not None and wanted not in match and not _matches_version(wanted, match):
            continue
        injection["remaining"] -= 1
        if injection["remaining"] <= 0:
            pending.remove(injection)
        progress = image["_lifecycle"]
        # a stage this build skips (TESTING with tests disabled, ...): fail at the next one it has
        at = next((s for s in progress.path if path_order(s) >= path_order(injection["at"])
                   and s in STATUSES_IN_PROGRESS), progress.path[-2])
        progress.failure = (injection["reason"], at)
        return


def _matches_version(wanted: str, match: tuple[str, ...]) -> bool:
    """A recipe version ARN given without a build also matches an ARN that extends it."""
    return any(arn.startswith(wanted + "/") for arn in match if arn)
