/* The dispatch form's department pickers: a filter box above the lead department's <select> and
   above the assisting departments' checklist. Without this script both work as plain form fields.
   Delegated on the document, so forms loaded later (the inbox's dialog, by htmx) work too. */
(function () {
  "use strict";

  function matches(text, wanted) {
    return !wanted || text.toLowerCase().indexOf(wanted) !== -1;
  }

  function filterSelect(select, wanted) {
    var firstShown = null;
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var show = matches(option.textContent, wanted);
        option.hidden = !show;
        if (show) { any = true; if (!firstShown) firstShown = option; }
      });
      group.hidden = !any;
    });
    var current = select.options[select.selectedIndex];
    if (wanted && firstShown && (!current || current.hidden || !current.value)) {
      firstShown.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function filterList(list, wanted) {
    Array.prototype.forEach.call(list.querySelectorAll(".dept-checks__group"), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll(".dept-checks__item"), function (item) {
        var show = matches(item.textContent, wanted) || item.querySelector("input").checked;
        item.hidden = !show;
        if (show) any = true;
      });
      group.hidden = !any;
    });
  }

  function reveal(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".dept-filter[hidden]"), function (box) {
      box.hidden = false;
    });
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("dept-filter")) return;
    var wanted = box.value.trim().toLowerCase();
    if (box.dataset.filterSelect) {
      var select = document.getElementById(box.dataset.filterSelect);
      if (select) filterSelect(select, wanted);
    } else if (box.dataset.filterList) {
      var list = document.getElementById(box.dataset.filterList);
      if (list) filterList(list, wanted);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.target); });
  reveal(document);
})();
