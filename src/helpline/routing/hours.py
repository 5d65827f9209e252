"""Business hours: a pure core that says whether a team is open and when that changes.

A :class:`Schedule` is a week of open intervals in local wall time, read in the team's IANA time
zone, plus public holidays (the ``holidays`` package, by country and optional subdivision), the
team's own closed dates and its special-hours dates. For one local date the open intervals are,
first match wins:

1. the date's special hours (they override holidays and the week; an empty list means closed);
2. none, if the date is one of the team's closed dates or a public holiday (observed days count);
3. the week's intervals for that weekday.

Intervals are ``[start, end)`` on one local date, at whole minutes; ``end`` may be ``24:00``. An
interval never crosses midnight: "Fri 22:00 to Sat 02:00" is written ``fri 22:00-24:00`` plus
``sat 00:00-02:00``, and the two join into one open period, so :func:`next_closing` on Friday
evening answers Saturday 02:00. This keeps each date's hours independent (a holiday on Saturday
closes Saturday's part only).

Wall times become instants by one rule: a boundary ``t`` on date ``d`` is *the earliest instant
whose local date and time is at or after (d, t)*. So a boundary in a spring-forward gap moves to
the end of the gap (Berlin ``02:30`` on the last Sunday of March opens at 03:00 CEST), a boundary
in a fall-back fold takes its first occurrence, and an interval spanning a fold is open through
both passes of the repeated hour. The rule is monotone, so intervals stay ordered and
:func:`is_open`, :func:`next_opening` and :func:`next_closing` agree by construction: all three
read the same list of open periods.

Nothing here reads a clock, a database or the network; callers pass an aware ``datetime``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, available_timezones

import holidays

HORIZON_DAYS = 366
"""How far ahead :func:`next_opening` and :func:`next_closing` look before answering None."""

MIDNIGHT = time(0, 0)
_BEYOND = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Interval:
    """``[start, end)`` in local wall time on one date; ``end=None`` means 24:00."""

    start: time
    end: time | None

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError("an interval ends after it starts (use 24:00 for midnight)")


Day = tuple[Interval, ...]
"""One date's open intervals, sorted and not overlapping (see :func:`parse_schedule`)."""


@dataclass(frozen=True)
class Schedule:
    """A team's hours. ``week[0]`` is Monday. Build it with :func:`parse_schedule` from plain
    data, which checks what the constructor trusts: sorted, non-overlapping intervals, a known
    holiday calendar, and no date both closed and special."""

    tz: ZoneInfo
    week: tuple[Day, Day, Day, Day, Day, Day, Day]
    country: str | None = None
    subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()
    special_dates: Mapping[date, Day] = field(default_factory=dict)

    def intervals_on(self, day: date) -> Day:
        """The open intervals of one local date, after special dates, closures and holidays."""
        if day in self.special_dates:
            return self.special_dates[day]
        if day in self.closed_dates or self.is_holiday(day):
            return ()
        return self.week[day.weekday()]

    def is_holiday(self, day: date) -> bool:
        if self.country is None:
            return False
        return day in _calendar(self.country, self.subdivision)


@functools.lru_cache(maxsize=64)
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    # The calendar fills in years as they are asked for; one shared instance per region keeps
    # that work from being repeated on every routing decision.
    return holidays.country_holidays(country, subdiv=subdivision)


def is_open(schedule: Schedule, at: datetime) -> bool:
    """Whether the team is open at the instant ``at`` (an aware datetime)."""
    today = _require_aware(at).astimezone(schedule.tz).date()
    # Only the dates around ``at`` can hold it: an interval ends by the next midnight, and the
    # next date counts in case a fold across midnight repeats the evening before it.
    return any(
        start <= at < end
        for day in (today - timedelta(days=1), today, today + timedelta(days=1))
        for start, end in _ranges(schedule, day)
    )


def next_opening(schedule: Schedule, at: datetime) -> datetime | None:
    """The earliest instant ``>= at`` at which the team is open: ``at`` itself when open now.
    None when it stays closed for :data:`HORIZON_DAYS`. The answer is in UTC (see
    :func:`next_closing`)."""
    for start, end in _periods(schedule, _require_aware(at)):
        if at < end:
            return max(start, at).astimezone(UTC)
    return None


def next_closing(schedule: Schedule, at: datetime) -> datetime | None:
    """The earliest instant ``>= at`` at which the team is closed: ``at`` itself when closed now.
    None when it stays open for :data:`HORIZON_DAYS`.

    The answer is in UTC: an aware datetime in a zone with a repeated hour compares unequal to
    every other zone's (PEP 495), and subtracting two in the same zone ignores the offset."""
    for start, end in _periods(schedule, _require_aware(at)):
        if start > at:
            return at.astimezone(UTC)
        if at < end:
            return None if end is _BEYOND else end
    return at.astimezone(UTC)


