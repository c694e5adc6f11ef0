"""UCDP GED CSV (codebook 19.1 and later: the same variables in every GED release).

Mapping:
- id -> external_id, source_dataset "ucdp"
- date_start/date_end, date_prec: 1 -> day, 2 -> days (2-6 days), 3 -> week, 4 -> month,
  5 -> year (more than a month, less than a year); occurred_until is the end of date_end
  whenever the window is longer than one day
- where_prec: 1 -> exact, 2 -> near (within ~25 km), 3 -> district (admin2), 4 -> governorate
  (admin1), 5 -> governorate (a part of the country, e.g. "Eastern Deir ez Zor"), 6 and 7 ->
  country (only the country, or international waters/airspace)
- type_of_violence: 1 state-based and 2 non-state -> armed_clash; 3 one-sided -> attack_on_civilians
- perpetrator: side_a for every type. In one-sided violence side_a is the perpetrator and
  side_b is "Civilians"; in two-sided fighting UCDP does not say who started it, and side_a is
  the government in state-based conflict, so side_a is the party the event is attributed to.
  side_a is kept as actor_name; it is unidentified when empty or one of UNCLEAR_SIDES (UCDP
  codes only events whose sides it knows, so in practice every side_a is named).
  side_b, the dyad and the death estimates are kept in the description.
- deaths_civilians -> killed_civilians, deaths_a + deaths_b -> killed_combatants,
  deaths_unknown -> killed_unknown (their sum is UCDP's `best`)
- where_coordinates -> place_name, adm_1 -> admin1, adm_2 -> admin2, latitude/longitude
- source_article ("office,date,headline";"office,date,headline") -> one Source each: name,
  published_on and the headline as notes
"""

import csv

from django.utils.translation import gettext as _

from core.choices import IncidentCategory
from incidents.choices import DatePrecision, LocationPrecision

from .base import (
    INCIDENT_LIMITS,
    SOURCE_LIMITS,
    BadValue,
    ImportFileError,
    Record,
    check_length,
    check_window,
    day_end,
    day_start,
    import_timezone,
    parse_count,
    parse_date,
    parse_point,
    split_list,
)

DATE_PRECISION = {
    "1": DatePrecision.DAY,
    "2": DatePrecision.DAYS,
    "3": DatePrecision.WEEK,
    "4": DatePrecision.MONTH,
    "5": DatePrecision.YEAR,
}
WHERE_PRECISION = {
    "1": LocationPrecision.EXACT,
    "2": LocationPrecision.NEAR,
    "3": LocationPrecision.DISTRICT,
    "4": LocationPrecision.GOVERNORATE,
    "5": LocationPrecision.GOVERNORATE,
    "6": LocationPrecision.COUNTRY,
    "7": LocationPrecision.COUNTRY,
}
TYPE_OF_VIOLENCE = {
    "1": (IncidentCategory.ARMED_CLASH, "state-based"),
    "2": (IncidentCategory.ARMED_CLASH, "non-state"),
    "3": (IncidentCategory.ATTACK_ON_CIVILIANS, "one-sided"),
}
# How a UCDP-style file writes a side nobody could identify.
UNCLEAR_SIDES = frozenset({"unknown", "unclear", "unidentified", "xxx"})
REQUIRED = ("id", "date_start", "date_end", "type_of_violence", "side_a", "latitude", "longitude")


