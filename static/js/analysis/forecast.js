// The 研判 page's forecast section: the latest forecast's h3 cells for the next 7 or 28 days on
// a map (hot cells outlined), and the latest evaluation against the naive baselines beside it.
// The map is the shell's base map, so it follows MAP_TILES_CRS (static/js/crs.js).
(function () {
  "use strict";
  var S = window.SafeCity;
  var section = document.getElementById("forecast-section");
  if (!section) return;
  var cfg = S.config.forecast || {};
  var mapElement = document.getElementById("forecast-map");
  var map = S.maps.baseMap(mapElement);
  var layer = null;
  var legend = S.maps.legend(map, "bottomright", "forecast");
  legend.hide();
  var about = document.getElementById("forecast-about");
  var table = document.getElementById("forecast-evaluation");
  var headline = document.getElementById("forecast-headline");
  var METHODS = ["model", "last_28_days", "last_365_days"];

  function fmt(value, digits) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function params(extra) {
    return Object.assign({ area: cfg.area, category: cfg.category }, extra || {});
  }

  function showForecast(horizon) {
    section.querySelectorAll("[data-horizon]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.horizon) === horizon));
    });
    mapElement.setAttribute("data-loading", "");
    S.api(S.route("analysis-forecast"), params({ horizon: horizon }))
      .then(function (data) {
        var max = 0;
        data.features.forEach(function (f) { max = Math.max(max, f.properties.expected); });
        if (layer) map.removeLayer(layer);
        legend.show(S.t("forecast_expected"), S.maps.countClasses(max, 2));
        layer = L.geoJSON(data, {
          style: function (feature) {
            var p = feature.properties;
            return {
              color: p.hot ? "#c62828" : "#6b7a8f", weight: p.hot ? 2.5 : 0.5,
              fillColor: S.maps.countColour(p.expected, max), fillOpacity: 0.6,
            };
          },
          onEachFeature: function (feature, cell) {
            var p = feature.properties;
            cell.bindTooltip(S.text.lines([
              S.t("forecast_expected") + ": " + fmt(p.expected, 2),
              S.t("forecast_rank") + ": " + p.rank + (p.hot ? " · " + S.t("forecast_hot") : ""),
            ]), { sticky: true });
          },
        }).addTo(map);
        if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        about.textContent = S.t("forecast_made") + " " + data.generated_at.slice(0, 16).replace("T", " ") +
          " · " + S.t("forecast_data_to") + " " + data.data_last_day + " · " +
          S.t("forecast_expected") + " " + fmt(data.expected_total, 1) + " · " +
          S.t("forecast_cells") + " " + data.features.length;
        mapElement.dataset.cells = data.features.length;
      })
      .catch(function () { about.textContent = S.t("forecast_none"); })
      .then(function () { mapElement.removeAttribute("data-loading"); });
  }

  function showEvaluation() {
    var body = table.querySelector("tbody");
    S.api(S.route("analysis-evaluation"), { area: cfg.area })
      .then(function (data) {
        body.textContent = "";
        METHODS.forEach(function (method) {
          var row = document.createElement("tr");
          row.dataset.method = method;
          var name = document.createElement("th");
          name.textContent = S.t("evaluation_" + method);
          row.appendChild(name);
          [["1%", "pai"], ["5%", "pai"], ["1%", "pei"], ["5%", "pei"], ["5%", "hit_rate"]].forEach(function (pick) {
            var figure = data.summary[method][pick[0]][pick[1]];
            var cell = document.createElement("td");
            cell.className = "num";
            cell.textContent = fmt(figure.mean, 2) + " ± " + fmt(figure.sd, 2);
            row.appendChild(cell);
          });
          body.appendChild(row);
        });
        var top = data.headline || {};
        headline.textContent = fill(S.t("evaluation_headline"), {
          model: fmt(top.model_pai, 2), baseline: fmt(top.baseline_pai, 2), ratio: fmt(top.ratio, 3),
        }) + " · " + fill(S.t("evaluation_origins"), {
          origins: data.origins, horizon: data.horizon_days, day: data.data_last_day,
        });
      })
      .catch(function () { headline.textContent = S.t("evaluation_none"); })
      .then(function () { table.removeAttribute("data-loading"); });
  }

  section.querySelectorAll("[data-horizon]").forEach(function (button) {
    button.addEventListener("click", function () { showForecast(Number(button.dataset.horizon)); });
  });
  if (cfg.made) {
    showForecast(7);
  } else {
    about.textContent = S.t("forecast_none");
    mapElement.removeAttribute("data-loading");
  }
  if (cfg.evaluated) {
    showEvaluation();
  } else {
    headline.textContent = S.t("evaluation_none");
    table.removeAttribute("data-loading");
  }
})();
