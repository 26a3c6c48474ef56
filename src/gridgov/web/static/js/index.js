/* The governance index page: the trend of the index and of its groups by month (ECharts, vendored).
   Names reach the chart as data (no HTML); the tooltip is built with textContent (GGDom). */
(function () {
  "use strict";
  var el = document.getElementById("index-chart");
  var data = document.getElementById("index-chart-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var series = [{ type: "line", name: "指数", data: d.index, connectNulls: false, lineStyle: { width: 3 } }];
  d.groups.forEach(function (g) {
    series.push({ type: "line", name: g.name, data: g.scores, connectNulls: false });
  });
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 40, right: 16, top: 40, bottom: 32 },
    legend: { top: 0, type: "scroll" },
    tooltip: { trigger: "axis", formatter: GGDom.axisTooltip },
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", min: 0, max: 100, name: "分" },
    series: series,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
