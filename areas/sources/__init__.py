"""Reading area files: GeoJSON, CSV with a WKT column, zipped shapefiles. Each reader turns a
file's bytes into GeoJSON features or refuses the file, naming why; nothing here writes."""

from pathlib import PurePath

from .base import AreaImportError, AreaSource
from .geojson import read_geojson
from .shapefile_zip import read_zipped_shapefile
from .wkt_csv import DEFAULT_WKT_COLUMN, read_wkt_csv

FILE_FORMATS = ("auto", "geojson", "csv", "shapefile")
FORMAT_BY_SUFFIX = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".zip": "shapefile"}

__all__ = [
    "DEFAULT_WKT_COLUMN",
    "FILE_FORMATS",
    "AreaImportError",
    "AreaSource",
    "read_area_file",
]


def read_area_file(
    content: bytes,
    *,
    filename: str = "",
    file_format: str = "auto",
    wkt_column: str = DEFAULT_WKT_COLUMN,
) -> AreaSource:
    """The features of an area file; ``auto`` tells the format by the file's name, then by
    its first bytes."""
    if file_format not in FILE_FORMATS:
        raise AreaImportError([f"unknown file format {file_format!r}; one of {FILE_FORMATS}"])
    if not content.strip():
        raise AreaImportError(["the file is empty"])
    if file_format == "auto":
        file_format = _guess_format(content, filename)
    if file_format == "shapefile":
        return read_zipped_shapefile(content)
    if file_format == "csv":
        return read_wkt_csv(content, wkt_column=wkt_column)
    return read_geojson(content)


def _guess_format(content: bytes, filename: str) -> str:
    by_name = FORMAT_BY_SUFFIX.get(PurePath(filename).suffix.lower())
    if by_name:
        return by_name
    if content.startswith(b"PK\x03\x04"):
        return "shapefile"
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "geojson"
    raise AreaImportError(
        [f"cannot tell the format of {filename or 'the file'}: name it .geojson, .csv or .zip"]
    )
