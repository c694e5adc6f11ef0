"""Arabic dates on every page: 2 أبريل 2019، 09:00 (Django's month names, Latin digits as the
sources write them)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 6  # Saturday, as calendars in Syria start the week
DECIMAL_SEPARATOR = "٫"
THOUSAND_SEPARATOR = "٬"
NUMBER_GROUPING = 3
