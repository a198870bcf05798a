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
- `starters`: callables `(ctx, image)` run when `begin` puts a new build in PENDING (scan state, ...).
- One-pass runs (immediate mode): a listener may have a `run` attribute, `(ctx, image, passed)`, that
  does what calling it for each consecutive pair of `passed` (the statuses the run goes through, first
  to last) would; a gate may have a `through` attribute, `(ctx, image, passed) -> bool`, True when it
  would let every stage of the run end with nothing to say (and no side effect of its own that the
  run forms do not record). When every gate says so, the run is done in one pass.

Also: `begin(ctx, image, path=...)` puts a new image on its path (PENDING), `cancel`, `retry`,
`fail` (for workflows), `fail_when` (a failure at a later stage), `inject_failures` (the handle's
`fail_builds`). An image's progress is its `Book`, `image["_lifecycle"]`.

Progression modes (`mock_imagebuilder(progression=...)`):
- "immediate" (default): a build in progress finishes the first time anything looks at it.
- "poll": the first GetImage of a build shows its current state; each later GetImage moves it one
  state on. Other reads (List*) never move it.
- "clock": each state lasts its stage duration on the simulated clock (`m.clock.advance(...)`,
  waiter delays, `patch_sleep=True`); override with `stage_durations={"BUILDING": 1800, ...}`.
