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
  var NO_DATA = "#cccccc";
  function countColour(value, max) {
    if (!max || !value) return COUNT_COLOURS[0];
    var index = Math.min(COUNT_COLOURS.length - 1, Math.floor((value / max) * COUNT_COLOURS.length));
    return COUNT_COLOURS[index];
  }
  // The classes countColour draws for counts up to max: [colour, label] from the lowest.
  // With digits, for expected counts (fractions): class i from max * i / n, to two digits.
  function countClasses(max, digits) {
    var n = COUNT_COLOURS.length;
    if (!max) return [[COUNT_COLOURS[0], "0"]];
    if (digits) {
      return COUNT_COLOURS.map(function (colour, i) {
        return [colour, "≥ " + ((max * i) / n).toFixed(digits)];
      });
    }
    // Whole counts: class i holds the counts c with i <= c * n / max < i + 1.
    return COUNT_COLOURS.map(function (colour, i) {
      var from = i === 0 ? 0 : Math.ceil((max * i) / n);
      var to = i === n - 1 ? max : Math.ceil((max * (i + 1)) / n) - 1;
      if (from > to) return null;
      return [colour, from === to ? S.formatNumber(from) : S.formatNumber(from) + "–" + S.formatNumber(to)];
    }).filter(Boolean);
  }
  function changeColour(pct) {
    if (pct === null || pct === undefined) return NO_DATA;
    if (pct >= 20) return "#cb181d";
    if (pct >= 5) return "#fb6a4a";
    if (pct > -5) return "#f7f7f7";
    if (pct > -20) return "#74c476";
    return "#238b45";
  }
  // The classes changeColour draws, from the largest rise.
  function changeClasses() {
    return [
      ["#cb181d", "≥ +20%"], ["#fb6a4a", "+5% – +20%"], ["#f7f7f7", "−5% – +5%"],
      ["#74c476", "−20% – −5%"], ["#238b45", "≤ −20%"], [NO_DATA, S.t("no_data")],
    ];
  }

  // A colour key in a corner of the map: legend.show(title, [[colour, label], ...]); ``name``
  // tells the keys of one map apart (data-legend).
  function legend(map, position, name) {
    var box = L.DomUtil.create("div", "map-legend");
    box.setAttribute("data-legend", name || "");
    var control = L.control({ position: position || "bottomright" });
    control.onAdd = function () { return box; };
    control.addTo(map);
    L.DomEvent.disableClickPropagation(box);
    control.show = function (title, items) {
      control.last = [title, items];
      box.replaceChildren();
      box.append(S.dom.element("strong", null, title));
      var list = S.dom.element("ul");
      items.forEach(function (item) {
        var row = S.dom.element("li");
        var swatch = S.dom.element("i", "swatch");
        swatch.style.background = item[0];
        row.dataset.colour = item[0];
        row.append(swatch, S.dom.element("span", null, item[1]));
        list.append(row);
      });
      box.append(list);
      box.hidden = false;
    };
    control.hide = function () { box.hidden = true; };
    return control;
  }

  // Areas coloured by a value per area id; clicking one calls onClick(id). With
  // options.legend (a legend), the key of the colours is shown in it.
  function choropleth(geojson, values, options) {
    var max = 0;
    Object.keys(values).forEach(function (id) { max = Math.max(max, values[id].current || 0); });
    if (options.legend) {
      if (options.mode === "yoy") options.legend.show(S.t("yoy"), changeClasses());
      else options.legend.show(S.t("incidents"), countClasses(max));
    }
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

  // Hexagons shaded by their share of the largest count; with a legend, its key.
  function hexLayer(geojson, legendControl) {
    var max = 0;
    geojson.features.forEach(function (f) { max = Math.max(max, f.properties.count); });
    if (legendControl) {
      legendControl.show(S.t("hexes"), [0.25, 0.5, 0.75, 1].map(function (share) {
        return ["rgba(217, 72, 1, " + (0.15 + 0.7 * share).toFixed(2) + ")", "≤ " + S.formatNumber(Math.round(max * share))];
      }));
    }
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
    countClasses: countClasses, changeColour: changeColour, legend: legend, areas: areas, area: area,
  };
})();
