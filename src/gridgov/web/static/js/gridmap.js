/* Shared Leaflet helpers: a map with no tiles unless the deployment configured a tile server. */
window.GG = (function () {
  "use strict";
  var KIND_COLORS = { urban: "#2563eb", rural: "#16a34a", dedicated: "#d97706" };

  function config(id) {
    var el = document.getElementById(id || "map-config");
    return el ? JSON.parse(el.textContent) : {};
  }

  function createMap(element, cfg) {
    var el = typeof element === "string" ? document.getElementById(element) : element;
    var map = L.map(el, { zoomSnap: 0.25, worldCopyJump: false });
    map.attributionControl.setPrefix("Leaflet");
    if (cfg && cfg.tile_url) {
      L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("map--plain");
    }
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function kindStyle(kind) {
    var color = KIND_COLORS[kind] || "#64748b";
    return { color: color, weight: 1, opacity: 0.9, fillColor: color, fillOpacity: 0.22 };
  }

  function fit(map, layer, fallback, padding) {
    var bounds = layer && layer.getBounds ? layer.getBounds() : null;
    if (bounds && bounds.isValid()) {
      // maxZoom: with no tile layer the map has no zoom limit, and a single point's bounds would zoom to NaN.
      map.fitBounds(bounds, { padding: [padding || 12, padding || 12], maxZoom: 18 });
    } else if (fallback) {
      fallback();
    } else {
      map.setView([32, 119], 5);
    }
  }

  var el = window.GGDom.el;

  /* A Leaflet tooltip or popup's content as an element. Leaflet puts a string's content in the page
     as HTML, so never hand it a string made from data: ``layer.bindTooltip(GG.label(name))``. */
  function label(text) {
    return el("span", { class: "map-label" }, text);
  }

  function number(n) {
    return typeof n === "number" ? n.toLocaleString("zh-CN") : "—";
  }

  /* The grid outlines of an area (``/api/v1/areas/{code}/grids.geojson``) drawn under the other
     layers as context: thin lines, each grid's name as a tooltip (as text). Resolves with the layer
     (null when the outlines cannot be loaded: the map still shows what it has). */
  function outlines(map, url) {
    if (!url) return Promise.resolve(null);
    return fetch(url, { headers: { Accept: "application/geo+json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data) return null;
        var layer = L.geoJSON(data, {
          className: "grid-outline",
          style: function (f) {
            var s = kindStyle(f.properties.kind);
            s.fillOpacity = 0.08;
            return s;
          },
          onEachFeature: function (f, shape) {
            var tip = GGDom.el("span", { class: "map-label" }, f.properties.name);
            shape.bindTooltip(tip, { sticky: true });
            shape.on("add", function () {
              var path = shape.getElement();
              if (path) path.setAttribute("data-code", f.properties.code);
            });
          },
        }).addTo(map);
        layer.bringToBack();
        return layer;
      })
      .catch(function () { return null; });
  }

  return { KIND_COLORS: KIND_COLORS, config: config, createMap: createMap, kindStyle: kindStyle, fit: fit, el: el, label: label, number: number, outlines: outlines };
})();
