"""How a build moves: `transition` (the one place an image's status changes), `settle` (the
progression modes, each stepping through `transition`), and the actions on a build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .._engine._errors import ServiceError
from . import hooks
from .failures import attach_injection
from .graph import (BUILD_PATH, PLAIN_STATES, STATUSES_IN_PROGRESS, STOPPED, TRANSITIONS, progression,
                    stage_durations)

if TYPE_CHECKING:
    from .._backend.context import RequestContext


class Move(NamedTuple):
    """One transition, as `transition` records it in the image's history."""

    old: str
    new: str
    at: float  # when the image entered `new` (timestamp)
    asked_at: float | None  # when the hooks allowed the step (None: not a step of the build's path)
    account: str  # the caller whose request made the move
    region: str


@dataclass(slots=True)  # slots: one per stored image, at a third of a dict's memory
class Progress:
    """An image's progress, kept as `image["_lifecycle"]`."""

    path: tuple[str, ...]  # the statuses its build goes through, PENDING to AVAILABLE
    started: float | None = None  # when the build started (timestamp; the buildDate of AMI names)
    failure: tuple[str, str] | None = None  # (reason, status): an injected failure, due at that status
    held: bool = False  # a hook held it at its last step
    polled: bool = False  # progression="poll": a GetImage has seen it
    history: list[Move] | None = None  # every transition so far, in order (None: none yet)

    @property
    def entered(self) -> float | None:
        """When the image entered its current status: its last move, else the build's start."""
        return self.history[-1].at if self.history else self.started

    @property
    def stopped_at(self) -> str | None:
        """Where a FAILED/CANCELLED build stopped (RetryImage resumes there): its last move's origin."""
        last = self.history[-1] if self.history else None
        return last.old if last is not None and last.new in STOPPED else None


def progress_of(image: dict[str, Any]) -> Progress:
    """The image's progress record (an image made without `begin` gets one on the full build path)."""
    progress = image.get("_lifecycle")
    if progress is None:
        progress = image["_lifecycle"] = Progress(BUILD_PATH)
    return progress


def in_progress(image: dict[str, Any]) -> bool:
    return image["state"]["status"] in STATUSES_IN_PROGRESS


def transition(ctx: RequestContext, image: dict[str, Any], status: str, reason: str | None = None, *,
               at: float | None = None, failure_context: dict[str, Any] | None = None,
               asked_at: float | None = None) -> None:
    """Move `image` to `status` (checked against the graph) at `at` (a timestamp; default now), record
    the move in its progress's history (`asked_at`: when `step` asked the hooks), then tell every hook."""
    old = image["state"]["status"]
    if status not in TRANSITIONS[old]:
        raise ServiceError("ServiceException", f"imagebuilder-mock: illegal image transition {old} -> {status}")
    if reason or status in STOPPED:
        state = image["state"] = {"status": status}
        if reason:
            state["reason"] = reason
        if failure_context and status == "FAILED":
            state["failureContext"] = failure_context
    else:
        image["state"] = PLAIN_STATES[status]
    progress = progress_of(image)
    move = Move(old, status, at if at is not None else ctx.now().timestamp(), asked_at, ctx.account, ctx.region)
    if progress.history is None:
        progress.history = [move]
    else:
        progress.history.append(move)
    for hook in hooks.in_order():
        hook.on_transition(ctx, image, old, status)


def next_status(image: dict[str, Any]) -> str | None:
    """The status after the current one on the image's path (None at its end or off it)."""
    return _after(progress_of(image).path, image["state"]["status"])


def _after(path: tuple[str, ...], status: str) -> str | None:
    index = path.index(status) + 1 if status in path else len(path)
    return path[index] if index < len(path) else None


# -- starting, settling ------------------------------------------------------------------------
def begin(ctx: RequestContext, image: dict[str, Any], path: tuple[str, ...] | list[str] = BUILD_PATH,
          match: tuple[str, ...] = (),
          at: float | None = None) -> None:
    """Put a new image in PENDING on `path` at `at` (a timestamp; default now), kept as `started`;
    a pending `fail_builds` injection matching one of the ARNs in `match` (recipe, pipeline, ...) is
    attached to it."""
    image["state"] = PLAIN_STATES["PENDING"]
    started = at if at is not None else ctx.now().timestamp()
    image["_lifecycle"] = Progress(tuple(path), started)
    attach_injection(ctx, image, match)
    for hook in hooks.in_order():
        hook.on_begin(ctx, image)


def settle(ctx: RequestContext, image: dict[str, Any], *, poll: bool | None = None) -> dict[str, Any]:
    """Bring `image` up to date with the progression mode (`docs/progression.md`). `poll` (default:
    the request is GetImage) says whether this read counts as a poll in progression="poll"."""
    if image.get("_lifecycle") is None or not in_progress(image):
        return image
    progress = image["_lifecycle"]
    mode = progression(ctx)
    if mode == "immediate":  # the build runs to its end (or a hook's hold) now
        while in_progress(image) and step(ctx, image, None):
            pass
    elif mode == "poll":
        if poll is None:
            poll = ctx.operation == "GetImage"
        if poll:
            if progress.polled:  # the first poll shows where the build is; each later one moves it on
                step(ctx, image, None)
            progress.polled = True
    else:  # clock: each status lasts its stage duration
        durations = stage_durations(ctx)
        now = ctx.now().timestamp()
        while in_progress(image):
            due = progress.entered + durations.get(image["state"]["status"], 0)
            if due > now or not step(ctx, image, due):
                break
    return image


def step(ctx: RequestContext, image: dict[str, Any], at: float | None) -> bool:
    """Finish the current stage at `at`: fail it (if a failure is due here), or move on unless a hook
    holds it (a stage held past its due time moves on now, not at `at`). Whether it moved."""
    progress = image["_lifecycle"]
    current = image["state"]["status"]
    if progress.failure is not None and progress.failure[1] == current:
        reason, _ = progress.failure
        progress.failure = None
        transition(ctx, image, "FAILED", reason, at=at, failure_context={"imageStatus": current})
        return True
    following = _after(progress.path, current)
    if following is None:
        return False
    asked_at = ctx.now().timestamp()
    for hook in hooks.in_order():
        if not hook.allows(ctx, image, following):
            progress.held = True
            return False
    held, progress.held = progress.held, False
    transition(ctx, image, following, at=None if held else at, asked_at=asked_at)
    return True


# -- actions on a build ------------------------------------------------------------------------
def cancel(ctx: RequestContext, image: dict[str, Any]) -> None:
    """CancelImageCreation: an in-progress build stops as CANCELLED (outputs made so far are kept)."""
    progress_of(image).failure = None
    transition(ctx, image, "CANCELLED")


def fail(ctx: RequestContext, image: dict[str, Any], reason: str,
         failure_context: dict[str, Any] | None = None) -> None:
    """Fail an in-progress build now (workflow steps that fail call this)."""
    context = {"imageStatus": image["state"]["status"]}
    context.update(failure_context or {})
    transition(ctx, image, "FAILED", reason, failure_context=context)


def retry(ctx: RequestContext, image: dict[str, Any], match: tuple[str, ...] = ()) -> None:
    """RetryImage: a FAILED/CANCELLED build resumes, in place, at the stage where it stopped."""
    progress = progress_of(image)
    progress.polled = False
    attach_injection(ctx, image, match)
    transition(ctx, image, progress.stopped_at or "PENDING")
