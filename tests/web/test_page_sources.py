"""The templates and our own scripts keep user text out of HTML parsing and keep script out of pages,
so the Content-Security-Policy (no inline script) holds and nobody brings back the stored XSS:

- no inline ``<script>`` in a template (data goes in ``<script type="application/json">`` with
  ``tojson``, or in ``data-*`` attributes), no ``on*=`` handler, no ``hx-on``, no ``javascript:`` URL;
- ``|safe`` only on the two server-built SVGs made from numbers (the board outline, the QR code) and on
  the user guide's pages, rendered from the package's own markdown with raw HTML off (gridgov.web.guide,
  tests/web/test_guide.py);
- in static JS (not vendor): no ``innerHTML``/``outerHTML``/``insertAdjacentHTML``/``document.write``/
  ``eval``; Leaflet tooltips and popups get an element (``GG.label(...)`` or one built with
  ``GG.el``/``GGDom.el``), never a string; no ``L.divIcon({html})``; every ECharts tooltip has the
  text-only formatter ``GGDom.axisTooltip``;
- no inline style either (the CSP has ``style-src 'self'``): no ``<style>``, no ``style=`` attribute.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "gridgov" / "web"
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
SCRIPTS = sorted((WEB / "static" / "js").glob("*.js"))

SAFE_FILTER_ALLOWED = {"outline_svg|safe", "qr_svg|safe", "guide_html|safe"}
"""Server-built SVG from numbers only (public.rules.outline_svg) and segno's QR code; the user guide's
HTML, which markdown-it renders from the package's markdown with raw HTML off (gridgov.web.guide)."""


def _rel(path: Path) -> str:
    return str(path.relative_to(WEB))


