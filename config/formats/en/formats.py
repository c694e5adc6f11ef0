"""One date style on every page (admin, dashboards, reports): 2 Apr 2019, 2 Apr 2019 09:00.

Django's en formats ("April 2, 2019, 9 a.m.", "midnight") differ from the dashboards' and the
reports'; this module replaces them (FORMAT_MODULE_PATH).
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as the weekly reports count
