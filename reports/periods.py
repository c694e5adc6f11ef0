"""Reporting periods as pure functions of a moment and a time zone (no ORM, no clock)."""

import datetime as dt

from .choices import ReportFrequency


def period_containing(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the daily/weekly/monthly period that contains `day`."""
    if frequency == ReportFrequency.DAILY:
        return day, day
    if frequency == ReportFrequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if frequency == ReportFrequency.MONTHLY:
        start = day.replace(day=1)
        next_month = (start + dt.timedelta(days=32)).replace(day=1)
        return start, next_month - dt.timedelta(days=1)
    raise ValueError(f"Unknown frequency {frequency!r}.")


def last_complete_period(frequency: str, now: dt.datetime, tz: dt.tzinfo) -> tuple[dt.date, dt.date]:
    """The latest period that has fully ended at `now`, in dates of time zone `tz`.

    Daily: yesterday; weekly: the previous Monday to Sunday; monthly: the previous month.
    """
    today = now.astimezone(tz).date()
    current_start, _ = period_containing(frequency, today)
    return period_containing(frequency, current_start - dt.timedelta(days=1))


def period_bounds(start: dt.date, end: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """[start of `start`, start of the day after `end`) as aware datetimes in `tz`."""
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length just before [start, end] (dates, inclusive)."""
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def next_due_at(frequency: str, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """When the period containing `now` ends: the moment its report becomes due."""
    _, end = period_containing(frequency, now.astimezone(tz).date())
    return period_bounds(end, end, tz)[1]
