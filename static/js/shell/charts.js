// ECharts helpers shared by the dashboard pages.
(function () {
  "use strict";
  var S = window.SafeCity;
  var charts = [];

  function chart(element) {
    var instance = echarts.init(element, null, { renderer: "canvas" });
    charts.push(instance);
    element.chart = instance;
    return instance;
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Room for the legend above the plot, and axis labels kept inside the chart and apart:
  // long names are cut (the tooltip has them whole) and crowded labels dropped.
  var LEGEND_TOP = { top: 0, type: "scroll" };
  var PLOT_BELOW_LEGEND = 40;
  var CATEGORY_LABEL_WIDTH = 120;
  function categoryLabels() {
    return { width: CATEGORY_LABEL_WIDTH, overflow: "truncate", hideOverlap: true };
  }

  function failed(element, error) {
    element.classList.add("failed");
    element.textContent = S.t("load_failed");
    console.warn(error);
  }

  // A line of the current period with last year's aligned values.
  function trend(element, data) {
    var c = chart(element);
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: Object.assign({ data: [S.t("this_period"), S.t("last_year")] }, LEGEND_TOP),
      grid: { left: 8, right: 32, top: PLOT_BELOW_LEGEND, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.points.map(function (p) { return p.from; }), axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: S.t("this_period"), type: "line", data: data.points.map(function (p) { return p.value; }), smooth: true },
        { name: S.t("last_year"), type: "line", data: data.points.map(function (p) { return p.last_year; }), lineStyle: { type: "dashed" }, smooth: true },
      ],
    });
    return c;
  }

  // Horizontal bars, largest on top; onClick(row) when a bar is clicked.
  function bars(element, rows, options) {
    var c = chart(element);
    var top = rows.slice(0, (options && options.limit) || 15).reverse();
    c.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: top.map(function (r) { return S.localName(r); }), axisLabel: categoryLabels() },
      series: [{ type: "bar", data: top.map(function (r) { return r.current; }), label: { show: true, position: "right" } }],
    });
    if (options && options.onClick) c.on("click", function (params) { options.onClick(top[params.dataIndex]); });
    return c;
  }

  // Hour (x) by weekday (y) counts as a heat matrix.
  function heatMatrix(element, data) {
    var c = chart(element);
    var cells = [];
    var max = 0;
    data.matrix.forEach(function (row, day) {
      row.forEach(function (count, hour) {
        cells.push([hour, day, count]);
        max = Math.max(max, count);
      });
    });
    c.setOption({
      tooltip: { position: "top" },
      grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: Array.from({ length: 24 }, function (_, h) { return String(h).padStart(2, "0"); }), splitArea: { show: true }, axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: S.t("weekdays").split(","), splitArea: { show: true } },
      visualMap: { min: 0, max: max || 1, calculable: true, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120 },
      series: [{ type: "heatmap", data: cells, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
    });
    return c;
  }

  function funnel(element, stages) {
    var c = chart(element);
    c.setOption({
      tooltip: { trigger: "item" },
      // Widths in proportion to the largest stage (ECharts' default scale is 0–100).
      series: [{ type: "funnel", sort: "none", min: 0, max: Math.max.apply(null, stages.map(function (s) { return s.value; }).concat(1)), left: "10%", width: "80%", label: { formatter: "{b}: {c}" }, data: stages }],
    });
    return c;
  }

  S.charts = {
    chart: chart, trend: trend, bars: bars, heatMatrix: heatMatrix, funnel: funnel, failed: failed,
    legendTop: LEGEND_TOP, plotBelowLegend: PLOT_BELOW_LEGEND, categoryLabels: categoryLabels,
  };
})();
