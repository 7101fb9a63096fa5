"""Area files built in code for the import tests: CSV with WKT, zipped shapefiles."""

import csv
import io
import json
import zipfile

import shapefile
from shapely.geometry import shape

WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
UTM_17N_PRJ = (
    'PROJCS["WGS_1984_UTM_Zone_17N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",-81.0],'
    'PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)


def beats(shared_data) -> list[dict]:
    """Charlottesville's 33 police beats, as GeoJSON features."""
    path = shared_data / "charlottesville" / "beats.geojson"
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def feature(code, geometry: dict, name=None, **properties) -> dict:
    props = {"code": code, "name": name or f"区{code}", **properties}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def geojson_bytes(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def csv_bytes(
    features: list[dict],
    columns: list[str],
    *,
    wkt_column: str = "WKT",
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    """A CSV of the features' ``columns`` and their boundary as WKT."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([*columns, wkt_column])
    for item in features:
        props = item["properties"]
        writer.writerow([*(props[name] for name in columns), shape(item["geometry"]).wkt])
    return out.getvalue().encode(encoding)


def zipped_shapefile(
    features: list[dict],
    columns: list[str],
    *,
    prj: str | None = WGS84_PRJ,
    encoding: str = "utf-8",
    stem: str = "areas",
    shape_type: int = shapefile.POLYGON,
    cpg: str | None = None,
) -> bytes:
    """A zip of a polygon shapefile written by pyshp: character fields ``columns``."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type, encoding=encoding)
    for name in columns:
        writer.field(name, "C", size=100)
    for item in features:
        writer.shape(item["geometry"])
        writer.record(*(str(item["properties"][name]) for name in columns))
    writer.close()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"{stem}/{stem}.shp", shp.getvalue())
        zipped.writestr(f"{stem}/{stem}.shx", shx.getvalue())
        zipped.writestr(f"{stem}/{stem}.dbf", dbf.getvalue())
        if prj is not None:
            zipped.writestr(f"{stem}/{stem}.prj", prj)
        if cpg is not None:
            zipped.writestr(f"{stem}/{stem}.cpg", cpg)
    return archive.getvalue()