def _require_aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("business hours need an aware datetime")
    return at


def _periods(schedule: Schedule, at: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open periods as UTC ``[start, end)`` pairs, in order, touching ones joined, from the one
    that contains or follows ``at`` up to :data:`HORIZON_DAYS` ahead. Periods ending at or
    before ``at`` may come first; callers skip them. A period still open at the horizon ends
    at ``_BEYOND``."""
    first = at.astimezone(schedule.tz).date() - timedelta(days=1)
    horizon = resolve(schedule.tz, first + timedelta(days=HORIZON_DAYS + 2), MIDNIGHT)
    pending: tuple[datetime, datetime] | None = None
    for offset in range(HORIZON_DAYS + 2):
        for start, end in _ranges(schedule, first + timedelta(days=offset)):
            if pending is not None and pending[1] >= start:
                pending = (pending[0], max(pending[1], end))
                continue
            if pending is not None:
                yield pending
            pending = (start, end)
    if pending is not None:
        yield (pending[0], _BEYOND if pending[1] >= horizon else pending[1])


def _ranges(schedule: Schedule, day: date) -> Iterator[tuple[datetime, datetime]]:
    """One local date's intervals as UTC ``[start, end)`` pairs, in order, empty ones left out
    (an interval wholly inside a spring-forward gap is never open)."""
    for interval in schedule.intervals_on(day):
        start = resolve(schedule.tz, day, interval.start)
        if interval.end is None:
            end = resolve(schedule.tz, day + timedelta(days=1), MIDNIGHT)
        else:
            end = resolve(schedule.tz, day, interval.end)
        if start < end:
            yield start, end


def resolve(tz: ZoneInfo, day: date, wall: time) -> datetime:
    """The earliest instant (in UTC) whose local date and time in ``tz`` is at or after
    ``day wall``: the first occurrence in a fold, the end of the gap in a gap."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=1 reads the time with the offset after the jump, which lands before the
    # transition; fold=0 reads it with the offset before, which lands after. Bisect between.
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FIELDS = frozenset({"time_zone", "week", "holidays", "closed_dates", "special_dates"})


class ScheduleInvalid(ValueError):
    """Plain data that is not a schedule; ``errors`` maps dotted field paths to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
        self.errors = errors


def schedule_errors(data: object) -> dict[str, str]:
    """What is wrong with a schedule given as plain (JSON) data, by dotted field path such as
    ``week.mon.1.end``; empty when :func:`parse_schedule` would accept it. The shape::

        {"time_zone": "Europe/Berlin",
         "week": {"mon": [{"start": "09:00", "end": "17:00"}], ...},   # a missing day is closed
         "holidays": {"country": "DE", "subdivision": "BY"} | null,
         "closed_dates": ["2026-12-24"],
         "special_dates": {"2026-12-31": [{"start": "09:00", "end": "12:00"}]}}
    """
    try:
        parse_schedule(data)
    except ScheduleInvalid as exc:
        return exc.errors
    return {}


def parse_schedule(data: object) -> Schedule:
    """The :class:`Schedule` for plain data (see :func:`schedule_errors` for the shape).

    Raises :class:`ScheduleInvalid` naming every bad field."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ScheduleInvalid({"hours": "Give the hours as an object."})
    for key in sorted(set(data) - _FIELDS):
        errors[str(key)] = "Unknown field."
    tz = _parse_zone(data.get("time_zone"), errors)
    week = _parse_week(data.get("week", {}), errors)
    country, subdivision = _parse_holidays(data.get("holidays"), errors)
    closed = _parse_closed(data.get("closed_dates", []), errors)
    special = _parse_special(data.get("special_dates", {}), errors)
    for day in sorted(closed & set(special)):
        errors[f"special_dates.{day.isoformat()}"] = "This date is also a closed date."
    if errors or tz is None:
        raise ScheduleInvalid(errors)
    return Schedule(
        tz=tz,
        week=(week[0], week[1], week[2], week[3], week[4], week[5], week[6]),
        country=country,
        subdivision=subdivision,
        closed_dates=frozenset(closed),
        special_dates=special,
    )


def _parse_zone(raw: object, errors: dict[str, str]) -> ZoneInfo | None:
    if not isinstance(raw, str) or not raw:
        errors["time_zone"] = "Choose a time zone, such as Europe/Berlin."
        return None
    if raw in _zone_names():
        return ZoneInfo(raw)
    errors["time_zone"] = f"{raw!r} is not an IANA time zone, such as Europe/Berlin."
    return None


@functools.cache
def _zone_names() -> frozenset[str]:
    # Only names from the zone database: ZoneInfo alone would also open "localtime" or
    # "posixrules", which mean different things on different hosts.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "Factory"}


def _parse_week(raw: object, errors: dict[str, str]) -> list[Day]:
    week: list[Day] = [() for _ in WEEKDAYS]
    if not isinstance(raw, dict):
        errors["week"] = "Give the week as an object keyed by mon, tue, ... sun."
        return week
    for key in sorted(set(raw) - set(WEEKDAYS), key=str):
        errors[f"week.{key}"] = "Use mon, tue, wed, thu, fri, sat or sun."
    for index, name in enumerate(WEEKDAYS):
        if name in raw:
            week[index] = _parse_day(raw[name], f"week.{name}", errors)
    return week


def _parse_day(raw: object, path: str, errors: dict[str, str]) -> Day:
    if not isinstance(raw, list):
        errors[path] = "Give a list of intervals (an empty list means closed)."
        return ()
    intervals: list[tuple[int, Interval]] = []
    for index, item in enumerate(raw):
        interval = _parse_interval(item, f"{path}.{index}", errors)
        if interval is not None:
            intervals.append((index, interval))
    intervals.sort(key=lambda pair: (pair[1].start, pair[1].end or time.max))
    for (_, before), (index, after) in pairwise(intervals):
        if before.end is None or after.start < before.end:
            errors[f"{path}.{index}"] = "This interval overlaps another one on the same day."
    return tuple(interval for _, interval in intervals)


def _parse_interval(raw: object, path: str, errors: dict[str, str]) -> Interval | None:
    if not isinstance(raw, dict) or set(raw) != {"start", "end"}:
        errors[path] = 'Give an interval as {"start": "09:00", "end": "17:00"}.'
        return None
    start = _parse_time(raw["start"])
    until_midnight = raw["end"] == "24:00"
    end = None if until_midnight else _parse_time(raw["end"])
    if start is None:
        errors[f"{path}.start"] = "Give a time from 00:00 to 23:59, such as 09:00."
    if end is None and not until_midnight:
        errors[f"{path}.end"] = "Give a time from 00:01 to 24:00, such as 17:00."
    if start is None or (end is None and not until_midnight):
        return None
    if end is not None and end <= start:
        errors[f"{path}.end"] = "The end must be after the start (use 24:00 for midnight)."
        return None
    return Interval(start, end)


def _parse_time(raw: object) -> time | None:
    """``HH:MM`` on a 24-hour clock, ASCII digits only."""
    if not isinstance(raw, str) or len(raw) != 5 or raw[2] != ":":
        return None
    hours, minutes = raw[:2], raw[3:]
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()):
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return time(int(hours), int(minutes))


