"""ACLED CSV exports (current and older column names).

Mapping (see also ACLED_SUB_EVENT_TYPES below):
- event_id_cnty (older files: data_id) -> external_id, source_dataset "acled"
- event_date (31 December 2020 | 2020-12-31 | 9-May-20) and time_precision:
  1 -> day; 2 -> week: the window date-3 .. date+3 days; 3 -> month: the calendar month
- latitude/longitude; geo_precision 1 -> exact, 2 -> near, 3 -> district (governorate if no admin2)
- sub_event_type -> category (files without it: event_type through OLD_EVENT_TYPES)
- actor1 -> actor_name as written, and perpetrator (through party names and aliases); an empty
  actor1 or one ACLED writes as "Unidentified ..." ("Unidentified Armed Group (Syria)",
  "Unidentified Military Forces") is unidentified; actor2 is kept in the description
- fatalities -> killed_unknown; location/admin1/admin2 -> place_name/admin1/admin2
- notes -> description, followed by ACLED's own labels; source (a ;-list) -> one Source each
"""

import calendar
import datetime as dt

import numpy as np
from django.utils.translation import gettext as _

from core.choices import IncidentCategory
from incidents.choices import DatePrecision, LocationPrecision

from .base import (
    INCIDENT_LIMITS,
    SOURCE_LIMITS,
    BadValue,
    Columns,
    ImportFileError,
    Record,
    check_both_given,
    check_length,
    check_window,
    day_end,
    day_start,
    import_timezone,
    parse_count,
    parse_date,
    parse_latitude,
    parse_longitude,
    parse_point,
    split_list,
)
from .blocks import Block, BlockRecords, is_empty, longer_than, map_distinct, map_together, strip

try:
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # the block path needs it; parse() does not
    pa = None

ID_MAX_LENGTH = INCIDENT_LIMITS["external_id"]
DESCRIPTION_MAX_LENGTH = INCIDENT_LIMITS["description"]

# ACLED sub_event_type -> our category. Sub-event types that are not violence (protests,
# agreements, arrests...) map to "other"; the importer keeps ACLED's own label in the notes.
ACLED_SUB_EVENT_TYPES = {
    "Air/drone strike": IncidentCategory.AIR_STRIKE,
    "Shelling/artillery/missile attack": IncidentCategory.SHELLING,
    "Armed clash": IncidentCategory.ARMED_CLASH,
    "Government regains territory": IncidentCategory.TERRITORY_CHANGE,
    "Non-state actor overtakes territory": IncidentCategory.TERRITORY_CHANGE,
    "Non-violent transfer of territory": IncidentCategory.TERRITORY_CHANGE,
    "Remote explosive/landmine/IED": IncidentCategory.EXPLOSIVE_DEVICE,
    "Suicide bomb": IncidentCategory.EXPLOSIVE_DEVICE,
    "Grenade": IncidentCategory.EXPLOSIVE_DEVICE,
    "Chemical weapon": IncidentCategory.CHEMICAL_WEAPON,
    "Attack": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Abduction/forced disappearance": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Sexual violence": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Headquarters or base established": IncidentCategory.ARMED_GROUP_PRESENCE,
    "Disrupted weapons use": IncidentCategory.HEAVY_WEAPONS_PRESENCE,
    "Looting/property destruction": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Agreement": IncidentCategory.OTHER,
    "Arrests": IncidentCategory.OTHER,
    "Change to group/activity": IncidentCategory.OTHER,
    "Other": IncidentCategory.OTHER,
    "Peaceful protest": IncidentCategory.OTHER,
    "Protest with intervention": IncidentCategory.OTHER,
    "Excessive force against protesters": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Violent demonstration": IncidentCategory.OTHER,
    "Mob violence": IncidentCategory.OTHER,
}

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
    "event_id_cnty",
    "data_id",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "ally_actor_1",
    "actor2",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)

GEO_PRECISION = {"1": LocationPrecision.EXACT, "2": LocationPrecision.NEAR, "3": LocationPrecision.DISTRICT}


