/* The dispatch form's department pickers: a filter box above the lead department's <select> and
   above the assisting departments' checklist. Without this script both work as plain form fields.
   Delegated on the document, so forms loaded later (the inbox's dialog, by htmx) work too.
   From the keyboard: typing filters (the lead's first match is chosen), Enter in a filter box never
   sends the form: in the assisting departments' box it ticks the first match not yet ticked; what
   was found or chosen is said in the box's status line. */
(function () {
  "use strict";

  function matches(text, wanted) {
    return !wanted || text.toLowerCase().indexOf(wanted) !== -1;
  }

  function say(box, text) {
    var status = document.getElementById(box.id + "-status");
    if (status) status.textContent = text;
  }

  function filterSelect(select, wanted) {
    var firstShown = null, shown = 0;
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var show = matches(option.textContent, wanted);
        option.hidden = !show;
        if (show) { any = true; shown += 1; if (!firstShown) firstShown = option; }
      });
      group.hidden = !any;
    });
    var current = select.options[select.selectedIndex];
    if (wanted && firstShown && (!current || current.hidden || !current.value)) {
      firstShown.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return shown;
  }

  function filterList(list, wanted) {
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll(".dept-checks__group"), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll(".dept-checks__item"), function (item) {
        var show = matches(item.textContent, wanted) || item.querySelector("input").checked;
        item.hidden = !show;
        if (show) { any = true; shown += 1; }
      });
      group.hidden = !any;
    });
    return shown;
  }

  function chosenName(select) {
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.textContent.trim() : "";
  }

  function reveal(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".dept-filter[hidden]"), function (box) {
      box.hidden = false;
      if (!document.getElementById(box.id + "-status")) {
        var status = document.createElement("p");
        status.id = box.id + "-status";
        status.className = "dept-filter__status";
        status.setAttribute("role", "status");
        box.setAttribute("aria-describedby", status.id);
        box.insertAdjacentElement("afterend", status);
      }
    });
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("dept-filter")) return;
    var wanted = box.value.trim().toLowerCase();
    if (box.dataset.filterSelect) {
      var select = document.getElementById(box.dataset.filterSelect);
      if (!select) return;
      var found = filterSelect(select, wanted);
      say(box, !wanted ? "" : found ? "找到 " + found + " 个部门，已选：" + chosenName(select) : "没有找到该部门");
    } else if (box.dataset.filterList) {
      var list = document.getElementById(box.dataset.filterList);
      if (!list) return;
      var shown = filterList(list, wanted);
      say(box, !wanted ? "" : shown ? "找到 " + shown + " 个部门，按回车键勾选第一个，或按 Tab 键逐个选择" : "没有找到该部门");
    }
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || !box.classList || !box.classList.contains("dept-filter")) return;
    event.preventDefault();
    if (box.dataset.filterSelect) {
      var select = document.getElementById(box.dataset.filterSelect);
      if (select) say(box, chosenName(select) ? "已选：" + chosenName(select) : "尚未选择");
      return;
    }
    var list = document.getElementById(box.dataset.filterList);
    if (!list) return;
    var first = Array.prototype.find.call(list.querySelectorAll(".dept-checks__item:not([hidden]) input"),
                                          function (input) { return !input.checked; });
    if (!first) { say(box, "没有可勾选的部门"); return; }
    first.checked = true;
    first.dispatchEvent(new Event("change", { bubbles: true }));
    say(box, "已勾选：" + first.closest(".dept-checks__item").textContent.trim());
  });
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.target); });
  reveal(document);
})();
