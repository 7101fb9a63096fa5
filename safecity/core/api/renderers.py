from rest_framework.renderers import JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    """Selected with ``?format=geojson``; the view returns a FeatureCollection for it."""

    media_type = "application/geo+json"
    format = "geojson"
