// Maps of the pages: base tiles from the configured URL (optional: with no tiles the
// boundaries and data still show), area choropleths, h3 hexagon density, clustered points.
(function () {
  "use strict";
  var S = window.SafeCity;

  function baseMap(element) {
    var tiles = S.config.tiles || {};
    // Data stays WGS84; the map's projection shifts it onto tiles drawn in another system.
    var crs = window.SafeCityCrs.leafletCrs(tiles.crs);
    var map = L.map(element, { zoomSnap: 0.5, maxZoom: 19, crs: crs }).setView([30, 120], 9);
    if (tiles.url) {
      L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
    }
    element.leafletMap = map;
    return map;
  }

  // Blues for counts; red (up) / green (down) for changes.
  var COUNT_COLOURS = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
  function countColour(value, max) {
    if (!max || !value) return COUNT_COLOURS[0];
    var index = Math.min(COUNT_COLOURS.length - 1, Math.floor((value / max) * COUNT_COLOURS.length));
    return COUNT_COLOURS[index];
  }
  function changeColour(pct) {
    if (pct === null || pct === undefined) return "#cccccc";
    if (pct >= 20) return "#cb181d";
    if (pct >= 5) return "#fb6a4a";
    if (pct > -5) return "#f7f7f7";
    if (pct > -20) return "#74c476";
    return "#238b45";
  }

  // Areas coloured by a value per area id; clicking one calls onClick(id).
  function choropleth(geojson, values, options) {
    var max = 0;
    Object.keys(values).forEach(function (id) { max = Math.max(max, values[id].current || 0); });
    return L.geoJSON(geojson, {
      style: function (feature) {
        var row = values[feature.properties.id] || {};
        var fill = options.mode === "yoy"
          ? changeColour(row.yoy ? row.yoy.pct_change : null)
          : countColour(row.current, max);
        return { color: "#1d3557", weight: 1.5, fillColor: fill, fillOpacity: 0.7 };
      },
      onEachFeature: function (feature, layer) {
        var row = values[feature.properties.id] || {};
        var text = S.localName(feature.properties) + ": " + S.formatNumber(row.current || 0);
        if (row.yoy && row.yoy.pct_change !== null) text += " (" + S.t("yoy") + " " + row.yoy.pct_change + "%)";
        layer.bindTooltip(S.text.lines([text]), { sticky: true });
        if (options.onClick) layer.on("click", function () { options.onClick(feature.properties.id); });
      },
    });
  }

  function hexLayer(geojson) {
    var max = 0;
    geojson.features.forEach(function (f) { max = Math.max(max, f.properties.count); });
    return L.geoJSON(geojson, {
      style: function (feature) {
        var share = max ? feature.properties.count / max : 0;
        return { color: "#7f2704", weight: 0.5, fillColor: "#d94801", fillOpacity: 0.15 + 0.7 * share };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(S.text.lines([S.t("incidents") + ": " + feature.properties.count]));
      },
    });
  }

  // Incident points, clustered; the layer reloads for the visible box when zoomed in.
  function pointLayer(map, params, minZoom) {
    var clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    var pending = null;
    function load() {
      if (!map.hasLayer(clusters)) return;
      if (map.getZoom() < minZoom) {
        clusters.clearLayers();
        return;
      }
      var box = map.getBounds();
      var query = Object.assign({}, params, {
        format: "geojson",
        bbox: [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()].map(function (v) { return v.toFixed(5); }).join(","),
      });
      var request = (pending = S.api(S.route("incident-list"), query).then(function (data) {
        if (request !== pending) return;
        clusters.clearLayers();
        clusters.addLayers(data.features.map(function (feature) {
          var c = feature.geometry.coordinates;
          var marker = L.marker([c[1], c[0]], { title: feature.properties.category });
          marker.bindPopup(S.text.link(S.route("dash-incident", { public_id: feature.properties.id }), feature.properties.category + " · " + feature.properties.reported_at.slice(0, 16).replace("T", " ")));
          return marker;
        }));
      }).catch(function (error) { console.warn(error); }));
    }
    map.on("moveend", load);
    clusters.on("add", load);
    clusters.reload = load;
    return clusters;
  }

  // Area boundaries come simplified for the map's zoom (the server caps their vertices), with
  // detail for a few levels more, as the map zooms in once it has fitted them.
  function boundaryZoom(map) {
    return Math.min(20, Math.round(map.getZoom()) + 3);
  }
  function areas(map, params) {
    return S.api(S.route("area-list"), Object.assign({ format: "geojson", zoom: boundaryZoom(map) }, params));
  }
  function area(map, id) {
    return S.api(S.route("area-detail", { pk: id }), { format: "geojson", zoom: boundaryZoom(map) });
  }

  S.maps = {
    baseMap: baseMap, choropleth: choropleth, hexLayer: hexLayer, pointLayer: pointLayer, countColour: countColour,
    areas: areas, area: area,
  };
})();
