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
          lon.dispatchEvent(new Event("change", { bubbles: true }));
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

  /* The overview's map of open cases. From the keyboard each marker is a Tab stop and Enter opens
     its card (a popup; focus goes to the case's link, Escape brings it back to the marker); the same
     cases are listed below the map with links. */
  function overviewMap() {
    var el = document.getElementById("case-map");
    if (!el || !window.L || !window.GG) return;
    var cfg = GG.config("map-config");
    var status = document.getElementById("case-map-status");
    var map = GG.createMap(el, cfg);
    var opener = null;
    // The jurisdiction's grid outlines under the pins; the map is fitted to them, not to the pins.
    var grids = GG.outlines(map, cfg.grids);

    function describe(p) {
      return p.state_label + (p.remaining ? " · " + p.remaining : "");
    }

    map.on("popupopen", function (e) {
      var link = e.popup.getElement().querySelector(".case-popup a");
      if (opener && link) link.focus({ preventScroll: true });
    });
    // Closed (Escape, its close button): focus goes back to the marker it was opened from.
    map.on("popupclose", function (e) {
      var back = opener, now = document.activeElement;
      opener = null;
      if (back && (!now || now === document.body || e.popup.getElement().contains(now))) GG.focusShape(map, back);
    });
    el.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !e.target.closest(".leaflet-popup")) return;
      e.preventDefault();
      e.stopPropagation();
      map.closePopup();
    });

    function listItem(f) {
      var p = f.properties;
      var li = GG.el("li", { "data-case": p.case_no });
      li.appendChild(GG.el("a", { href: "/cases/" + encodeURIComponent(p.case_no) }, p.title));
      li.appendChild(GG.el("span", { class: "map-list__meta" }, describe(p) + " · " + p.case_no));
      return li;
    }

    Promise.all([grids, fetch(cfg.geojson, { headers: { Accept: "application/geo+json" } })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })])
      .then(function (both) {
        var outlines = both[0], data = both[1];
        var layer = L.geoJSON(data, {
          pointToLayer: function (f, latlng) {
            var color = STATUS_COLORS[f.properties.status] || "#64748b";
            return L.circleMarker(latlng, { className: "case-marker", radius: 7, color: color, weight: 2,
                                            fillColor: color, fillOpacity: 0.6 });
          },
          onEachFeature: function (f, marker) {
            var p = f.properties;
            var box = GG.el("div", { class: "case-popup" });
            box.appendChild(GG.el("a", { href: "/cases/" + encodeURIComponent(p.case_no) }, p.title));
            box.appendChild(GG.el("div", {}, describe(p)));
            marker.bindPopup(box);
            marker.on("add", function () {
              var path = marker.getElement();
              if (path) path.setAttribute("data-case", p.case_no);
            });
            GG.keyboardShape(map, marker, p.title + "（" + describe(p) + "）", function () {
              map.closePopup();
              opener = marker;
              marker.openPopup();
            });
          },
        }).addTo(map);
        GG.fit(map, outlines && outlines.getLayers().length ? outlines : layer);
        if (outlines) el.setAttribute("data-grids", String(outlines.getLayers().length));
        var n = data.features.length;
        status.textContent = n ? "共 " + n.toLocaleString("zh-CN") + " 件办理中事件" : "没有登记坐标的办理中事件";
        var list = document.getElementById("case-map-list");
        if (list) {
          list.replaceChildren.apply(list, data.features.map(listItem));
          document.getElementById("case-map-list-count").textContent = n.toLocaleString("zh-CN");
          document.getElementById("case-map-list-box").hidden = n === 0;
          document.getElementById("case-map-list-skip").hidden = n === 0;
        }
        el.setAttribute("data-loaded", String(n));
      })
      .catch(function (err) { status.textContent = "事件加载失败：" + err.message; });
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

  /* 附近已有相同事件: whenever the point (the #lon/#lat inputs: geolocation or a map pin, which
     fire "change") or the category changes, ask the API for open cases of that category nearby and
     offer each with a "我也发现了" button that sends this form to that case instead. */
  function nearbyCheck() {
    var box = document.getElementById("nearby");
    var form = document.getElementById("case-form");
    if (!box || !form) return;
    var list = document.getElementById("nearby-list");
    var lon = document.getElementById("lon"), lat = document.getElementById("lat");
    var category = document.getElementById("category");
    var asked = 0;

    function item(c) {
      var li = GGDom.el("li", { "data-case": c.case_no });
      li.appendChild(GGDom.el("a", { href: "/cases/" + encodeURIComponent(c.case_no) }, c.title));
      li.appendChild(GGDom.el("span", { class: "muted small" },
        c.state_label + " · 相距约 " + c.distance_m + " 米" + (c.address ? " · " + c.address : "") + " · " + c.case_no));
      var join = GGDom.el("button", { type: "submit", name: "join_case", value: c.case_no, class: "button button--ghost",
                                   formnovalidate: "formnovalidate" }, "我也发现了");
      li.appendChild(join);
      return li;
    }

    function check() {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      if (isNaN(x) || isNaN(y) || !category.value) { box.hidden = true; return; }
      var mine = ++asked;
      var url = "/api/v1/cases/nearby?lon=" + encodeURIComponent(x) + "&lat=" + encodeURIComponent(y) +
        "&category=" + encodeURIComponent(category.value);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (res) { return res.ok ? res.json() : []; })
        .then(function (found) {
          if (mine !== asked) return;
          while (list.firstChild) list.removeChild(list.firstChild);
          found.forEach(function (c) { list.appendChild(item(c)); });
          box.hidden = found.length === 0;
        })
        .catch(function () {});
    }

    [lon, lat, category].forEach(function (input) { input.addEventListener("change", check); });
    check();
  }

  /* A form with more than one step (form[data-explicit-submit]: the report form's 现场处置 and 上报,
     and 我也发现了 for each nearby case, which comes before 登记) has no default step: Enter in a
     one-line field does not send it as the first button's step; a button (Tab, then Enter or Space) does. */
  function explicitSubmit() {
    document.querySelectorAll("form[data-explicit-submit]").forEach(function (form) {
      form.addEventListener("keydown", function (e) {
        var t = e.target;
        if (e.key !== "Enter" || t.tagName !== "INPUT") return;
        if (/^(submit|button|reset|checkbox|radio|file|image)$/.test(t.type)) return;
        e.preventDefault();
      });
    });
  }

  reportForm();
  typeFilter();
  explicitSubmit();
  nearbyCheck();
  overviewChart();
  overviewMap();
})();
