/* The adjustment page's map: the grids before (red, dashed) and after (blue) the change. */
(function () {
  "use strict";
  var cfg = GG.config("map-config");
  var map = GG.createMap("adjust-map", cfg);
  function label(f, layer) { layer.bindTooltip(GG.label(f.properties.name + "（" + f.properties.code + "）")); }
  var after = L.geoJSON(cfg.after, { style: { color: "#2563eb", weight: 2, fillOpacity: 0.18 }, onEachFeature: label }).addTo(map);
  var before = L.geoJSON(cfg.before, { style: { color: "#dc2626", weight: 3, dashArray: "6 6", fillOpacity: 0 }, onEachFeature: label }).addTo(map);
  var all = L.featureGroup([before, after]);
  GG.fit(map, all, null, 30);
})();
