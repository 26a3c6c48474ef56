"""docs/profiles.md and docs/traceability.md: current, complete, and every marker true.

A setting is shown by the tests that carry ``@pytest.mark.setting("section.key")``; a requirement of
docs/requirements.md by those carrying ``@pytest.mark.req("D3")``. ``gridgov profile docs`` writes both
documents from the schema, the markers and ``src/gridgov/policy/requirements.toml``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gridgov.policy import docs
from gridgov.policy_cli import app

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "gridgov"
REGENERATE = "docs/{name} is not current: run `gridgov profile docs` from the project root and commit the result"

# Settings that no test shows yet. Each is being wired (or removed from the schema) by issue 13's other
# parts; the integrator empties this list as their marked tests land. Never add to it to make a test pass.
PENDING_SETTINGS: set[str] = set()


@pytest.fixture(scope="module")
def marks() -> docs.Marks:
    return docs.collect_marks(ROOT / "tests", ROOT)


@pytest.fixture(scope="module")
def profiles():
    return docs.shipped_profiles()


@pytest.fixture(scope="module")
def requirements():
    return docs.load_requirements()


@pytest.mark.parametrize("name", [docs.PROFILES_MD, docs.TRACEABILITY_MD])
def test_the_generated_documents_are_current(name):
    written = (ROOT / "docs" / name).read_text(encoding="utf-8") if (ROOT / "docs" / name).is_file() else ""
    assert written == docs.render_all(ROOT)[name], REGENERATE.format(name=name)


def test_every_setting_of_the_schema_has_a_row_in_profiles_md(profiles):
    text = (ROOT / "docs" / docs.PROFILES_MD).read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([^`]+)`<br>", text, flags=re.M))
    missing = [p for p in docs.setting_paths(profiles) if p not in rows]
    assert not missing, f"settings with no row in docs/profiles.md: {missing}"


def test_every_requirement_has_a_row_in_traceability_md(requirements):
    text = (ROOT / "docs" / docs.TRACEABILITY_MD).read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([A-G]\d+) \|", text, flags=re.M)
    assert rows == [r.id for r in requirements]


def test_every_marker_names_a_known_requirement_or_setting(marks, profiles, requirements):
    problems = docs.marker_problems(marks, profiles, requirements)
    assert not problems, "\n".join(problems)


def test_a_requirement_marked_implemented_or_partly_built_has_a_test_that_shows_it(marks, requirements):
    bare = [r.id for r in requirements if r.status != "not_yet" and not marks.tests_of("req", r.id)]
    assert not bare, f"requirements marked implemented or partly with no @pytest.mark.req test: {bare}"


def test_no_setting_is_unread_every_setting_has_a_test_of_its_effect(marks, profiles):
    paths = docs.setting_paths(profiles)
    untested = {p for p in paths if not marks.tests_of("setting", p)}
    assert untested <= PENDING_SETTINGS, (
        f"settings with no @pytest.mark.setting test: {sorted(untested - PENDING_SETTINGS)}")
    stale = sorted(PENDING_SETTINGS - untested)
    assert not stale, f"remove from PENDING_SETTINGS (now tested or no longer in the schema): {stale}"


def test_the_digest_and_the_status_data_list_the_same_requirements_and_articles(requirements):
    text = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    digest = dict(re.findall(r"^\| ([A-G]\d+) \| .+ \| ([^|]+) \|$", text, flags=re.M))
    assert list(digest) == [r.id for r in requirements]
    assert {r.id: r.articles for r in requirements} == {k: v.strip() for k, v in digest.items()}
    ids = [r.id for r in requirements]
    assert len(ids) == 42 and ids[0] == "A1" and ids[-1] == "G2"


def test_the_digest_names_each_profiles_regulation_key_and_title(profiles):
    text = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    for p in profiles:
        assert f"| {p.regulation.key} | `{p.name}` | {p.regulation.title} |" in text


def test_each_requirement_names_code_that_exists_and_says_what_is_missing(requirements):
    for r in requirements:
        for path in r.code:
            assert (SRC / path).exists(), f"{r.id}: src/gridgov/{path} does not exist"
        if r.status == "not_yet":
            assert not r.code, f"{r.id} is not built yet, so it names no code"
        else:
            assert r.code, f"{r.id} is {r.status}: name its code"
        if r.status == "partly":
            assert r.note, f"{r.id} is partly built: its note says what is missing"


# -- the collector, on a tree of its own ----------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, body in files.items():
        path = tmp_path / "tests" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def test_markers_are_read_from_functions_classes_and_module_pytestmark(tmp_path):
    root = _tree(tmp_path, {
        "a/test_one.py": """
            import pytest
            from pytest import mark
            pytestmark = [pytest.mark.postgres, pytest.mark.req("A1")]

            @pytest.mark.setting("cases.limits.report_hours", "board.fields")
            @pytest.mark.req("D2")
            def test_f():
                pass

            @mark.req("B1")
            class TestK:
                pytestmark = pytest.mark.setting("staff.roles")
                def test_m(self):
                    pass
                def helper(self):
                    pass

            def helper():
                pass
        """,
        "a/helpers.py": """
            import pytest
            def test_not_collected():
                pass
        """,
    })
    marks = docs.collect_marks(root / "tests", root)
    assert not marks.problems
    assert marks.tests_of("req", "A1") == ["tests/a/test_one.py::TestK::test_m", "tests/a/test_one.py::test_f"]
    assert marks.tests_of("req", "D2") == ["tests/a/test_one.py::test_f"]
    assert marks.tests_of("req", "B1") == ["tests/a/test_one.py::TestK::test_m"]
    assert marks.tests_of("setting", "board.fields") == ["tests/a/test_one.py::test_f"]
    assert marks.tests_of("setting", "staff.roles") == ["tests/a/test_one.py::TestK::test_m"]


def test_an_unknown_requirement_or_setting_and_an_unreadable_marker_are_reported(tmp_path, profiles, requirements):
    root = _tree(tmp_path, {
        "test_two.py": """
            import pytest
            NAME = "A1"

            @pytest.mark.req("Z9")
            @pytest.mark.setting("cases.limits.nonsense")
            def test_g():
                pass

            @pytest.mark.req(NAME)
            def test_h():
                pass

            @pytest.mark.setting("board.fields")
            def make_data():
                pass
        """,
    })
    marks = docs.collect_marks(root / "tests", root)
    problems = "\n".join(docs.marker_problems(marks, profiles, requirements))
    assert "'Z9'" in problems and "tests/test_two.py::test_g" in problems
    assert "'cases.limits.nonsense'" in problems
    assert "tests/test_two.py::test_h: pytest.mark.req() 的参数须为字符串字面量" in problems
    assert "tests/test_two.py::make_data" in problems


def test_a_setting_path_of_the_demo_city_is_known_but_needs_no_row_of_its_own(tmp_path, profiles, requirements):
    root = _tree(tmp_path, {"test_three.py": """
        import pytest
        @pytest.mark.setting("city.special_zones")
        def test_z():
            pass
    """})
    marks = docs.collect_marks(root / "tests", root)
    assert not docs.marker_problems(marks, profiles, requirements)
    assert "city.special_zones" not in docs.setting_paths(profiles)
    assert "| `city.special_zones`<br>" in docs.render_profiles(profiles, marks)


def test_the_command_writes_both_files_and_check_fails_on_a_stale_one(tmp_path):
    _tree(tmp_path, {"test_four.py": """
        import pytest
        @pytest.mark.req("D8")
        def test_y():
            pass
    """})
    runner = CliRunner()
    result = runner.invoke(app, ["docs", "--root", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "gridgov profile docs" in result.output
    result = runner.invoke(app, ["docs", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "docs" / docs.PROFILES_MD).read_text(encoding="utf-8")
    assert "| 已实现 | `cases/file.py`<br>`cases/service.py` | `tests/test_four.py::test_y` |" in (
        tmp_path / "docs" / docs.TRACEABILITY_MD).read_text(encoding="utf-8")
    assert "| `cases.limits.report_hours`<br>" in written
    assert runner.invoke(app, ["docs", "--root", str(tmp_path), "--check"]).exit_code == 0
    (tmp_path / "docs" / docs.PROFILES_MD).write_text(written.replace("ZJ§13", "ZJ§99"), encoding="utf-8")
    result = runner.invoke(app, ["docs", "--root", str(tmp_path), "--check"])
    assert result.exit_code == 1 and "profiles.md 已过期" in result.output


def test_the_command_refuses_a_root_without_tests(tmp_path):
    result = CliRunner().invoke(app, ["docs", "--root", str(tmp_path)])
    assert result.exit_code == 2 and "找不到测试目录" in result.output
