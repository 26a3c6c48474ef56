/* The standard-address form: "使用当前位置" fills the longitude and latitude from the phone (WGS84,
   what the Geolocation API gives) and says so in text. */
(function () {
  "use strict";
  var button = document.getElementById("address-locate");
  var lon = document.getElementById("lon"), lat = document.getElementById("lat");
  var crs = document.getElementById("crs"), status = document.getElementById("address-locate-status");
  if (!button || !lon || !lat || !status) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此浏览器不支持定位，请填写坐标或网格编码。"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      lon.value = pos.coords.longitude.toFixed(7);
      lat.value = pos.coords.latitude.toFixed(7);
      if (crs) crs.value = "wgs84";
      status.textContent = "已定位（精度约 " + Math.round(pos.coords.accuracy || 0) + " 米）";
    }, function (err) {
      status.textContent = "无法定位（" + (err.code === 1 ? "未允许使用位置" : "信号不佳") + "），请填写坐标或网格编码。";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
