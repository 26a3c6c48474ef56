/* The leaders' dashboard (/dashboard and its full-screen view /dashboard/screen): ECharts charts and a
   Leaflet choropleth of the figures the page's tables hold (#dash-data, JSON). Every bar, point and
   grid opens the 辖区事件 list with exactly the filters that count it (the same links as the tables).
   Names come from user data: tooltips are built as elements with textContent (GGDom.axisTooltip,
   GG.label), never as HTML strings; ECharts' SVG renderer writes axis labels as text nodes. */
(function () {
  "use strict";
  var dataEl = document.getElementById("dash-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var screen = document.body.classList.contains("screen");
  var INK = screen ? "#e2e8f0" : "#334155";
  var LINE = screen ? "#334155" : "#e2e8f0";
  var COLORS = { reported: "#2563eb", closed: "#15803d", overdue: "#b91c1c" };
  var charts = [];

  /* Only the case list's own links are followed (they come from the server, but a chart never
     navigates anywhere else). */
  function go(href) {
    if (typeof href === "string" && href.indexOf("/cases/mine") === 0) window.location.assign(href);
  }

  function truncate(text, n) {
    text = String(text == null ? "" : text);
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  function tooltip(params) {
    return GGDom.axisTooltip(params);
  }

  function axis(extra) {
    var base = { axisLabel: { color: INK }, axisLine: { lineStyle: { color: LINE } }, splitLine: { lineStyle: { color: LINE } } };
    Object.keys(extra || {}).forEach(function (k) {
      base[k] = extra[k];
    });
    return base;
  }

  function draw(id, option, series) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    if (!series.keys.length) {
      el.hidden = true;
      return null;
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily, color: INK };
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltip };
    option.legend = option.legend || { show: false };
    option.legend.textStyle = { color: INK };
    option.animation = false;
    chart.setOption(option);
    // A bar or point of a series counting ``kpi`` (the trend's 结案, 超期) lists the cases that counter counts.
    chart.on("click", function (p) {
      var href = series.hrefs[p.dataIndex], kpi = (series.kpis || [])[p.seriesIndex];
      if (href && kpi) href += (href.indexOf("?") === -1 ? "?" : "&") + "kpi=" + kpi;
      go(href);
    });
    el.dataset.ready = "1";
    charts.push(chart);
    return chart;
  }

  /* A ranking: horizontal bars of reported cases, the largest on top. */
  function ranking(id, series, label) {
    var n = series.keys.length;
    var el = document.getElementById(id);
    if (el && n > 8) el.classList.add("dash-chart--tall");
    var names = series.names.slice().reverse();
    draw(id, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: axis({ type: "value", minInterval: 1 }),
      yAxis: axis({ type: "category", data: names, axisLabel: { color: INK, formatter: function (v) { return truncate(v, 10); } } }),
      series: [{ type: "bar", name: label, data: series.reported.slice().reverse(), barMaxWidth: 22,
                 itemStyle: { color: COLORS.reported }, label: { show: true, position: "right", color: INK } }],
    }, { keys: series.keys, hrefs: series.hrefs.slice().reverse() });
  }

  function trend() {
    var s = data.trend;
    draw("chart-trend", {
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      legend: { show: true, top: 0 },
      xAxis: axis({ type: "category", data: s.names }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [
        { type: "bar", name: "上报", data: s.reported, itemStyle: { color: COLORS.reported }, barMaxWidth: 28 },
        { type: "line", name: "结案", data: s.closed, itemStyle: { color: COLORS.closed } },
        { type: "line", name: "超期", data: s.overdue, itemStyle: { color: COLORS.overdue } },
      ],
    }, { keys: s.keys, hrefs: s.hrefs, kpis: [null, "closed", "overdue"] });
  }

  /* The choropleth: the area's grid outlines, each filled by its reported cases (five steps up to
     the largest), a click (or Enter on a grid with cases) opening its cases. */
  function choropleth() {
    var el = document.getElementById("dash-map");
    var status = document.getElementById("dash-map-status");
    if (!el || !window.L || !window.GG) return;
    var cfg = GG.config("map-config");
    if (!cfg.grids) {
      el.hidden = true;
      return;
    }
    var byGrid = {};
    var most = 0;
    data.grids.keys.forEach(function (k, i) {
      byGrid[k] = { n: data.grids.reported[i], href: data.grids.hrefs[i], name: data.grids.names[i] };
      most = Math.max(most, data.grids.reported[i]);
    });
    var STEPS = ["#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"];
    function fill(n) {
      if (!n) return "#f8fafc";
      return STEPS[Math.min(STEPS.length - 1, Math.floor((n / most) * (STEPS.length - 1) + 0.5))];
    }
    var map = GG.createMap(el, cfg);
    status.textContent = "正在加载网格…";
    fetch(cfg.grids, { headers: { Accept: "application/geo+json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (geo) {
        if (!geo) {
          status.textContent = "网格边界无法加载，各网格的数字见下表。";
          return;
        }
        var layer = L.geoJSON(geo, {
          style: function (f) {
            var g = byGrid[f.properties.code];
            return { color: "#475569", weight: 1, opacity: 0.8, fillColor: fill(g ? g.n : 0), fillOpacity: 0.75 };
          },
          onEachFeature: function (f, shape) {
            var g = byGrid[f.properties.code];
            var text = f.properties.name + "：" + (g ? g.n : 0) + " 件";
            shape.bindTooltip(GG.label(text), { sticky: true });
            shape.on("add", function () {
              var path = shape.getElement();
              if (path) path.setAttribute("data-code", f.properties.code);
            });
            if (g) {
              shape.on("click", function () { go(g.href); });
              GG.keyboardShape(map, shape, text, function () { go(g.href); });
            }
          },
        }).addTo(map);
        GG.fit(map, layer);
        status.textContent = geo.features.length ? "" : "此区域没有网格边界。";
        el.dataset.ready = "1";
      })
      .catch(function () { status.textContent = "网格边界无法加载，各网格的数字见下表。"; });
  }

  function fullscreen() {
    var button = document.getElementById("dash-fullscreen");
    if (!button || !document.fullscreenEnabled) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });
    document.addEventListener("fullscreenchange", function () {
      button.textContent = document.fullscreenElement ? "退出全屏" : "全屏";
    });
  }

  trend();
  ranking("chart-children", data.children, "上报");
  ranking("chart-departments", data.departments, "上报");
  ranking("chart-types", data.types, "上报");
  choropleth();
  fullscreen();
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
