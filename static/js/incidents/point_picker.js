// The point picker of an incident form ([data-point-picker="<form name>"]): clicking the map
// sets the form's lon and lat, dragging the marker moves it, typed coordinates move the
// marker; the address search (route incident-places) fills the address and the point.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;

  function bind(picker) {
    var name = picker.dataset.pointPicker;
    var form = document.querySelector('form[data-form="' + name + '"]');
    if (!form) return;
    var lon = form.elements[name + "-lon"];
    var lat = form.elements[name + "-lat"];
    var address = form.elements[name + "-address"];
    var element = picker.querySelector("[data-picker-map]");
    var map = S.maps.baseMap(element);
    var marker = null;

    function show(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
        return;
      }
      marker = L.marker(latlng, { draggable: true, title: S.t("point") }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    }
    function write(latlng) {
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      element.dataset.point = lon.value + "," + lat.value;
    }
    function typed() {
      var x = parseFloat(lon.value);
      var y = parseFloat(lat.value);
      if (!isFinite(x) || !isFinite(y)) return null;
      var latlng = L.latLng(y, x);
      show(latlng);
      return latlng;
    }
    map.on("click", function (event) {
      show(event.latlng);
      write(event.latlng);
    });
    [lon, lat].forEach(function (input) {
      input.addEventListener("change", function () {
        var latlng = typed();
        if (latlng) map.panTo(latlng);
      });
    });

    // The jurisdiction's outline, drawn under the clicks (not clickable itself).
    var outline = cfg.jurisdiction ? S.maps.area(map, cfg.jurisdiction) : S.maps.areas(map, cfg.map_areas);
    outline.then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        interactive: false,
        style: { color: "#1d3557", weight: 2, fillOpacity: 0.04, dashArray: "4" },
      }).addTo(map);
      // The first view is set at once, not animated: a click must land where it is aimed.
      // A point outside the outline (a refused one) is shown with it.
      var latlng = typed();
      var bounds = layer.getBounds();
      if (latlng && (!bounds.isValid() || bounds.contains(latlng))) map.setView(latlng, 15, { animate: false });
      else if (bounds.isValid()) map.fitBounds(latlng ? bounds.extend(latlng) : bounds, { padding: [8, 8], animate: false });
    }).catch(function (error) {
      console.warn(error);
      var latlng = typed();
      if (latlng) map.setView(latlng, 15, { animate: false });
    }).then(function () { S.dom.done(element); });

    // A picker inside a closed <details> has no size until it opens.
    var details = picker.closest("details");
    if (details) details.addEventListener("toggle", function () { map.invalidateSize(); });

    var query = picker.querySelector("[data-place-query]");
    var results = picker.querySelector("[data-place-results]");
    function choose(place) {
      var latlng = L.latLng(place.lat, place.lon);
      if (place.kind === "area") {
        map.setView(latlng, 14);
      } else {
        if (address) address.value = place.label;
        show(latlng);
        write(latlng);
        map.setView(latlng, 16);
      }
      results.textContent = "";
    }
    function search() {
      var text = query.value.trim();
      if (!text) return;
      results.textContent = "";
      results.appendChild(S.dom.element("li", "hint", S.t("searching")));
      S.api(S.route("incident-places"), { q: text }).then(function (data) {
        results.textContent = "";
        if (!data.results.length) results.appendChild(S.dom.element("li", "hint", S.t("no_places")));
        data.results.forEach(function (place) {
          var item = S.dom.element("li");
          var button = S.dom.element("button", "place place-" + place.kind, place.label);
          button.type = "button";
          button.dataset.kind = place.kind;
          button.addEventListener("click", function () { choose(place); });
          item.appendChild(button);
          results.appendChild(item);
        });
      }).catch(function (error) {
        results.textContent = "";
        results.appendChild(S.dom.element("li", "error", S.t("load_failed")));
        console.warn(error);
      });
    }
    picker.querySelector("[data-place-search]").addEventListener("click", search);
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        search();
      }
    });
  }

  document.querySelectorAll("[data-point-picker]").forEach(bind);
})();
