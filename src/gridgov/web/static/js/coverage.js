/* The coverage page's map: the area boundary, its grids (thin), and what the check found. */
(function () {
  "use strict";
  var cfg = GG.config("map-config");
  var mapEl = document.getElementById("coverage-map");
  var statusEl = document.getElementById("map-status");
  var map = GG.createMap(mapEl, cfg);
  var findings = L.featureGroup().addTo(map);
  var boundary = null;

  if (cfg.boundary) {
    boundary = L.geoJSON(cfg.boundary, {
      className: "area-boundary",
      interactive: false,
      style: { color: "#0f172a", weight: 2.5, fill: false, dashArray: "6 4" },
    }).addTo(map);
  }

  var styles = {
    overlaps: { label: "重叠", className: "issue issue--overlap", color: "#dc2626" },
    gaps: { label: "缝隙", className: "issue issue--gap", color: "#ea580c" },
    outside: { label: "越界", className: "issue issue--outside", color: "#7c3aed" },
  };

  function drawFindings() {
    Object.keys(styles).forEach(function (key) {
      var s = styles[key];
      (cfg[key] || []).forEach(function (geometry, i) {
        L.geoJSON(geometry, {
          className: s.className,
          style: { color: s.color, weight: 2, fillColor: s.color, fillOpacity: 0.55 },
        }).bindTooltip(GG.label(s.label + " " + (i + 1))).addTo(findings);
      });
    });
    findings.bringToFront();
  }

  function fitAll(grids) {
    var bounds = L.latLngBounds([]);
    [boundary, grids, findings].forEach(function (l) {
      if (l && l.getBounds && l.getBounds().isValid()) bounds.extend(l.getBounds());
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    else map.setView([32, 119], 5);
  }

  fetch("/api/v1/areas/" + encodeURIComponent(cfg.area) + "/grids.geojson", { headers: { Accept: "application/geo+json" } })
    .then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    })
    .then(function (data) {
      var grids = L.geoJSON(data, {
        className: "grid-shape",
        style: { color: "#475569", weight: 0.6, fillColor: "#94a3b8", fillOpacity: 0.08 },
        onEachFeature: function (f, shape) {
          shape.bindTooltip(GG.label(f.properties.name + "（" + f.properties.code + "）"), { sticky: true });
          function open() { window.location.href = "/grids/" + encodeURIComponent(f.properties.code); }
          shape.on("click", open);
          shape.on("add", function () {
            var path = shape.getElement();
            if (path) path.setAttribute("data-code", f.properties.code);
          });
          // From the keyboard too: a Tab stop named after the grid, Enter opens its page.
          GG.keyboardShape(map, shape, f.properties.name + "（网格，回车打开网格页面）", open);
        },
      }).addTo(map);
      drawFindings();
      fitAll(grids);
      statusEl.textContent = "已绘制 " + data.features.length.toLocaleString("zh-CN") + " 个网格";
      mapEl.setAttribute("data-loaded", String(data.features.length));
    })
    .catch(function (err) {
      drawFindings();
      fitAll(null);
      statusEl.textContent = "网格加载失败：" + err.message;
    });
})();
