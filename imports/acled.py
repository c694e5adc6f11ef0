"""ACLED CSV exports (current and older column names).

Mapping (see also ACLED_SUB_EVENT_TYPES below):
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

import numpy as np

from core.choices import IncidentCategory
from incidents.choices import DatePrecision, LocationPrecision

from .base import (
    BadValue,
    Columns,
    ImportFileError,
    Record,
    check_length,
    day_end,
    day_start,
    import_timezone,
    parse_count,
    parse_date,
    parse_point,
    split_list,
)
from .blocks import BlockRecords, concat, is_empty, longer_than, map_values, strip

PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # what the vectorised path reads; other forms go to parse()
PLAIN_COUNT = r"^[0-9]{1,9}$"
TIME_PRECISION = {"": 0, "1": 0, "2": 1, "3": 2}

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

    def __init__(self, header):
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
            raise ImportFileError("not an ACLED file: required column missing", column=", ".join(missing))
        self.has_event_type = "event_type" in header
        self.id_position = self.c.__dict__[self.id_column]
        self.category_position = self.c.__dict__[self.category_column]
        self.assoc_position = self.c.__dict__[self.assoc_column] if self.assoc_column else self.c.absent
        self.tz = import_timezone()
        self._dates = {}
        self._windows = {}
        self._window_texts = {}  # the vectorised path's caches
        self._ordinals = {}

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
                    day_start(day.replace(day=1), tz),
                    DatePrecision.MONTH,
                    day_end(day.replace(day=last), tz),
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

    # --- the vectorised path (see blocks.py) ---------------------------------------------------
    def parse_block(self, block):
        """Parse a Block a column at a time: returns (a BlockRecords for the rows every check
        passes, the positions of the others, for parse() to read or reject row by row)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        c, column = self.c, block.column

        external_id = strip(column(self.id_position))
        bad = is_empty(external_id) | longer_than(external_id, 100)

        days, day_index = map_values(column(c.event_date), self._ordinal)
        day = np.array(days, dtype=np.int64)[day_index]
        precisions, precision_index = map_values(
            strip(column(c.time_precision)), lambda v: TIME_PRECISION.get(v, -1)
        )
        precision = np.array(precisions, dtype=np.int64)[precision_index]
        bad |= (day < 0) | (precision < 0)

        latitude, longitude = strip(column(c.latitude)), strip(column(c.longitude))
        no_latitude, no_longitude = is_empty(latitude), is_empty(longitude)
        bad |= no_latitude != no_longitude
        coordinates = []
        for text, empty, limit in ((latitude, no_latitude, 90), (longitude, no_longitude, 180)):
            plain = pc.match_substring_regex(text, PLAIN_NUMBER).to_numpy(zero_copy_only=False)
            plain &= ~longer_than(text, 30)
            bad |= ~plain & ~empty
            numbers = pc.cast(pc.if_else(pa.array(plain), text, "0"), pa.float64()).to_numpy(
                zero_copy_only=False
            )
            bad |= np.abs(numbers) > limit
            coordinates.append(pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text))

        geo, geo_index = map_values(strip(column(c.geo_precision)), lambda v: GEO_PRECISION.get(v or "1"))
        location_precision = pa.array(geo, pa.string()).take(pa.array(geo_index))
        bad |= pc.is_null(location_precision).to_numpy(zero_copy_only=False)
        admin2 = strip(column(c.admin2))
        governorate = pc.and_(
            pc.equal(location_precision, LocationPrecision.DISTRICT), pa.array(is_empty(admin2))
        )
        location_precision = pc.if_else(governorate, LocationPrecision.GOVERNORATE.value, location_precision)
        place_name, admin1 = strip(column(c.location)), strip(column(c.admin1))
        bad |= longer_than(admin2, 100) | longer_than(place_name, 200) | longer_than(admin1, 100)

        label, event_type = strip(column(self.category_position)), strip(column(c.event_type))
        if self.has_event_type:
            label = pc.if_else(pa.array(is_empty(label)), event_type, label)
        categories, category_index = map_values(label, lambda v: CATEGORY_BY_LABEL.get(v.lower()))
        category = pa.array([str(value) if value else None for value in categories], pa.string()).take(
            pa.array(category_index)
        )
        bad |= pc.is_null(category).to_numpy(zero_copy_only=False)

        sources, source_index = map_values(column(c.source), self._source_names)
        bad |= np.array([names is None for names in sources], dtype=bool)[source_index]

        fatalities = strip(column(c.fatalities))
        no_fatalities = is_empty(fatalities)
        bad |= (
            ~pc.match_substring_regex(fatalities, PLAIN_COUNT).to_numpy(zero_copy_only=False) & ~no_fatalities
        )
        killed_unknown = pc.if_else(pa.array(no_fatalities), "0", fatalities)

        actor = strip(column(c.actor1))
        description = self._descriptions(
            label,
            event_type,
            actor,
            strip(column(self.assoc_position)),
            strip(column(c.actor2)),
            strip(column(c.notes)),
        )

        good = ~bad
        keep = pa.array(good)
        key = np.where(good, day * 3 + precision, 0)
        windows, window_index = np.unique(key[good], return_inverse=True)
        starts, precisions, ends = (
            zip(*map(self._window_text, windows.tolist())) if len(windows) else ((), (), ())
        )
        window_index = pa.array(window_index.reshape(-1))
        actors, actor_index = map_values(actor.filter(keep), lambda v: v)
        kept_sources = source_index[good]
        return BlockRecords(
            lines=block.lines[good],
            actors=actors,
            actor_index=actor_index,
            sources=sources,
            source_index=kept_sources,
            values={
                "source_dataset": self.dataset,
                "external_id": external_id.filter(keep),
                "occurred_at": pa.array(starts, pa.string()).take(window_index),
                "date_precision": pa.array(precisions, pa.string()).take(window_index),
                "occurred_until": pa.array(ends, pa.string()).take(window_index),
                "place_name": place_name.filter(keep),
                "admin1": admin1.filter(keep),
                "admin2": admin2.filter(keep),
                "latitude": coordinates[0].filter(keep),
                "longitude": coordinates[1].filter(keep),
                "location_precision": location_precision.filter(keep),
                "category": category.filter(keep),
                "killed_unknown": killed_unknown.filter(keep),
                "description": description.filter(keep),
            },
        ), np.flatnonzero(bad)

    def _window_text(self, key):
        """_window as COPY text, for key = day ordinal * 3 + (time precision - 1)."""
        text = self._window_texts.get(key)
        if text is None:
            start, precision, end = self._window(dt.date.fromordinal(key // 3), "123"[key % 3])
            text = self._window_texts[key] = (
                start.isoformat(),
                str(precision),
                end.isoformat() if end else None,
            )
        return text

    def _ordinal(self, text):
        ordinal = self._ordinals.get(text)
        if ordinal is None:
            try:
                ordinal = parse_date(text, "event_date", self._dates).toordinal()
            except BadValue:
                ordinal = -1
            if len(self._ordinals) < 100_000:
                self._ordinals[text] = ordinal
        return ordinal

    @staticmethod
    def _source_names(text):
        names = split_list(text)
        return None if any(len(name) > 300 for name in names) else [(name, "", None, "") for name in names]

    @staticmethod
    def _descriptions(label, event_type, actor, assoc, actor2, notes):
        """What parse() writes as the description, a column at a time."""
        import pyarrow as pa
        import pyarrow.compute as pc

        def unless_empty(prefix, value):
            return pc.if_else(pa.array(is_empty(value)), "", concat(prefix, value))

        both = pc.and_(pa.array(~is_empty(event_type)), pc.not_equal(event_type, label))
        labels = pc.if_else(both, concat(event_type, " / ", label), label)
        trailer = concat(
            "[ACLED ",
            labels,
            unless_empty("; actor1: ", actor),
            unless_empty("; with ", assoc),
            unless_empty("; actor2: ", actor2),
            "]",
        )
        return pc.if_else(pa.array(is_empty(notes)), trailer, concat(notes, "\n\n", trailer))
