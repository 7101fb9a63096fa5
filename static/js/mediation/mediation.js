// The mediation page: the funnel, the dispute types and the child areas, from the mediation
// statistics API for the page's selection (the headline figures come with the page).
(function () {
  "use strict";
  var S = window.SafeCity;
  var stats = S.config.stats;
  var statsPath = S.route("mediation-stats");
  var done = S.dom.done;

  function percent(share) {
    return share === null || share === undefined ? "—" : S.formatNumber(share * 100) + "%";
  }

  var funnel = document.getElementById("funnel");
  S.api(statsPath, stats)
    .then(function (data) {
      S.charts.funnel(funnel, data.funnel.map(function (row) {
        return { name: S.t("stage_" + row.stage), value: row.count };
      }));
      done(funnel);
    })
    .catch(function (error) { S.charts.failed(funnel, error); });

  // Screened and resolved per type, largest on top, with the resolution rate in the tooltip.
  var types = document.getElementById("types");
  S.api(statsPath, Object.assign({}, stats, { by: "type" }))
    .then(function (data) {
      var rows = data.rows.slice().reverse();
      var chart = S.charts.chart(types);
      chart.setOption({
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: function (items) {
            var row = rows[items[0].dataIndex];
            // ECharts shows this as HTML: every name escaped (item.marker is ECharts' own).
            var html = S.text.escapeHtml;
            return html(S.localName(row)) + "<br>" + items.map(function (item) {
              return item.marker + html(item.seriesName) + " " + html(S.formatNumber(item.value));
            }).join("<br>") + "<br>" + html(S.t("resolution_rate") + " " + percent(row.resolution_rate));
          },
        },
        legend: Object.assign({ data: [S.t("screened"), S.t("resolved")] }, S.charts.legendTop),
        grid: { left: 8, right: 40, top: S.charts.plotBelowLegend, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
        yAxis: { type: "category", data: rows.map(function (row) { return S.localName(row); }), axisLabel: S.charts.categoryLabels() },
        series: [
          { name: S.t("screened"), type: "bar", data: rows.map(function (row) { return row.screened; }), label: { show: true, position: "right" } },
          { name: S.t("resolved"), type: "bar", data: rows.map(function (row) { return row.resolved; }) },
        ],
      });
      types.dataset.types = data.rows.map(function (row) { return row.code; }).join(",");
      done(types);
    })
    .catch(function (error) { S.charts.failed(types, error); });

  // The child areas, with a link down to each.
  var areas = document.getElementById("areas");
  S.api(statsPath, Object.assign({}, stats, { by: "area" }))
    .then(function (data) {
      var body = areas.querySelector("tbody");
      data.rows.forEach(function (row) {
        var tr = document.createElement("tr");
        tr.dataset.area = row.id;
        var name = document.createElement("td");
        var link = document.createElement("a");
        link.href = S.drillUrl(row.id);
        link.textContent = S.localName(row);
        name.append(link);
        tr.append(name);
        [S.formatNumber(row.screened), S.formatNumber(row.resolved), percent(row.resolution_rate), S.formatNumber(row.open)]
          .forEach(function (text) {
            var cell = document.createElement("td");
            cell.className = "num";
            cell.textContent = text;
            tr.append(cell);
          });
        body.append(tr);
      });
      if (!data.rows.length) {
        var empty = document.createElement("tr");
        var cell = document.createElement("td");
        cell.colSpan = 5;
        cell.className = "muted";
        cell.textContent = S.t("no_children");
        empty.append(cell);
        body.append(empty);
      }
      done(areas);
    })
    .catch(function (error) { S.charts.failed(areas, error); });
})();
