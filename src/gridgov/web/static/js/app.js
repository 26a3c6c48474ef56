/* Site-wide behaviour: the area tree's expand/collapse buttons (htmx loads the children once). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".tree__toggle");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.title = open ? "收起下级" : "展开下级";
    target.hidden = !open;
    if (open && !target.hasChildNodes()) target.textContent = "正在加载…";
  });

  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target) target.textContent = "加载失败（" + event.detail.xhr.status + "），请刷新页面重试。";
  });
})();
