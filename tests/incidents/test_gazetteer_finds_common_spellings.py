import pytest

from incidents import gazetteer


@pytest.mark.parametrize(
    "typed, found",
    [
        ("Saraqeb", "Saraqib"),
        ("saraqib", "Saraqib"),
        ("Khan Sheikhoun", "Khan Shaykhun"),
        ("Khan Shaykhun", "Khan Shaykhun"),
        ("Maarat al-Numan", "Ma`arrat an Nu`man"),
        ("Ma'arrat al-Nu'man", "Ma`arrat an Nu`man"),
        ("Maarrat al Nouman", "Ma`arrat an Nu`man"),
        ("Jisr al-Shughur", "Jisr ash Shughur"),
        ("Kafr Nabl", "Kafr Nubl"),
        ("Idleb", "Idlib"),
    ],
)
def test_syrian_places_are_found_under_their_common_spellings(typed, found):
    assert found in [place.name for place in gazetteer.search(typed)]


def test_a_place_comes_with_its_governorate_and_district():
    (saraqib,) = [p for p in gazetteer.search("Saraqeb") if p.name == "Saraqib"]
    assert (saraqib.admin1, saraqib.admin2) == ("Idlib", "Idlib")
    assert round(saraqib.latitude, 2) == 35.86 and round(saraqib.longitude, 2) == 36.81
    (khan,) = gazetteer.search("Khan Sheikhoun")
    assert (khan.admin1, khan.admin2) == ("Idlib", "Maarat al-Numan")


def test_the_nearest_place_gives_a_points_governorate_and_district():
    assert gazetteer.nearest(35.65, 36.68).name == "Ma`arrat an Nu`man"
    assert gazetteer.nearest(35.0, 25.0) is None  # the Mediterranean: no place within 25 km
