/* The monthly analysis report's charts (ECharts, vendored): the twelve-month trend and the ranking
   of the child areas; a bar opens the cases it counts. Data from #report-chart-data (JSON). */
(function () {
  "use strict";
  var data = document.getElementById("report-chart-data");
  if (!data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var font = getComputedStyle(document.body).fontFamily;
  var charts = [];
  var trendEl = document.getElementById("trend-chart");
  if (trendEl) {
    var trend = echarts.init(trendEl, null, { renderer: "svg" });
    trend.setOption({
      grid: { left: 44, right: 16, top: 36, bottom: 40 },
      tooltip: { trigger: "axis", formatter: GGDom.axisTooltip },
      legend: { data: ["上报", "结案"], top: 0 },
      xAxis: { type: "category", data: d.trend.map(function (t) { return t.month; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "line", name: "上报", data: d.trend.map(function (t) { return t.reported; }), itemStyle: { color: "#2563eb" } },
        { type: "line", name: "结案", data: d.trend.map(function (t) { return t.closed; }), itemStyle: { color: "#16a34a" } }
      ],
      textStyle: { fontFamily: font }
    });
    charts.push(trend);
  }
  var rankEl = document.getElementById("rank-chart");
  if (rankEl && d.children.length) {
    var rows = d.children.slice().reverse();
    var rank = echarts.init(rankEl, null, { renderer: "svg" });
    rank.setOption({
      grid: { left: 96, right: 48, top: 8, bottom: 24 },
      tooltip: { trigger: "axis", formatter: GGDom.axisTooltip },
      xAxis: { type: "value", max: 100, name: "%" },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", name: d.rate.label, itemStyle: { color: "#2563eb" }, barMaxWidth: 24,
        label: { show: true, position: "right", formatter: "{c}%" },
        data: rows.map(function (r) { return r.value === null ? 0 : Math.round(r.value * 1000) / 10; }) }],
      textStyle: { fontFamily: font }
    });
    rank.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (row && row.url && row.url.charAt(0) === "/") window.location.href = row.url;
    });
    charts.push(rank);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
