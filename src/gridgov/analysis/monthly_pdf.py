"""The monthly analysis report as an A4 PDF, drawn from its figures (:func:`gridgov.analysis.monthly.
build_report`) with reportlab: tables, and the charts (the twelve-month trend, the ranking of the
child areas) drawn with ``reportlab.graphics`` — no plotting library, no network. Every word is set
in the embedded CJK font (:mod:`gridgov.kit.pdffont`), so any reader shows the Chinese text.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from gridgov.analysis.monthly import fmt_change, fmt_value, title
from gridgov.kit.pdffont import CJK_FONT, register_cjk_font

BLUE, GREEN, GREY = "#2563EB", "#16A34A", "#475569"
CHART_BARS = 15
"""The most child areas the ranking chart draws (the table lists them all)."""


def _trend_chart(figures: dict, width: float, height: float):
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    trend = figures["trend"]
    d = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 36, 36, width - 50, height - 62
    chart.data = [[t["reported"] for t in trend], [t["closed"] for t in trend]]
    chart.categoryAxis.categoryNames = [t["month"][2:] for t in trend]
    chart.categoryAxis.labels.fontName = CJK_FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = CJK_FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([1, *chart.data[0], *chart.data[1]])
    chart.valueAxis.valueMax = top + max(1, top // 5)
    chart.valueAxis.valueStep = max(1, -(-chart.valueAxis.valueMax // 5))
    for n, color in enumerate((BLUE, GREEN)):
        chart.lines[n].strokeColor = colors.HexColor(color)
        chart.lines[n].strokeWidth = 1.5
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, height - 8
    legend.fontName, legend.fontSize = CJK_FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(colors.HexColor(BLUE), "上报事件"), (colors.HexColor(GREEN), "结案事件")]
    d.add(legend)
    return d


def _ranking_chart(items: list[dict], rate: dict, width: float):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    shown = items[:CHART_BARS]
    height = 40 + 16 * len(shown)
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 20, width - 140, height - 36
    chart.data = [[round((i.get(rate["name"]) or 0) * 100, 1) for i in reversed(shown)]]
    chart.categoryAxis.categoryNames = [str(i.get("name") or i.get("key"))[:10] for i in reversed(shown)]
    chart.categoryAxis.labels.fontName = CJK_FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = CJK_FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = colors.HexColor(BLUE)
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = CJK_FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    d.add(String(110, height - 10, f"{rate['label']}（%）", fontName=CJK_FONT, fontSize=8))
    return d


def _charts_in_cjk() -> None:
    """reportlab's graphics renderer starts every drawing by selecting its default font (Helvetica),
    which puts a font the PDF does not embed on the page even when no text uses it: make the default
    the embedded CJK font (for the whole process: the app draws no other charts)."""
    from reportlab.graphics import shapes

    shapes.STATE_DEFAULTS["fontName"] = CJK_FONT


def render_pdf(figures: dict) -> bytes:
    """The report as PDF bytes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    register_cjk_font()
    _charts_in_cjk()
    base = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8.5, leading=11, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor(GREY))
    heading = ParagraphStyle("heading", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=3)
    big = ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=4)

    def p(text, style=base) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def table(rows: list[list], widths: list[float]) -> Table:
        t = Table([[c if isinstance(c, Paragraph) else p(c) for c in row] for row in rows],
                  colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#CBD5E1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F1F5F9")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        return t

    f = figures
    rate = f["ranking_rate"]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=title(f), author="网格化社会治理平台",
                            subject="月度分析报告", initialFontName=CJK_FONT)
    version = f"第 {f['version']} 版 · 生成于 {f['generated_at'][:16].replace('T', ' ')}（UTC）· " \
              f"生成者 {'系统' if f.get('generated_by') == 'system' else f.get('generated_by')}" \
        if f.get("version") else "即时生成（未存档）"
    story: list = [
        p(title(f), big),
        p(f"统计期：{f['period']['from']} 至 {f['period']['to']}（按上报日期）· {version}", small),
        p("说明：每项数据均可在平台“月度分析报告”页点击，查看其对应的事件清单。", small),
        p("一、主要指标", heading),
    ]
    rows = [["指标", "本月", f"上月（{f['previous']['month']}）", "环比", f"去年同月（{f['last_year']['month']}）",
             "同比"]]
    for k in f["kpis"]:
        rows.append([k["label"], fmt_value(k["kind"], k["value"]), fmt_value(k["kind"], k["previous"]),
                     fmt_change(k["kind"], k["value"], k["previous"]), fmt_value(k["kind"], k["last_year"]),
                     fmt_change(k["kind"], k["value"], k["last_year"])])
    story.append(table(rows, [36, 22, 26, 30, 28, 36]))
    width = A4[0] - 32 * mm
    story += [p("二、近十二个月趋势", heading), _trend_chart(f, width, 170)]

    def ranking(items: list[dict], label: str) -> Table:
        rows = [["名次", label, "上报", "结案", rate["label"], "超期", "督办"]]
        for i in items:
            rows.append([i["rank"], i.get("name") or i.get("key"), fmt_value("count", i.get("reported", 0)),
                         fmt_value("count", i.get("closed", 0)), fmt_value("rate", i.get(rate["name"])),
                         fmt_value("count", i.get("overdue", 0)), fmt_value("count", i.get("supervised", 0))])
        if not items:
            rows.append(["", "（本月无事件）", "", "", "", "", ""])
        return table(rows, [12, 52, 18, 18, 28, 15, 15])

    story += [p(f"三、下级区域排名（按{rate['label']}）", heading)]
    if f["children"]:
        story.append(_ranking_chart(f["children"], rate, width))
    story.append(ranking(f["children"], "区域"))
    story += [p(f"四、部门排名（按{rate['label']}）", heading), ranking(f["departments"], "部门")]
    lag = f["lagging_departments"]
    if lag["available"] and lag["items"]:
        first = lag["items"][0]
        basis = f"，{first['basis']}" if first.get("basis") else ""
        story.append(p(f"低于考核线（{first.get('threshold')} 分{basis}）的部门："
                       + "、".join(f"{i.get('name') or i.get('key')}（{i.get('score')} 分）" for i in lag["items"])))
    elif lag["available"]:
        story.append(p("没有低于考核线的部门。"))
    else:
        story.append(p(lag["note"], small))
    story.append(p(f"五、事件类型（前 {len(f['types'])} 类，共 {f['types_total']} 类）", heading))
    rows = [["类型", "上报", "结案", rate["label"], "超期"]]
    rows += [[i.get("name") or i.get("key"), fmt_value("count", i.get("reported", 0)),
              fmt_value("count", i.get("closed", 0)), fmt_value("rate", i.get(rate["name"])),
              fmt_value("count", i.get("overdue", 0))] for i in f["types"]]
    if not f["types"]:
        rows.append(["（本月无事件）", "", "", "", ""])
    story.append(table(rows, [70, 25, 25, 32, 25]))
    o = f["overdue"]
    story += [p("六、超期与督办", heading),
              p(f"本月上报的事件中超期 {fmt_value('count', o['count'])} 件，"
                f"督办 {fmt_value('count', o['supervised'])} 次。")]
    if o["cases"]:
        rows = [["事件编号", "标题", "网格", "督办"]]
        rows += [[c["case_no"], c["title"], c["grid_code"], "是" if c["supervised"] else ""] for c in o["cases"]]
        story.append(table(rows, [46, 76, 40, 16]))
    w = f["warnings"]
    story.append(p("七、预警", heading))
    if not w["available"]:
        story.append(p(w["note"], small))
    elif not w["items"]:
        story.append(p(f"截至 {w.get('as_of')} 无预警。"))
    else:
        story.append(p(f"生成报告时（截至 {w.get('as_of')}）的预警：", small))
        for item in w["items"]:
            story.append(p(f"· {item.get('kind_label', '')}：{item.get('title', '')}"
                           f"{('。' + str(item['explanation'])) if item.get('explanation') else ''}"))
    story.append(Spacer(1, 4 * mm))
    doc.build(story)
    return out.getvalue()
