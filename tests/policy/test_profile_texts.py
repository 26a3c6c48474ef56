"""Each profile against its own text: the linkage departments are the article's list word for word,
and a value no article gives reads as a local default (本地设置) wherever it is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gridgov.policy.loader import available_profiles, load_profile
from gridgov.policy_cli import app as profile_app

PROFILES = ["zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen"]
DEPARTMENT_ARTICLES = {"zhenjiang": "ZJ§5", "luzhou": "LZ§6", "jiangsu": "JS§4", "qinzhou": "QZ§4", "jiangmen": "JM§5"}
REGULATIONS = Path(__file__).resolve().parents[3] / "shared" / "regulations"
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def article_text(profile, number: int) -> str:
    """The article's text from the stored regulation, page numbers and spaces removed (as the
    catalogue starter-list test reads it)."""
    text = (REGULATIONS / profile.regulation.text_file).read_text(encoding="utf-8")
    text = re.sub(r"\s+", "", re.sub(r"-\s*\d+\s*-", "", text))
    start = text.index(f"第{chinese_number(number)}条")
    end = text.find(f"第{chinese_number(number + 1)}条", start)
    return text[start:end if end > 0 else None]


def enumerated_departments(article: str) -> list[str]:
    """The departments an article lists before "等部门" / "等有关部门" (公安、民政、……等部门)."""
    m = re.search(r"([^，,；;]*?)等(?:有关)?部门", article)
    assert m, article[:60]
    clause = m.group(1)
    for lead in ("。", "】", "人民政府", "条"):
        clause = clause.split(lead)[-1]
    return clause.split("、")


def test_each_profile_cites_its_own_department_article():
    assert sorted(DEPARTMENT_ARTICLES) == available_profiles()
    for name, article in DEPARTMENT_ARTICLES.items():
        profile = load_profile(name)
        source = profile.source_of("departments")
        assert source.kind == "text" and source.refs == (article,), name
        assert "本地设置" in profile.note_of("departments")  # codes and levels: the text gives none


@pytest.mark.parametrize("name", PROFILES)
def test_every_department_is_named_in_its_article_word_for_word(name):
    profile = load_profile(name)
    if not (REGULATIONS / profile.regulation.text_file).is_file():
        pytest.skip("条例原文不在 shared/regulations/")
    article = DEPARTMENT_ARTICLES[name]
    text = article_text(profile, int(article.split("§")[1]))
    listed = enumerated_departments(text)
    names = [d.name for d in profile.departments]
    for dept in names:
        assert dept in listed, f"{name}: {dept} 不在 {article} 的列举中：{'、'.join(listed)}"
    assert names == listed  # all of them, in the text's order


def test_a_department_kept_across_profiles_keeps_its_code():
    """Demo data and tests dispatch to e.g. "chengguan": a department that survives keeps its code."""
    codes = {name: {d.name: d.code for d in load_profile(name).departments} for name in PROFILES}
    assert codes["zhenjiang"]["城市管理"] == codes["luzhou"]["城市管理"] == codes["qinzhou"]["城市管理"] == "chengguan"
    assert codes["jiangmen"]["城市管理综合执法"] == "chengguan"
    assert codes["zhenjiang"]["市场监管"] == codes["jiangsu"]["市场监督管理"] == "shichang"
    assert "chengguan" not in codes["jiangsu"].values()  # JS§4 names no city-management department
    assert "shichang" not in codes["jiangmen"].values()  # nor does JM§5 a market regulator


# ---------------------------------------------------------------- local defaults as such


def _show(*args: str):
    return CliRunner().invoke(profile_app, ["show", *args])


@pytest.mark.setting("staff.fulltime_required_in")
def test_profile_show_marks_a_local_default_and_says_the_city_chooses():
    out = _show("jiangmen").output
    line = next(ln for ln in out.splitlines() if "应当配备专职网格员的网格" in ln)
    assert "[本地设置：条例未规定，由本市确定" in line and "JM§10" in line
    js = next(ln for ln in _show("jiangsu").output.splitlines() if "应当配备专职网格员的网格" in ln)
    assert js.rstrip().endswith("[JS§13]")
    data = json.loads(_show("jiangmen", "--json").output)
    setting = next(s for s in data["settings"] if s["path"] == "staff.fulltime_required_in")
    assert setting["local"] and setting["source"]["label"].startswith("本地设置（条例未规定，由本市确定")
    assert not next(s for s in json.loads(_show("jiangsu", "--json").output)["settings"]
                    if s["path"] == "staff.fulltime_required_in")["local"]


def test_profile_show_says_which_luzhou_values_the_lost_text_cannot_source():
    out = _show("luzhou").output
    assert "原文缺失：LZ§8、LZ§9、LZ§14、LZ§17" in out
    block = out.split("原文缺失", 1)[1]
    assert "专属网格类型" in block and "事项类别（初始）" in block
    data = json.loads(_show("luzhou", "--json").output)
    lost = {s["path"] for s in data["settings"] if s["unsourced"]}
    assert lost == {"territory.dedicated_types", "territory.dedicated_dual_management", "cases.categories"}
    assert not [s for s in json.loads(_show("jiangsu", "--json").output)["settings"] if s["unsourced"]]


@pytest.mark.parametrize(("name", "path"), [
    ("jiangsu", "staff.leader_per_comprehensive_grid"),  # JS§11–12 do not say one per grid
    ("zhenjiang", "territory.adjustment_triggers"),  # QZ§6's triggers, not ZJ§6's
    ("luzhou", "territory.adjustment_triggers"),
    ("jiangsu", "territory.adjustment_triggers"),
    ("jiangmen", "territory.adjustment_triggers"),
    ("zhenjiang", "catalogue.list_approved_by"),  # ZJ§8 is about admission and exit
    ("qinzhou", "staff.training_before_posting"),  # QZ§21 sets no gate
    ("jiangmen", "staff.training_before_posting"),  # JM§13 neither
    ("qinzhou", "staff.fulltime_eligibility.min_age"),  # not JS§14's
    ("qinzhou", "staff.fulltime_eligibility.citizen_required"),
    ("jiangmen", "staff.fulltime_required_in"),
    ("jiangmen", "staff.max_professionals_per_grid"),  # the ambiguous sentence of JM§10
    ("luzhou", "territory.dedicated_types"),
    ("luzhou", "cases.limits.report_hours"), ("jiangsu", "cases.limits.report_hours"),
    ("qinzhou", "cases.limits.report_hours"), ("jiangmen", "cases.limits.report_hours"),
    ("zhenjiang", "cases.limits.urgent_report_minutes"), ("luzhou", "cases.limits.accept_urgent_hours"),
])
def test_values_no_article_gives_are_local_defaults(name, path):
    assert load_profile(name).source_of(path).is_local, f"{name}: {path}"


def test_values_the_texts_do_give():
    qz, jm, js, lz = (load_profile(n) for n in ("qinzhou", "jiangmen", "jiangsu", "luzhou"))
    assert not qz.staff.training_before_posting and not jm.staff.training_before_posting
    assert qz.staff.fulltime_eligibility.min_age is None and js.staff.fulltime_eligibility.min_age == 18
    assert lz.board.online == "required" and lz.source_of("board.online").refs == ("LZ§10",)
    assert not {"school", "hospital"} & set(lz.territory.dedicated_types)
    assert load_profile("zhenjiang").cases.limits.report_hours == 24  # ZJ§13 二十四小时内
    assert load_profile("zhenjiang").source_of("cases.limits.report_hours").kind == "text"
