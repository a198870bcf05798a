"""The simulated clock: real time (or a test's frozen time) plus an offset moved by advance()."""

from __future__ import annotations

import datetime
import threading

UTC = datetime.timezone.utc


def iso(moment: datetime.datetime) -> str:
    """The service's DateTime string: ISO-8601 UTC with milliseconds and Z. Calls within one millisecond
    share one string (a request stamps several dates; a frozen or simulated clock stands still)."""
    global _last
    moment = moment.astimezone(UTC)
    key = (moment.microsecond // 1000, moment.second, moment.minute, moment.hour, moment.day, moment.month,
           moment.year)
    last = _last
    if last[0] == key:
        return last[1]
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{key[0]:03d}Z"
    _last = (key, text)
    return text


_last: tuple = ((), "")  # the millisecond and the text of the last `iso`


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
        self._listeners: list = []

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(UTC) + self._offset

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

    def on_advance(self, listener) -> None:
        """Call `listener()` after every advance (schedules catch up lazily through this)."""
        self._listeners.append(listener)

    def reset(self) -> None:
        with self._lock:
            self._offset = datetime.timedelta(0)
