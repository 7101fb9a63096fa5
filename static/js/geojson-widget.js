// Edits a GeoJSON Polygon/MultiPolygon in a textarea on a Leaflet map with Leaflet.draw.
// The map works without tiles: the boundary is drawn on a plain background either way.
(function () {
  "use strict";

  function readGeometry(textarea) {
    try {
      var value = JSON.parse(textarea.value);
      return value && value.type ? value : null;
    } catch (error) {
      return null;
    }
  }

  function layersToGeometry(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      var geometry = layer.toGeoJSON().geometry;
      if (geometry.type === "Polygon") polygons.push(geometry.coordinates);
      if (geometry.type === "MultiPolygon") polygons = polygons.concat(geometry.coordinates);
    });
    if (polygons.length === 0) return null;
    if (polygons.length === 1) return { type: "Polygon", coordinates: polygons[0] };
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function init(container) {
    var textarea = document.getElementById(container.dataset.textarea);
    // Drawn and stored in WGS84 whatever system the tiles use (crs.js).
    var crs = window.SafeCityCrs.leafletCrs(container.dataset.tilesCrs);
    var map = L.map(container.querySelector(".geojson-map"), { preferCanvas: false, crs: crs });
    if (container.dataset.tilesUrl) {
      L.tileLayer(container.dataset.tilesUrl, {
        attribution: container.dataset.tilesAttribution,
        maxZoom: 19,
      }).addTo(map);
    }
    var drawn = new L.FeatureGroup().addTo(map);
    var geometry = readGeometry(textarea);
    if (geometry) {
      L.geoJSON(geometry).eachLayer(function (layer) {
        // A MultiPolygon arrives as one layer; split it so each part can be edited.
        var latlngs = layer.getLatLngs();
        if (geometry.type === "MultiPolygon") {
          latlngs.forEach(function (part) { drawn.addLayer(L.polygon(part)); });
        } else {
          drawn.addLayer(L.polygon(latlngs));
        }
      });
      map.fitBounds(drawn.getBounds(), { padding: [10, 10] });
    } else {
      map.setView([31.23, 121.47], 9);
    }
    map.addControl(
      new L.Control.Draw({
        edit: { featureGroup: drawn },
        draw: { polygon: true, rectangle: true, polyline: false, circle: false, marker: false, circlemarker: false },
      })
    );
    function sync() {
      var value = layersToGeometry(drawn);
      textarea.value = value ? JSON.stringify(value) : "";
    }
    map.on(L.Draw.Event.CREATED, function (event) { drawn.addLayer(event.layer); sync(); });
    map.on(L.Draw.Event.EDITED, sync);
    map.on(L.Draw.Event.DELETED, sync);
    container.geojsonMap = map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-geojson-widget]").forEach(init);
  });
})();
