// A small read-only map of one point, for admin detail pages; works without tiles.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-point-map]").forEach(function (element) {
      var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
      var map = L.map(element).setView(point, 15);
      if (element.dataset.tilesUrl) {
        L.tileLayer(element.dataset.tilesUrl, { attribution: element.dataset.tilesAttribution }).addTo(map);
      }
      element.pointMarker = L.circleMarker(point, { radius: 8 }).addTo(map);
    });
  });
})();
