/* The home page's bar chart of grids per area (ECharts, vendored). */
(function () {
  "use strict";
  var el = document.getElementById("county-chart");
  var data = document.getElementById("chart-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    tooltip: { trigger: "axis", formatter: GGDom.axisTooltip },
    xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: "网格数", minInterval: 1 },
    series: [{ type: "bar", name: "在用网格", data: d.grids, itemStyle: { color: "#2563eb" }, barMaxWidth: 40 }],
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
