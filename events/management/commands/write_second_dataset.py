"""Write an ACLED-format CSV that re-reports part of a UCDP GED file, as a second dataset would.

For checking the grouping on real data: a share of the UCDP events is reported again, shifted a
few kilometres and hours (so some fall on the next or previous day), in ACLED's wording (its
sub-event types and actor names), with other casualty figures; some extra events are added
that UCDP does not have. Deterministic for a given --seed.

    python manage.py write_second_dataset ucdp.csv acled.csv [--share 0.4] [--extra 0.1]
"""

import csv
import datetime as dt
import math
import random
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

# UCDP's sides under ACLED's names (the demo registers both as aliases of the same parties).
ACLED_ACTORS = {
    "Government of Syria": "Military Forces of Syria (2000-)",
    "Government of Russia (Soviet Union)": "Military Forces of Russia (2000-)",
    "Government of Iran": "Military Forces of Iran (1979-)",
    "Government of Turkey": "Military Forces of Turkey (2016-)",
    "Syrian insurgents": "Opposition Rebels (Syria)",
    "IS": "Islamic State (Syria)",
    "HTS": "HTS: Hayat Tahrir al Sham",
}
# How ACLED words UCDP's types of violence: state-based and non-state fighting is a clash, a
# shelling or an air strike; one-sided violence an attack on civilians.
ACLED_TYPES = {
    "1": [
        ("Battles", "Armed clash"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Explosions/Remote violence", "Air/drone strike"),
    ],
    "2": [("Battles", "Armed clash")],
    "3": [("Violence against civilians", "Attack")],
}
GEO_PRECISION = {"1": "1", "2": "2", "3": "3"}  # UCDP where_prec -> ACLED geo_precision
COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
]
KM_PER_DEGREE = 111.32


def _shifted(rng, lat, lon, km):
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = km * math.cos(bearing) / KM_PER_DEGREE
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def second_dataset(rows: list[dict], share: float, extra: float, seed: int) -> list[dict]:
    """ACLED rows re-reporting about `share` of the precise UCDP `rows`, plus `extra` new events."""
    rng = random.Random(seed)
    out = []
    precise = [r for r in rows if r["where_prec"] in GEO_PRECISION and r["date_prec"] == "1"]
    for row in precise:
        if rng.random() >= share:
            continue
        # An unknown hour of the day, shifted by up to 6 hours either way: sometimes another day.
        hour = rng.uniform(0, 24) + rng.uniform(-6, 6)
        day = dt.date.fromisoformat(row["date_start"]) + dt.timedelta(days=math.floor(hour / 24))
        km = rng.choice([rng.uniform(0.5, 5), rng.uniform(0.5, 5), rng.uniform(5, 9), rng.uniform(11, 20)])
        lat, lon = _shifted(rng, float(row["latitude"]), float(row["longitude"]), km)
        event_type, sub_event_type = rng.choice(ACLED_TYPES[row["type_of_violence"]])
        best = int(row["best"] or 0)
        fatalities = max(0, round(best * rng.uniform(0.5, 1.6)) + rng.choice([-1, 0, 0, 1]))
        location = row["where_coordinates"].split(" village")[0].split(" town")[0]
        out.append(
            {
                "event_id_cnty": f"SYR{900000 + len(out)}",
                "event_date": day.isoformat(),
                "year": str(day.year),
                "time_precision": "1",
                "disorder_type": "Political violence",
                "event_type": event_type,
                "sub_event_type": sub_event_type,
                "actor1": ACLED_ACTORS.get(row["side_a"].strip(), row["side_a"].strip()),
                "actor2": row["side_b"].strip(),
                "country": "Syria",
                "admin1": row["adm_1"].replace(" Governorate", "").replace(" governorate", ""),
                "admin2": row["adm_2"].replace(" district", "").replace(" District", ""),
                "location": location,
                "latitude": str(lat),
                "longitude": str(lon),
                "geo_precision": GEO_PRECISION[row["where_prec"]],
                "source": rng.choice(["SOHR", "Step Agency; SOHR", "Smart News Agency", "Enab Baladi"]),
                "notes": f"On {day:%-d %B %Y}, {sub_event_type.lower()} near {location} ({row['id']}); "
                f"{fatalities} reported killed.",
                "fatalities": str(fatalities),
                "_ucdp_id": row["id"],
                "_shift_km": round(km, 1),
            }
        )
    for _ in range(round(len(out) * extra)):
        base = rng.choice(precise)
        day = dt.date.fromisoformat(base["date_start"]) + dt.timedelta(days=rng.randint(3, 30))
        lat, lon = _shifted(rng, float(base["latitude"]), float(base["longitude"]), rng.uniform(20, 60))
        out.append(
            {
                **out[rng.randrange(len(out))],
                "event_id_cnty": f"SYR{900000 + len(out)}",
                "event_date": day.isoformat(),
                "year": str(day.year),
                "latitude": str(lat),
                "longitude": str(lon),
                "notes": f"On {day:%-d %B %Y}, an event no UCDP record has.",
                "_ucdp_id": "",
                "_shift_km": "",
            }
        )
    return out


class Command(BaseCommand):
    help = "Write an ACLED-format CSV re-reporting part of a UCDP GED file (to check the grouping)."

    def add_arguments(self, parser):
        parser.add_argument("ucdp", type=Path)
        parser.add_argument("output", type=Path)
        parser.add_argument("--share", type=float, default=0.4, help="Share of precise events re-reported.")
        parser.add_argument("--extra", type=float, default=0.1, help="Extra events, as a share of those.")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--limit", type=int, help="Read only the first N UCDP rows.")

    def handle(self, *args, ucdp, output, share, extra, seed, limit, **options):
        if not ucdp.exists():
            raise CommandError(f"No file {ucdp}.")
        with ucdp.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))[:limit]
        out = second_dataset(rows, share, extra, seed)
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, "ucdp_id", "shift_km"], lineterminator="\n")
            writer.writeheader()
            for row in out:
                writer.writerow(
                    {**{c: row[c] for c in COLUMNS}, "ucdp_id": row["_ucdp_id"], "shift_km": row["_shift_km"]}
                )
        self.stdout.write(f"Wrote {len(out)} ACLED rows re-reporting {len(rows)} UCDP rows to {output}.")