class UcdpReader:
    format = "ucdp"
    dataset = "ucdp"
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
        "killed_civilians",
        "killed_combatants",
        "killed_unknown",
        "description",
    )
    id_column = "id"
    skip_row = None

    @staticmethod
    def unidentified_actor(actor: str) -> bool:
        """Whether the side is one UCDP marks as unclear (or missing)."""
        return not actor or actor.lower() in UNCLEAR_SIDES

    def __init__(self, header: list[str]):
        """Check the header (the file's column names, lower case); raises ImportFileError."""
        self.header = header
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ImportFileError(
                _("not a UCDP GED file: required column missing"), column=", ".join(missing)
            )
        self.tz = import_timezone()
        self._dates = {}

    def parse(self, cells: list[str]) -> Record:
        """One row's cells (as CsvStream gives them) -> a Record; raises BadValue on the first bad cell."""
        row = dict(zip(self.header, cells))  # by name: these files are small next to ACLED's
        external_id = row["id"].strip()
        if not external_id:
            raise BadValue("id", _("missing id"))
        check_length(external_id, "id", INCIDENT_LIMITS["external_id"])

        start = parse_date(row["date_start"], "date_start", self._dates)
        end = parse_date(row["date_end"], "date_end", self._dates) if row["date_end"].strip() else start
        if end < start:
            raise BadValue(
                "date_end", _("%(end)s is before date_start %(start)s") % {"end": end, "start": start}
            )
        date_prec = row.get("date_prec", "").strip() or "1"
        date_precision = DATE_PRECISION.get(date_prec)
        if date_precision is None:
            raise BadValue("date_prec", _("expected 1 to 5, got %(value)s") % {"value": repr(date_prec)})
        if date_precision == DatePrecision.DAY and end == start:
            occurred_until = None
        else:
            occurred_until = day_end(end, self.tz)
        check_window(day_start(start, self.tz), occurred_until, "date_start")

        latitude, longitude = parse_point(row["latitude"], row["longitude"])
        where_prec = row.get("where_prec", "").strip() or "1"
        location_precision = WHERE_PRECISION.get(where_prec)
        if location_precision is None:
            raise BadValue("where_prec", _("expected 1 to 7, got %(value)s") % {"value": repr(where_prec)})

        violence = row["type_of_violence"].strip()
        if violence not in TYPE_OF_VIOLENCE:
            raise BadValue(
                "type_of_violence",
                _("unknown category %(value)s (expected 1, 2 or 3)") % {"value": repr(violence)},
            )
        category, violence_label = TYPE_OF_VIOLENCE[violence]

        side_a = row["side_a"].strip()
        deaths_a = parse_count(row.get("deaths_a", ""), "deaths_a")
        deaths_b = parse_count(row.get("deaths_b", ""), "deaths_b")
        return Record(
            external_id=external_id,
            source_dataset=self.dataset,
            actor=side_a,
            sources=self._sources(row),
            fields={
                "occurred_at": day_start(start, self.tz),
                "date_precision": date_precision,
                "occurred_until": occurred_until,
                "place_name": check_length(
                    row.get("where_coordinates", "").strip(),
                    "where_coordinates",
                    INCIDENT_LIMITS["place_name"],
                ),
                "admin1": check_length(row.get("adm_1", "").strip(), "adm_1", INCIDENT_LIMITS["admin1"]),
                "admin2": check_length(row.get("adm_2", "").strip(), "adm_2", INCIDENT_LIMITS["admin2"]),
                "latitude": latitude,
                "longitude": longitude,
                "location_precision": location_precision,
                "category": category,
                "killed_civilians": parse_count(row.get("deaths_civilians", ""), "deaths_civilians"),
                "killed_combatants": deaths_a + deaths_b,
                "killed_unknown": parse_count(row.get("deaths_unknown", ""), "deaths_unknown"),
                "description": self._description(row, side_a, violence_label),
            },
        )

    def _description(self, row, side_a, violence_label):
        dyad = row.get("dyad_name", "").strip() or f"{side_a} - {row.get('side_b', '').strip()}"
        text = f"[UCDP GED {violence_label} violence: {dyad}; side_a: {side_a}"
        if row.get("side_b", "").strip():
            text += f"; side_b: {row['side_b'].strip()}"
        estimates = [
            f"{name} {row[name].strip()}" for name in ("best", "low", "high") if row.get(name, "").strip()
        ]
        if estimates:
            text += "; deaths " + ", ".join(estimates)
        return check_length(text + "]", "dyad_name", INCIDENT_LIMITS["description"])

    def _sources(self, row):
        sources = []
        article = row.get("source_article", "").strip()
        if article:
            for item in next(csv.reader([article], delimiter=";", quotechar='"'), []):
                office, _, rest = item.partition(",")
                published, _, headline = rest.partition(",")
                office = office.strip()
                if not office:
                    continue
                try:
                    published_on = parse_date(published, "source_article", self._dates)
                except BadValue:
                    published_on, headline = None, rest
                sources.append(
                    (
                        check_length(office, "source_article", SOURCE_LIMITS["name"]),
                        "",
                        published_on,
                        check_length(headline.strip(), "source_article", SOURCE_LIMITS["notes"]),
                    )
                )
        else:
            for office in split_list(row.get("source_office", "")):
                sources.append((check_length(office, "source_office", SOURCE_LIMITS["name"]), "", None, ""))
        return sources
