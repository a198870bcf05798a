"""The simulated clock: real time (or a test's frozen time) plus an offset moved by advance()."""

from __future__ import annotations

import datetime
import threading

UTC = datetime.timezone.utc


def iso(moment: datetime.datetime) -> str:
    """The service's DateTime string: ISO-8601 UTC with milliseconds and Z. Calls within one millisecond
    share one string (a request stamps several dates; a frozen or simulated clock stands still); the text
    up to the second is made once per second."""
    global _last
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    second = (moment.second, moment.minute, moment.hour, moment.day, moment.month, moment.year)
    millisecond = moment.microsecond // 1000
    last = _last
    if last[0] == second:
        if last[1] == millisecond:
            return last[2]
        prefix = last[3]
    elif moment.year < 1000:  # strftime's %Y does not pad (isoformat's does): keep its text
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millisecond:03d}Z"
    else:
        prefix = moment.isoformat(timespec="seconds")[:19] + "."  # strftime("%Y-%m-%dT%H:%M:%S."), faster
    text = f"{prefix}{millisecond:03d}Z"
    _last = (second, millisecond, text, prefix)
    return text


#: The second, millisecond and text of the last `iso`, and its text up to the second.
_last: tuple = ((), None, "", "")


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
        offset = self._offset
        return datetime.datetime.now(UTC) + offset if offset else datetime.datetime.now(UTC)

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
