/* Site-wide behaviour: the area tree's expand/collapse buttons (htmx loads the children once),
   filters that apply on change (``data-autosubmit``) and print buttons (``data-print``).
   No page has inline script or ``on*=`` handlers: the Content-Security-Policy would block them. */
window.GGDom = (function () {
  "use strict";
  /* Builds an element whose text is ``text`` (set as textContent, never parsed as HTML): the one way
     user text (grid, area, staff, case, matter names) reaches a page from script. */
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* An ECharts tooltip (trigger "axis") as an element: ECharts puts a string formatter's result in
     the page as HTML, so names go in as text instead. */
  function axisTooltip(params) {
    var list = Array.isArray(params) ? params : [params];
    var box = el("div", { class: "chart-tip" });
    if (list.length) box.appendChild(el("div", { class: "chart-tip__name" }, list[0].name));
    list.forEach(function (p) {
      var value = typeof p.value === "number" ? p.value.toLocaleString("zh-CN") : p.value;
      box.appendChild(el("div", {}, p.seriesName + "：" + value));
    });
    return box;
  }

  return { el: el, axisTooltip: axisTooltip };
})();

(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

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

  /* The menu: 菜单 opens the whole menu on a phone; a group's button opens its list on a desktop
     (hover and keyboard focus open it too); a click elsewhere or Escape closes it. */
  function closeGroups(except) {
    document.querySelectorAll(".nav-group.is-open").forEach(function (group) {
      if (group === except) return;
      group.classList.remove("is-open");
      group.querySelector(".nav-group__toggle").setAttribute("aria-expanded", "false");
    });
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (toggle) {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (nav) nav.classList.toggle("is-open", open);
      return;
    }
    var groupButton = event.target.closest(".nav-group__toggle");
    var group = groupButton && groupButton.closest(".nav-group");
    closeGroups(group);
    if (group) {
      var expanded = !group.classList.contains("is-open");
      group.classList.toggle("is-open", expanded);
      groupButton.setAttribute("aria-expanded", expanded ? "true" : "false");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeGroups(null);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target) target.textContent = "加载失败（" + event.detail.xhr.status + "），请刷新页面重试。";
  });
})();
