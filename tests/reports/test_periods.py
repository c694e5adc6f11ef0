import datetime as dt
import zoneinfo

from reports.periods import last_complete_period, next_due_at, period_bounds, previous_period

UTC = dt.UTC
DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")
D = dt.date


def test_daily_is_yesterday():
    assert last_complete_period("daily", dt.datetime(2019, 4, 8, 10, tzinfo=UTC), UTC) == (
        D(2019, 4, 7),
        D(2019, 4, 7),
    )


def test_weekly_is_the_previous_monday_to_sunday():
    for now in (dt.datetime(2019, 4, 8, 0, 30, tzinfo=UTC), dt.datetime(2019, 4, 14, 23, tzinfo=UTC)):
        assert last_complete_period("weekly", now, UTC) == (D(2019, 4, 1), D(2019, 4, 7))


def test_monthly_is_the_previous_calendar_month_across_a_year():
    assert last_complete_period("monthly", dt.datetime(2019, 1, 15, tzinfo=UTC), UTC) == (
        D(2018, 12, 1),
        D(2018, 12, 31),
    )
    assert last_complete_period("monthly", dt.datetime(2020, 3, 1, tzinfo=UTC), UTC) == (
        D(2020, 2, 1),
        D(2020, 2, 29),
    )


def test_the_period_follows_the_agreement_time_zone():
    # 22:30 UTC on Sunday is already Monday in Damascus (UTC+3): the week is complete there.
    now = dt.datetime(2019, 4, 7, 22, 30, tzinfo=UTC)
    assert last_complete_period("weekly", now, DAMASCUS) == (D(2019, 4, 1), D(2019, 4, 7))
    assert last_complete_period("weekly", now, UTC) == (D(2019, 3, 25), D(2019, 3, 31))


def test_bounds_previous_period_and_due_moment():
    lo, hi = period_bounds(D(2019, 4, 1), D(2019, 4, 7), DAMASCUS)
    assert (hi - lo) == dt.timedelta(days=7) and lo.astimezone(UTC) == dt.datetime(
        2019, 3, 31, 21, tzinfo=UTC
    )
    assert previous_period(D(2019, 4, 1), D(2019, 4, 7)) == (D(2019, 3, 25), D(2019, 3, 31))
    assert next_due_at("weekly", dt.datetime(2019, 4, 3, tzinfo=UTC), UTC) == dt.datetime(
        2019, 4, 8, tzinfo=UTC
    )
