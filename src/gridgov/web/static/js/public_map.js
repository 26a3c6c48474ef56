/* The public map of resident reports: one circle per cell (its centre, never a report's own point),
   its popup the cell's counts by grid and type, built as text (GGDom.el sets textContent). */
(function () {
  "use strict";
  var cfg = GG.config("map-config");
  if (!document.getElementById("map")) return;
  var map = GG.createMap("map", cfg);
  var el = GGDom.el;
  var layer = L.featureGroup();
  (cfg.cells || []).forEach(function (cell) {
    var open = cell.items.some(function (i) { return i.state === "open"; });
    var marker = L.circleMarker([cell.lat, cell.lon], {
      className: "public-report", radius: Math.min(6 + 2 * Math.sqrt(cell.count), 20),
      color: open ? "#b91c1c" : "#15803d", weight: 2, fillOpacity: 0.35
    });
    var box = GGDom.el("div", { class: "map-label" });
    cell.items.forEach(function (i) {
      box.appendChild(el("div", {}, i.grid_name + " · " + i.type_name + " · " +
                                   (i.state === "open" ? "办理中" : "已办结") + " " + i.count + " 件"));
    });
    marker.bindPopup(box);
    layer.addLayer(marker);
  });
  layer.addTo(map);
  GG.fit(map, layer, null, 24);
})();
