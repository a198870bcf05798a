"""The simulated clock: real time (or a test's frozen time) plus an offset moved by advance()."""

from __future__ import annotations

import datetime
import threading
from typing import Callable

UTC = datetime.timezone.utc


def iso(moment: datetime.datetime) -> str:
    """The service's DateTime string: ISO-8601 UTC with milliseconds and Z (years before 1000 unpadded,
    as strftime's %Y writes them)."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.isoformat(timespec="milliseconds")[:23] + "Z"  # "YYYY-MM-DDTHH:MM:SS.mmm+00:00", cut


def parse_iso(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class Clock:
    """Every date the mock returns comes from here.

    `now()` follows `datetime.now()`, so time-machine and freezegun move it too; `advance()`
    moves it forward on top of that, without sleeping.
    """

    def __init__(self) -> None:
        self._offset = datetime.timedelta(0)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], object]] = []

    def now(self) -> datetime.datetime:
        now = datetime.datetime.now(UTC)
        return now + self._offset if self._offset else now

    def iso_now(self) -> str:
        return iso(self.now())

    def advance(self, seconds: float | datetime.timedelta = 0, **units: float) -> datetime.datetime:
        """Move the clock forward: `advance(90)`, `advance(timedelta(hours=2))`, `advance(days=7)`."""
        delta = seconds if isinstance(seconds, datetime.timedelta) else datetime.timedelta(seconds=seconds)
        delta += datetime.timedelta(**units)
        if delta < datetime.timedelta(0):
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._offset += delta
        for listener in list(self._listeners):
            listener()
        return self.now()

    def move_to(self, moment: datetime.datetime) -> datetime.datetime:
        """Move the clock forward to `moment` (a naive datetime is read as UTC). The simulated clock is
        monotonic (builds, schedules and lifecycle policies only look forward): an earlier moment than
        `now()` is a ValueError."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        delta = moment - self.now()
        if delta < datetime.timedelta(0):
            raise ValueError(f"the simulated clock only moves forward: {moment.isoformat()} is before "
                             f"{self.now().isoformat()}")
        return self.advance(delta)

    def on_advance(self, listener: Callable[[], object]) -> None:
        """Call `listener()` after every advance (schedules catch up lazily through this)."""
        self._listeners.append(listener)

    def reset(self) -> None:
        with self._lock:
            self._offset = datetime.timedelta(0)
