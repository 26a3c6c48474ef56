/* The resident's report page (/report): a tap on the map (or the phone's own position) puts the pin
   (which may then be dragged) and fills the longitude and latitude fields (WGS-84, the map's system);
   typing numbers moves the pin. The form works without this script: the fields are plain inputs. */
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.L) return;
  var cfg = GG.config("map-config");
  var lon = document.getElementById("r-lon");
  var lat = document.getElementById("r-lat");
  var crs = document.getElementById("r-crs");
  var status = document.getElementById("report-map-status");
  var locateButton = document.getElementById("report-locate");
  var map = GG.createMap(el, cfg);
  var marker = null;
  var ext = cfg.extent;
  if (ext) {
    var bounds = L.latLngBounds([ext[1], ext[0]], [ext[3], ext[2]]);
    L.rectangle(bounds, { color: "#64748b", weight: 1, fill: false, dashArray: "4 4", interactive: false }).addTo(map);
    map.fitBounds(bounds, { padding: [8, 8] });
  } else {
    map.setView([32.2, 119.45], 10);
  }

  function say(text) { status.textContent = text; }

  function place(latlng, fill) {
    if (marker) marker.setLatLng(latlng);
    else {
      // Dragged to the spot on a touch screen; the keyboard's way is the two fields below the map.
      marker = L.marker(latlng, { draggable: true, keyboard: false, title: "上报位置（可拖动）", alt: "上报位置" }).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng(), true); });
    }
    if (fill) {
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      crs.value = "wgs84";
    }
    say("已标出位置：经度 " + latlng.lng.toFixed(6) + "，纬度 " + latlng.lat.toFixed(6) + "。");
  }

  map.on("click", function (e) { place(e.latlng, true); });

  function typed() {
    var x = parseFloat(lon.value), y = parseFloat(lat.value);
    if (isFinite(x) && isFinite(y) && crs.value === "wgs84" && Math.abs(x) <= 180 && Math.abs(y) <= 90) {
      place(L.latLng(y, x), false);
      map.panTo([y, x]);
    }
  }
  lon.addEventListener("change", typed);
  lat.addEventListener("change", typed);
  typed();

  if (navigator.geolocation && locateButton) {
    locateButton.hidden = false;
    locateButton.addEventListener("click", function () {
      say("正在获取您的位置…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        place(here, true);
        map.setView(here, Math.max(map.getZoom(), 16));
      }, function () { say("无法获取您的位置：请点击地图标出位置，或填写经纬度。"); },
      { enableHighAccuracy: true, timeout: 10000 });
    });
  }
})();
