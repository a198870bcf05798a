"""The image build lifecycle as a graph, evaluated lazily (no threads, no sleeps): docs/progression.md.

- graph.py: the statuses, the paths builds take, the allowed moves, the progression modes' settings;
- progress.py: `transition` (the one place an image's status changes), `settle` (the modes), the
  actions on a build (`begin`, `cancel`, `fail`, `retry`);
- hooks.py: `LifecycleHook` and the one ordered list of hooks (outputs, workflows, pipelines);
- failures.py: failure injection (`fail_builds`, `fail_when`).
"""

from .failures import fail_when, inject_failures
from .graph import (BUILD_PATH, DEFAULT_STAGE_DURATIONS, DISTRIBUTE_PATH, IMPORT_PATH, MODES, PLAIN_STATES,
                    STATUSES_IN_PROGRESS, STOPPED, TERMINAL, TRANSITIONS, UNTESTED_PATH, path_order, progression, stage_durations)
from .hooks import LifecycleHook
from .progress import (Move, Progress, begin, cancel, fail, in_progress, next_status, progress_of, retry, settle, step,
                       transition)

__all__ = ["BUILD_PATH", "DEFAULT_STAGE_DURATIONS", "DISTRIBUTE_PATH", "IMPORT_PATH", "MODES", "PLAIN_STATES", "STATUSES_IN_PROGRESS",
           "STOPPED", "TERMINAL", "TRANSITIONS", "UNTESTED_PATH", "LifecycleHook", "Move", "Progress", "begin",
           "cancel", "fail", "fail_when", "in_progress", "inject_failures", "next_status", "path_order", "progress_of",
           "progression", "retry", "settle", "stage_durations", "step", "transition"]
