/* Shared Leaflet helpers: a map with no tiles unless the deployment configured a tile server;
   Leaflet's own controls in Chinese; map shapes the keyboard can reach. */
window.GG = (function () {
  "use strict";
  var KIND_COLORS = { urban: "#2563eb", rural: "#16a34a", dedicated: "#d97706" };
  var ATTRIBUTION_PREFIX = "地图引擎 Leaflet";
  var CLOSE = "关闭";

  /* Leaflet's words, once for every map of the site: the zoom buttons' titles (Leaflet uses them as
     their aria-label too), the attribution's prefix, and each popup's close button. */
  if (window.L) {
    L.Control.Zoom.prototype.options.zoomInTitle = "放大";
    L.Control.Zoom.prototype.options.zoomOutTitle = "缩小";
    L.Control.Attribution.prototype.options.prefix = ATTRIBUTION_PREFIX;
    L.Map.addInitHook(function () {
      // Chromium makes an SVG shape a Tab stop once it has a focus listener, and Leaflet gives one to
      // every shape with a tooltip: only the shapes made for the keyboard (keyboardShape) stay Tab
      // stops, the others (grid outlines under a map's own layers) are context, not one stop each.
      this.on("layeradd", function (e) {
        var path = e.layer instanceof L.Path && e.layer.getElement();
        if (path && !path.hasAttribute("tabindex")) path.setAttribute("tabindex", "-1");
      });
      this.on("popupopen", function (e) {
        var node = e.popup.getElement();
        var close = node && node.querySelector(".leaflet-popup-close-button");
        if (close) {
          close.setAttribute("aria-label", CLOSE);
          close.setAttribute("title", CLOSE);
        }
      });
    });
  }

  /* "Skip the map" links (a.map-skip, before a map with many Tab stops): the list they point to
     gets the focus, so the next Tab goes on from there. */
  document.addEventListener("click", function (e) {
    var skip = e.target.closest && e.target.closest("a.map-skip");
    var target = skip && document.getElementById(skip.getAttribute("href").slice(1));
    if (!target) return;
    e.preventDefault();
    target.focus();
  });

  function config(id) {
    var el = document.getElementById(id || "map-config");
    return el ? JSON.parse(el.textContent) : {};
  }

  function createMap(element, cfg) {
    var el = typeof element === "string" ? document.getElementById(element) : element;
    var map = L.map(el, { zoomSnap: 0.25, worldCopyJump: false });
    map.attributionControl.setPrefix(ATTRIBUTION_PREFIX);
    // A container with a name is a landmark a screen reader can find (a div may not carry a name alone).
    if (!el.hasAttribute("role")) el.setAttribute("role", "region");
    if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "地图");
    // Focus moving to a shape outside the view scrolls Leaflet's container, which Leaflet does not
    // expect (the map would be drawn off by that much): the map pans instead (see keyboardShape).
    el.addEventListener("scroll", function () { el.scrollTop = 0; el.scrollLeft = 0; });
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

  /* Brings a shape into the map's view when the keyboard reaches it. */
  function showShape(map, shape) {
    var bounds = shape.getBounds ? shape.getBounds() : L.latLngBounds([shape.getLatLng()]);
    if (!bounds.isValid() || map.getBounds().contains(bounds)) return;
    if (shape.getLatLng) map.panTo(shape.getLatLng());
    else map.fitBounds(bounds, { padding: [24, 24], maxZoom: Math.max(map.getZoom(), 12) });
  }

  /* A shape (a grid's polygon, a case's circle marker) the keyboard can reach: it is a Tab stop
     named ``name`` (text, as an attribute), the map pans to it when it gets focus, and Enter or
     Space does what a click does: ``activate(shape)``. Leaflet itself opens a bound tooltip on focus. */
  function keyboardShape(map, shape, name, activate) {
    function wire() {
      var path = shape.getElement && shape.getElement();
      if (!path || path.hasAttribute("tabindex")) return;
      path.setAttribute("tabindex", "0");
      path.setAttribute("role", "button");
      path.setAttribute("aria-label", name);
      path.addEventListener("focus", function () { showShape(map, shape); });
      path.addEventListener("keydown", function (e) {
        if (e.key !== "Enter" && e.key !== " ") return;
        e.preventDefault();
        e.stopPropagation();
        activate(shape);
      });
    }
    shape.on("add", wire);
    wire();
  }

  /* Focus back on a shape (from its card or popup), with the map showing it. */
  function focusShape(map, shape) {
    var path = shape && shape.getElement && shape.getElement();
    if (!path) return;
    showShape(map, shape);
    path.focus({ preventScroll: true });
  }

  /* A point inside a polygon layer (for a pin to go to): the middle of its bounds when that is
     inside, else the inside point of an 11×11 sample nearest to the middle (even-odd over every
     ring, so holes and multi-polygons count). */
  function insidePoint(shape) {
    var rings = [];
    (function collect(list) {
      if (!list.length) return;
      if (list[0] instanceof L.LatLng) rings.push(list); else list.forEach(collect);
    })(shape.getLatLngs());
    function inside(p) {
      var hit = false;
      rings.forEach(function (ring) {
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          var a = ring[i], b = ring[j];
          if ((a.lat > p.lat) !== (b.lat > p.lat) &&
              p.lng < (b.lng - a.lng) * (p.lat - a.lat) / (b.lat - a.lat) + a.lng) hit = !hit;
        }
      });
      return hit;
    }
    var bounds = shape.getBounds(), mid = bounds.getCenter();
    if (inside(mid)) return mid;
    var sw = bounds.getSouthWest(), ne = bounds.getNorthEast(), best = null, bestD = Infinity;
    for (var x = 1; x < 12; x++) {
      for (var y = 1; y < 12; y++) {
        var p = L.latLng(sw.lat + (ne.lat - sw.lat) * y / 12, sw.lng + (ne.lng - sw.lng) * x / 12);
        var d = Math.pow(p.lat - mid.lat, 2) + Math.pow(p.lng - mid.lng, 2);
        if (d < bestD && inside(p)) { best = p; bestD = d; }
      }
    }
    return best || mid;
  }

  return { KIND_COLORS: KIND_COLORS, config: config, createMap: createMap, kindStyle: kindStyle, fit: fit, el: el, label: label, number: number, outlines: outlines,
           keyboardShape: keyboardShape, focusShape: focusShape, insidePoint: insidePoint };
})();
