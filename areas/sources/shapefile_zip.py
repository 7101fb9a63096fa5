"""A zipped ESRI shapefile (.shp, .dbf, optionally .shx, .prj, .cpg), read with pyshp: no GDAL.

Only WGS84 longitude/latitude is taken for now; a file in another coordinate system is
refused, never guessed at (reprojection is issue 25).
"""

import codecs
import datetime
import io
import re
import struct
import zipfile
from decimal import Decimal
from pathlib import PurePosixPath

import shapefile

from .base import TEXT_ENCODINGS, AreaImportError, AreaSource

POLYGON_TYPES = {shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM}
# A zip whose members would unpack past this is refused before anything is unpacked.
MAX_UNZIPPED_BYTES = 1 << 30
# The datum names WGS84 goes by in ESRI's and OGC's .prj files, compared without punctuation.
WGS84_DATUMS = {"WGS1984", "DWGS1984", "WGS84", "WORLDGEODETICSYSTEM1984"}
PRJ_HEAD = re.compile(r'^\s*([A-Z0-9_]+)\s*\[\s*"([^"]*)"')
PRJ_DATUM = re.compile(r'DATUM\s*\[\s*"([^"]*)"')


def read_zipped_shapefile(content: bytes) -> AreaSource:
    members = _shapefile_members(content)
    notes = []
    if "prj" in members:
        _refuse_unless_wgs84(members["prj"].decode("latin-1"))
    else:
        notes.append("no .prj in the zip: coordinates taken as WGS84 longitude/latitude")
    features, columns, encoding = _read_records(members)
    if encoding != "utf-8":
        notes.append(f"attributes read as {encoding}")
    return AreaSource(features=features, columns=columns, notes=notes)


def _shapefile_members(content: bytes) -> dict[str, bytes]:
    """The .shp and the files beside it, by extension."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members, shp = _members_beside_the_shp(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise AreaImportError([f"not a zip archive that can be read ({exc})"]) from exc
    if "dbf" not in members:
        raise AreaImportError([f"{shp} has no .dbf beside it (the areas' attributes)"])
    return members


def _members_beside_the_shp(archive: zipfile.ZipFile) -> tuple[dict[str, bytes], str]:
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    shps = [name for name in names if name.lower().endswith(".shp")]
    if not shps:
        listed = ", ".join(names) or "nothing"
        raise AreaImportError([f"the zip holds no .shp file (it holds {listed})"])
    if len(shps) > 1:
        raise AreaImportError([f"the zip holds several shapefiles: {', '.join(shps)}"])
    if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
        raise AreaImportError([f"the zip unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes"])
    stem = PurePosixPath(shps[0]).with_suffix("").as_posix().lower()
    members = {}
    for name in names:
        path = PurePosixPath(name)
        if path.with_suffix("").as_posix().lower() == stem:
            members[path.suffix.lower().lstrip(".")] = archive.read(name)
    return members, shps[0]


def _refuse_unless_wgs84(prj: str) -> None:
    head = PRJ_HEAD.match(prj)
    datum = PRJ_DATUM.search(prj)
    datum_name = re.sub(r"[^A-Z0-9]", "", datum.group(1).upper()) if datum else ""
    if head and head.group(1) in ("GEOGCS", "GEOGCRS") and datum_name in WGS84_DATUMS:
        return
    name = f"{head.group(1)} {head.group(2)!r}" if head else "an unreadable .prj"
    raise AreaImportError(
        [
            f"the shapefile's coordinate system is {name}; only WGS84 longitude/latitude "
            f"(EPSG:4326) is accepted for now: reproject it first"
        ]
    )


def _read_records(members: dict[str, bytes]) -> tuple[list[dict], list[str], str]:
    """The features, the attribute names and the encoding that read the attributes."""
    declared = _codec_name(members.get("cpg", b"").decode("ascii", "replace").strip())
    encodings = [declared] if declared else []
    encodings += [encoding for encoding in TEXT_ENCODINGS if encoding not in encodings]
    for encoding in encodings:
        try:
            reader = shapefile.Reader(
                shp=io.BytesIO(members["shp"]),
                shx=io.BytesIO(members["shx"]) if "shx" in members else None,
                dbf=io.BytesIO(members["dbf"]),
                encoding=encoding,
            )
            with reader:
                if reader.shapeType not in POLYGON_TYPES:
                    raise AreaImportError(
                        [f"the shapefile holds {reader.shapeTypeName} shapes, not polygons"]
                    )
                columns = [field.name for field in reader.fields[1:]]
                features = [
                    {
                        "type": "Feature",
                        "properties": _json_values(item.record.as_dict()),
                        "geometry": item.shape.__geo_interface__
                        if item.shape.shapeType != shapefile.NULL
                        else None,
                    }
                    for item in reader.iterShapeRecords()
                ]
            return features, columns, encoding
        except (UnicodeDecodeError, shapefile.dbfFileException):
            continue
        except (shapefile.ShapefileException, struct.error, ValueError, IndexError) as exc:
            raise AreaImportError([f"not a readable shapefile ({exc})"]) from exc
    raise AreaImportError(
        [f"could not read the shapefile's attributes as text (tried {', '.join(encodings)})"]
    )


def _codec_name(name: str) -> str | None:
    """Python's name for the encoding a .cpg declares ("UTF-8" → "utf-8"), None if unknown."""
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def _json_values(record: dict) -> dict:
    """Attributes as JSON can store them: dates as ISO text, decimals as numbers."""
    values = {}
    for name, value in record.items():
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, bytes):
            value = value.decode("latin-1")
        values[name] = value
    return values
