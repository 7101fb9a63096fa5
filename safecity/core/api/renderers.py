import csv
import io

from rest_framework.renderers import BaseRenderer, JSONRenderer

from audit.services import audit_record


def audit_export(request, name: str, rows: int | None = None) -> None:
    """Exports are sensitive reads: who took which set out of the platform."""
    audit_record(
        action="export",
        object_type=name,
        detail=request.get_full_path() + ("" if rows is None else f" ({rows} rows)"),
        request=request,
    )


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


class TableRenderer(BaseRenderer):
    """Renders a view's answer as a table: the view's ``export_table(data)`` gives
    (file name, headers, rows). Error answers are rendered as JSON."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        name, headers, rows = renderer_context["view"].export_table(data)
        audit_export(renderer_context["request"], name, len(rows))
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
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        # A byte-order mark, so that Excel opens Chinese text as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class TableXLSXRenderer(TableRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None

    def write(self, headers, rows) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("SafeCity")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
