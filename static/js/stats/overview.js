// The overview: series, breakdowns, map layers and the heat matrix, loaded after the tiles.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;
  var stats = cfg.stats;
  var done = S.dom.done;

  var trend = document.getElementById("trend");
  S.api(S.route("stats-timeseries"), Object.assign({}, stats, { interval: cfg.interval }))
    .then(function (data) { S.charts.trend(trend, data); done(trend); })
    .catch(function (error) { S.charts.failed(trend, error); });

  var categories = document.getElementById("categories");
  S.api(S.route("stats-breakdown"), Object.assign({}, stats, { by: "category" }))
    .then(function (data) { S.charts.bars(categories, data.rows); done(categories); })
    .catch(function (error) { S.charts.failed(categories, error); });

  var matrix = document.getElementById("matrix");
  S.api(S.route("stats-breakdown"), Object.assign({}, stats, { by: "hour_weekday" }))
    .then(function (data) { S.charts.heatMatrix(matrix, data); done(matrix); })
    .catch(function (error) { S.charts.failed(matrix, error); });

  // Ranking and choropleth share the breakdown by child area.
  var ranking = document.getElementById("ranking");
  var byArea = S.api(S.route("stats-breakdown"), Object.assign({}, stats, { by: "area" }));
  byArea.then(function (data) {
    data.rows.forEach(function (row) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = S.drillUrl(row.id);
      link.dataset.area = row.id;
      link.textContent = S.localName(row);
      var value = document.createElement("data");
      value.value = row.current;
      value.textContent = S.formatNumber(row.current);
      var change = document.createElement("span");
      change.className = "change " + (row.yoy.change > 0 ? "worse" : row.yoy.change < 0 ? "better" : "same");
      change.textContent = row.yoy.pct_change === null ? "" : (row.yoy.change > 0 ? "▲" : "▼") + Math.abs(row.yoy.pct_change) + "%";
      if (row.yoy.reason) {
        // No data behind the comparison: "—", and why on hover.
        change.className = "change no-data";
        change.textContent = "—";
        change.title = S.t("gap_" + row.yoy.flag + "_" + row.yoy.reason);
      }
      item.append(link, value, change);
      ranking.append(item);
    });
    if (!data.rows.length) ranking.textContent = S.t("no_children");
    done(ranking);
  }).catch(function (error) { S.charts.failed(ranking, error); });

  // --- map
  var mapElement = document.getElementById("map");
  var map = S.maps.baseMap(mapElement);
  var overlays = {};
  var control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  var areaLayer = null;
  var values = {};
  var mode = "count";
  var areaLegend = S.maps.legend(map, "bottomright", "areas");
  var hexLegend = S.maps.legend(map, "bottomleft", "hexes");
  hexLegend.hide();

  function drawAreas(geojson) {
    if (areaLayer) map.removeLayer(areaLayer);
    areaLayer = S.maps.choropleth(geojson, values, {
      mode: mode,
      legend: areaLegend,
      onClick: function (id) { window.location.href = S.drillUrl(id); },
    }).addTo(map);
    areaLayer.bringToBack();
    return areaLayer;
  }

  Promise.all([byArea, S.maps.areas(map, cfg.map_areas)])
    .then(function (results) {
      results[0].rows.forEach(function (row) { values[row.id] = row; });
      var geojson = results[1];
      var layer = drawAreas(geojson);
      control.addOverlay(layer, S.t("areas"));
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      document.querySelectorAll('input[name="choropleth"]').forEach(function (input) {
        input.addEventListener("change", function () {
          mode = input.value;
          control.removeLayer(areaLayer);
          control.addOverlay(drawAreas(geojson), S.t("areas"));
        });
      });
      done(mapElement);
    })
    .catch(function (error) { console.warn(error); done(mapElement); });

  // Hexagons: resolution 7 over the city, 9 when zoomed in.
  var hexes = L.layerGroup().addTo(map);
  var hexResolution = null;
  function loadHexes() {
    var resolution = map.getZoom() >= 13 ? 9 : 7;
    if (resolution === hexResolution) return;
    hexResolution = resolution;
    S.api(S.route("incident-hexes"), Object.assign({}, cfg.incidents, { resolution: resolution }))
      .then(function (data) {
        hexes.clearLayers();
        hexes.addLayer(S.maps.hexLayer(data, hexLegend));
        if (!map.hasLayer(hexes)) hexLegend.hide();
      })
      .catch(function (error) { console.warn(error); });
  }
  control.addOverlay(hexes, S.t("hexes"));
  // Each colour key shows while its layer does.
  map.on("overlayadd overlayremove", function (event) {
    var shown = event.type === "overlayadd";
    if (event.layer === hexes) {
      if (shown) { hexResolution = null; loadHexes(); } else hexLegend.hide();
    } else if (event.layer === areaLayer) {
      if (shown) areaLegend.show.apply(null, areaLegend.last); else areaLegend.hide();
    }
  });
  map.on("zoomend", loadHexes);
  loadHexes();

  var points = S.maps.pointLayer(map, cfg.incidents, 13).addTo(map);
  control.addOverlay(points, S.t("points"));
})();
