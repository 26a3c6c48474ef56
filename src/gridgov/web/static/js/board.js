/* The public board's small map: the grid's outline, fitted. */
(function () {
  "use strict";
  var cfg = GG.config("map-config");
  if (!cfg.geometry || !document.getElementById("board-map")) return;
  var map = GG.createMap("board-map", cfg);
  var style = GG.kindStyle(cfg.kind);
  style.weight = 2;
  style.fillOpacity = 0.3;
  var layer = L.geoJSON(cfg.geometry, { className: "grid-shape", style: style }).addTo(map);
  GG.fit(map, layer, null, 24);
})();
