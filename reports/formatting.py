"""Dates and numbers of a report, written for the reader's language (the active one).

A report's data keeps ISO dates and plain numbers; every format (HTML, email, PDF, charts)
writes them through these, so a report in Arabic says "7 نيسان 2019" where one in English says
"7 Apr 2019". Times stay in the report's time zone: the data is already in it.
"""

import datetime as dt

from django.utils import formats
from django.utils.translation import get_language_bidi

DAY = "j M Y"
MOMENT = "j M Y H:i"
SHORT_DAY = "j M"


def _parse(value, parser):
    return parser(value) if isinstance(value, str) else value


def day(value: str | dt.date | None, fmt: str = DAY) -> str:
    """A date (or the date of an ISO string), e.g. "7 Apr 2019"; "-" if there is none."""
    if not value:
        return "-"
    value = _parse(value[:10] if isinstance(value, str) else value, dt.date.fromisoformat)
    return formats.date_format(value, fmt)


def moment(value: str | dt.datetime | None) -> str:
    """A date and time as written, without converting its time zone, e.g. "7 Apr 2019 09:30"."""
    if not value:
        return "-"
    return formats.date_format(_parse(value, dt.datetime.fromisoformat), MOMENT)


def number(value: int | float | None) -> str:
    """A number with the language's separators."""
    if value is None:
        return "-"
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def signed(value: int | float) -> str:
    """A change: "+3", "-2" or "0". In a right-to-left language it is isolated left to right
    (U+2066 ... U+2069), or the sign would be drawn on the number's right: "3+"."""
    text = f"+{number(value)}" if value > 0 else ("-" + number(-value) if value < 0 else number(0))
    return f"\u2066{text}\u2069" if get_language_bidi() else text
