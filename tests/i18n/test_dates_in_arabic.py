"""Dates for a reader of Arabic: the month names written in Syria, the day first."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format


def test_dates_read_as_syrians_write_them():
    day = dt.date(2019, 4, 7)
    with translation.override("ar"):
        assert date_format(day) == "7 نيسان 2019"
        assert Template('{{ day|date:"j M Y" }}').render(Context({"day": day})) == "7 نيسان 2019"
        assert date_format(dt.datetime(2018, 12, 1, 9, 5), "DATETIME_FORMAT") == "1 كانون الأول 2018، 09:05"
    assert date_format(day) == "7 Apr 2019"
