from rest_framework.renderers import BaseRenderer, JSONRenderer

from audit.context import rows_read
from safecity.core import exports


def is_plain_json(renderer_context) -> bool:
    """Whether the answer is rendered as plain JSON whatever format was asked for: errors,
    and the metadata of OPTIONS. Their Content-Type then says application/json."""
    renderer_context = renderer_context or {}
    response = renderer_context.get("response")
    request = renderer_context.get("request")
    plain = (response is not None and response.status_code >= 400) or (
        request is not None and request.method not in ("GET", "HEAD")
    )
    if plain and response is not None:
        response["Content-Type"] = "application/json"
    return plain


class GeoJSONRenderer(JSONRenderer):
    """Selected with ``?format=geojson``; the view returns a FeatureCollection for it."""

    media_type = "application/geo+json"
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        is_plain_json(renderer_context)
        return super().render(data, accepted_media_type, renderer_context)


class CSVStreamRenderer(BaseRenderer):
    """Selected with ``?format=csv``; the view answers with a streamed CSV response itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors and OPTIONS reach this renderer (the view streams its own body).
        is_plain_json(renderer_context)
        return JSONRenderer().render(data)


class TableRenderer(BaseRenderer):
    """Renders a view's answer as a table: the view's ``export_table(data)`` gives
    (file name, headers, rows), written by ``safecity.core.exports`` (which neutralises
    formulas). Errors and OPTIONS metadata are rendered as JSON."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if is_plain_json(renderer_context):
            return JSONRenderer().render(data)
        response = renderer_context.get("response")
        name, headers, rows = renderer_context["view"].export_table(data)
        # Exports are sensitive reads: the audit middleware records this one with its rows.
        rows_read(len(rows), of=name)
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{name}.{self.format}"'
        return self.write(headers, rows)

    def write(self, headers: list[str], rows: list[list]) -> bytes:
        raise NotImplementedError


class TableCSVRenderer(TableRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def write(self, headers, rows) -> bytes:
        return exports.csv_bytes(headers, rows)


class TableXLSXRenderer(TableRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None

    def write(self, headers, rows) -> bytes:
        return exports.xlsx_bytes(headers, rows)
