// The incident list's map: the filtered incidents as clustered points over the areas.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;
  var element = document.getElementById("incident-map");
  var map = S.maps.baseMap(element);
  var note = document.querySelector("[data-map-note]");

  var areas = S.maps.areas(map, cfg.map_areas).then(function (geojson) {
    var layer = L.geoJSON(geojson, { style: { color: "#1d3557", weight: 1, fillOpacity: 0.05 } }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  });

  var clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false }).addTo(map);
  Promise.all([areas, S.api(S.route("incident-list"), Object.assign({ format: "geojson" }, cfg.filters))])
    .then(function (results) {
      var data = results[1];
      clusters.addLayers(data.features.map(function (feature) {
        var c = feature.geometry.coordinates;
        var marker = L.marker([c[1], c[0]]);
        marker.bindPopup(S.text.link(S.route("dash-incident", { public_id: feature.properties.id }), feature.properties.category + " · " + feature.properties.reported_at.slice(0, 16).replace("T", " ")));
        return marker;
      }));
      element.dataset.points = data.features.length;
      if (data.truncated) note.textContent = S.t("map_truncated").replace("%s", data.cap);
      element.removeAttribute("data-loading");
    })
    .catch(function (error) { S.charts.failed(element, error); });
})();
