"""The dates the tracker takes as plausible: shared by agreements, incidents and the importers.

An incident is no earlier than 1900 and not in the future beyond a small clock skew; a deadline
and other agreement dates lie between 1900 and 2200. The database holds nothing outside
1900-2200 (check constraints), so every page can show any stored date in any time zone.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
END_OF_RANGE = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
# How far in the future an incident's time may be: clocks and time zones of those who enter it.
CLOCK_SKEW = dt.timedelta(days=1)


def validate_incident_time(value: dt.datetime) -> None:
    """An incident happened no earlier than 1900 and not later than now (plus a day of skew)."""
    if value < EARLIEST:
        raise ValidationError(_("An incident cannot be earlier than 1 January 1900."), code="too_early")
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("An incident cannot be in the future."), code="in_future")


def validate_window_end(value: dt.datetime) -> None:
    """The end of an incident's time window: 1900 to 2199 (it may reach past today)."""
    if not EARLIEST <= value < END_OF_RANGE:
        raise ValidationError(_("Give a time between 1900 and 2199."), code="out_of_range")


def validate_plausible_day(value: dt.date) -> None:
    """A deadline's or an agreement's date: 1900 to 2199."""
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(_("Give a date between 1900 and 2199."), code="out_of_range")


def validate_plausible_time(value: dt.datetime) -> None:
    """A moment recorded about an agreement (a deadline met): 1900 to 2199."""
    validate_window_end(value)
