// A campaign's detail: results and last year's comparison (summary), sweeps over time, and
// the remediation areas on a map with their inspections, all loaded after the KPI table.
(function () {
  "use strict";
  var S = window.SafeCity;
  var cfg = S.config;
  var labels = cfg.labels;
  var element = S.dom.element;
  var done = S.dom.done;

  // A figure as <data value=...>: the raw number for readers, the formatted one for people.
  function figure(value, kind) {
    var node = element("data");
    node.value = value === null || value === undefined ? "" : value;
    node.textContent = kind === "amount" ? S.formatMoney(value) : S.formatNumber(value);
    return node;
  }

  function percentChange(block) {
    var node = element("span", "change");
    if (!block || block.pct_change === null) {
      node.textContent = "—";
      // No data behind the comparison: why, on hover.
      if (block && block.reason) node.title = S.t("gap_" + block.flag + "_" + block.reason);
      return node;
    }
    node.classList.add(block.change > 0 ? "worse" : block.change < 0 ? "better" : "same");
    node.textContent = (block.change > 0 ? "▲" : block.change < 0 ? "▼" : "＝") + Math.abs(block.pct_change) + "%";
    node.dataset.pct = block.pct_change;
    return node;
  }

  // All pages of a list endpoint's answer (the API pages by cursor).
  function all(path, params) {
    return S.api(path, Object.assign({ page_size: 1000 }, params)).then(function (data) {
      return Array.isArray(data) ? data : data.results;
    });
  }

  // --- results: the campaign summary, as the summary API gives it.
  var results = document.getElementById("results");
  var yoy = document.getElementById("yoy");

  function group(title, items) {
    var section = element("section", "result-group");
    section.append(element("h3", null, title));
    var list = element("dl");
    items.forEach(function (item) {
      var row = element("div");
      row.dataset.result = item.key;
      var value = element("dd");
      value.append(figure(item.value, item.kind));
      row.append(element("dt", null, item.label), value);
      list.append(row);
    });
    if (!items.length) list.append(element("div", "muted", S.t("no_data")));
    section.append(list);
    return section;
  }

  function showResults(summary) {
    var battles = [{ key: "battles.count", label: S.t("battle_count"), value: summary.battles.count }];
    Object.keys(labels.battle_totals).forEach(function (name) {
      battles.push({
        key: "battles." + name, label: labels.battle_totals[name], value: summary.battles[name],
        kind: name === "money_involved" ? "amount" : "count",
      });
    });
    var sweeps = [{ key: "sweeps.count", label: S.t("sweep_count"), value: summary.sweeps.count }];
    Object.keys(labels.sweep_tallies).forEach(function (name) {
      sweeps.push({ key: "sweeps." + name, label: labels.sweep_tallies[name], value: summary.sweeps[name] });
    });
    var reported = Object.keys(summary.reported).map(function (label) {
      return { key: "reported." + label, label: label, value: summary.reported[label] };
    });
    var remediation = [{ key: "remediation_areas.total", label: S.t("listed"), value: summary.remediation_areas.total }];
    Object.keys(labels.remediation_statuses).forEach(function (status) {
      if (summary.remediation_areas[status] === undefined) return;
      remediation.push({
        key: "remediation_areas." + status, label: labels.remediation_statuses[status],
        value: summary.remediation_areas[status],
      });
    });
    var kpis = Object.keys(labels.kpi_statuses).map(function (status) {
      return { key: "kpis." + status, label: labels.kpi_statuses[status], value: summary.kpis[status] };
    });
    results.append(
      group(S.t("battles"), battles),
      group(S.t("sweeps"), sweeps),
      group(S.t("reported"), reported),
      group(S.t("remediation"), remediation),
      group(S.t("kpis"), kpis)
    );
    done(results);
  }

  function showComparison(summary) {
    var incidents = summary.incidents;
    document.getElementById("yoy-period").textContent = summary.period.from + " — " + summary.period.to;
    var body = yoy.querySelector("tbody");
    incidents.rows.forEach(function (row) {
      var tr = element("tr");
      tr.dataset.area = row.area;
      tr.dataset.category = row.category || "";
      var current = element("td", "num");
      current.append(figure(row.current));
      current.dataset.current = row.current;
      var last = element("td", "num");
      last.append(figure(row.yoy.base));
      last.dataset.base = row.yoy.base;
      var change = element("td", "num");
      change.append(percentChange(row.yoy));
      var category = row.category ? (cfg.categories[row.category] || row.category) : S.t("all_categories");
      tr.append(element("td", null, row.area), element("td", null, category), current, last, change);
      body.append(tr);
    });
    var total = element("tr", "total");
    total.dataset.total = "";
    var current = element("td", "num");
    current.append(figure(incidents.total.current));
    current.dataset.current = incidents.total.current;
    var last = element("td", "num");
    last.append(figure(incidents.total.yoy.base));
    last.dataset.base = incidents.total.yoy.base;
    var change = element("td", "num");
    change.append(percentChange(incidents.total.yoy));
    total.append(element("th", null, S.t("total")), element("td"), current, last, change);
    yoy.querySelector("tfoot").append(total);
    done(yoy);
  }

  S.api(S.route("campaign-summary", { pk: cfg.campaign }))
    .then(function (summary) {
      showResults(summary);
      showComparison(summary);
    })
    .catch(function (error) {
      S.charts.failed(results, error);
      done(yoy);
    });

  // --- sweeps: the tallies of each sweep, by date.
  var sweepChart = document.getElementById("sweeps");
  var SWEEP_SERIES = ["venues_checked", "hazards_found", "hazards_rectified", "violations", "cases"];
  all(S.route("campaign-sweep-list"), { campaign: cfg.campaign })
    .then(function (sweeps) {
      done(sweepChart);
      if (!sweeps.length) {
        sweepChart.classList.add("empty");
        sweepChart.textContent = S.t("no_data");
        return;
      }
      sweeps.sort(function (a, b) { return a.held_on < b.held_on ? -1 : a.held_on > b.held_on ? 1 : a.id - b.id; });
      var chart = S.charts.chart(sweepChart);
      chart.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: S.charts.legendTop,
        grid: { left: 8, right: 12, top: S.charts.plotBelowLegend, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: sweeps.map(function (s) { return s.held_on.slice(5); }), axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", minInterval: 1 },
        series: SWEEP_SERIES.map(function (name) {
          return { name: labels.sweep_tallies[name], type: "bar", data: sweeps.map(function (s) { return s[name]; }) };
        }),
      });
      sweepChart.dataset.sweeps = sweeps.length;
    })
    .catch(function (error) { S.charts.failed(sweepChart, error); });

  // --- remediation areas: polygons over the campaign's scope, a table, inspections on click.
  var mapElement = document.getElementById("map");
  var table = document.getElementById("remediations");
  var inspections = document.getElementById("inspections");
  var map = S.maps.baseMap(mapElement);
  var scopeLayer = L.featureGroup().addTo(map);
  var remediationLayer = L.featureGroup().addTo(map);
  var layersById = {};
  mapElement.remediationLayers = layersById;
  var today = new Date().toISOString().slice(0, 10);
  var STATUS_COLOURS = { listed: "#c62828", rectifying: "#ef6c00", accepted: "#2e7d32", delisted: "#757575" };
  S.maps.legend(map, "bottomright", "remediation").show(S.t("remediation_status"), Object.keys(STATUS_COLOURS).map(function (status) {
    return [STATUS_COLOURS[status], labels.remediation_statuses[status] || status];
  }));

  function isOverdue(area) {
    return area.due_on < today && (area.status === "listed" || area.status === "rectifying");
  }

  function fit() {
    var bounds = remediationLayer.getBounds();
    if (!bounds.isValid()) bounds = scopeLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 15 });
  }

  var scopes = Promise.all(cfg.scope_areas.map(function (id) {
    return S.maps.area(map, id).then(function (feature) {
      L.geoJSON(feature, {
        style: { color: "#1d3557", weight: 1.5, fillColor: "#9ecae1", fillOpacity: 0.12 },
        interactive: false,
      }).addTo(scopeLayer);
    });
  }));

  function showInspections(area) {
    inspections.hidden = false;
    inspections.replaceChildren(element("h3", null, area.name + " · " + S.t("inspections")));
    var detail = element("p", "muted", S.t("problem") + ": " + area.problem + " · " + S.t("target") + ": " +
      area.target + " · " + S.t("responsible") + ": " + area.responsible_person);
    inspections.append(detail);
    inspections.dataset.area = area.id;
    inspections.setAttribute("data-loading", "");
    S.api(S.route("campaign-remediation-inspections", { pk: area.id }))
      .then(function (rows) {
        var list = element("ol", "inspection-list");
        rows.forEach(function (row) {
          var item = element("li");
          item.dataset.inspection = row.id;
          var when = element("time", null, row.inspected_on);
          when.dateTime = row.inspected_on;
          item.append(when, element("span", null, row.findings), element("span", "muted", row.inspector));
          list.append(item);
        });
        if (!rows.length) list.append(element("li", "muted", S.t("no_inspections")));
        inspections.append(list);
        done(inspections);
      })
      .catch(function (error) { S.charts.failed(inspections, error); });
  }

  function select(area) {
    table.querySelectorAll("tr.selected").forEach(function (row) { row.classList.remove("selected"); });
    var row = table.querySelector('tr[data-remediation="' + area.id + '"]');
    if (row) row.classList.add("selected");
    var layer = layersById[area.id];
    if (layer) {
      map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 15 });
      layer.openPopup();
    }
    showInspections(area);
  }

  function addArea(area) {
    var colour = STATUS_COLOURS[area.status] || "#555";
    var layer = L.geoJSON(area.geometry, {
      style: { color: colour, weight: isOverdue(area) ? 3 : 2, dashArray: isOverdue(area) ? "6 4" : null, fillColor: colour, fillOpacity: 0.35 },
    });
    layer.bindPopup(function () {
      var box = element("div", "remediation-popup");
      box.append(
        element("strong", null, area.name),
        element("div", null, labels.remediation_statuses[area.status] || area.status),
        element("div", null, S.t("problem") + ": " + area.problem),
        element("div", null, S.t("due") + ": " + area.due_on)
      );
      return box;
    });
    layer.on("click", function () { select(area); });
    layer.addTo(remediationLayer);
    layersById[area.id] = layer;

    var row = element("tr");
    row.dataset.remediation = area.id;
    row.dataset.status = area.status;
    if (isOverdue(area)) row.classList.add("overdue");
    var name = element("td");
    var link = element("a", null, area.name);
    link.href = "#map";
    link.addEventListener("click", function (event) { event.preventDefault(); select(area); });
    name.append(link);
    var status = element("td");
    status.append(element("span", "badge remediation-" + area.status, labels.remediation_statuses[area.status] || area.status));
    var current = element("td", "num", "…");
    var change = element("td", "num");
    row.append(name, status, element("td", isOverdue(area) ? "overdue" : null, area.due_on), current, change);
    table.querySelector("tbody").append(row);

    S.api(S.route("campaign-remediation-stats", { pk: area.id }))
      .then(function (stats) {
        current.replaceChildren(figure(stats.current));
        current.dataset.current = stats.current;
        change.dataset.base = stats.yoy.base;
        change.append(percentChange(stats.yoy));
        change.title = S.t("last_year") + " " + stats.yoy.base;
      })
      .catch(function (error) { current.textContent = "—"; console.warn(error); });
  }

  var remediations = all(S.route("campaign-remediation-list"), { campaign: cfg.campaign })
    .then(function (areas) {
      areas.sort(function (a, b) { return a.due_on < b.due_on ? -1 : a.due_on > b.due_on ? 1 : a.id - b.id; });
      areas.forEach(addArea);
      if (!areas.length) {
        var empty = element("tr");
        var cell = element("td", "muted", S.t("no_data"));
        cell.colSpan = 5;
        empty.append(cell);
        table.querySelector("tbody").append(empty);
      }
      done(table);
    })
    .catch(function (error) { S.charts.failed(table, error); });

  Promise.allSettled([scopes, remediations]).then(function () {
    fit();
    done(mapElement);
  });
})();
