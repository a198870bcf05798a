"""Pipeline schedule expressions: Image Builder's `cron(...)` and `rate(...)` expressions and their due
times in a time zone (the catch-up that runs them: schedules.py).

Cron fields are the service's six: `minute hour day-of-month month day-of-week year`, with one of
the day fields `?`; day-of-week counts 1-7 from SUN (as EventBridge). Each field is checked here with
the service's wildcard table, then translated to croniter's five-field syntax (day-of-week shifted to
0-6, `?` to `*`); the year field and `LW` are applied as filters on croniter's candidates.
See docs/notes/pipelines.md for sources and what is INFERRED.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo
from typing import Callable

from ..._backend.caches import memoize
from ..._backend.clock import UTC
from ..._engine._errors import ServiceError, invalid_value
from .._shared.types import Resource

EXPRESSION_PARAM = "schedule.scheduleExpression"
TIMEZONE_PARAM = "schedule.timezone"
#: At most this many due times are replayed per pipeline in one catch-up; older ones are skipped
#: (a clock moved years ahead with a per-minute rate would otherwise start millions of builds).
MAX_CATCH_UP = 5000

_MONTHS = {name: i + 1 for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {name: i + 1 for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}


def _schedule_error(detail: str) -> ServiceError:
    return invalid_value(EXPRESSION_PARAM, f"Invalid schedule expression. Details: {detail}")


def _cron_error(position: int, detail: str) -> ServiceError:
    # CONFIRMED wording (5-field cron): "Invalid CRON expression: error at position 9, details:
    # Unexpected end of expression." Other details follow the same parser's (Quartz) wording: INFERRED.
    return _schedule_error(f"Invalid CRON expression: error at position {position}, details: {detail}")


# -- cron fields ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Field:
    label: str  # as in the parser's range messages
    low: int
    high: int
    specials: str  # wildcards allowed besides digits and ',': from the user guide's table
    names: dict[str, int] | None = None


_FIELDS = (
    _Field("Minute", 0, 59, "-*/"),
    _Field("Hour", 0, 23, "-*/"),
    _Field("Day of month", 1, 31, "-*?/LW"),
    _Field("Month", 1, 12, "-*/", _MONTHS),
    _Field("Day-of-Week", 1, 7, "-*?L#", _DAYS),
    _Field("Year", 1970, 2199, "-*/"),
)
_ITEM = re.compile(r"^(?P<start>\*|[0-9]+|[A-Za-z]{3})(?:-(?P<end>[0-9]+|[A-Za-z]{3}))?(?:/(?P<step>[0-9]+))?$")


class _Bad(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _value(field: _Field, text: str) -> int:
    if text.isdigit():
        number = int(text)
    elif field.names is not None and text.lower() in field.names:
        number = field.names[text.lower()]
    elif field.names is _MONTHS:
        raise _Bad(f"Invalid Month value: '{text}'")
    elif field.names is _DAYS:
        raise _Bad(f"Invalid Day-of-Week value: '{text}'")
    else:
        raise _Bad(f"Illegal characters for this position: '{text}'")
    if not field.low <= number <= field.high:
        raise _Bad(f"{field.label} values must be between {field.low} and {field.high}")
    return number


def _check_chars(field: _Field, text: str) -> None:
    for char in text:
        if char.isalnum() or char == ",":
            continue
        if char not in field.specials:
            if char == "?":
                raise _Bad("'?' can only be specified for Day-of-Month or Day-of-Week.")
            raise _Bad(f"Illegal characters for this position: '{text}'")


def _plain_item(field: _Field, item: str) -> tuple[str, list[int]]:
    """A `*`, `n`, `a-b`, with optional `/step`: (croniter text, values it covers)."""
    match = _ITEM.match(item)
    if not match:
        raise _Bad(f"Illegal characters for this position: '{item}'")
    start, end, step = match["start"], match["end"], match["step"]
    if start == "*" and end is not None:
        raise _Bad(f"Illegal characters for this position: '{item}'")
    if "/" in item and "/" not in field.specials:
        raise _Bad(f"Illegal characters for this position: '{item}'")
    low = field.low if start == "*" else _value(field, start)
    high = field.high if start == "*" else (_value(field, end) if end is not None else
                                             (field.high if step is not None else low))
    increment = 1
    if step is not None:
        increment = int(step)
        if increment < 1 or increment > field.high:
            raise _Bad(f"Increment values must be between 1 and {field.high}")
    if low > high:
        raise _Bad(f"{field.label} range '{item}' must not run backwards")
    values = list(range(low, high + 1, increment))
    return item, values


def _day_of_month(field: _Field, text: str) -> tuple[str, Callable[[datetime.datetime], bool] | None]:
    if text == "LW":
        return "*", _is_last_weekday
    parts = []
    items = text.split(",")
    if len(items) > 1 and any(item.endswith("W") for item in items):
        raise _Bad("Support for specifying 'W' with other days of the month is not implemented.")
    for item in items:
        if item == "L":
            parts.append("L")
        elif item.endswith("W"):
            if not item[:-1].isdigit():
                raise _Bad("'W' option is not valid here.")
            _value(field, item[:-1])
            parts.append(item)
        elif "L" in item or "W" in item:
            raise _Bad("'L' option is not valid here." if "L" in item else "'W' option is not valid here.")
        else:
            parts.append(_plain_item(field, item)[0])
    return ",".join(parts), None


def _day_of_week(field: _Field, text: str) -> str:
    """AWS counts SUN=1..SAT=7; croniter SUN=0..SAT=6."""
    def shifted(value_text: str) -> str:
        return str(_value(field, value_text) - 1)

    parts = []
    nth_day = None  # UG-CRON: `sat#2,4` is the second and fourth Saturday
    for item in text.split(","):
        if nth_day is not None and item.isdigit():
            if not 1 <= int(item) <= 5:
                raise _Bad("A numeric value between 1 and 5 must follow the '#' option")
            parts.append(f"{nth_day}#{item}")
            continue
        nth_day = None
        if item == "*":
            parts.append("*")
        elif item == "L":
            parts.append("6")  # `L` alone: the last day of the week (INFERRED: SAT, as Quartz/EventBridge)
        elif item.endswith("L"):
            parts.append("L" + shifted(item[:-1]))  # 6L: the last Friday of the month
        elif "#" in item:
            day, _, nth = item.partition("#")
            if not (nth.isdigit() and 1 <= int(nth) <= 5):
                raise _Bad("A numeric value between 1 and 5 must follow the '#' option")
            nth_day = shifted(day)
            parts.append(f"{nth_day}#{nth}")
        elif "L" in item:
            raise _Bad("'L' option is not valid here.")
        else:
            match = _ITEM.match(item)
            if not match or match["start"] == "*" or match["step"] is not None:
                raise _Bad(f"Illegal characters for this position: '{item}'")
            start = shifted(match["start"])
            parts.append(start if match["end"] is None else f"{start}-{shifted(match['end'])}")
            if match["end"] is not None and int(parts[-1].split("-")[1]) < int(start):
                raise _Bad(f"{field.label} range '{item}' must not run backwards")
    return ",".join(parts)


def _is_last_weekday(moment: datetime.datetime) -> bool:
    day = moment.replace(day=28) + datetime.timedelta(days=4)
    last = day - datetime.timedelta(days=day.day)  # the month's last day
    while last.weekday() >= 5:
        last -= datetime.timedelta(days=1)
    return moment.day == last.day


# -- expressions ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CronExpression:
    crontab: str  # croniter's five fields
    years: frozenset[int] | None  # None: every year
    day_filter: Callable[[datetime.datetime], bool] | None = None

    def next_after(self, moment: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime | None:
        """The first due time strictly after `moment` (UTC), or None when there is none."""
        from croniter import croniter  # imported on first use: it costs ~10 ms at mock start

        local = moment.astimezone(zone)
        for _ in range(100_000):
            if self.years is not None and local.year not in self.years:
                later = [y for y in self.years if y > local.year]
                if not later:
                    return None
                local = datetime.datetime(min(later), 1, 1, tzinfo=zone) - datetime.timedelta(microseconds=1)
            candidate = croniter(self.crontab, local).get_next(datetime.datetime)
            local = candidate
            if self.years is not None and candidate.year not in self.years:
                continue
            if self.day_filter is not None and not self.day_filter(candidate):
                continue
            if _second_occurrence(candidate):
                continue  # a wall time repeated when clocks go back runs once (INFERRED)
            return candidate.astimezone(UTC)
        return None


@dataclasses.dataclass(frozen=True)
class RateExpression:
    period: datetime.timedelta

    def next_after(self, moment: datetime.datetime, anchor: datetime.datetime) -> datetime.datetime:
        """Due times are `anchor + k * period` (k >= 1); the first one strictly after `moment`."""
        if moment < anchor:
            return anchor + self.period
        elapsed = (moment - anchor) // self.period
        return anchor + (elapsed + 1) * self.period


def _second_occurrence(local: datetime.datetime) -> bool:
    first = local.replace(fold=0).utcoffset()
    second = local.replace(fold=1).utcoffset()
    return first != second and local.utcoffset() == second


_RATE = re.compile(r"^rate\((?P<body>.*)\)$", re.S)
_CRON = re.compile(r"^cron\((?P<body>.*)\)$", re.S)
_RATE_BODY = re.compile(r"^(?P<value>[0-9]+) (?P<unit>minutes?|hours?|days?)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


@memoize(maxsize=256)
def parse(expression: str) -> CronExpression | RateExpression:
    """The parsed expression, or the service's InvalidParameterValueException for
    'schedule.scheduleExpression'."""
    cron = _CRON.match(expression)
    if cron:
        return _parse_cron(cron["body"])
    rate = _RATE.match(expression)
    if rate:
        return _parse_rate(rate["body"])
    raise _schedule_error("The expression must be a cron expression, cron(<minute> <hour> <day-of-month> "
                          "<month> <day-of-week> <year>), or a rate expression, rate(<value> <unit>).")


def _parse_rate(body: str) -> RateExpression:
    match = _RATE_BODY.match(body)
    if not match:
        raise _schedule_error(f"Invalid RATE expression: '{body}'. Use rate(<value> <unit>) with a positive "
                              "integer value and a unit of minute(s), hour(s) or day(s).")
    value, unit = int(match["value"]), match["unit"]
    if value < 1:
        raise _schedule_error("Invalid RATE expression: the value must be a positive integer.")
    plural = unit.endswith("s")
    if plural == (value == 1):
        want = unit.rstrip("s") if value == 1 else unit + "s"
        raise _schedule_error(f"Invalid RATE expression: '{body}'. If the value is 1 the unit must be singular, "
                              f"otherwise plural (use '{value} {want}').")
    return RateExpression(datetime.timedelta(seconds=value * _UNITS[unit.rstrip("s")]))


def _parse_cron(body: str) -> CronExpression:
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", body)]
    if len(tokens) < len(_FIELDS):
        raise _cron_error(len(body), "Unexpected end of expression.")
    if len(tokens) > len(_FIELDS):
        raise _cron_error(tokens[len(_FIELDS)][0], "Unexpected character(s) after the year field.")
    translated: list[str] = []
    day_filter = None
    years = None
    for (position, text), field in zip(tokens, _FIELDS):
        try:
            _check_chars(field, text)
            if text == "?":
                translated.append("*")
            elif "?" in text:
                raise _Bad(f"Illegal characters for this position: '{text}'")
            elif field.label == "Day of month":
                crontab, day_filter = _day_of_month(field, text)
                translated.append(crontab)
            elif field.label == "Day-of-Week":
                translated.append(_day_of_week(field, text))
            elif field.label == "Year":
                years = None if text == "*" else frozenset(
                    v for item in text.split(",") for v in _plain_item(field, item)[1])
            else:
                translated.append(",".join(_plain_item(field, item)[0] for item in text.split(",")))
        except _Bad as bad:
            raise _cron_error(position, bad.detail) from None
    day, weekday = tokens[2], tokens[4]
    if day[1] == "?" and weekday[1] == "?":
        raise _cron_error(weekday[0], "'?' can only be specified for Day-of-Month -OR- Day-of-Week.")
    if day[1] != "?" and weekday[1] != "?":
        raise _cron_error(weekday[0], "Support for specifying both a day-of-week AND a day-of-month parameter "
                                      "is not implemented.")
    crontab = " ".join(translated)
    from croniter import croniter

    if not croniter.is_valid(crontab):  # a combination we translated but croniter refuses: our gap
        raise _cron_error(0, f"Unsupported expression '{body}'.")
    return CronExpression(crontab, years, day_filter)


@memoize(maxsize=None)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str | None) -> datetime.tzinfo:
    if not name:
        return UTC
    return zoneinfo.ZoneInfo(name)


def validate(schedule: Resource | None) -> None:
    """Check a request's `schedule` (expression and time zone); the service's error otherwise."""
    if not schedule:
        return
    expression = schedule.get("scheduleExpression")
    if expression is None:
        # INFERRED: a schedule without an expression has nothing to run on.
        raise invalid_value(EXPRESSION_PARAM, "A schedule requires a scheduleExpression.")
    parse(expression)
    name = schedule.get("timezone")
    if name is not None and name not in _zones():
        raise invalid_value(TIMEZONE_PARAM, f"'{name}' is not a valid IANA time zone, for example Etc/UTC or "
                                            "America/Los_Angeles.")


def next_due(schedule: Resource, after: datetime.datetime, anchor: datetime.datetime) -> datetime.datetime | None:
    """The first due time of `schedule` strictly after `after`; rates count from `anchor`."""
    parsed = parse(schedule["scheduleExpression"])
    if isinstance(parsed, RateExpression):
        return parsed.next_after(after, anchor)
    return parsed.next_after(after, zone(schedule.get("timezone")))
