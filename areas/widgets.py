import json

from django import forms
from django.conf import settings


class GeoJSONMapWidget(forms.Textarea):
    """Edits a GeoJSON geometry on a Leaflet map with Leaflet.draw, without GeoDjango or GDAL.

    django-leaflet's own form widget imports GeoDjango, so this one uses only the Leaflet and
    Leaflet.draw assets that django-leaflet ships.
    """

    template_name = "widgets/geojson_map.html"

    class Media:
        css = {"all": ("leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css", "css/map.css")}
        js = (
            "leaflet/leaflet.js",
            "leaflet/draw/leaflet.draw.js",
            "js/crs.js",
            "js/geojson-widget.js",
        )

    def format_value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["tiles_url"] = settings.MAP_TILES_URL
        context["widget"]["tiles_attribution"] = settings.MAP_TILES_ATTRIBUTION
        context["widget"]["tiles_crs"] = settings.MAP_TILES_CRS
        return context
