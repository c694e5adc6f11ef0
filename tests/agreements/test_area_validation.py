import pytest
from django.core.exceptions import ValidationError

from agreements.models import Area
from tests.factories import square


def area(geometry, buffer_km=0):
    return Area(name="Zone", slug="zone", geometry=geometry, buffer_km=buffer_km)


@pytest.mark.parametrize(
    "geometry, message",
    [
        ("not json", "Not valid JSON"),
        ({"type": "Circle", "coordinates": [1, 2]}, "not supported"),
        ({"type": "Point", "coordinates": [36.8]}, "Malformed Point"),
        ({"type": "Point", "coordinates": [200, 35]}, "out of range"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "Invalid geometry"),
        ([1, 2], "Expected a GeoJSON geometry"),
    ],
)
def test_bad_geometry_gets_a_clear_message(geometry, message):
    with pytest.raises(ValidationError) as error:
        area(geometry, buffer_km=1).clean()
    assert message in " ".join(error.value.message_dict["geometry"])


def test_a_line_needs_a_buffer():
    with pytest.raises(ValidationError) as error:
        area({"type": "LineString", "coordinates": [[36.6, 35.8], [36.8, 35.86]]}).clean()
    assert "buffer" in error.value.message_dict["buffer_km"][0]


@pytest.mark.django_db
def test_the_bounding_box_includes_the_buffer_in_kilometres():
    zone = area({"type": "Point", "coordinates": [36.8006, 35.8636]}, buffer_km=6)
    zone.full_clean()
    zone.save()
    assert zone.max_lat - zone.min_lat == pytest.approx(12 / 110.574, rel=0.01)
    assert zone.min_lon < 36.8006 - 0.06


def test_a_feature_is_unwrapped():
    zone = area({"type": "Feature", "properties": {}, "geometry": square(36.8, 35.86)})
    zone.clean()
    assert zone.geometry["type"] == "Polygon"
