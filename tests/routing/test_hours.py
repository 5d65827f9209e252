"""Business hours (docs/routing.md): the week, holidays, special dates, across DST and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.routing.hours import (
    WEEKDAYS,
    Schedule,
    ScheduleInvalid,
    is_open,
    next_closing,
    next_opening,
    parse_schedule,
    resolve,
    schedule_errors,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")
SANTIAGO = ZoneInfo("America/Santiago")
ZONES = [BERLIN, NEW_YORK, LORD_HOWE, KOLKATA, KIRITIMATI, PAGO_PAGO, SANTIAGO, ZoneInfo("UTC")]


def span(start: str, end: str) -> dict[str, str]:
    return {"start": start, "end": end}


def schedule(zone: str, **fields: Any) -> Schedule:
    return parse_schedule({"time_zone": zone, **fields})


def office(zone: str, **fields: Any) -> Schedule:
    """Monday to Friday, 09:00 to 17:00."""
    week = {day: [span("09:00", "17:00")] for day in WEEKDAYS[:5]}
    return schedule(zone, week=week, **fields)


def at(
    tz: ZoneInfo,
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    *more: int,
    fold: int = 0,
) -> datetime:
    second = more[0] if more else 0
    return datetime(year, month, day, hour, minute, second, tzinfo=tz, fold=fold)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def elapsed(start: datetime, end: datetime | None) -> timedelta:
    """Real time between two instants (the same zone on both sides would subtract wall times)."""
    assert end is not None
    return end.astimezone(UTC) - start.astimezone(UTC)


# -- the week -------------------------------------------------------------------------------------


def test_office_hours_open_close_and_weekend() -> None:
    hours = office("Europe/Berlin")
    assert is_open(hours, at(BERLIN, 2026, 12, 7, 9, 0))  # Monday, first minute
    assert is_open(hours, at(BERLIN, 2026, 12, 7, 16, 59, 59))
    assert not is_open(hours, at(BERLIN, 2026, 12, 7, 17, 0))  # the end is not open
    assert not is_open(hours, at(BERLIN, 2026, 12, 7, 8, 59, 59))
    assert not is_open(hours, at(BERLIN, 2026, 12, 12, 12, 0))  # Saturday
    friday_evening = at(BERLIN, 2026, 12, 11, 18, 0)
    assert next_opening(hours, friday_evening) == at(BERLIN, 2026, 12, 14, 9, 0)
    assert next_closing(hours, friday_evening) == friday_evening
    noon = at(BERLIN, 2026, 12, 8, 12, 0)
    assert next_opening(hours, noon) == noon
    assert next_closing(hours, noon) == at(BERLIN, 2026, 12, 8, 17, 0)


def test_answers_are_in_utc_whatever_the_question_zone() -> None:
    hours = office("Europe/Berlin")
    opening = next_opening(hours, at(KOLKATA, 2026, 12, 12, 0, 0))
    assert opening == at(BERLIN, 2026, 12, 14, 9, 0)
    assert opening is not None and opening.tzinfo is UTC and opening.hour == 8
    closing = next_closing(hours, at(BERLIN, 2026, 12, 14, 12, 0))
    assert closing is not None and closing.tzinfo is UTC and closing.hour == 16


def test_several_intervals_a_day_and_the_lunch_break() -> None:
    hours = schedule(
        "Europe/Berlin", week={"mon": [span("13:00", "17:00"), span("08:00", "12:00")]}
    )
    monday = date(2026, 12, 7)
    assert hours.intervals_on(monday)[0].start == time(8, 0)  # sorted on parsing
    assert not is_open(hours, at(BERLIN, 2026, 12, 7, 12, 30))
    assert next_opening(hours, at(BERLIN, 2026, 12, 7, 12, 30)) == at(BERLIN, 2026, 12, 7, 13, 0)
    assert next_closing(hours, at(BERLIN, 2026, 12, 7, 9, 0)) == at(BERLIN, 2026, 12, 7, 12, 0)


def test_touching_intervals_join_across_midnight() -> None:
    hours = schedule(
        "Europe/Berlin",
        week={"fri": [span("22:00", "24:00")], "sat": [span("00:00", "02:00")]},
    )
    friday_late = at(BERLIN, 2026, 12, 11, 23, 0)
    assert is_open(hours, at(BERLIN, 2026, 12, 12, 0, 0))
    assert next_closing(hours, friday_late) == at(BERLIN, 2026, 12, 12, 2, 0)
    # A holiday on the Saturday closes Saturday's part only.
    christmas = schedule(
        "Europe/Berlin",
        week={"thu": [span("22:00", "24:00")], "fri": [span("00:00", "02:00")]},
        holidays={"country": "DE"},
    )
    assert next_closing(christmas, at(BERLIN, 2026, 12, 24, 23, 0)) == at(BERLIN, 2026, 12, 25)


def test_touching_intervals_on_one_day_join() -> None:
    hours = schedule("UTC", week={"mon": [span("09:00", "12:00"), span("12:00", "17:00")]})
    assert next_closing(hours, utc(2026, 12, 7, 10, 0)) == utc(2026, 12, 7, 17, 0)


def test_always_open_never_closes_and_never_open_never_opens() -> None:
    always = schedule("UTC", week={day: [span("00:00", "24:00")] for day in WEEKDAYS})
    now = utc(2026, 12, 7, 17, 30)
    assert is_open(always, now)
    assert next_closing(always, now) is None
    assert next_opening(always, now) == now
    never = schedule("UTC")
    assert not is_open(never, now)
    assert next_opening(never, now) is None
    assert next_closing(never, now) == now


def test_the_horizon_is_a_year() -> None:
    soon, far = date(2027, 12, 1), date(2028, 1, 15)
    hours = schedule(
        "UTC", special_dates={soon.isoformat(): [span("10:00", "11:00")], far.isoformat(): []}
    )
    assert next_opening(hours, utc(2026, 12, 7)) == utc(2027, 12, 1, 10, 0)
    later = schedule("UTC", special_dates={far.isoformat(): [span("10:00", "11:00")]})
    assert next_opening(later, utc(2026, 12, 7)) is None
    assert next_opening(later, utc(2027, 6, 1)) == utc(2028, 1, 15, 10, 0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(office("UTC"), datetime(2026, 12, 7, 12, 0))
    with pytest.raises(ValueError, match="aware"):
        next_opening(office("UTC"), datetime(2026, 12, 7, 12, 0))


# -- daylight saving time -------------------------------------------------------------------------


def test_berlin_spring_forward_moves_a_boundary_in_the_gap_to_its_end() -> None:
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    sunday = {"sun": [span("02:30", "05:00")]}
    hours = schedule("Europe/Berlin", week=sunday)
    opening = next_opening(hours, at(BERLIN, 2026, 3, 28, 12, 0))
    assert opening == utc(2026, 3, 29, 1, 0)  # 03:00 CEST, the end of the gap
    assert next_closing(hours, opening) == utc(2026, 3, 29, 3, 0)  # 05:00 CEST: two real hours
    assert not is_open(hours, utc(2026, 3, 29, 0, 59, 59))


def test_berlin_an_interval_inside_the_gap_never_opens() -> None:
    hours = schedule("Europe/Berlin", week={"sun": [span("02:15", "02:45")]})
    opening = next_opening(hours, at(BERLIN, 2026, 3, 28, 12, 0))
    assert opening == at(BERLIN, 2026, 4, 5, 2, 15)  # the next Sunday
    overnight = schedule("Europe/Berlin", week={"sun": [span("01:00", "05:00")]})
    start = at(BERLIN, 2026, 3, 29, 1, 0)
    assert next_closing(overnight, start) == at(BERLIN, 2026, 3, 29, 5, 0)
    assert elapsed(start, next_closing(overnight, start)) == timedelta(hours=3)  # four on the clock


def test_berlin_fall_back_a_boundary_in_the_fold_takes_the_first_pass() -> None:
    # 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 02:00-03:00 happens twice.
    hours = schedule("Europe/Berlin", week={"sun": [span("00:00", "02:30")]})
    first_pass = at(BERLIN, 2026, 10, 25, 2, 15, fold=0)
    second_pass = at(BERLIN, 2026, 10, 25, 2, 15, fold=1)
    assert is_open(hours, first_pass)
    assert not is_open(hours, second_pass)
    assert next_closing(hours, first_pass) == utc(2026, 10, 25, 0, 30)  # 02:30 CEST


def test_berlin_an_interval_across_the_fold_is_open_through_both_passes() -> None:
    hours = schedule("Europe/Berlin", week={"sun": [span("01:00", "04:00")]})
    start = at(BERLIN, 2026, 10, 25, 1, 0)
    assert is_open(hours, at(BERLIN, 2026, 10, 25, 2, 30, fold=0))
    assert is_open(hours, at(BERLIN, 2026, 10, 25, 2, 30, fold=1))
    closing = next_closing(hours, start)
    assert closing == at(BERLIN, 2026, 10, 25, 4, 0)
    assert elapsed(start, closing) == timedelta(hours=4)  # three on the clock, four real


def test_new_york_office_opens_at_nine_local_on_both_sides_of_the_change() -> None:
    hours = office("America/New_York")
    # 2026-03-08 (Sunday): EST (-5) to EDT (-4); 2026-11-01 (Sunday): back to EST.
    assert next_opening(hours, utc(2026, 3, 7, 0, 0)) == utc(2026, 3, 9, 13, 0)
    assert next_opening(hours, utc(2026, 3, 6, 0, 0)) == utc(2026, 3, 6, 14, 0)
    assert next_opening(hours, utc(2026, 10, 31, 0, 0)) == utc(2026, 11, 2, 14, 0)
    assert next_closing(hours, utc(2026, 10, 30, 14, 0)) == utc(2026, 10, 30, 21, 0)


def test_lord_howe_half_hour_daylight_saving() -> None:
    # 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11); 2026-04-05 02:00 (+11) back to 01:30.
    spring = schedule("Australia/Lord_Howe", week={"sun": [span("02:00", "03:00")]})
    opening = next_opening(spring, at(LORD_HOWE, 2026, 10, 3, 12, 0))
    assert opening == at(LORD_HOWE, 2026, 10, 4, 2, 30)
    assert opening is not None
    assert elapsed(opening, next_closing(spring, opening)) == timedelta(minutes=30)
    autumn = schedule("Australia/Lord_Howe", week={"sun": [span("01:00", "03:00")]})
    start = at(LORD_HOWE, 2026, 4, 5, 1, 0)
    assert elapsed(start, next_closing(autumn, start)) == timedelta(hours=2, minutes=30)


def test_santiago_changes_at_midnight() -> None:
    # Saturday 2026-04-04 24:00 (-3) goes back to 23:00 (-4), so Saturday's last hour repeats;
    # Saturday 2026-09-05 24:00 (-4) jumps to Sunday 01:00 (-3), so Sunday has no 00:00.
    sunday = schedule("America/Santiago", week={"sun": [span("00:00", "02:00")]})
    assert not is_open(sunday, at(SANTIAGO, 2026, 4, 4, 23, 30, fold=1))
    assert next_opening(sunday, utc(2026, 4, 4, 12, 0)) == utc(2026, 4, 5, 4, 0)
    assert next_closing(sunday, utc(2026, 4, 5, 4, 0)) == utc(2026, 4, 5, 6, 0)
    assert next_opening(sunday, utc(2026, 9, 5, 12, 0)) == utc(2026, 9, 6, 4, 0)  # 01:00 (-3)
    assert next_closing(sunday, utc(2026, 9, 6, 4, 0)) == utc(2026, 9, 6, 5, 0)  # one real hour
    late_saturday = schedule("America/Santiago", week={"sat": [span("22:00", "24:00")]})
    start = at(SANTIAGO, 2026, 4, 4, 22, 0)
    assert is_open(late_saturday, at(SANTIAGO, 2026, 4, 4, 23, 30, fold=1))
    assert elapsed(start, next_closing(late_saturday, start)) == timedelta(hours=3)


def test_kolkata_has_no_daylight_saving() -> None:
    hours = office("Asia/Kolkata")
    for month in (1, 4, 7, 10):
        monday = next_opening(hours, utc(2026, month, 1))
        assert monday is not None and monday.astimezone(UTC).time() == time(3, 30)


def test_zones_far_from_utc_use_their_own_date() -> None:
    kiritimati = office("Pacific/Kiritimati")  # +14: Monday 09:00 is Sunday 19:00 UTC
    assert is_open(kiritimati, utc(2026, 12, 6, 19, 30))
    assert is_open(kiritimati, utc(2026, 12, 7, 19, 30))  # Tuesday 09:30 local
    assert not is_open(kiritimati, utc(2026, 12, 11, 19, 30))  # Saturday 09:30 local
    assert is_open(kiritimati, utc(2026, 12, 7, 2, 0))  # Monday 16:00 local
    assert next_opening(kiritimati, utc(2026, 12, 5, 12, 0)) == utc(2026, 12, 6, 19, 0)
    pago = office("Pacific/Pago_Pago")  # -11: Monday 09:00 is Monday 20:00 UTC
    assert next_opening(pago, utc(2026, 12, 7, 0, 0)) == utc(2026, 12, 7, 20, 0)
    assert is_open(pago, utc(2026, 12, 12, 3, 59))  # Friday 16:59 local
    assert not is_open(pago, utc(2026, 12, 12, 4, 0))  # Friday 17:00 local


# -- holidays, closed dates and special hours -----------------------------------------------------


def test_bavarian_holidays_close_the_day() -> None:
    bavaria = office("Europe/Berlin", holidays={"country": "DE", "subdivision": "BY"})
    germany = office("Europe/Berlin", holidays={"country": "DE"})
    epiphany = at(BERLIN, 2026, 1, 6, 12, 0)  # a Tuesday, a holiday in Bavaria only
    assert not is_open(bavaria, epiphany)
    assert is_open(germany, epiphany)
    assert next_opening(bavaria, epiphany) == at(BERLIN, 2026, 1, 7, 9, 0)
    assert not is_open(germany, at(BERLIN, 2026, 12, 25, 12, 0))


def test_us_observed_holidays_close_the_weekday() -> None:
    hours = office("America/New_York", holidays={"country": "US"})
    # 2026-07-04 is a Saturday; the holiday is observed on Friday the 3rd.
    assert not is_open(hours, at(NEW_YORK, 2026, 7, 3, 12, 0))
    assert next_opening(hours, at(NEW_YORK, 2026, 7, 2, 18, 0)) == at(NEW_YORK, 2026, 7, 6, 9, 0)
    assert is_open(hours, at(NEW_YORK, 2026, 7, 2, 12, 0))


def test_closed_and_special_dates_override_the_week_and_holidays() -> None:
    hours = office(
        "Europe/Berlin",
        holidays={"country": "DE", "subdivision": "BY"},
        closed_dates=["2026-12-07"],
        special_dates={
            "2026-12-08": [],
            "2026-12-09": [span("10:00", "12:00")],
            "2026-12-12": [span("10:00", "14:00")],
            "2026-12-25": [span("09:00", "11:00")],
        },
    )
    assert not is_open(hours, at(BERLIN, 2026, 12, 7, 12, 0))  # closed date
    assert not is_open(hours, at(BERLIN, 2026, 12, 8, 12, 0))  # special: empty list
    assert not is_open(hours, at(BERLIN, 2026, 12, 9, 9, 30))  # special: shorter
    assert is_open(hours, at(BERLIN, 2026, 12, 9, 11, 0))
    assert is_open(hours, at(BERLIN, 2026, 12, 12, 13, 0))  # special Saturday
    assert is_open(hours, at(BERLIN, 2026, 12, 25, 10, 0))  # special hours on a holiday
    assert next_opening(hours, at(BERLIN, 2026, 12, 6)) == at(BERLIN, 2026, 12, 9, 10, 0)


# -- plain data -----------------------------------------------------------------------------------


def test_a_full_schedule_parses() -> None:
    data = {
        "time_zone": "Australia/Lord_Howe",
        "week": {"mon": [span("00:00", "24:00")], "sun": []},
        "holidays": {"country": "AU", "subdivision": "NSW"},
        "closed_dates": ["2026-12-24"],
        "special_dates": {"2026-12-31": [span("09:00", "12:00")]},
    }
    assert schedule_errors(data) == {}
    hours = parse_schedule(data)
    assert hours.tz == LORD_HOWE
    assert hours.week[0][0].end is None
    assert hours.closed_dates == {date(2026, 12, 24)}
    assert hours.country == "AU" and hours.subdivision == "NSW"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], "hours"),
        ({}, "time_zone"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": "localtime"}, "time_zone"),
        ({"time_zone": 3}, "time_zone"),
        ({"time_zone": "UTC", "colour": "red"}, "colour"),
        ({"time_zone": "UTC", "week": []}, "week"),
        ({"time_zone": "UTC", "week": {"monday": []}}, "week.monday"),
        ({"time_zone": "UTC", "week": {"mon": {}}}, "week.mon"),
        ({"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}, "week.mon.0"),
        ({"time_zone": "UTC", "week": {"mon": [{"start": "09:00"}]}}, "week.mon.0"),
        ({"time_zone": "UTC", "week": {"mon": [span("9:00", "17:00")]}}, "week.mon.0.start"),
        ({"time_zone": "UTC", "week": {"mon": [span("24:00", "24:00")]}}, "week.mon.0.start"),
        ({"time_zone": "UTC", "week": {"mon": [span("09:00", "25:00")]}}, "week.mon.0.end"),
        ({"time_zone": "UTC", "week": {"mon": [span("09:00", "17:60")]}}, "week.mon.0.end"),
        (
            {"time_zone": "UTC", "week": {"mon": [span("09:00", "\u0661\u0667:00")]}},
            "week.mon.0.end",
        ),
        ({"time_zone": "UTC", "week": {"mon": [span("17:00", "09:00")]}}, "week.mon.0.end"),
        ({"time_zone": "UTC", "week": {"mon": [span("09:00", "09:00")]}}, "week.mon.0.end"),
        ({"time_zone": "UTC", "week": {"tue": [span("22:00", "02:00")]}}, "week.tue.0.end"),
        (
            {"time_zone": "UTC", "week": {"mon": [span("12:00", "18:00"), span("09:00", "13:00")]}},
            "week.mon.0",
        ),
        (
            {"time_zone": "UTC", "week": {"mon": [span("09:00", "24:00"), span("10:00", "11:00")]}},
            "week.mon.1",
        ),
        ({"time_zone": "UTC", "holidays": "DE"}, "holidays"),
        ({"time_zone": "UTC", "holidays": {"country": "XX"}}, "holidays.country"),
        ({"time_zone": "UTC", "holidays": {"country": "de"}}, "holidays.country"),
        ({"time_zone": "UTC", "holidays": {"subdivision": "BY"}}, "holidays.country"),
        (
            {"time_zone": "UTC", "holidays": {"country": "DE", "subdivision": "CA"}},
            "holidays.subdivision",
        ),
        ({"time_zone": "UTC", "holidays": {"country": "DE", "region": "BY"}}, "holidays"),
        ({"time_zone": "UTC", "closed_dates": "2026-12-24"}, "closed_dates"),
        ({"time_zone": "UTC", "closed_dates": ["2026-02-30"]}, "closed_dates.0"),
        ({"time_zone": "UTC", "closed_dates": ["2026-12-24", "24.12.2026"]}, "closed_dates.1"),
        ({"time_zone": "UTC", "special_dates": []}, "special_dates"),
        ({"time_zone": "UTC", "special_dates": {"christmas": []}}, "special_dates.christmas"),
        (
            {"time_zone": "UTC", "special_dates": {"2026-12-24": [span("13:00", "12:00")]}},
            "special_dates.2026-12-24.0.end",
        ),
        (
            {
                "time_zone": "UTC",
                "closed_dates": ["2026-12-24"],
                "special_dates": {"2026-12-24": []},
            },
            "special_dates.2026-12-24",
        ),
    ],
)
def test_bad_schedules_name_the_field(data: object, field: str) -> None:
    errors = schedule_errors(data)
    assert field in errors, errors
    with pytest.raises(ScheduleInvalid) as raised:
        parse_schedule(data)
    assert raised.value.errors == errors


def test_every_problem_is_reported_at_once() -> None:
    errors = schedule_errors(
        {
            "time_zone": "Nowhere",
            "week": {"mon": [span("10:00", "09:00")]},
            "holidays": {"country": "XX"},
            "closed_dates": ["tomorrow"],
        }
    )
    assert set(errors) == {"time_zone", "week.mon.0.end", "holidays.country", "closed_dates.0"}


# -- properties -----------------------------------------------------------------------------------

HALF_HOURS = [time(m // 60, m % 60) for m in range(0, 24 * 60, 30)]


@st.composite
def days(draw: st.DrawFn) -> list[dict[str, str]]:
    """Sorted, non-overlapping intervals on half hours, so DST boundaries (02:00, 02:30, 03:00)
    are hit often."""
    marks = sorted(draw(st.sets(st.integers(0, 48), max_size=6)))
    if len(marks) % 2:
        marks = marks[:-1]
    text = [f"{m // 2:02d}:{30 * (m % 2):02d}" for m in marks]
    return [span(text[i], text[i + 1]) for i in range(0, len(text), 2)]


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    week = {day: draw(days()) for day in WEEKDAYS if draw(st.booleans())}
    calendar = draw(
        st.sampled_from(
            [None, {"country": "DE", "subdivision": "BY"}, {"country": "US"}, {"country": "IN"}]
        )
    )
    special_day = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    data: dict[str, Any] = {
        "time_zone": zone.key,
        "week": week,
        "holidays": calendar,
        "special_dates": {special_day.isoformat(): draw(days())},
    }
    closed = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    if closed != special_day:
        data["closed_dates"] = [closed.isoformat()]
    return parse_schedule(data)


def _transitions(tz: ZoneInfo) -> list[datetime]:
    """The UTC instants in 2026 at which ``tz`` changes its offset (found hour by hour)."""
    found, moment = [], utc(2026, 1, 1)
    while moment.year == 2026:
        later = moment + timedelta(hours=1)
        if moment.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
            found.append(later.replace(minute=0))
        moment = later
    return found


TRANSITIONS = sorted({t for tz in ZONES for t in _transitions(tz)})

instants = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(TRANSITIONS),
        st.integers(-180, 180),
    ),
)


def _samples(start: datetime, end: datetime) -> list[datetime]:
    """Points in ``[start, end)``: the ends, a second before the end, and a grid between."""
    if end <= start:
        return []
    step = (end - start) / 64
    return [start, end - timedelta(seconds=1), *(start + step * i for i in range(64))]


@settings(max_examples=300, deadline=None)
@given(schedules(), instants)
def test_next_opening_is_open_and_nothing_before_it_is(hours: Schedule, t: datetime) -> None:
    opening = next_opening(hours, t)
    if opening is None:
        assert all(not is_open(hours, t + timedelta(days=d)) for d in range(0, 366, 7))
        return
    assert opening >= t
    assert is_open(hours, opening)
    assert (opening == t) == is_open(hours, t)
    assert not any(is_open(hours, x) for x in _samples(t, opening))


@settings(max_examples=300, deadline=None)
@given(schedules(), instants)
def test_next_closing_is_closed_and_nothing_before_it_is(hours: Schedule, t: datetime) -> None:
    closing = next_closing(hours, t)
    if closing is None:
        assert all(is_open(hours, t + timedelta(days=d)) for d in range(0, 366, 7))
        return
    assert closing >= t
    assert not is_open(hours, closing)
    assert (closing == t) == (not is_open(hours, t))
    assert all(is_open(hours, x) for x in _samples(t, closing))


@settings(max_examples=300, deadline=None)
@given(schedules(), instants)
def test_opening_and_closing_alternate(hours: Schedule, t: datetime) -> None:
    if is_open(hours, t):
        closing = next_closing(hours, t)
        if closing is not None:
            reopening = next_opening(hours, closing)
            assert reopening is None or reopening > closing
    else:
        opening = next_opening(hours, t)
        if opening is not None:
            closing = next_closing(hours, opening)
            assert closing is None or closing > opening


@settings(max_examples=500, deadline=None)
@given(schedules(), instants)
def test_open_matches_the_wall_clock_away_from_folds(hours: Schedule, t: datetime) -> None:
    local = t.astimezone(hours.tz)
    naive = local.replace(tzinfo=None)
    first = naive.replace(tzinfo=hours.tz, fold=0).utcoffset()
    second = naive.replace(tzinfo=hours.tz, fold=1).utcoffset()
    if first != second:
        return  # in a repeated hour: the instant rule decides, tested by example above
    wall = local.time().replace(tzinfo=None)
    expected = any(
        i.start <= wall and (i.end is None or wall < i.end)
        for i in hours.intervals_on(local.date())
    )
    assert is_open(hours, t) == expected


@given(st.sampled_from(ZONES), st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_resolve_is_monotone_and_exact_where_the_time_exists(tz: ZoneInfo, day: date) -> None:
    moments = [resolve(tz, day, wall) for wall in HALF_HOURS]
    assert moments == sorted(moments)
    for wall, moment in zip(HALF_HOURS, moments, strict=True):
        local = moment.astimezone(tz)
        assert (local.date(), local.time()) >= (day, wall)