def _parse_holidays(raw: object, errors: dict[str, str]) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, dict) or not set(raw) <= {"country", "subdivision"}:
        errors["holidays"] = 'Give {"country": "DE", "subdivision": "BY"} or null.'
        return None, None
    country, subdivision = raw.get("country"), raw.get("subdivision")
    supported = holidays.list_supported_countries()
    if not isinstance(country, str) or country not in supported:
        errors["holidays.country"] = "Give a supported ISO 3166 country code, such as DE."
        return None, None
    if subdivision is None:
        return country, None
    if not isinstance(subdivision, str) or subdivision not in supported[country]:
        choices = ", ".join(supported[country]) or "none"
        errors["holidays.subdivision"] = f"Give a subdivision of {country}: {choices}."
        return None, None
    return country, subdivision


def _parse_date(raw: object) -> date | None:
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_closed(raw: object, errors: dict[str, str]) -> set[date]:
    if not isinstance(raw, list):
        errors["closed_dates"] = "Give a list of dates, such as 2026-12-24."
        return set()
    closed: set[date] = set()
    for index, item in enumerate(raw):
        day = _parse_date(item)
        if day is None:
            errors[f"closed_dates.{index}"] = "Give a date as YYYY-MM-DD."
        else:
            closed.add(day)
    return closed


def _parse_special(raw: object, errors: dict[str, str]) -> dict[date, Day]:
    if not isinstance(raw, dict):
        errors["special_dates"] = "Give an object keyed by date (YYYY-MM-DD)."
        return {}
    special: dict[date, Day] = {}
    for key, value in raw.items():
        day = _parse_date(key)
        if day is None:
            errors[f"special_dates.{key}"] = "Key special hours by a date as YYYY-MM-DD."
            continue
        special[day] = _parse_day(value, f"special_dates.{key}", errors)
    return special