"""

from __future__ import annotations

from typing import Callable

from .._engine._errors import ServiceError

BUILD_PATH = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
#: Path of a build whose image tests are disabled.
UNTESTED_PATH = tuple(s for s in BUILD_PATH if s != "TESTING")
#: DistributeImage runs only the distribution phase (INFERRED).
DISTRIBUTE_PATH = ("PENDING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
#: ImportVmImage / ImportDiskImage (INFERRED: the service documents only PENDING ... AVAILABLE).
IMPORT_PATH = ("PENDING", "CREATING", "BUILDING", "INTEGRATING", "AVAILABLE")

STATUSES_IN_PROGRESS = frozenset(BUILD_PATH[:-1])
TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED", "DEPRECATED", "DISABLED", "DELETED"})
_AFTER_BUILD = {"AVAILABLE", "DEPRECATED", "DISABLED", "DELETED"}
_STOPPED = frozenset({"FAILED", "CANCELLED"})
_RESUMABLE = frozenset(STATUSES_IN_PROGRESS)  # RetryImage resumes where the build stopped

TRANSITIONS: dict[str, frozenset[str]] = {
    "PENDING": frozenset({"CREATING", "DISTRIBUTING", "FAILED", "CANCELLED"}),
    "CREATING": frozenset({"BUILDING", "FAILED", "CANCELLED"}),
    "BUILDING": frozenset({"TESTING", "DISTRIBUTING", "INTEGRATING", "FAILED", "CANCELLED"}),
    "TESTING": frozenset({"DISTRIBUTING", "FAILED", "CANCELLED"}),
    "DISTRIBUTING": frozenset({"INTEGRATING", "FAILED", "CANCELLED"}),
    "INTEGRATING": frozenset({"AVAILABLE", "FAILED", "CANCELLED"}),
    "AVAILABLE": frozenset(_AFTER_BUILD - {"AVAILABLE"}),
    "DEPRECATED": frozenset(_AFTER_BUILD - {"DEPRECATED"}),
    "DISABLED": frozenset(_AFTER_BUILD - {"DISABLED"}),
    "DELETED": frozenset(),
    "FAILED": _RESUMABLE,  # RetryImage
    "CANCELLED": _RESUMABLE,  # RetryImage
}

#: Stage durations in seconds for progression="clock" (INFERRED from the user guide's "a build
#: typically takes 30-60 minutes"; see docs/notes/images.md). The sum is about 50 minutes.
DEFAULT_STAGE_DURATIONS = {
    "PENDING": 60,
    "CREATING": 300,
    "BUILDING": 1200,
    "TESTING": 900,
    "DISTRIBUTING": 600,
    "INTEGRATING": 120,
}
MODES = ("immediate", "poll", "clock")

gates: list[Callable] = []
listeners: list[Callable] = []
starters: list[Callable] = []

_INJECTIONS = "image_failures"  # Backend.extensions key


class Book:
    """An image's progress on its path, kept as `image["_lifecycle"]` (~half the memory of a dict):
    its path, when it entered its current status, when the build started (the buildDate of AMI names),
    an attached failure injection `fail` ((reason, status) or None), whether a gate holds it, the
    stage a stopped build stopped at (RetryImage resumes there), and whether it has been polled."""

    __slots__ = ("path", "entered", "started", "fail", "held", "stopped_at", "seen")

    def __init__(self, path: tuple[str, ...], entered: float | None = None, started: float | None = None) -> None:
        self.path = path
        self.entered = entered
        self.started = started
        self.fail: tuple[str, str] | None = None
        self.held = False
        self.stopped_at: str | None = None
        self.seen = False

    def get(self, name: str, default=None):
        """Dict-style reads (`book.get("stopped_at")`) for callers written against the old dict."""
        value = getattr(self, name, None)
        return default if value is None else value


#: One state dict per status that carries nothing else, shared by every image in that status: state
#: dicts are replaced, never changed in place (FAILED and CANCELLED always get a dict of their own).
_SHARED_STATES = {status: {"status": status} for status in TRANSITIONS if status not in _STOPPED}
PENDING = _SHARED_STATES["PENDING"]


# -- the graph ---------------------------------------------------------------------------------
def transition(ctx, image: dict, status: str, reason: str | None = None, *, at: float | None = None,
               failure_context: dict | None = None) -> None:
    """Move `image` to `status` (checked against the graph) and tell every listener."""
    old = image["state"]["status"]
    if status not in TRANSITIONS[old]:
        raise ServiceError("ServiceException", f"imagebuilder-mock: illegal image transition {old} -> {status}")
    if reason or status in _STOPPED:
        state = image["state"] = {"status": status}
        if reason:
            state["reason"] = reason
        if failure_context and status == "FAILED":
            state["failureContext"] = failure_context
    else:
        image["state"] = _SHARED_STATES[status]
    book = image.get("_lifecycle")
    if book is None:
        book = image["_lifecycle"] = Book(BUILD_PATH)
    book.entered = at if at is not None else ctx.now().timestamp()
    if status in _STOPPED:
        book.stopped_at = old
    for listener in tuple(listeners):
        listener(ctx, image, old, status)


def path_of(image: dict) -> tuple[str, ...]:
    book = image.get("_lifecycle")
    return book.path if book is not None else BUILD_PATH


def next_status(image: dict) -> str | None:
    return _NEXT[path_of(image)].get(image["state"]["status"])


class _NextStatus(dict):
    """path -> {status: the status after it on that path}, made on first use of a path."""

    def __missing__(self, path: tuple[str, ...]) -> dict[str, str]:
        following = self[path] = dict(zip(path, path[1:]))
        return following


_NEXT = _NextStatus()


# -- starting, settling ------------------------------------------------------------------------
def begin(ctx, image: dict, path: tuple[str, ...] | list[str] = BUILD_PATH, match: tuple[str, ...] = (),
          at: float | None = None) -> None:
    """Put a new image in PENDING on `path` at `at` (a timestamp; default now), kept in the book as
    `started`; a pending `fail_builds` injection matching one of the ARNs in `match` (recipe,
    pipeline, ...) is attached to it."""
    image["state"] = PENDING
    started = at if at is not None else ctx.now().timestamp()
    # the path is an immutable tuple, shared by every image on it (the paths above): no copy per image
    image["_lifecycle"] = Book(tuple(path), started, started)
    if ctx.backend.extensions.get(_INJECTIONS):
        _attach_injection(ctx, image, match)
    for starter in tuple(starters):
        starter(ctx, image)


def settle(ctx, image: dict, *, poll: bool | None = None) -> dict:
    """Bring `image` up to date with the progression mode. `poll` (default: the request is
    GetImage) says whether this read counts as a poll in progression="poll"."""
    book = image.get("_lifecycle")
    if book is None or image["state"]["status"] not in STATUSES_IN_PROGRESS:
        return image
    mode = ctx.backend.settings.get("progression", "immediate")  # (`progression`, inline)
    if mode == "immediate":
        now = ctx.now().timestamp()  # the whole run happens at this one moment
        if book.fail is None and not book.held and _run_through(ctx, image, book, now):
            return image
        while image["state"]["status"] in STATUSES_IN_PROGRESS:
            if not _step(ctx, image, now):
                break
        return image
    if mode not in MODES:
        progression(ctx)  # raises
    if poll is None:
        poll = ctx.operation == "GetImage"
    if mode == "poll":
        steps = 1 if poll and book.seen else 0
        if poll:
            book.seen = True
        for _ in range(steps):
            _step(ctx, image, None)
    else:  # clock
        # no overrides (the usual case): the defaults as they are, not a checked copy per read
        durations = stage_durations(ctx) if ctx.backend.settings.get("stage_durations") else DEFAULT_STAGE_DURATIONS
        now = ctx.now().timestamp()
        while image["state"]["status"] in STATUSES_IN_PROGRESS:
            due = image["_lifecycle"].entered + durations.get(image["state"]["status"], 0)
            if due > now or not _step(ctx, image, due):
                break
    return image


def _run_through(ctx, image: dict, book: Book, at: float) -> bool:
    """Finish a build that nothing can stop (no failure attached, every gate lets it `through`) in one
    pass at `at`: the final state, then each listener told once (`run`) or, without a run form, for each
    step in turn (the image in the step's state). The same results as `_step` after `_step`."""
    passed = _REST[book.path][image["state"]["status"]]
    for gate in gates:
        through = getattr(gate, "through", None)
        if through is None or not through(ctx, image, passed):
            return False
    book.entered = at
    final = _SHARED_STATES[passed[-1]]
    for listener in tuple(listeners):
        run = getattr(listener, "run", None)
        if run is not None:
            image["state"] = final
            run(ctx, image, passed)
        else:
            for old, new in zip(passed, passed[1:]):
                image["state"] = _SHARED_STATES[new]
                listener(ctx, image, old, new)
    image["state"] = final
    return True


class _Rest(dict):
    """path -> {in-progress status: the statuses from it to the path's end}, made on first use of a path
    (whose steps are checked against the graph then: a run through them needs no check per step)."""

    def __missing__(self, path: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        for old, new in zip(path, path[1:]):
            if new not in TRANSITIONS[old]:
                raise ValueError(f"path {path} has an illegal step {old} -> {new}")
        rest = self[path] = {status: path[index:] for index, status in enumerate(path)
                             if status in STATUSES_IN_PROGRESS}
        return rest


_REST = _Rest()


def _step(ctx, image: dict, at: float | None) -> bool:
    """Finish the current stage: fail it (if injected), or move on unless a gate holds it."""
    current = image["state"]["status"]
    book = image["_lifecycle"]
    injected = book.fail
    if injected is not None and current == injected[1]:
        book.fail = None
        transition(ctx, image, "FAILED", injected[0], at=at, failure_context={"imageStatus": current})
        return True
    nxt = _NEXT[book.path].get(current)
    if nxt is None:
        return False
    for gate in tuple(gates):
        if not gate(ctx, image, nxt):
            book.held = True
            return False
    held, book.held = book.held, False
    transition(ctx, image, nxt, at=None if held else at)
    return True


def path_order(status: str) -> int:
    return BUILD_PATH.index(status) if status in BUILD_PATH else len(BUILD_PATH)


def progression(ctx) -> str:
    mode = ctx.backend.settings.get("progression", "immediate")
    if mode not in MODES:
        raise ValueError(f"progression must be one of {MODES}, got {mode!r}")
    return mode


def stage_durations(ctx) -> dict[str, float]:
    """The default stage durations with the mock's `stage_durations` setting applied (checked)."""
    durations = dict(DEFAULT_STAGE_DURATIONS)
    overrides = ctx.backend.settings.get("stage_durations") or {}
    for stage, seconds in overrides.items():
        if stage not in DEFAULT_STAGE_DURATIONS:
            raise ValueError(f"stage_durations: unknown stage {stage!r}; stages are {list(DEFAULT_STAGE_DURATIONS)}")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"stage_durations[{stage!r}] must be a non-negative number of seconds, got {seconds!r}")
    durations.update(overrides)
    return durations


# -- actions on a build ------------------------------------------------------------------------
def in_progress(image: dict) -> bool:
    return image["state"]["status"] in STATUSES_IN_PROGRESS


def cancel(ctx, image: dict) -> None:
    """CancelImageCreation: an in-progress build stops as CANCELLED (outputs made so far are kept)."""
    image["_lifecycle"].fail = None
    transition(ctx, image, "CANCELLED")


def fail(ctx, image: dict, reason: str, failure_context: dict | None = None) -> None:
    """Fail an in-progress build now (workflow steps that fail call this)."""
    context = {"imageStatus": image["state"]["status"]}
    context.update(failure_context or {})
    transition(ctx, image, "FAILED", reason, failure_context=context)


def retry(ctx, image: dict, match: tuple[str, ...] = ()) -> None:
    """RetryImage: a FAILED/CANCELLED build resumes, in place, at the stage where it stopped."""
    book = image.get("_lifecycle")
    if book is None:
        book = image["_lifecycle"] = Book(BUILD_PATH)
    resume = book.stopped_at or "PENDING"
    book.seen = False
    _attach_injection(ctx, image, match)
    transition(ctx, image, resume)


# -- failure injection (the handle's fail_builds) ----------------------------------------------
def fail_when(image: dict, status: str, reason: str) -> None:
    """The build fails with `reason` when it reaches `status`, unless a failure is already attached."""
    book = image["_lifecycle"]
    if book.fail is None:
        book.fail = (reason, status)


def inject_failures(backend, reason: str, at: str, count: int, match: str | None) -> None:
    if at not in STATUSES_IN_PROGRESS:
        raise ValueError(f"at must be one of {sorted(STATUSES_IN_PROGRESS, key=path_order)}, got {at!r}")
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    if not reason:
        raise ValueError("reason must be a non-empty string")
    backend.extensions.setdefault(_INJECTIONS, []).append(
        {"reason": reason, "at": at, "remaining": count, "match": match})


def _attach_injection(ctx, image: dict, match: tuple[str, ...]) -> None:
    pending = ctx.backend.extensions.get(_INJECTIONS) or []
    for injection in pending:
        wanted = injection["match"]
        if wanted is not None and wanted not in match and not _matches_version(wanted, match):
            continue
        injection["remaining"] -= 1
        if injection["remaining"] <= 0:
            pending.remove(injection)
        path = path_of(image)
        # a stage this build skips (TESTING with tests disabled, ...): fail at the next one it has
        at = next((s for s in path if path_order(s) >= path_order(injection["at"]) and s in STATUSES_IN_PROGRESS),
                  path[-2])
        image["_lifecycle"].fail = (injection["reason"], at)
        return


def _matches_version(wanted: str, match: tuple[str, ...]) -> bool:
    """A recipe version ARN given without a build also matches an ARN that extends it."""
    return any(arn.startswith(wanted + "/") for arn in match if arn)
