/* The report form's standard-address search: what is typed queries /api/v1/addresses?q= (the user's
   jurisdiction only); choosing an address fills #address_id and the address text, sets the grid code
   and, where the address has a point, #lon/#lat, firing "change" so the map's pin moves there and
   the duplicate check runs. Every text reaches the page through textContent. */
(function () {
  "use strict";

  function addressSearch() {
    var input = document.getElementById("address-search");
    var list = document.getElementById("address-results");
    var chosenId = document.getElementById("address_id");
    var status = document.getElementById("address-chosen");
    if (!input || !list || !chosenId || !status) return;
    var text = document.getElementById("address");
    var lon = document.getElementById("lon"), lat = document.getElementById("lat");
    var gridInput = document.getElementById("grid_code");
    var timer = null, asked = 0;

    function clearList() {
      while (list.firstChild) list.removeChild(list.firstChild);
      list.hidden = true;
    }

    function choose(a) {
      chosenId.value = String(a.id);
      if (text) text.value = a.canonical;
      if (gridInput && a.grid_code) gridInput.value = a.grid_code;
      if (lon && lat && a.lon !== null && a.lat !== null) {
        lon.value = Number(a.lon).toFixed(7);
        lat.value = Number(a.lat).toFixed(7);
        lon.dispatchEvent(new Event("change", { bubbles: true }));
        lat.dispatchEvent(new Event("change", { bubbles: true }));
      }
      status.textContent = "已选标准地址：" + a.canonical + "（" + a.code + "）";
      status.setAttribute("data-address", String(a.id));
      input.value = a.canonical;
      clearList();
    }

    function show(items, q) {
      clearList();
      if (!items.length) {
        var none = document.createElement("li");
        none.textContent = "辖区内没有找到“" + q + "”的标准地址";
        list.appendChild(none);
      }
      items.forEach(function (a) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--small button--ghost";
        button.textContent = a.canonical;
        button.setAttribute("data-address", String(a.id));
        button.addEventListener("click", function () { choose(a); });
        li.appendChild(button);
        list.appendChild(li);
      });
      list.hidden = false;
    }

    function search() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) {
        chosenId.value = "";
        status.textContent = "";
        status.removeAttribute("data-address");
        clearList();
        return;
      }
      fetch("/api/v1/addresses?page_size=10&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (res) { return res.ok ? res.json() : { items: [] }; })
        .then(function (page) { if (mine === asked) show(page.items || [], q); })
        .catch(function () { status.textContent = "无法查询标准地址，请直接填写地址。"; });
    }

    input.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(search, 300);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); search(); }
      if (e.key === "Escape") clearList();
    });
  }

  addressSearch();
})();
