// 走访: fills the visit form's position from the phone (no inline script: CSP).
(function () {
  "use strict";
  var button = document.getElementById("care-locate");
  if (!button) return;
  var status = document.getElementById("care-locate-status");
  button.addEventListener("click", function () {
    if (!navigator.geolocation) {
      status.textContent = "此设备无法定位";
      return;
    }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
      document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
      status.textContent = "已定位：" + pos.coords.longitude.toFixed(5) + "，" + pos.coords.latitude.toFixed(5);
    }, function () {
      status.textContent = "定位失败，可不填位置";
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
