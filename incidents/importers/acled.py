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
    ImportFileError,
    Record,
    check_length,
    day_end,
    day_start,
    import_timezone,
    parse_coordinate,
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
        external_id = row[self.id_column].strip()
        if not external_id:
            raise BadValue(self.id_column, "missing id")
        check_length(external_id, self.id_column, 100)

        day = parse_date(row["event_date"], "event_date", self._dates)
        time_precision = row.get("time_precision", "").strip() or "1"
        if time_precision not in ("1", "2", "3"):
            raise BadValue("time_precision", f"expected 1, 2 or 3, got {time_precision!r}")
        occurred_at, date_precision, occurred_until = self._window(day, time_precision)

        latitude = parse_coordinate(row["latitude"], "latitude", 90)
        longitude = parse_coordinate(row["longitude"], "longitude", 180)
        if (latitude is None) != (longitude is None):
            raise BadValue("longitude" if longitude is None else "latitude", "give both latitude and longitude")
        geo_precision = row.get("geo_precision", "").strip() or "1"
        location_precision = GEO_PRECISION.get(geo_precision)
        if location_precision is None:
            raise BadValue("geo_precision", f"expected 1, 2 or 3, got {geo_precision!r}")
        admin2 = check_length(row.get("admin2", "").strip(), "admin2", 100)
        if location_precision == LocationPrecision.DISTRICT and not admin2:
            location_precision = LocationPrecision.GOVERNORATE

        label = row[self.category_column].strip()
        if not label and self.has_event_type:
            label = row["event_type"].strip()
        category = CATEGORY_BY_LABEL.get(label.lower())
        if category is None:
            raise BadValue(self.category_column, f"unknown category {label!r}")

        actor = row.get("actor1", "").strip()
        sources = []
        for name in split_list(row.get("source", "")):
            sources.append((check_length(name, "source", 300), "", None, ""))

        return Record(
            external_id=external_id,
            source_dataset=self.dataset,
            actor=actor,
            sources=sources,
            fields={
                "occurred_at": occurred_at,
                "date_precision": date_precision,
                "occurred_until": occurred_until,
                "place_name": check_length(row.get("location", "").strip(), "location", 200),
                "admin1": check_length(row.get("admin1", "").strip(), "admin1", 100),
                "admin2": admin2,
                "latitude": latitude,
                "longitude": longitude,
                "location_precision": location_precision,
                "category": category,
                "killed_unknown": parse_count(row.get("fatalities", ""), "fatalities"),
                "description": self._description(row, label, actor),
            },
        )

    def _description(self, row, label, actor):
        event_type = row.get("event_type", "").strip()
        labels = f"{event_type} / {label}" if event_type and event_type != label else label
        actors = [f"actor1: {actor}"] if actor else []
        if self.assoc_column and row.get(self.assoc_column, "").strip():
            actors.append(f"with {row[self.assoc_column].strip()}")
        if row.get("actor2", "").strip():
            actors.append(f"actor2: {row['actor2'].strip()}")
        trailer = f"[ACLED {labels}" + (f"; {'; '.join(actors)}" if actors else "") + "]"
        notes = row.get("notes", "").strip()
        return f"{notes}\n\n{trailer}" if notes else trailer
