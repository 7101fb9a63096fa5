// The map tiles' coordinate system as a Leaflet CRS. Data stays WGS84 everywhere (the API,
// live pushes, bounding-box queries); when the tiles are drawn in GCJ-02 or BD-09 (Chinese tile
// servers, MAP_TILES_CRS), the map's projection shifts each WGS84 point onto them, and clicks,
// drags and the visible box come back unshifted, in WGS84. The transforms are those of
// safecity/core/crs.py, which tests/core/test_crs_js.py checks this file against.
(function () {
  "use strict";

  var A = 6378245.0;
  var EE = 0.00669342162296594323;
  var X_PI = (Math.PI * 3000.0) / 180.0;
  var PI = Math.PI;

  function inChina(lon, lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }

  function offset(x, y) {
    var common = ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
    var lat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + common +
      ((20 * Math.sin(y * PI) + 40 * Math.sin((y / 3) * PI)) * 2) / 3 +
      ((160 * Math.sin((y / 12) * PI) + 320 * Math.sin((y * PI) / 30)) * 2) / 3;
    var lon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + common +
      ((20 * Math.sin(x * PI) + 40 * Math.sin((x / 3) * PI)) * 2) / 3 +
      ((150 * Math.sin((x / 12) * PI) + 300 * Math.sin((x / 30) * PI)) * 2) / 3;
    return [lon, lat];
  }

  function wgs84ToGcj02(lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var d = offset(lon - 105, lat - 35);
    var radlat = (lat / 180) * PI;
    var magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sqrtmagic = Math.sqrt(magic);
    var dlat = (d[1] * 180) / (((A * (1 - EE)) / (magic * sqrtmagic)) * PI);
    var dlon = (d[0] * 180) / ((A / sqrtmagic) * Math.cos(radlat) * PI);
    return [lon + dlon, lat + dlat];
  }

  function gcj02ToBd09(lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
    var theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
    return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
  }

  function wgs84ToBd09(lon, lat) {
    var gcj = wgs84ToGcj02(lon, lat);
    return gcj02ToBd09(gcj[0], gcj[1]);
  }

  // The point `forward` maps onto (lon, lat), refined until a step moves it under 0.1 mm.
  function invert(forward, lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var guess = [lon, lat];
    for (var round = 0; round < 30; round++) {
      var mapped = forward(guess[0], guess[1]);
      var stepLon = mapped[0] - lon;
      var stepLat = mapped[1] - lat;
      guess = [guess[0] - stepLon, guess[1] - stepLat];
      if (Math.abs(stepLon) < 1e-9 && Math.abs(stepLat) < 1e-9) break;
    }
    return guess;
  }

  var FROM_WGS84 = {
    wgs84: function (lon, lat) { return [lon, lat]; },
    gcj02: wgs84ToGcj02,
    bd09: wgs84ToBd09,
  };

  function fromWgs84(lon, lat, system) {
    return FROM_WGS84[system || "wgs84"](lon, lat);
  }

  function toWgs84(lon, lat, system) {
    if (!system || system === "wgs84") return [lon, lat];
    return invert(FROM_WGS84[system], lon, lat);
  }

  // Web Mercator over tiles drawn in `system`; plain EPSG:3857 for WGS84 tiles.
  function leafletCrs(system) {
    if (!system || system === "wgs84") return L.CRS.EPSG3857;
    var mercator = L.Projection.SphericalMercator;
    var projection = {
      R: mercator.R,
      MAX_LATITUDE: mercator.MAX_LATITUDE,
      bounds: mercator.bounds,
      project: function (latlng) {
        var shifted = fromWgs84(latlng.lng, latlng.lat, system);
        return mercator.project(L.latLng(shifted[1], shifted[0]));
      },
      unproject: function (point) {
        var shifted = mercator.unproject(point);
        var wgs84 = toWgs84(shifted.lng, shifted.lat, system);
        return L.latLng(wgs84[1], wgs84[0]);
      },
    };
    return L.extend({}, L.CRS.EPSG3857, { code: "EPSG:3857+" + system, projection: projection });
  }

  var api = { fromWgs84: fromWgs84, toWgs84: toWgs84, leafletCrs: leafletCrs };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof window !== "undefined") window.SafeCityCrs = api;
})();
