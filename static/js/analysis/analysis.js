// The 研判 page: the Gi* hot-spot map with its legend, the emerging hot-spot categories and
// the Knox near-repeat table, each from the analysis API for the shell's selection.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;
  var el = S.dom.element;
  var done = S.dom.done;

  // Esri's hot-spot colours: reds for hot, blues for cold, by confidence.
  var CLASS_COLOURS = {
    hot_99: "#d62f27", hot_95: "#ed7551", hot_90: "#fab984", not_significant: "#f0f0f0",
    cold_90: "#c0ccbe", cold_95: "#849eba", cold_99: "#4575b5",
  };

  // --- hot spots: map and legend
  var mapElement = document.getElementById("hotspot-map");
  var legend = document.getElementById("hotspot-legend");
  var map = S.maps.baseMap(mapElement);
  S.api(S.route("analysis-hotspots"), Object.assign({}, cfg.analysis, { format: "geojson" }))
    .then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        style: function (feature) {
          var name = feature.properties.class_name;
          return { className: "hotspot-cell", color: "#555", weight: 0.4, fillColor: CLASS_COLOURS[name], fillOpacity: name === "not_significant" ? 0.35 : 0.75 };
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layer.bindTooltip(S.text.lines([S.t(p.class_name), S.t("count") + ": " + p.count, "z = " + p.z, "p = " + p.p_tested]));
        },
      }).addTo(map);
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      done(mapElement);
      // The counts of every class, over all the cells tested, ride along with the features.
      var data = geojson;
      cfg.classes.forEach(function (name) {
        var item = el("li");
        item.dataset.class = name;
        var swatch = el("span", "swatch");
        swatch.style.background = CLASS_COLOURS[name];
        var count = el("data", null, S.formatNumber(data.classes[name]));
        count.value = data.classes[name];
        item.append(swatch, S.t(name) + " ", count);
        legend.append(item);
      });
      done(legend);
    })
    .catch(function (error) { S.charts.failed(mapElement, error); S.charts.failed(legend, error); });

  // --- emerging hot spots: one row per pattern, hot and cold cells
  var emerging = document.getElementById("emerging-table");
  S.api(S.route("analysis-emerging"), cfg.emerging)
    .then(function (data) {
      document.getElementById("emerging-period").textContent =
        S.t("period") + ": " + data.period.from + " – " + data.period.to + " · " + data.steps.length + " × " + S.t(data.step);
      var body = emerging.querySelector("tbody");
      var patterns = [];
      cfg.emerging_categories.forEach(function (name) {
        var base = name.replace(/_(hot|cold)$/, "");
        if (name !== "none" && patterns.indexOf(base) < 0) patterns.push(base);
      });
      patterns.forEach(function (base) {
        var row = el("tr");
        row.dataset.pattern = base;
        row.append(el("th", null, S.t(base)));
        ["hot", "cold"].forEach(function (side) {
          var cell = el("td", null, S.formatNumber(data.categories[base + "_" + side]));
          cell.dataset[side] = data.categories[base + "_" + side];
          row.append(cell);
        });
        body.append(row);
      });
      done(emerging);
    })
    .catch(function (error) { S.charts.failed(emerging, error); });

  // --- near repeat: Knox ratio per distance band (rows) × time band (columns)
  var knox = document.getElementById("near-repeat-table");
  function bandLabel(from, to, unit) {
    return to === null ? "> " + from + " " + S.t(unit) : from + "–" + to + " " + S.t(unit);
  }
  S.api(S.route("analysis-near-repeat"), cfg.near_repeat)
    .then(function (data) {
      var head = el("tr");
      head.append(el("th", null, S.t("metres") + " \\ " + S.t("days")));
      data.rows[0].cells.forEach(function (cell) { head.append(el("th", null, bandLabel(cell.from_days, cell.to_days, "days"))); });
      knox.querySelector("thead").append(head);
      var body = knox.querySelector("tbody");
      data.rows.forEach(function (row) {
        var line = el("tr");
        line.append(el("th", null, bandLabel(row.from_m, row.to_m, "metres")));
        row.cells.forEach(function (cell) {
          var td = el("td", cell.significant ? "significant" : null, cell.ratio === null ? "—" : cell.ratio.toFixed(2));
          td.title = "observed " + cell.observed + ", expected " + cell.expected + ", p = " + cell.p;
          td.dataset.observed = cell.observed;
          line.append(td);
        });
        body.append(line);
      });
      var zone = document.getElementById("near-repeat-zone");
      zone.textContent = S.t("events") + ": " + data.events + " · " + (data.zone
        ? S.t("zone").replace("%(metres)s", data.zone.metres).replace("%(days)s", data.zone.days)
        : S.t("no_zone"));
      done(knox);
    })
    .catch(function (error) { S.charts.failed(knox, error); });
})();
