"""Policy profiles: the five shipped files, the rules that reject a bad file, diff and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gridgov.policy import loader
from gridgov.policy.loader import (
    PROFILES_DIR,
    ProfileError,
    UnknownProfile,
    available_profiles,
    load_profile,
    load_profile_file,
    validate_all,
    validate_profiles_or_die,
)
from gridgov.policy.schema import Source
from gridgov.policy_cli import app, diff_profiles

NAMES = ["jiangmen", "jiangsu", "luzhou", "qinzhou", "zhenjiang"]


# --- the shipped profiles ----------------------------------------------------------------------


def test_the_five_profiles_ship_and_load():
    assert available_profiles() == NAMES
    for name in NAMES:
        assert load_profile(name).name == name


def test_settings_accept_exactly_the_profiles_in_the_folder(tmp_path, monkeypatch):
    """The profile folder is the one list: a profile added there is accepted by the settings
    without a second list to update, and one not there is refused."""
    from pydantic import ValidationError

    from gridgov.config import Settings
    from gridgov.policy import loader

    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "newcity.toml").write_text((loader.PROFILES_DIR / "zhenjiang.toml").read_text("utf-8"), "utf-8")
    monkeypatch.setattr(loader, "PROFILES_DIR", folder)
    assert Settings(var_dir=tmp_path, demo=True, profile="newcity").profile == "newcity"
    with pytest.raises(ValidationError, match="可选：newcity"):
        Settings(var_dir=tmp_path, demo=True, profile="zhenjiang")


def test_every_shipped_profile_validates():
    assert validate_all() == {name: [] for name in NAMES}


def test_load_profile_is_cached():
    assert load_profile("zhenjiang") is load_profile("zhenjiang")


def test_each_profile_names_its_regulation():
    keys = {name: load_profile(name).regulation.key for name in NAMES}
    assert keys == {"zhenjiang": "ZJ", "luzhou": "LZ", "jiangsu": "JS", "qinzhou": "QZ", "jiangmen": "JM"}


def test_county_codes_sit_under_their_city():
    for name in NAMES:
        city = load_profile(name).city
        assert all(c.code.startswith(city.code[:4]) for c in city.counties)
        assert city.code.startswith(city.province_code)


def test_zhenjiang_reports_within_24_hours_as_written_in_zj13():
    p = load_profile("zhenjiang")
    assert p.cases.limits.report_hours == 24
    assert p.source_of("cases.limits.report_hours") == Source("text", ("ZJ§13",))
    assert p.cases.dispute_settled_by == "party_committee_or_government"
    assert p.territory.micro_grids == "required" and p.staff.liaisons_per_micro_grid == 1


def test_open_time_limits_use_the_documented_defaults_and_are_marked_local():
    for name in NAMES:
        p = load_profile(name)
        lim = p.cases.limits
        assert (lim.accept_working_days, lim.accept_urgent_hours) == (1, 2)
        assert (lim.handling_working_days, lim.max_extensions, lim.extension_working_days) == (5, 1, 5)
        assert (lim.feedback_working_days, lim.warning_ratio) == (2, 0.8)
        assert p.source_of("cases.limits.accept_working_days").is_local
        assert p.source_of("cases.limits.feedback_working_days").is_local


def test_only_qinzhou_writes_down_five_working_days():
    for name in NAMES:
        local = load_profile(name).source_of("cases.limits.handling_working_days").is_local
        assert local == (name != "qinzhou"), name


def test_jiangsu_sets_household_norms_with_a_documented_rural_tolerance():
    norms = load_profile("jiangsu").territory.household_norms
    assert (norms["urban"].min, norms["urban"].max) == (300, 500)
    assert (norms["rural"].min, norms["rural"].nominal, norms["rural"].max) == (240, 300, 360)
    assert "容差" in norms["rural"].note
    assert load_profile("jiangsu").source_of("territory.household_norms.rural").is_local
    assert all(not load_profile(n).territory.household_norms for n in NAMES if n != "jiangsu")


def test_maritime_grids_exist_only_in_qinzhou_and_jiangmen_has_no_dedicated_grids():
    for name in NAMES:
        t = load_profile(name).territory
        assert ("maritime" in t.dedicated_types) == (name == "qinzhou")
    jm = load_profile("jiangmen").territory
    assert jm.grid_kinds == ["urban", "rural"] and jm.dedicated_types == []
    assert not jm.allows("dedicated", "park") and jm.allows("urban")
    assert load_profile("qinzhou").territory.allows("dedicated", "maritime")


def test_roles_and_staffing_follow_each_text():
    assert load_profile("qinzhou").staff.roles[:2] == ["instructor", "chief_leader"]
    jm = load_profile("jiangmen").staff
    assert jm.max_professionals_per_grid == 2 and jm.uses("professional")
    lz = load_profile("luzhou").staff
    assert lz.roles == ["fulltime", "parttime"] and not lz.leader_per_comprehensive_grid
    for name in ("jiangsu", "qinzhou"):
        assert load_profile(name).staff.fulltime_required_in == ["urban"]
    assert load_profile("jiangsu").staff.fulltime_eligibility.min_age == 18  # JS§14(二)
    qz = load_profile("qinzhou")  # QZ§12 sets no age and no citizenship: nothing borrowed from JS§14
    assert qz.staff.fulltime_eligibility.min_age is None and not qz.staff.fulltime_eligibility.citizen_required
    assert qz.source_of("staff.fulltime_eligibility.min_age").is_local
    assert "detained" in load_profile("jiangsu").staff.fulltime_eligibility.exclusions


def test_licensing_penalty_and_compulsion_never_enter_the_lists_of_luzhou_and_jiangsu():
    for name in ("luzhou", "jiangsu"):
        assert load_profile(name).catalogue.forbidden_power_types == ["licensing", "penalty", "compulsion"]


def test_catalogue_settings_differ_by_text():
    zj, lz, qz, jm = (load_profile(n).catalogue for n in ("zhenjiang", "luzhou", "qinzhou", "jiangmen"))
    assert zj.city_lists == ["basic", "admission",
                             "negative"] and zj.admission_approved_by == "party_committee_or_government"
    assert lz.expert_review and lz.list_approved_by == "county_government"
    assert qz.temporary_admission and qz.temporary_requires_end_date and qz.forced_exit
    assert jm.city_lists == ["directory"] and jm.county_lists_filed_with_city


def test_each_profile_has_a_starter_list_of_case_categories():
    for name in NAMES:
        cases = load_profile(name).cases
        codes = [c.code for c in cases.categories]
        assert len(codes) >= 10 and len(set(codes)) == len(codes)
        assert {"dispute", "public_security", "other"} <= set(codes)
        assert cases.category("dispute").name == "矛盾纠纷"


def test_describe_marks_every_setting_as_text_or_local():
    p = load_profile("qinzhou")
    settings = {s.path: s for s in p.describe()}
    assert settings["cases.limits.handling_working_days"].source.label == "条例规定（QZ§17）"
    assert settings["cases.limits.accept_working_days"].source.label.startswith("本地设置")
    assert settings["cases.limits.handling_working_days"].label == "办理时限 · 部门办理时限（工作日）"
    assert all(s.source.kind in ("text", "default") for s in settings.values())


# --- a bad file is rejected with the field's path ------------------------------------------------


def _bad(tmp_path: Path, base: str, *replacements: tuple[str, str], filename: str | None = None) -> Path:
    text = (PROFILES_DIR / f"{base}.toml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur once in {base}.toml"
        text = text.replace(old, new)
    path = tmp_path / (filename or f"{base}.toml")
    path.write_text(text, encoding="utf-8")
    return path


def _errors(path: Path) -> str:
    with pytest.raises(ProfileError) as exc:
        load_profile_file(path)
    return str(exc.value)


def test_an_unchanged_copy_loads(tmp_path):
    assert load_profile_file(_bad(tmp_path, "jiangsu")).name == "jiangsu"


def test_household_min_above_max_is_rejected(tmp_path):
    path = _bad(tmp_path, "jiangsu", ("min = 300\nmax = 500", "min = 600\nmax = 500"))
    assert "jiangsu.toml: territory.household_norms.urban.min: 必须小于等于 max（500）" in _errors(path)


def test_a_time_limit_must_be_positive(tmp_path):
    path = _bad(tmp_path, "jiangsu", ("report_hours = 24 ", "report_hours = 0 "),
                ("handling_working_days = 5 ", "handling_working_days = -1 "))
    msg = _errors(path)
    assert "cases.limits.report_hours: 必须大于 0" in msg
    assert "cases.limits.handling_working_days: 必须大于等于 1" in msg


def test_the_warning_ratio_must_lie_between_zero_and_one(tmp_path):
    path = _bad(tmp_path, "jiangsu", ("warning_ratio = 0.8 ", "warning_ratio = 1.2 "))
    assert "cases.limits.warning_ratio: 必须小于 1" in _errors(path)


def test_dedicated_types_need_the_dedicated_kind(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('grid_kinds = ["urban", "rural", "dedicated"]',
                                      'grid_kinds = ["urban", "rural"]'))
    assert "territory.dedicated_types: 未启用专属网格" in _errors(path)


def test_a_county_code_must_start_with_the_city_code(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('code = "320102"', 'code = "330102"'))
    assert "city.counties[0].code: 县级区划代码 330102 必须以市级代码 3201 开头" in _errors(path)


def test_category_codes_must_be_unique(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('code = "petition"', 'code = "dispute"'))
    assert "cases.categories[9]: 重复的取值 'dispute'" in _errors(path)


def test_a_misspelt_key_is_rejected(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('online = "allowed"', 'onlien = "allowed"'))
    msg = _errors(path)
    assert "board.onlien: 不认识的设置项" in msg
    assert "board.online: 缺少此项" in msg


def test_an_unknown_value_lists_the_choices(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('micro_grids = "allowed"', 'micro_grids = "sometimes"'))
    expected = ("territory.micro_grids: 取值应为以下之一："
                "'none', 'allowed', 'encouraged', 'required'（而不是 'sometimes'）")
    assert expected in _errors(path)


def test_a_grid_kind_for_full_time_workers_must_be_enabled(tmp_path):
    path = _bad(tmp_path, "jiangmen", ('fulltime_required_in = ["urban"]', 'fulltime_required_in = ["dedicated"]'))
    assert "staff.fulltime_required_in[0]: 网格类别 dedicated 未在 territory.grid_kinds 中启用" in _errors(path)


def test_a_professional_cap_needs_the_professional_role(tmp_path):
    path = _bad(tmp_path, "jiangsu", ("fulltime_where_possible_in = [\"rural\"]",
                                      "fulltime_where_possible_in = [\"rural\"]\nmax_professionals_per_grid = 2"))
    assert "staff.max_professionals_per_grid: roles 中没有 professional" in _errors(path)


def test_a_setting_without_a_source_is_rejected(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('"staff.roles" = "JS§11"\n', ""))
    assert "staff.roles: 没有注明出处" in _errors(path)


def test_a_source_for_a_setting_that_does_not_exist_is_rejected(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('"staff.roles" = "JS§11"', '"staff.roles" = "JS§11"\n"staff.rolez" = "JS§11"'))
    assert "sources.staff.rolez: 没有这个设置项" in _errors(path)


def test_a_text_source_must_cite_its_own_regulation(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('"staff.roles" = "JS§11"', '"staff.roles" = "QZ§11"'))
    assert "sources.staff.roles: 条例出处只能引用本条例（JS）" in _errors(path)


def test_a_malformed_source_is_rejected(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('"staff.roles" = "JS§11"', '"staff.roles" = "article 11"'))
    assert "sources.staff.roles: 出处格式应为" in _errors(path)


def test_the_name_must_match_the_file(tmp_path):
    path = _bad(tmp_path, "jiangsu", filename="nanjing.toml")
    assert "nanjing.toml: name: 与文件名不一致" in _errors(path)


def test_a_toml_syntax_error_is_reported(tmp_path):
    path = _bad(tmp_path, "jiangsu", ('label = "江苏省"', 'label = "江苏省'))
    assert "jiangsu.toml: TOML 语法错误" in _errors(path)


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    path = _bad(
        tmp_path,
        "jiangsu",
        ("min = 300\nmax = 500", "min = 600\nmax = 500"),
        ('code = "320102"', 'code = "330102"'),
        ('online = "allowed"', 'online = "never"'),
    )
    with pytest.raises(ProfileError) as exc:
        load_profile_file(path)
    paths = {e.split(":")[0] for e in exc.value.errors}
    assert {"territory.household_norms.urban.min", "city.counties[0].code", "board.online"} <= paths


# --- start-up validation ----------------------------------------------------------------------------


def test_start_up_returns_the_configured_profile():
    assert validate_profiles_or_die("luzhou").name == "luzhou"


def test_start_up_refuses_an_unknown_profile():
    with pytest.raises(UnknownProfile) as exc:
        validate_profiles_or_die("beijing")
    assert "未知的政策配置 'beijing'" in str(exc.value)


def test_start_up_refuses_when_any_profile_is_broken(tmp_path, monkeypatch):
    for name in NAMES:
        (tmp_path / f"{name}.toml").write_text((PROFILES_DIR / f"{name}.toml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    _bad(tmp_path, "jiangsu", ("min = 300\nmax = 500", "min = 600\nmax = 500"))
    monkeypatch.setattr(loader, "PROFILES_DIR", tmp_path)
    assert validate_all()["jiangsu"] == ["territory.household_norms.urban.min: 必须小于等于 max（500）"]
    with pytest.raises(ProfileError) as exc:
        validate_profiles_or_die("zhenjiang")
    assert "jiangsu.toml: territory.household_norms.urban.min" in str(exc.value)


# --- diff -----------------------------------------------------------------------------------------


def test_diff_lists_the_household_norms_only_jiangsu_sets():
    rows = {path: (a, b) for path, a, b in diff_profiles(load_profile("zhenjiang"), load_profile("jiangsu"))}
    assert rows["territory.household_norms.urban.min"] == (None, 300)
    assert rows["territory.household_norms.rural.max"] == (None, 360)
    assert rows["cases.dispute_settled_by"] == ("party_committee_or_government", "agency_above")
    assert "cases.limits.handling_working_days" not in rows


def test_a_profile_does_not_differ_from_itself():
    assert diff_profiles(load_profile("qinzhou"), load_profile("qinzhou")) == []


# --- the command line ------------------------------------------------------------------------------


def _run(*args):
    return CliRunner().invoke(app, list(args))


def test_cli_list_names_every_profile():
    result = _run("list")
    assert result.exit_code == 0
    for name in NAMES:
        assert name in result.stdout
    assert "镇江市" in result.stdout


def test_cli_show_prints_a_chinese_summary_with_sources():
    result = _run("show", "zhenjiang")
    assert result.exit_code == 0
    out = result.stdout
    assert "镇江市（zhenjiang）" in out
    assert "网格员上报时限（小时）：24  [ZJ§13]" in out
    assert "部门办理时限（工作日）：5  [本地设置" in out


def test_cli_show_json_carries_values_and_sources():
    result = _run("show", "qinzhou", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["cases"]["limits"]["handling_working_days"] == 5
    setting = next(s for s in data["settings"] if s["path"] == "cases.limits.handling_working_days")
    assert setting["source"]["kind"] == "text" and setting["local"] is False


def test_cli_diff_prints_path_and_both_values():
    result = _run("diff", "zhenjiang", "jiangsu")
    assert result.exit_code == 0
    assert "territory.household_norms.urban.min: （无） → 300" in result.stdout
    assert 'staff.training_before_posting: true → false' in result.stdout


def test_cli_check_passes_on_the_shipped_files():
    result = _run("check")
    assert result.exit_code == 0
    assert "全部 5 个配置文件校验通过" in result.stdout


def test_cli_check_fails_on_a_broken_file(tmp_path, monkeypatch):
    _bad(tmp_path, "jiangsu", ("min = 300\nmax = 500", "min = 600\nmax = 500"))
    monkeypatch.setattr(loader, "PROFILES_DIR", tmp_path)
    result = _run("check")
    assert result.exit_code == 1
    assert "jiangsu.toml: territory.household_norms.urban.min: 必须小于等于 max（500）" in result.stderr


@pytest.mark.parametrize("args", [["show", "beijing"], ["diff", "zhenjiang", "beijing"]])
def test_cli_unknown_profile_exits_with_2(args):
    result = _run(*args)
    assert result.exit_code == 2
    assert "未知的政策配置 'beijing'" in result.stderr
