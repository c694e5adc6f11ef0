"""ACLED CSV exports (current and older column names).

Mapping (see also incidents.choices.ACLED_SUB_EVENT_TYPES):
- event_id_cnty (older files: data_id) -> external_id, source_dataset "acled"
- event_date (31 December 2020 | 2020-12-31 | 9-May-20) and time_precision:
  1 -> day; 2 -> week: the window date-3 .. date+3 days; 3 -> month: the calendar month
- latitude/longitude; geo_precision 1 -> exact, 2 -> near, 3 -> district (governorate if no admin2)
- sub_event_type -> category (files without it: event_type through OLD_EVENT_TYPES)
- actor1 -> perpetrator (through party names and aliases); actor2 is kept in the description
- fatalities -> killed_unknown; location/admin1/admin2 -> place_name/admin1/admin2
- notes -> description, followed by ACLED's own labels; source (a ;-list) -> one Source each
"""
import calendar
import datetime as dt

from incidents.choices import ACLED_SUB_EVENT_TYPES, DatePrecision, IncidentCategory, LocationPrecision

from .base import (
    BadValue,
    Columns,
    ImportFileError,
    Record,
    check_length,
    day_end,
    day_start,
    import_timezone,
    parse_point,
    parse_count,
    parse_date,
    split_list,
)

# Event types of ACLED files from before sub_event_type existed (before 2019).
OLD_EVENT_TYPES = {
    "Battle-No change of territory": IncidentCategory.ARMED_CLASH,
    "Battle-Government regains territory": IncidentCategory.TERRITORY_CHANGE,
    "Battle-Non-state actor overtakes territory": IncidentCategory.TERRITORY_CHANGE,
    "Non-violent transfer of territory": IncidentCategory.TERRITORY_CHANGE,
    "Headquarters or base established": IncidentCategory.ARMED_GROUP_PRESENCE,
    "Remote violence": IncidentCategory.SHELLING,
    "Violence against civilians": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Riots/Protests": IncidentCategory.OTHER,
    "Strategic development": IncidentCategory.OTHER,
}

# Case-insensitive; ACLED has spelled "protesters" both ways.
CATEGORY_BY_LABEL = {
    label.lower(): category for label, category in (*ACLED_SUB_EVENT_TYPES.items(), *OLD_EVENT_TYPES.items())
}
CATEGORY_BY_LABEL["excessive force against protestors"] = IncidentCategory.ATTACK_ON_CIVILIANS

USED_COLUMNS = (
    "event_id_cnty", "data_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "ally_actor_1", "actor2", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities",
)

GEO_PRECISION = {"1": LocationPrecision.EXACT, "2": LocationPrecision.NEAR, "3": LocationPrecision.DISTRICT}


def _first_present(header, *names):
    return next((name for name in names if name in header), None)


class AcledReader:
    format = "acled"
    dataset = "acled"
    provided_fields = (
        "occurred_at", "date_precision", "occurred_until", "place_name", "admin1", "admin2",
        "latitude", "longitude", "location_precision", "category", "perpetrator_id",
        "killed_unknown", "description",
    )
    skip_row = None

    def __init__(self, header):
        self.c = Columns(header, USED_COLUMNS)
        header = set(header)
        self.id_column = _first_present(header, "event_id_cnty", "data_id")
        self.category_column = _first_present(header, "sub_event_type", "event_type")
        self.assoc_column = _first_present(header, "assoc_actor_1", "ally_actor_1")
        missing = [
            label for label, present in (
                ("event_id_cnty (or data_id)", self.id_column),
                ("event_date", "event_date" in header),
                ("sub_event_type (or event_type)", self.category_column),
                ("latitude", "latitude" in header),
                ("longitude", "longitude" in header),
            ) if not present
        ]
        if missing:
            raise ImportFileError(
                "not an ACLED file: required column missing", column=", ".join(missing)
            )
        self.has_event_type = "event_type" in header
        self.id_position = self.c.__dict__[self.id_column]
        self.category_position = self.c.__dict__[self.category_column]
        self.assoc_position = self.c.__dict__[self.assoc_column] if self.assoc_column else self.c.absent
        self.tz = import_timezone()
        self._dates = {}
        self._windows = {}

    def _window(self, day, precision):
        key = (day, precision)
        window = self._windows.get(key)
        if window is None:
            tz = self.tz
            if precision == "1":
                window = (day_start(day, tz), DatePrecision.DAY, None)
            elif precision == "2":
                window = (
                    day_start(day - dt.timedelta(days=3), tz),
                    DatePrecision.WEEK,
                    day_end(day + dt.timedelta(days=3), tz),
                )
            else:
                last = calendar.monthrange(day.year, day.month)[1]
                window = (
                    day_start(day.replace(day=1), tz), DatePrecision.MONTH, day_end(day.replace(day=last), tz)
                )
            self._windows[key] = window
        return window

    def parse(self, row):
        c = self.c
        external_id = row[self.id_position].strip()
        if not external_id:
            raise BadValue(self.id_column, "missing id")
        check_length(external_id, self.id_column, 100)

        day = parse_date(row[c.event_date], "event_date", self._dates)
        time_precision = row[c.time_precision].strip() or "1"
        if time_precision not in ("1", "2", "3"):
            raise BadValue("time_precision", f"expected 1, 2 or 3, got {time_precision!r}")
        occurred_at, date_precision, occurred_until = self._window(day, time_precision)

        latitude, longitude = parse_point(row[c.latitude], row[c.longitude])
        geo_precision = row[c.geo_precision].strip() or "1"
        location_precision = GEO_PRECISION.get(geo_precision)
        if location_precision is None:
            raise BadValue("geo_precision", f"expected 1, 2 or 3, got {geo_precision!r}")
        admin2 = check_length(row[c.admin2].strip(), "admin2", 100)
        if location_precision == LocationPrecision.DISTRICT and not admin2:
            location_precision = LocationPrecision.GOVERNORATE

        label = row[self.category_position].strip()
        event_type = row[c.event_type].strip()
        if not label and self.has_event_type:
            label = event_type
        category = CATEGORY_BY_LABEL.get(label.lower())
        if category is None:
            raise BadValue(self.category_column, f"unknown category {label!r}")

        actor = row[c.actor1].strip()
        sources = [(check_length(name, "source", 300), "", None, "") for name in split_list(row[c.source])]

        # ACLED's own labels and the actors stay readable in the description.
        labels = f"{event_type} / {label}" if event_type and event_type != label else label
        trailer = f"[ACLED {labels}"
        if actor:
            trailer += f"; actor1: {actor}"
        assoc = row[self.assoc_position].strip()
        if assoc:
            trailer += f"; with {assoc}"
        actor2 = row[c.actor2].strip()
        if actor2:
            trailer += f"; actor2: {actor2}"
        notes = row[c.notes].strip()
        description = f"{notes}\n\n{trailer}]" if notes else f"{trailer}]"

        return Record(
            external_id=external_id,
            source_dataset=self.dataset,
            actor=actor,
            sources=sources,
            fields={
                "occurred_at": occurred_at,
                "date_precision": date_precision,
                "occurred_until": occurred_until,
                "place_name": check_length(row[c.location].strip(), "location", 200),
                "admin1": check_length(row[c.admin1].strip(), "admin1", 100),
                "admin2": admin2,
                "latitude": latitude,
                "longitude": longitude,
                "location_precision": location_precision,
                "category": category,
                "killed_unknown": parse_count(row[c.fatalities], "fatalities"),
                "description": description,
            },
        )
