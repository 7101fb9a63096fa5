// Patrols: zone boundaries coloured by coverage alignment, live unit positions (a snapshot,
// then each move, over the ws-patrol-positions socket), and the coverage table per zone.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;
  var element = S.dom.element;
  var done = S.dom.done;

  function share(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
  }

  // "MM-DD HH:mm:ss" in the server's zone, as the units table is rendered.
  var timeFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.time_zone, month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  function localTime(iso) {
    if (!iso) return "—";
    var parts = {};
    timeFormat.formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
    return parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute + ":" + parts.second;
  }

  // --- map: zones first, units on top.
  var mapElement = document.getElementById("map");
  var map = S.maps.baseMap(mapElement);
  var control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  var zoneLayer = null;
  var zoneNames = {};
  var coverageByZone = {};

  function alignmentColour(value) {
    if (value === null || value === undefined) return "#cfd8dc";
    if (value < 0) return "#c62828";
    if (value < 0.3) return "#f9a825";
    if (value < 0.6) return "#9ccc65";
    return "#2e7d32";
  }

  function zoneStyle(feature) {
    var row = coverageByZone[feature.properties.id];
    return {
      color: "#1d3557", weight: 1, fillOpacity: row ? 0.35 : 0.12,
      fillColor: alignmentColour(row ? row.alignment : null),
    };
  }

  function zoneTooltip(feature) {
    var row = coverageByZone[feature.properties.id];
    var lines = [S.localName(feature.properties)];
    if (row) {
      lines.push(
        S.t("alignment") + ": " + (row.alignment === null ? "—" : row.alignment),
        S.t("hotspot_minutes") + ": " + share(row.hotspot_minutes_share) +
          " / " + S.t("hotspot_cells") + ": " + share(row.hotspot_cells_share)
      );
    }
    return S.text.lines(lines);
  }

  var zones = S.maps.areas(map, cfg.zones)
    .then(function (geojson) {
      geojson.features.forEach(function (f) { zoneNames[f.properties.id] = S.localName(f.properties); });
      zoneLayer = L.geoJSON(geojson, {
        style: zoneStyle,
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(function () { return zoneTooltip(feature); }, { sticky: true });
        },
      }).addTo(map);
      zoneLayer.bringToBack();
      control.addOverlay(zoneLayer, S.t("zones"));
      S.maps.legend(map, "bottomright", "zones").show(S.t("zone_colours"), [
        ["#2e7d32", "≥ 0.6"], ["#9ccc65", "0.3 – 0.6"], ["#f9a825", "0 – 0.3"], ["#c62828", "< 0"],
        ["#cfd8dc", S.t("no_data")],
      ]);
      if (zoneLayer.getBounds().isValid()) map.fitBounds(zoneLayer.getBounds(), { padding: [8, 8] });
      mapElement.dataset.zones = geojson.features.length;
      return geojson;
    })
    .catch(function (error) { console.warn(error); });

  // --- units: one marker per unit of the area, moved as positions arrive.
  var unitLayer = L.featureGroup().addTo(map);
  control.addOverlay(unitLayer, S.t("units"));
  var markers = {};
  mapElement.unitMarkers = markers;

  function unitIcon(code, status) {
    var dot = element("i", "unit-dot status-" + status);
    dot.dataset.unit = code;
    return L.divIcon({
      className: "unit-marker",
      html: dot,
      iconSize: [14, 14],
      iconAnchor: [7, 7],
    });
  }

  function tooltip(unit, position) {
    return S.text.lines([
      unit.name + " · " + unit.kind + " · " + (cfg.unit_statuses[position.status] || position.status),
      S.t("last_seen") + ": " + localTime(position.at),
    ]);
  }

  function place(position) {
    var unit = cfg.units[position.unit];
    if (!unit || position.lat === null || position.lon === null) return;
    var status = position.status || unit.status;
    var marker = markers[position.unit];
    if (!marker) {
      marker = markers[position.unit] = L.marker([position.lat, position.lon], {
        icon: unitIcon(position.unit, status), title: unit.name, keyboard: false,
      });
      marker.bindTooltip("", { direction: "top" });
      marker.addTo(unitLayer);
    } else {
      marker.setLatLng([position.lat, position.lon]);
    }
    marker.unit = position.unit;
    marker.at = position.at;
    marker.setTooltipContent(tooltip(unit, Object.assign({}, position, { status: status })));
    var seen = document.querySelector('#units tr[data-unit="' + position.unit + '"] [data-last-seen]');
    if (seen) {
      seen.dataset.lastSeen = position.at || "";
      seen.textContent = localTime(position.at);
      seen.classList.remove("fresh");
      void seen.offsetWidth; // restart the highlight
      seen.classList.add("fresh");
    }
  }

  var live = document.getElementById("live-status");
  function setLive(state) {
    live.dataset.state = state;
    live.textContent = state === "open" ? "● " + S.t("live") : state === "closed" ? S.t("reconnecting") : "";
  }

  var retryDelay = 1000;
  var fitted = false;
  function connect() {
    var socket = S.socket("ws-patrol-positions");
    socket.addEventListener("open", function () { retryDelay = 1000; setLive("open"); });
    socket.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      if (message.type !== "snapshot" && message.type !== "positions") return;
      message.positions.forEach(place);
      if (message.type === "snapshot") {
        mapElement.dataset.snapshot = message.positions.length;
        // Without zone boundaries (an area with none), the units set the view.
        zones.then(function () {
          if (fitted || (zoneLayer && zoneLayer.getBounds().isValid())) return;
          fitted = true;
          if (unitLayer.getBounds().isValid()) map.fitBounds(unitLayer.getBounds(), { padding: [20, 20], maxZoom: 14 });
        });
      }
    });
    socket.addEventListener("close", function (event) {
      setLive("closed");
      // 4401/4403/4408: not allowed, or credentials gone or idle; retrying will not help.
      if (event.code === 4401 || event.code === 4403 || event.code === 4408) return;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
    S.positionSocket = socket;
  }
  connect();

  // Clicking a unit in the table centres the map on it.
  document.getElementById("units").addEventListener("click", function (event) {
    var link = event.target.closest("[data-locate]");
    if (!link) return;
    var marker = markers[link.dataset.locate];
    if (!marker) return;
    event.preventDefault();
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 14));
    marker.openTooltip();
  });

  // --- coverage against hotspots, per zone; it also colours the zones.
  var coverage = document.getElementById("coverage");
  Promise.all([S.api(S.route("patrol-coverage"), cfg.coverage), zones])
    .then(function (results) {
      var data = results[0];
      var body = coverage.querySelector("tbody");
      var rows = data.zones.slice().sort(function (a, b) { return b.incidents - a.incidents || b.unit_minutes - a.unit_minutes; });
      rows.forEach(function (zone) {
        coverageByZone[zone.id] = zone;
        var tr = element("tr");
        tr.dataset.zone = zone.id;
        var alignment = element("td", "num", zone.alignment === null ? "—" : zone.alignment.toFixed(2));
        alignment.dataset.value = zone.alignment === null ? "" : zone.alignment;
        var swatch = element("i", "swatch");
        swatch.style.background = alignmentColour(zone.alignment);
        alignment.prepend(swatch);
        var minutes = element("td", "num", S.formatNumber(zone.unit_minutes));
        minutes.dataset.value = zone.unit_minutes;
        var incidents = element("td", "num", S.formatNumber(zone.incidents));
        incidents.dataset.value = zone.incidents;
        var hotMinutes = element("td", "num", share(zone.hotspot_minutes_share));
        hotMinutes.dataset.value = zone.hotspot_minutes_share === null ? "" : zone.hotspot_minutes_share;
        var hotCells = element("td", "num", share(zone.hotspot_cells_share));
        hotCells.dataset.value = zone.hotspot_cells_share === null ? "" : zone.hotspot_cells_share;
        tr.append(element("td", null, zoneNames[zone.id] || zone.name), minutes, incidents, alignment, hotMinutes, hotCells);
        body.append(tr);
      });
      if (!rows.length) {
        var empty = element("tr");
        var cell = element("td", "muted", S.t("no_coverage"));
        cell.colSpan = 6;
        empty.append(cell);
        body.append(empty);
      }
      if (zoneLayer) zoneLayer.setStyle(zoneStyle);
      done(coverage);
    })
    .catch(function (error) { S.charts.failed(coverage, error); })
    .finally(function () { done(mapElement); });
})();
