from django import forms
from django.urls import reverse


class MapPicker(forms.Widget):
    """A place search and a map of the agreement areas: clicking, dragging or choosing a place fills
    the incident's latitude, longitude, place, governorate and district fields (no tile server)."""

    template_name = "incidents/widgets/map_picker.html"

    @property
    def media(self):
        return forms.Media(
            css={
                "all": [
                    "core/vendor/leaflet-1.9.4/leaflet.css",
                    "core/areas_map.css",
                    "incidents/map_picker.css",
                ]
            },
            # Django's JavaScript catalog first: the scripts' texts in the reader's language.
            js=[
                reverse("javascript-catalog"),
                "core/vendor/leaflet-1.9.4/leaflet.js",
                "core/areas_map.js",
                "incidents/map_picker.js",
            ],
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["areas_url"] = reverse("admin:incidents_incident_areas")
        context["widget"]["places_url"] = reverse("admin:incidents_incident_places")
        return context

    def value_from_datadict(self, data, files, name):
        return None  # the picker only fills other fields
