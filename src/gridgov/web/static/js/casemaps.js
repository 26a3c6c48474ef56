/* Case maps with context: the case page's map (the case's grid outline and its point) and the report
   form's draggable pin, which sets #lon/#lat, fires "change" on them (the duplicate check listens)
   and shows the grid the point falls in. Without dragging, the pin follows the keyboard: arrow keys
   on the focused pin, a grid picked from #pin-grid-pick, coordinates typed into #lon/#lat, or the
   phone's location. Names reach the page as text only (GG.label, textContent). */
(function () {
  "use strict";

  function casePlace() {
    var el = document.getElementById("case-place-map");
    if (!el || !window.L || !window.GG) return;
    var cfg = GG.config("map-config");
    var map = GG.createMap(el, cfg);
    var point = cfg.point ? L.latLng(cfg.point[1], cfg.point[0]) : null;
    var pin = null;
    if (point) {
      pin = L.circleMarker(point, { className: "case-pin", radius: 8, color: "#b91c1c", weight: 3,
                                    fillColor: "#ef4444", fillOpacity: 0.8 }).addTo(map);
      pin.bindTooltip(GG.label("上报位置"));
    }
    fetch(cfg.grid, { headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (grid) {
        if (!grid || !grid.geometry) throw new Error("no grid");
        var style = GG.kindStyle(grid.kind);
        style.weight = 2;
        var layer = L.geoJSON(grid.geometry, { className: "grid-shape", style: style }).addTo(map);
        layer.bindTooltip(GG.label(grid.name), { sticky: true });
        layer.bringToBack();
        GG.fit(map, layer, null, 24);
        el.setAttribute("data-grid", grid.code);
      })
      .catch(function () {
        if (point) map.setView(point, 16); else GG.fit(map, null);
        document.getElementById("case-place-status").textContent = "所在网格的边界无法显示。";
      });
  }

  function reportPin() {
    var el = document.getElementById("report-map");
    var lon = document.getElementById("lon"), lat = document.getElementById("lat");
    if (!el || !lon || !lat || !window.L || !window.GG) return;
    var cfg = GG.config("map-config");
    var gridInput = document.getElementById("grid_code");
    var status = document.getElementById("pin-grid");
    var pick = document.getElementById("pin-grid-pick");
    var shapes = {};
    el.hidden = false;
    status.hidden = false;
    var map = GG.createMap(el, cfg);
    var pin = null;
    var asked = 0;

    function say(text, code) {
      status.textContent = text;
      status.setAttribute("data-grid", code || "");
    }

    function locate(latlng) {
      var mine = ++asked;
      var q = "lon=" + latlng.lng.toFixed(7) + "&lat=" + latlng.lat.toFixed(7);
      fetch("/api/v1/grids/locate?" + q, { headers: { Accept: "application/json" } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (found) {
          if (mine !== asked || !found) return;
          if (found.found) {
            say("标记所在网格：" + (found.grid_name || "") + "（" + found.grid_code + "）", found.grid_code);
            if (gridInput) gridInput.value = found.grid_code;
            if (pick) pick.value = shapes[found.grid_code] ? found.grid_code : "";
          } else {
            say("标记不在你辖区的网格内（" + (found.message || "未找到网格") + "），请移动标记。", "");
            if (pick) pick.value = "";
          }
        })
        .catch(function () { say("无法查询标记所在网格，请填写网格编码。", ""); });
    }

    function chosen(latlng, fromInputs) {
      pin.setLatLng(latlng);
      if (!fromInputs) {
        lon.value = latlng.lng.toFixed(7);
        lat.value = latlng.lat.toFixed(7);
        lon.dispatchEvent(new Event("change", { bubbles: true }));
        lat.dispatchEvent(new Event("change", { bubbles: true }));
      }
      locate(latlng);
    }

    function fromInputs() {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      return isFinite(x) && isFinite(y) ? L.latLng(y, x) : null;
    }

    function place(start) {
      pin = L.marker(start, { draggable: true, keyboard: true, title: "上报位置（可拖动；选中后可用方向键移动）",
                               alt: "上报位置" }).addTo(map);
      pin.on("dragend", function () { chosen(pin.getLatLng(), false); });
      map.on("click", function (e) { chosen(e.latlng, false); });
      var node = pin.getElement();
      if (node) {
        node.setAttribute("id", "report-pin");
        node.addEventListener("keydown", function (e) {
          var step = { ArrowUp: [0, -10], ArrowDown: [0, 10], ArrowLeft: [-10, 0], ArrowRight: [10, 0] }[e.key];
          if (!step) return;
          e.preventDefault();
          e.stopPropagation();
          var p = map.latLngToContainerPoint(pin.getLatLng()).add(step);
          chosen(map.containerPointToLatLng(p), false);
        });
      }
    }

    /* The grids of the outlines as a select: picking one puts the pin inside that grid. */
    function fillPick(outlines) {
      if (!pick || !outlines) return;
      outlines.getLayers().forEach(function (shape) {
        var p = shape.feature.properties;
        shapes[p.code] = shape;
        pick.appendChild(GG.el("option", { value: p.code }, p.name + "（" + p.code + "）"));
      });
      if (!outlines.getLayers().length) return;
      document.getElementById("pin-keys").hidden = false;
      pick.addEventListener("change", function () {
        var shape = shapes[pick.value];
        if (!shape || !pin) return;
        var at = GG.insidePoint(shape);
        if (!map.getBounds().contains(shape.getBounds())) GG.fit(map, shape, null, 24);
        chosen(at, false);
      });
    }

    GG.outlines(map, cfg.grids).then(function (outlines) {
      var known = fromInputs();
      var hasGrids = outlines && outlines.getLayers().length;
      fillPick(outlines);
      if (hasGrids) GG.fit(map, outlines);
      if (known) {
        if (!hasGrids) map.setView(known, 16);
        place(known);
        locate(known);
      } else {
        if (!hasGrids) GG.fit(map, null);
        place(map.getCenter());
        say("拖动标记到问题所在位置或点击地图；也可选中标记后用方向键移动，或在下方选择网格、输入经纬度。", "");
      }
      el.setAttribute("data-ready", "1");
    });

    // The coordinates set another way (typed, or the phone's location): the pin follows.
    function follow() {
      var at = fromInputs();
      if (!at || !pin || at.equals(pin.getLatLng(), 1e-9)) return;
      chosen(at, true);
      if (!map.getBounds().contains(at)) map.setView(at, Math.max(map.getZoom(), 15));
    }
    lon.addEventListener("change", follow);
    lat.addEventListener("change", follow);
  }

  casePlace();
  reportPin();
})();