def _place_rule(column, max_length):
    def place(text):
        return check_length(text.strip(), column, max_length)

    return place


# The place columns, by the field each fills, with the longest text the field takes.
PLACES = {
    "place_name": _place_rule("location", INCIDENT_LIMITS["place_name"]),
    "admin1": _place_rule("admin1", INCIDENT_LIMITS["admin1"]),
    "admin2": _place_rule("admin2", INCIDENT_LIMITS["admin2"]),
}


def _first_present(header, *names):
    return next((name for name in names if name in header), None)


class AcledReader:
    format = "acled"
    dataset = "acled"
    provided_fields = (
        "occurred_at",
        "date_precision",
        "occurred_until",
        "place_name",
        "admin1",
        "admin2",
        "latitude",
        "longitude",
        "location_precision",
        "category",
        "perpetrator_id",
        "killed_unknown",
        "description",
    )
    skip_row = None

    @staticmethod
    def unidentified_actor(actor: str) -> bool:
        """Whether ACLED says it does not know who did it: no actor1, or an "Unidentified ..." one."""
        return not actor or actor.lower().startswith("unidentified")

    def __init__(self, header: list[str]):
        """Check the header (the file's column names, lower case); raises ImportFileError."""
        self.c = Columns(header, USED_COLUMNS)
        header = set(header)
        self.id_column = _first_present(header, "event_id_cnty", "data_id")
        self.category_column = _first_present(header, "sub_event_type", "event_type")
        self.assoc_column = _first_present(header, "assoc_actor_1", "ally_actor_1")
        missing = [
            label
            for label, present in (
                ("event_id_cnty (or data_id)", self.id_column),
                ("event_date", "event_date" in header),
                ("sub_event_type (or event_type)", self.category_column),
                ("latitude", "latitude" in header),
                ("longitude", "longitude" in header),
            )
            if not present
        ]
        if missing:
            raise ImportFileError(_("not an ACLED file: required column missing"), column=", ".join(missing))
        self.has_event_type = "event_type" in header
        self.id_position = self.c.__dict__[self.id_column]
        self.category_position = self.c.__dict__[self.category_column]
        self.assoc_position = self.c.__dict__[self.assoc_column] if self.assoc_column else self.c.absent
        self.tz = import_timezone()
        self._dates = {}
        self._windows = {}
        # The block path's, from block to block: coordinates (which repeat from place to place
        # more than within a block) and windows as COPY text.
        self._days = {}
        self._latitudes = {}
        self._longitudes = {}
        self._window_texts = {}

    # --- the rules ------------------------------------------------------------------------------
    # Each turns the text of cells into values or raises BadValue naming the column. parse()
    # applies them to one row; parse_block() to each distinct value (or combination of values)
    # of a block's columns, so that both paths accept the same rows and compute the same values.

    def _external_id(self, text):
        external_id = text.strip()
        if not external_id:
            raise BadValue(self.id_column, _("missing id"))
        return check_length(external_id, self.id_column, ID_MAX_LENGTH)

    def _day(self, text):
        return parse_date(text, "event_date", self._dates)

    @staticmethod
    def _time_precision(text):
        precision = text.strip() or "1"
        if precision not in ("1", "2", "3"):
            raise BadValue(
                "time_precision", _("expected 1, 2 or 3, got %(value)s") % {"value": repr(precision)}
            )
        return precision

    def _window(self, day, precision):
        """(occurred_at, date_precision, occurred_until) of a day with ACLED's time precision."""
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
                    day_start(day.replace(day=1), tz),
                    DatePrecision.MONTH,
                    day_end(day.replace(day=last), tz),
                )
            check_window(window[0], window[2], "event_date")
            self._windows[key] = window
        return window

    @staticmethod
    def _location_precision(precision_text, admin2_text):
        """geo_precision, given admin2: a district without a name is a governorate."""
        precision = precision_text.strip() or "1"
        location_precision = GEO_PRECISION.get(precision)
        if location_precision is None:
            raise BadValue(
                "geo_precision", _("expected 1, 2 or 3, got %(value)s") % {"value": repr(precision)}
            )
        if location_precision == LocationPrecision.DISTRICT and not admin2_text.strip():
            return LocationPrecision.GOVERNORATE
        return location_precision

    def _category(self, label_text, event_type_text):
        """(category, ACLED's label, its event type) from sub_event_type (or event_type)."""
        label = label_text.strip()
        event_type = event_type_text.strip()
        if not label and self.has_event_type:
            label = event_type
        category = CATEGORY_BY_LABEL.get(label.lower())
        if category is None:
            raise BadValue(self.category_column, _("unknown category %(value)s") % {"value": repr(label)})
        return category, label, event_type

    @staticmethod
    def _sources(text):
        return [
            (check_length(name, "source", SOURCE_LIMITS["name"]), "", None, "") for name in split_list(text)
        ]

    @staticmethod
    def _fatalities(text):
        return parse_count(text, "fatalities")

    @staticmethod
    def _trailer(classified, actor, assoc, actor2):
        """ACLED's own labels (from _category) and the actors, kept readable at the end of the
        description."""
        _category, label, event_type = classified
        labels = f"{event_type} / {label}" if event_type and event_type != label else label
        trailer = f"[ACLED {labels}"
        if actor:
            trailer += f"; actor1: {actor}"
        if assoc:
            trailer += f"; with {assoc}"
        if actor2:
            trailer += f"; actor2: {actor2}"
        return trailer + "]"

    @staticmethod
    def _description(notes, trailer):
        description = f"{notes}\n\n{trailer}" if notes else trailer
        check_length(description, "notes", DESCRIPTION_MAX_LENGTH)
        return description

    # --- the row path ---------------------------------------------------------------------------
    def parse(self, row: list[str]) -> Record:
        """One row's cells (as CsvStream gives them) -> a Record; raises BadValue on the first bad cell."""
        c = self.c
        external_id = self._external_id(row[self.id_position])
        day = self._day(row[c.event_date])
        occurred_at, date_precision, occurred_until = self._window(
            day, self._time_precision(row[c.time_precision])
        )
        latitude, longitude = parse_point(row[c.latitude], row[c.longitude])
        location_precision = self._location_precision(row[c.geo_precision], row[c.admin2])
        admin2 = PLACES["admin2"](row[c.admin2])
        classified = self._category(row[self.category_position], row[c.event_type])
        actor = row[c.actor1].strip()
        sources = self._sources(row[c.source])
        trailer = self._trailer(classified, actor, row[self.assoc_position].strip(), row[c.actor2].strip())
        return Record(
            external_id=external_id,
            source_dataset=self.dataset,
            actor=actor,
            sources=sources,
            fields={
                "occurred_at": occurred_at,
                "date_precision": date_precision,
                "occurred_until": occurred_until,
                "place_name": PLACES["place_name"](row[c.location]),
                "admin1": PLACES["admin1"](row[c.admin1]),
                "admin2": admin2,
                "latitude": latitude,
                "longitude": longitude,
                "location_precision": location_precision,
                "category": classified[0],
                "killed_unknown": self._fatalities(row[c.fatalities]),
                "description": self._description(row[c.notes].strip(), trailer),
            },
        )

    # --- the block path (see blocks.py) ---------------------------------------------------------
    def parse_block(self, block: Block) -> tuple[BlockRecords, np.ndarray]:
        """Parse a Block with the same rules, a column at a time: returns (a BlockRecords for the
        rows every rule accepts, the positions of the others, for parse() to reject row by row
        with the reason)."""
        c, column = self.c, block.column

        # Ids are unique: checked a column at a time rather than one by one (as _external_id
        # does: strip() strips what str.strip() strips, see blocks.WHITESPACE).
        external_id = strip(column(self.id_position))
        bad = is_empty(external_id) | longer_than(external_id, ID_MAX_LENGTH)
        place_positions = {"place_name": c.location, "admin1": c.admin1, "admin2": c.admin2}
        places = {name: map_distinct(rule, column(place_positions[name])) for name, rule in PLACES.items()}

        day = map_distinct(self._day, column(c.event_date), cache=self._days)
        time_precision = map_distinct(self._time_precision, column(c.time_precision))
        latitude = map_distinct(parse_latitude, column(c.latitude), cache=self._latitudes)
        longitude = map_distinct(parse_longitude, column(c.longitude), cache=self._longitudes)
        coordinates = [coordinate.column(type=pa.float64()) for coordinate in (latitude, longitude)]
        both_given = map_distinct(check_both_given, *(numbers.is_valid() for numbers in coordinates))
        location_precision = map_distinct(self._location_precision, column(c.geo_precision), column(c.admin2))
        category = map_distinct(self._category, column(self.category_position), column(c.event_type))
        sources = map_distinct(self._sources, column(c.source))
        fatalities = map_distinct(self._fatalities, column(c.fatalities))
        for rule in (day, time_precision, latitude, longitude, both_given, location_precision, category):
            bad |= rule.rejected()
        for rule in (*places.values(), sources, fatalities):
            bad |= rule.rejected()

        # The rules that combine the values of the rows every rule above accepts. A row they
        # reject (a date out of range, a description too long) joins the bad rows, and they run
        # again on the rest: rare, and parse() then says why, row by row.
        actor, assoc, actor2 = (
            map_distinct(str.strip, column(position))
            for position in (c.actor1, self.assoc_position, c.actor2)
        )
        notes = column(c.notes)
        while True:
            good = ~bad
            window, trailer, description, rejected = self._combined(
                good, day, time_precision, (category, actor, assoc, actor2), notes
            )
            if not rejected.any():
                break
            bad[np.flatnonzero(good)[rejected]] = True
        keep = pa.array(good)
        window_text = pa.array(map(self._window_text, window.results), _WINDOW_TEXT).take(
            pa.array(window.index)
        )
        return BlockRecords(
            lines=block.lines[good],
            actors=actor.results,
            actor_index=actor.index[good],
            sources=sources.results_or_none(),
            source_index=sources.index[good],
            values={
                "source_dataset": self.dataset,
                "external_id": external_id.filter(keep),
                "occurred_at": window_text.field("start"),
                "date_precision": window_text.field("precision"),
                "occurred_until": window_text.field("end"),
                **{name: place.column().filter(keep) for name, place in places.items()},
                "latitude": _as_text(coordinates[0].filter(keep)),
                "longitude": _as_text(coordinates[1].filter(keep)),
                "location_precision": location_precision.column(str).filter(keep),
                "category": category.column(lambda found: str(found[0])).filter(keep),
                "killed_unknown": fatalities.column(str).filter(keep),
                "description": pa.array(description, pa.string()),
            },
        ), np.flatnonzero(bad)

    def _combined(self, good, day, time_precision, labels, notes):
        """(window, trailer, descriptions, a bool per good row that one of them rejects) for the
        rows `good` selects."""
        window = map_together(self._window, (day, time_precision), good)
        trailer = map_together(self._trailer, labels, good)
        rejected = window.rejected() | trailer.rejected()
        trailers = trailer.results
        description = []
        for position, (text, index) in enumerate(
            zip(notes.filter(pa.array(good)).to_pylist(), trailer.index.tolist())
        ):
            try:
                description.append(self._description(text.strip(), trailers[index]))
            except BadValue:
                rejected[position] = True
        return window, trailer, description, rejected

    def _window_text(self, window):
        """A window as COPY text."""
        text = self._window_texts.get(window)
        if text is None:
            start, precision, end = window
            text = self._window_texts[window] = {
                "start": start.isoformat(),
                "precision": str(precision),
                "end": end.isoformat() if end else None,
            }
        return text


_WINDOW_TEXT = pa.struct({"start": pa.string(), "precision": pa.string(), "end": pa.string()}) if pa else None


def _as_text(numbers):
    """Numbers as COPY text: the shortest text that reads back as the same float."""
    return pc.cast(numbers, pa.string())
