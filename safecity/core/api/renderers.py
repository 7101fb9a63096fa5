from rest_framework.renderers import BaseRenderer, JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    """Selected with ``?format=geojson``; the view returns a FeatureCollection for it."""

    media_type = "application/geo+json"
    format = "geojson"


class CSVStreamRenderer(BaseRenderer):
    """Selected with ``?format=csv``; the view answers with a streamed CSV response itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach this renderer (the view streams its own body): show them as text.
        return str(data).encode()
