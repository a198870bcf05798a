"""`mock_imagebuilder(patch_sleep=True)`: `time.sleep` in the mocked block advances the simulated
clock instead of sleeping, so a user's own polling loop over a multi-hour "clock" build ends at once.

Only the thread that started the mock is affected (others keep sleeping for real), and only calls
that look the function up on the `time` module (`time.sleep(...)`): a `from time import sleep` done
before the mock started keeps the real one.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .clock import Clock

_lock = threading.Lock()
_real_sleep = time.sleep
#: thread id -> stack of clocks (nested mocks: the innermost wins)
_clocks: dict[int, list[Clock]] = {}


def _sleep(seconds: float) -> None:
    stack = _clocks.get(threading.get_ident())
    if not stack:
        _real_sleep(seconds)
        return
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    stack[-1].advance(seconds)


def install(clock: Clock) -> None:
    """Make `time.sleep` on this thread advance `clock` until `uninstall(clock)`."""
    with _lock:
        _clocks.setdefault(threading.get_ident(), []).append(clock)
        time.sleep = _sleep  # type: ignore[assignment]  # takes the numbers callers pass (not SupportsIndex)


def uninstall(clock: Clock) -> None:
    with _lock:
        ident = threading.get_ident()
        stack = _clocks.get(ident, [])
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] is clock:
                del stack[index]
                break
        if not stack:
            _clocks.pop(ident, None)
        if not _clocks:
            time.sleep = _real_sleep
