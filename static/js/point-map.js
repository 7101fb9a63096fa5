// Small read-only maps for admin detail pages; they work without tiles.
// data-lon/data-lat: a point; data-track: JSON [[lat, lon], ...], drawn as a line;
// data-boundary: a GeoJSON geometry drawn as an outline. The view fits all of them.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-point-map]").forEach(function (element) {
      // A view first: vector layers need the map's renderer to have bounds when added.
      var crs = window.SafeCityCrs.leafletCrs(element.dataset.tilesCrs);
      var map = L.map(element, { crs: crs }).setView([0, 0], 2);
      if (element.dataset.tilesUrl) {
        L.tileLayer(element.dataset.tilesUrl, { attribution: element.dataset.tilesAttribution }).addTo(map);
      }
      var bounds = L.latLngBounds([]);
      if (element.dataset.boundary) {
        var outline = L.geoJSON(JSON.parse(element.dataset.boundary), {
          style: { weight: 2, fill: false, dashArray: "4" },
        }).addTo(map);
        bounds.extend(outline.getBounds());
      }
      if (element.dataset.track) {
        var track = JSON.parse(element.dataset.track);
        if (track.length) {
          element.trackLine = L.polyline(track, { weight: 3 }).addTo(map);
          bounds.extend(element.trackLine.getBounds());
        }
      }
      if (element.dataset.lat) {
        var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
        element.pointMarker = L.circleMarker(point, { radius: 8 }).addTo(map);
        bounds.extend(point);
      }
      if (bounds.isValid()) {
        map.fitBounds(bounds, { maxZoom: 15, padding: [10, 10] });
      }
    });
  });
})();
