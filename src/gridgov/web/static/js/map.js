/* The map page: draws an area's grids from the API, shows a grid's card on click, and locates
   the grid under a click on an empty spot. From the keyboard: each grid is a Tab stop and Enter
   opens its card (focus goes to the card's link; 返回地图 or Escape brings it back), and the list
   of grids beside the map does the same. */
(function () {
  "use strict";
  var cfg = GG.config("map-config");
  var kindLabels = cfg.kind_labels || {};
  var mapEl = document.getElementById("map");
  var statusEl = document.getElementById("map-status");
  var card = document.getElementById("grid-card");
  var firstSel = document.getElementById("pick-first");
  var secondSel = document.getElementById("pick-second");
  var map = GG.createMap(mapEl, cfg);
  var layer = null;
  var selected = null;
  var byCode = {};
  var loadSeq = 0;
  var listBox = document.getElementById("grid-list-box");
  var list = document.getElementById("grid-list");
  var cardFrom = null;

  function setStatus(text) { statusEl.textContent = text; }

  function showCard(props, note, from) {
    card.replaceChildren(GG.el("h2", {}, "网格信息"));
    if (!props) {
      card.appendChild(GG.el("p", { class: "muted", id: "grid-card-empty" }, note || "尚未选择网格。"));
      return;
    }
    var title = GG.el("h3", { class: "grid-card__name" }, props.name);
    card.appendChild(title);
    var dl = GG.el("dl", { class: "facts facts--stack" });
    function row(label, value, cls) {
      var div = GG.el("div");
      div.appendChild(GG.el("dt", {}, label));
      div.appendChild(GG.el("dd", cls ? { class: cls } : {}, value));
      dl.appendChild(div);
    }
    row("网格编码", props.code, "code grid-card__code");
    if (props.kind) row("网格类型", kindLabels[props.kind] || props.kind);
    if (props.households !== undefined) row("户数", GG.number(props.households) + " 户");
    if (note) row("位置", note);
    card.appendChild(dl);
    var link = GG.el("a", { class: "button button--small", href: "/grids/" + encodeURIComponent(props.code) }, "查看网格详情");
    var actions = card.appendChild(GG.el("p", { class: "actions" }));
    actions.appendChild(link);
    if (from) {
      // Opened from the keyboard: the card has the focus, and a way back to where it was.
      var back = GG.el("button", { type: "button", class: "button button--small button--ghost", id: "grid-card-back" },
                       from.shape ? "返回地图" : "返回列表");
      back.addEventListener("click", function () { goBack(from); });
      actions.appendChild(back);
      link.focus();
    }
    cardFrom = from || null;
  }

  card.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && cardFrom) { e.preventDefault(); goBack(cardFrom); }
  });

  function goBack(from) {
    if (from.shape) GG.focusShape(map, from.shape);
    else if (from.button) from.button.focus();
  }

  /* Opens a grid's card from the keyboard (its shape, or its button in the list). */
  function open(shape, from) {
    highlight(shape, true);
    showCard(shape.feature.properties, null, from);
  }

  function fillList(features) {
    if (!list) return;
    list.replaceChildren();
    features.forEach(function (f) {
      var item = GG.el("li", { "data-code": f.properties.code });
      var button = GG.el("button", { type: "button", class: "map-list__button" }, f.properties.name);
      button.addEventListener("click", function () {
        var shape = byCode[f.properties.code];
        if (!shape) return;
        GG.fit(map, shape, null, 40);
        open(shape, { button: button });
      });
      item.appendChild(button);
      item.appendChild(GG.el("span", { class: "code muted small" }, f.properties.code));
      list.appendChild(item);
    });
    listBox.hidden = features.length === 0;
    document.getElementById("grid-list-skip").hidden = features.length === 0;
    document.getElementById("grid-list-count").textContent = String(features.length);
  }

  function highlight(target, keepOrder) {
    if (selected && layer && layer.hasLayer(selected)) layer.resetStyle(selected);
    selected = target;
    if (target) {
      target.setStyle({ weight: 3, fillOpacity: 0.45 });
      // Brought to the front, a shape moves to the end of the SVG and so of the Tab order: not
      // when the keyboard opened it (Tab goes on to the next grid).
      if (!keepOrder) target.bringToFront();
    }
  }

  function onEachFeature(feature, shape) {
    byCode[feature.properties.code] = shape;
    shape.on("add", function () {
      var path = shape.getElement();
      if (path) {
        path.setAttribute("data-code", feature.properties.code);
        path.setAttribute("data-kind", feature.properties.kind);
      }
    });
    shape.bindTooltip(GG.label(feature.properties.name), { sticky: true, direction: "top" });
    GG.keyboardShape(map, shape, feature.properties.name + "（网格）", function () { open(shape, { shape: shape }); });
    shape.on("click", function (e) {
      L.DomEvent.stopPropagation(e);
      highlight(shape);
      showCard(feature.properties);
    });
  }

  function load(code) {
    var seq = ++loadSeq;
    setStatus("正在加载网格…");
    mapEl.removeAttribute("data-loaded");
    return fetch("/api/v1/areas/" + encodeURIComponent(code) + "/grids.geojson", { headers: { Accept: "application/geo+json" } })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (data) {
        if (seq !== loadSeq) return;
        if (layer) layer.remove();
        byCode = {};
        selected = null;
        layer = L.geoJSON(data, {
          className: "grid-shape",
          style: function (f) { return GG.kindStyle(f.properties.kind); },
          onEachFeature: onEachFeature,
        }).addTo(map);
        GG.fit(map, layer);
        fillList(data.features);
        var n = data.features.length;
        setStatus(n ? "共 " + n.toLocaleString("zh-CN") + " 个网格" : "该区域没有在用网格");
        mapEl.setAttribute("data-loaded", String(n));
      })
      .catch(function (err) {
        if (seq !== loadSeq) return;
        setStatus("网格加载失败：" + err.message);
      });
  }

  function choose(code, name) {
    mapEl.setAttribute("data-area", code);
    document.getElementById("map-area-name").textContent = name;
    document.getElementById("link-area").href = "/areas/" + encodeURIComponent(code);
    document.getElementById("link-coverage").href = "/coverage?area=" + encodeURIComponent(code);
    history.replaceState(null, "", "/map?area=" + encodeURIComponent(code));
    showCard(null);
    load(code);
  }

  function fillSecond(parent) {
    secondSel.replaceChildren(GG.el("option", { value: "" }, "全部"));
    secondSel.disabled = true;
    if (!parent) return Promise.resolve();
    return fetch("/api/v1/areas?parent=" + encodeURIComponent(parent), { headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : []; })
      .then(function (areas) {
        areas.forEach(function (a) { secondSel.appendChild(GG.el("option", { value: a.code }, a.name)); });
        secondSel.disabled = areas.length === 0;
      });
  }

  if (firstSel) {
    firstSel.addEventListener("change", function () {
      var code = firstSel.value || firstSel.dataset.top;
      var name = firstSel.value ? firstSel.selectedOptions[0].textContent : firstSel.dataset.topName;
      fillSecond(firstSel.value);
      choose(code, name);
    });
  }
  if (secondSel) {
    secondSel.addEventListener("change", function () {
      if (secondSel.value) choose(secondSel.value, secondSel.selectedOptions[0].textContent);
      else choose(firstSel.value || firstSel.dataset.top, firstSel.value ? firstSel.selectedOptions[0].textContent : firstSel.dataset.topName);
    });
  }

  map.on("click", function (e) {
    var lon = e.latlng.lng.toFixed(7), lat = e.latlng.lat.toFixed(7);
    fetch("/api/v1/grids/locate?lon=" + lon + "&lat=" + lat, { headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (found) {
        if (!found) return;
        if (!found.found) {
          highlight(null);
          showCard(null, found.message);
          return;
        }
        var shape = byCode[found.grid_code];
        highlight(shape || null);
        var props = shape ? shape.feature.properties : { code: found.grid_code, name: found.grid_name };
        var where = (found.area_chain || []).map(function (a) { return a.name; }).join(" › ");
        showCard(props, where);
      });
  });

  var picker = document.getElementById("map-picker");
  if (picker) picker.addEventListener("submit", function (e) { e.preventDefault(); });

  load(cfg.area);
})();
