"""The image status graph: the paths builds take, the moves the service allows, stage durations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .._backend.store import Backend


BUILD_PATH = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
#: Path of a build whose image tests are disabled.
UNTESTED_PATH = tuple(s for s in BUILD_PATH if s != "TESTING")
#: DistributeImage runs only the distribution phase (INFERRED).
DISTRIBUTE_PATH = ("PENDING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
#: ImportVmImage / ImportDiskImage (INFERRED: the service documents only PENDING ... AVAILABLE).
IMPORT_PATH = ("PENDING", "CREATING", "BUILDING", "INTEGRATING", "AVAILABLE")

STATUSES_IN_PROGRESS = frozenset(BUILD_PATH[:-1])
STOPPED = frozenset({"FAILED", "CANCELLED"})
TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED", "DEPRECATED", "DISABLED", "DELETED"})
_AFTER_BUILD = frozenset({"AVAILABLE", "DEPRECATED", "DISABLED", "DELETED"})

#: status -> the statuses it may move to. Builds move along their path (or stop: FAILED, CANCELLED);
#: RetryImage resumes a stopped build at the stage it stopped at; lifecycle policies and
#: StartResourceStateUpdate move built images between AVAILABLE, DEPRECATED, DISABLED and DELETED,
#: and delete stopped builds (FAILED/CANCELLED -> DELETED).
TRANSITIONS: dict[str, frozenset[str]] = {
    "PENDING": frozenset({"CREATING", "DISTRIBUTING", "FAILED", "CANCELLED"}),
    "CREATING": frozenset({"BUILDING", "FAILED", "CANCELLED"}),
    "BUILDING": frozenset({"TESTING", "DISTRIBUTING", "INTEGRATING", "FAILED", "CANCELLED"}),
    "TESTING": frozenset({"DISTRIBUTING", "FAILED", "CANCELLED"}),
    "DISTRIBUTING": frozenset({"INTEGRATING", "FAILED", "CANCELLED"}),
    "INTEGRATING": frozenset({"AVAILABLE", "FAILED", "CANCELLED"}),
    "AVAILABLE": _AFTER_BUILD - {"AVAILABLE"},
    "DEPRECATED": _AFTER_BUILD - {"DEPRECATED"},
    "DISABLED": _AFTER_BUILD - {"DISABLED"},
    "DELETED": frozenset(),
    "FAILED": STATUSES_IN_PROGRESS | {"DELETED"},
    "CANCELLED": STATUSES_IN_PROGRESS | {"DELETED"},
}

#: The state of an image in a status that carries nothing else (no reason): one dict per status, shared by
#: every such image and never changed in place (a state is replaced; FAILED and CANCELLED always get one
#: of their own). Saves a dict per stored image (docs/performance.md, memory); the plain twin is a new
#: `{"status": status}` per move, and tests/test_invariants_images.py checks nothing changes them.
PLAIN_STATES: dict[str, dict[str, str]] = {status: {"status": status} for status in TRANSITIONS
                                           if status not in STOPPED}

#: Stage durations in seconds for progression="clock" (INFERRED from the user guide's "a build
#: typically takes 30-60 minutes"; see docs/notes/images.md). The sum is about 50 minutes.
DEFAULT_STAGE_DURATIONS: dict[str, float] = {
    "PENDING": 60,
    "CREATING": 300,
    "BUILDING": 1200,
    "TESTING": 900,
    "DISTRIBUTING": 600,
    "INTEGRATING": 120,
}
MODES = ("immediate", "poll", "clock")


class _WithBackend(Protocol):
    """What the settings' readers take: a request's context, or the mock handle (checking its settings)."""

    @property
    def backend(self) -> Backend: ...


def path_order(status: str) -> int:
    """A status's place on the full build path (statuses off it come after)."""
    return BUILD_PATH.index(status) if status in BUILD_PATH else len(BUILD_PATH)


def progression(ctx: _WithBackend) -> str:
    """The mock's progression mode (checked)."""
    mode: str = ctx.backend.settings.get("progression", "immediate")
    if mode not in MODES:
        raise ValueError(f"progression must be one of {MODES}, got {mode!r}")
    return mode


def stage_durations(ctx: _WithBackend) -> dict[str, float]:
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