def template_problems(text: str) -> list[str]:
    problems = []
    for m in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
        attrs = m.group(1)
        if not re.search(r"\bsrc\s*=", attrs) and not re.search(r"""type\s*=\s*["']application/json["']""", attrs):
            problems.append(f"内联脚本：{m.group(0)}")
    for m in re.finditer(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", text):
        problems.append(f"内联事件处理：{m.group(1)}")
    for m in re.finditer(r"\bhx-on\b[:\w-]*\s*=", text):
        problems.append(f"hx-on 会执行代码：{m.group(0)}")
    for m in re.finditer(r"javascript\s*:", text, re.IGNORECASE):
        problems.append(f"javascript: 地址：{m.group(0)}")
    for m in re.finditer(r"([\w.\]\[\)\(]+)\s*\|\s*safe\b", text):
        if f"{m.group(1)}|safe" not in SAFE_FILTER_ALLOWED:
            problems.append(f"|safe 用在数据上：{m.group(0)}")
    for _style in re.finditer(r"<style\b", text, re.IGNORECASE):
        problems.append("内联 <style>（CSP 只允许样式文件）")
    for m in re.finditer(r"<[a-zA-Z][^>]*?\sstyle\s*=", text):
        problems.append(f"style 属性（CSP 只允许样式文件，请用 class）：{m.group(0)[:60]}")
    return problems


_LEAFLET_CONTENT = re.compile(r"\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent|setContent)\(\s*([^,)]*)")


def script_problems(text: str) -> list[str]:
    problems = []
    for pattern, what in [
        (r"\.innerHTML\s*\+?=", "innerHTML"),
        (r"\.outerHTML\s*\+?=", "outerHTML"),
        (r"insertAdjacentHTML\s*\(", "insertAdjacentHTML"),
        (r"document\.write(ln)?\s*\(", "document.write"),
        (r"\beval\s*\(", "eval"),
        (r"\bnew\s+Function\s*\(", "new Function"),
        (r"\bDOMParser\b|createContextualFragment", "HTML 解析"),
        (r"javascript\s*:", "javascript: 地址"),
        (r"\bdivIcon\s*\(", "L.divIcon（其 html 按 HTML 解析）"),
        (r"""setAttribute\(\s*["']style["']""", "style 属性（CSP 不允许；用 class 或 element.style）"),
        (r"""\.(html|append|prepend|before|after)\(\s*["'`<]""", "拼接 HTML"),
    ]:
        for m in re.finditer(pattern, text):
            problems.append(f"{what}：{m.group(0)}")
    for m in _LEAFLET_CONTENT.finditer(text):
        arg = m.group(2).strip()
        element = re.match(r"(GG\.label|GG\.el|GGDom\.el)\(", arg)
        variable = re.fullmatch(r"[A-Za-z_$][\w$]*", arg)
        builder = r"(GG\.el|GGDom\.el|GG\.label|document\.createElement)\("
        built = variable and re.search(rf"\b{re.escape(arg)}\s*=\s*{builder}", text)
        if not (element or built):
            problems.append(f"Leaflet 内容须是元素（GG.label(...)），不能是字符串：{m.group(0)}")
    for m in re.finditer(r"\btooltip\s*:\s*\{([^}]*)\}", text):
        if not re.search(r"formatter\s*:\s*GGDom\.axisTooltip\b", m.group(1)):
            problems.append(f"ECharts 提示框会按 HTML 显示名称，须用 formatter: GGDom.axisTooltip：{m.group(0)}")
    return problems


def test_the_sources_are_there():
    assert len(TEMPLATES) > 40 and len(SCRIPTS) >= 7
    assert any(p.name == "map.js" for p in SCRIPTS) and any(p.name == "base.html" for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=_rel)
def test_templates_have_no_inline_script_or_handler_and_no_unsafe_data(path):
    problems = template_problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{_rel(path)}：{problems}"


@pytest.mark.parametrize("path", SCRIPTS, ids=_rel)
def test_scripts_put_no_data_into_html(path):
    problems = script_problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{_rel(path)}：{problems}"


@pytest.mark.parametrize(("source", "caught"), [
    ('<script>alert(1)</script>', True),
    ('<script type="module">x()</script>', True),
    ('<script type="application/json" id="c">{{ c|tojson }}</script>', False),
    ('<script src="/static/js/app.js"></script>', False),
    ('<select name="s" onchange="this.form.submit()">', True),
    ('<button hx-on:click="go()">', True),
    ('<a href="javascript:void(0)">', True),
    ('<p>{{ item.note|safe }}</p>', True),
    ('<div>{{ outline_svg|safe }}</div>', False),
    ('<style>.x{}</style>', True),
    ('<li style="--depth: 2">', True),
    ('<p class="x">{{ item.note }}</p>', False),
])
def test_the_template_check_catches_what_it_should(source, caught):
    assert bool(template_problems(source)) is caught


@pytest.mark.parametrize(("source", "caught"), [
    ('shape.bindTooltip(feature.properties.name, { sticky: true });', True),
    ('layer.bindTooltip(f.properties.name + "（" + f.properties.code + "）");', True),
    ('layer.bindPopup("<b>" + name + "</b>");', True),
    ('shape.bindTooltip(GG.label(feature.properties.name), { sticky: true });', False),
    ('var box = GG.el("div"); marker.bindPopup(box);', False),
    ('var box = p.title; marker.bindPopup(box);', True),
    ('el.innerHTML = name;', True),
    ('el.insertAdjacentHTML("beforeend", name);', True),
    ('L.marker(p, { icon: L.divIcon({ html: name }) });', True),
    ('chart.setOption({ tooltip: { trigger: "axis" } });', True),
    ('chart.setOption({ tooltip: { trigger: "axis", formatter: GGDom.axisTooltip } });', False),
    ('el.textContent = name;', False),
    ('el.setAttribute("style", "color: red");', True),
    ('el.style.color = "red";', False),
])
def test_the_script_check_catches_what_it_should(source, caught):
    assert bool(script_problems(source)) is caught


def test_templates_escape_and_no_python_code_marks_html_safe():
    from gridgov.web.templating import templates

    auto = templates.env.autoescape
    assert all(auto is True or auto(name) for name in ("base.html", "cases/detail.html", "_macros.html"))
    offenders = []
    for path in sorted((WEB.parent).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\bMarkup\s*\(|autoescape\s*=\s*False|HTMLResponse\(\s*f[\"']", text):
            offenders.append(f"{path.relative_to(WEB.parent)}：{m.group(0)}")
    assert not offenders, offenders
