/* Case pages: the report form's location (the browser's Geolocation API, then the grid locator),
   and the overview's map of open cases and bar chart of counts by state. */
(function () {
  "use strict";
  var STATUS_COLORS = { on_time: "#15803d", warning: "#c2410c", overdue: "#b91c1c" };

  function reportForm() {
    var button = document.getElementById("locate-button");
    if (!button) return;
    var lon = document.getElementById("lon");
    var lat = document.getElementById("lat");
    var gridInput = document.getElementById("grid_code");
    var status = document.getElementById("locate-status");

    function say(text) { status.textContent = text; }

    function lookUp(x, y) {
      fetch("/api/v1/grids/locate?lon=" + x + "&lat=" + y, { headers: { Accept: "application/json" } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (found) {
          if (!found) return;
          if (found.found) {
            say("已定位：" + (found.grid_name || "") + "（" + found.grid_code + "）");
            if (gridInput) gridInput.value = found.grid_code;
          } else {
            say("已定位，但" + found.message + "；请核对，或清除定位后填写网格编码和地址。");
          }
        })
        .catch(function () {});
    }

    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        say("此浏览器不支持定位，请填写网格编码和地址。");
        return;
      }
      say("正在定位…");
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var x = pos.coords.longitude.toFixed(7), y = pos.coords.latitude.toFixed(7);
          lon.value = x;
          lat.value = y;
          say("已定位：" + x + "，" + y + "（精度约 " + Math.round(pos.coords.accuracy || 0) + " 米）");
          lookUp(x, y);
        },
        function (err) {
          lon.value = "";
          lat.value = "";
          say("无法定位（" + (err.code === 1 ? "未允许使用位置" : "信号不佳") + "），请填写网格编码和地址。");
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function overviewChart() {
    var el = document.getElementById("state-chart");
    var data = document.getElementById("chart-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 40, right: 12, top: 16, bottom: 64 },
      tooltip: { trigger: "axis", formatter: GGDom.axisTooltip },
      xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: 40 } },
      yAxis: { type: "value", name: "事项数", minInterval: 1 },
      series: [{ type: "bar", name: "事项", data: d.counts, itemStyle: { color: "#2563eb" }, barMaxWidth: 36 }],
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function overviewMap() {
    var el = document.getElementById("case-map");
    if (!el || !window.L || !window.GG) return;
    var cfg = GG.config("map-config");
    var status = document.getElementById("case-map-status");
    var map = GG.createMap(el, cfg);
    fetch(cfg.geojson, { headers: { Accept: "application/geo+json" } })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (f, latlng) {
            var color = STATUS_COLORS[f.properties.status] || "#64748b";
            return L.circleMarker(latlng, { radius: 7, color: color, weight: 2, fillColor: color, fillOpacity: 0.6 });
          },
          onEachFeature: function (f, marker) {
            var p = f.properties;
            var box = GG.el("div");
            box.appendChild(GG.el("a", { href: "/cases/" + encodeURIComponent(p.case_no) }, p.title));
            box.appendChild(GG.el("div", {}, p.state_label + (p.remaining ? " · " + p.remaining : "")));
            marker.bindPopup(box);
          },
        }).addTo(map);
        GG.fit(map, layer);
        var n = data.features.length;
        status.textContent = n ? "共 " + n.toLocaleString("zh-CN") + " 件办理中事项" : "没有登记坐标的办理中事项";
        el.setAttribute("data-loaded", String(n));
      })
      .catch(function (err) { status.textContent = "事项加载失败：" + err.message; });
  }

  /* The report form's case types: a grouped select (大类 → 小类) with a filter box; without script the
     select alone works. A word matches a 小类's name or its 大类's; one match is chosen. */
  function typeFilter() {
    var input = document.getElementById("type-search");
    var select = document.getElementById("type");
    if (!input || !select) return;
    input.hidden = false;
    input.addEventListener("input", function () {
      var word = input.value.trim();
      var matches = [];
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var groupHit = word && group.label.indexOf(word) !== -1;
        var shown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (opt) {
          var hit = !word || groupHit || opt.textContent.indexOf(word) !== -1;
          opt.hidden = !hit;
          opt.disabled = !hit;
          if (hit) { shown += 1; matches.push(opt); }
        });
        group.hidden = shown === 0;
      });
      if (word && matches.length === 1) select.value = matches[0].value;
      input.setAttribute("data-matches", String(word ? matches.length : 0));
    });
  }

  reportForm();
  typeFilter();
  overviewChart();
  overviewMap();
})();
