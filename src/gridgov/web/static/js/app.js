/* Site-wide behaviour: the area tree's expand/collapse buttons (htmx loads the children once),
   filters that apply on change (``data-autosubmit``), print buttons (``data-print``), the menu,
   and every form's progress on submit (its buttons disabled, 提交中…).
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

  /* Progress on submit, for every form: while its request runs, the form's submit buttons are
     disabled and the one pressed says 提交中… (a search: 查询中…). A plain form stays so until the
     next page comes (a page the browser kept comes back with its buttons working again); an htmx
     form, or a button with hx-post, until the answer, failed or not. A disabled button is not sent,
     so the pressed button's name and value go along in a hidden input. A form may opt out with
     data-no-busy; a form's [data-busy-status] (or #busy-status) tells it in words too. */
  var SUBMITS = "button[type=submit], button:not([type]), input[type=submit]";
  function label(button, text) {
    if (button.tagName === "INPUT") {
      if (text === undefined) return button.value;
      button.value = text;
    } else {
      if (text === undefined) return button.textContent;
      button.textContent = text;
    }
  }
  function setBusy(form, pressed, busy) {
    var buttons = form.tagName === "FORM" ? Array.prototype.slice.call(form.querySelectorAll(SUBMITS)) : [form];
    var shown = pressed && buttons.indexOf(pressed) >= 0 ? pressed : buttons[0];
    buttons.forEach(function (b) {
      if (busy) {
        if (b.getAttribute("aria-busy") === "true") return;
        b.disabled = true;
        b.setAttribute("aria-busy", "true");
        if (b === shown) {
          b.setAttribute("data-idle-label", label(b));
          var get = (form.getAttribute("method") || "get").toLowerCase() === "get" && !form.hasAttribute("hx-post");
          label(b, get ? "查询中…" : "提交中…");
        }
      } else if (b.getAttribute("aria-busy") === "true") {
        b.disabled = false;
        b.removeAttribute("aria-busy");
        if (b.hasAttribute("data-idle-label")) {
          label(b, b.getAttribute("data-idle-label"));
          b.removeAttribute("data-idle-label");
        }
      }
    });
    var status = form.querySelector && form.querySelector("[data-busy-status], #busy-status");
    if (status) status.textContent = busy ? "正在提交，请稍候…" : "";
    if (!busy && form.querySelectorAll) {
      form.querySelectorAll("[data-busy-copy]").forEach(function (c) { c.remove(); });
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("data-no-busy") || form.target === "_blank") return;
    if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) return;  // htmx's events below
    var pressed = event.submitter;
    if (pressed && pressed.name) {
      form.appendChild(GGDom.el("input", { type: "hidden", name: pressed.name, value: pressed.value,
                                           "data-busy-copy": "" }));
    }
    setBusy(form, pressed, true);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form").forEach(function (form) { setBusy(form, null, false); });
  });
  function htmxSender(event) {
    var elt = event.detail.elt;
    if (!elt || elt.hasAttribute("data-no-busy")) return null;
    if (elt.tagName === "FORM" || (elt.tagName === "BUTTON" && elt.hasAttribute("hx-post"))) return elt;
    return null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var sender = htmxSender(event);
    var active = document.activeElement;
    if (sender) setBusy(sender, active && sender.contains(active) ? active : null, true);
  });
  ["htmx:afterRequest", "htmx:sendError", "htmx:timeout", "htmx:abort"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var sender = htmxSender(event);
      if (sender) setBusy(sender, null, false);
    });
  });

  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target) target.textContent = "加载失败（" + event.detail.xhr.status + "），请刷新页面重试。";
  });
})();
