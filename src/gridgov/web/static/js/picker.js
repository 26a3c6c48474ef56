/* A searchable picker for a code field (the new-post and users forms): the page has a plain text
   input for the code (which works without this script); marked data-picker="grid|department|place",
   it becomes a search box (by name or code) and a list of matches chosen by name, the chosen code
   shown in small print, and the input a hidden field carrying the code.
     grid        grids of the jurisdiction (GET /api/v1/grids?q=), data-picker-area narrows them;
     department  the departments the user may see (GET /api/v1/departments), filtered here;
     place       the areas of the input's <datalist> and the grids, for a user's scope.
   A code typed whole in the search box (12, 15 or 17 digits) is offered as it is. Options are built
   with textContent only. */
(function () {
  "use strict";
  var el = window.GGDom.el;
  var departments = null;

  function json(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  }

  function contains(text, wanted) {
    return text.toLowerCase().indexOf(wanted.toLowerCase()) !== -1;
  }

  function grids(q, area) {
    var url = "/api/v1/grids?page_size=20&q=" + encodeURIComponent(q) + (area ? "&area=" + encodeURIComponent(area) : "");
    return json(url).then(function (page) {
      return page.items.map(function (g) { return { code: g.code, text: g.name + "（" + g.area_name + "）", group: "网格" }; });
    });
  }

  function departmentsMatching(q) {
    departments = departments || json("/api/v1/departments");
    return departments.then(function (list) {
      return list.filter(function (d) { return contains(d.name + d.code, q); }).slice(0, 50)
        .map(function (d) { return { code: d.code, text: d.name, group: "部门" }; });
    });
  }

  function areasOf(input, q) {
    var list = document.getElementById(input.getAttribute("data-picker-list") || "");
    if (!list) return [];
    return Array.prototype.filter.call(list.querySelectorAll("option"), function (o) {
      return contains(o.textContent + o.value, q);
    }).slice(0, 30).map(function (o) { return { code: o.value, text: o.textContent, group: "区域" }; });
  }

  function search(input, q) {
    var kind = input.getAttribute("data-picker");
    var typed = /^(\d{12}|\d{15}|\d{17})$/.test(q) ? [{ code: q, text: "按编码：" + q, group: "编码" }] : [];
    var found;
    if (kind === "department") found = departmentsMatching(q);
    else if (kind === "grid") found = grids(q, input.getAttribute("data-picker-area"));
    else {
      var areas = areasOf(input, q);
      found = grids(q).then(function (g) { return areas.concat(g); });
    }
    return found.then(function (rows) {
      return typed.length && !rows.some(function (r) { return r.code === q; }) ? typed.concat(rows) : rows;
    });
  }

  function fill(select, rows, current) {
    while (select.firstChild) select.removeChild(select.firstChild);
    select.appendChild(el("option", { value: "" }, rows.length ? "请选择（共 " + rows.length + " 项）" : "没有找到"));
    var groups = {};
    rows.forEach(function (r) {
      if (!groups[r.group]) groups[r.group] = select.appendChild(el("optgroup", { label: r.group }));
      var option = groups[r.group].appendChild(el("option", { value: r.code }, r.text));
      if (r.code === current) option.selected = true;
    });
  }

  function enhance(input) {
    var label = input.getAttribute("data-picker-label") || "";
    var id = input.id || input.name;
    var box = el("div", { class: "picker", "data-picker-for": input.name });
    var finder = el("input", { type: "search", class: "picker__search", id: id + "-search", autocomplete: "off",
                               placeholder: "输入名称或编码查找", "aria-label": "查找" + label });
    var select = el("select", { class: "picker__select", id: id + "-pick", "aria-label": "选择" + label });
    var code = el("small", { class: "code muted picker__code", "aria-live": "polite" });
    box.appendChild(finder);
    box.appendChild(select);
    box.appendChild(code);
    input.parentNode.insertBefore(box, input.nextSibling);
    var labelFor = input.id && document.querySelector("label[for='" + input.id + "']");
    if (labelFor) labelFor.setAttribute("for", finder.id);
    if (input.getAttribute("list")) input.setAttribute("data-picker-list", input.getAttribute("list"));
    input.removeAttribute("list");
    input.removeAttribute("id");
    input.type = "hidden";

    function show(value) { code.textContent = value ? "编码 " + value : ""; }
    function run() {
      var q = finder.value.trim();
      search(input, q).then(function (rows) {
        fill(select, rows, input.value);
        if (q && !input.value && rows.length) {
          select.value = rows[0].code;
          input.value = rows[0].code;
        }
        show(input.value);
      }).catch(function () { code.textContent = "查找失败，请重试"; });
    }
    var timer = null;
    finder.addEventListener("input", function () {
      if (input.value && finder.value.trim()) input.value = "";  // a new search picks anew
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    select.addEventListener("change", function () {
      input.value = select.value;
      show(input.value);
    });
    if (input.value) finder.value = input.value;
    fill(select, input.value ? [{ code: input.value, text: input.value, group: "当前" }] : [], input.value);
    show(input.value);
    if (input.value) {
      search(input, input.value).then(function (rows) {
        var hit = rows.filter(function (r) { return r.code === input.value; });
        if (hit.length) { fill(select, hit, input.value); finder.value = hit[0].text; }
      }).catch(function () {});
    }
  }

  document.querySelectorAll("input[data-picker]").forEach(enhance);
})();
