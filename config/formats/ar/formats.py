"""Arabic dates on every page: 7 نيسان 2019، 09:00, day first, with the month names written in
Syria (the core catalog translates Django's month names so). Digits stay Latin, as the sources
write them, and with Latin digits the separators are CLDR's for Arabic: 1,234.5."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 6  # Saturday, as calendars in Syria start the week
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
