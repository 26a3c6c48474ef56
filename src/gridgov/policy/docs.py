"""The generated documents ``docs/profiles.md`` and ``docs/traceability.md``.

``docs/profiles.md`` lists every rule setting of the profile schema (the leaves of
:meth:`PolicyProfile.rule_leaves`, over all shipped profiles), its value and source per profile and the
tests that show its effect; ``docs/traceability.md`` lists every requirement of
``docs/requirements.md`` (A1–G2) with its status, its code and its tests.

Tests are found by reading ``tests/**/*.py`` with :mod:`ast` (nothing is imported): a test carries a
setting when it, its class or its module (``pytestmark = ...``) is decorated with
``pytest.mark.setting("cases.limits.report_hours")``; a requirement with ``pytest.mark.req("D3")``.
Marker arguments must be string literals. The status and code of each requirement live in
``policy/requirements.toml`` (the one place to change them).

``gridgov profile docs`` writes both files; ``gridgov profile docs --check`` says which are stale.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridgov.policy.loader import available_profiles, load_profile
from gridgov.policy.schema import IDENTITY_FIELDS, PolicyProfile, format_value
from gridgov.policy.schema.provenance import _leaves

REQUIREMENTS_FILE = Path(__file__).with_name("requirements.toml")
STATUSES = {"implemented": "已实现", "partly": "部分实现", "not_yet": "尚未实现"}
MARKERS = ("req", "setting")
PROFILES_MD = "profiles.md"
TRACEABILITY_MD = "traceability.md"


# ---------------------------------------------------------------------------------------------
# Markers in the test files.


@dataclass
class Marks:
    """What the test files say: ``{marker: {argument: [test ids]}}`` and the problems found."""

    by_marker: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {m: defaultdict(list) for m in MARKERS})
    problems: list[str] = field(default_factory=list)

    def tests_of(self, marker: str, arg: str) -> list[str]:
        return sorted(set(self.by_marker[marker].get(arg, [])))


def _marker_call(node: ast.expr) -> tuple[str, ast.Call] | None:
    """``pytest.mark.req("A1")`` or ``mark.req("A1")`` → ``("req", call)``; anything else None."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    name, owner = node.func.attr, node.func.value
    if name not in MARKERS:
        return None
    if isinstance(owner, ast.Attribute) and owner.attr == "mark" and isinstance(owner.value, ast.Name):
        return name, node
    if isinstance(owner, ast.Name) and owner.id == "mark":
        return name, node
    return None


def _marks_in(node: ast.expr | None) -> list[ast.expr]:
    """The mark expressions in a decorator list item or a ``pytestmark`` value (one or a list)."""
    if node is None:
        return []
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    return [node]


def _read_marks(exprs: list[ast.expr], where: str, problems: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for expr in exprs:
        found = _marker_call(expr)
        if found is None:
            continue
        marker, call = found
        if not call.args or call.keywords:
            problems.append(f"{where}: pytest.mark.{marker}() 须写明至少一个字符串参数，且不用关键字参数")
        for arg in call.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.append((marker, arg.value))
            else:
                problems.append(f"{where}: pytest.mark.{marker}() 的参数须为字符串字面量")
    return out


def _pytestmark(body: list[ast.stmt]) -> ast.expr | None:
    for stmt in body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets):
            return stmt.value
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == "pytestmark":
            return stmt.value
    return None


def collect_marks(tests_dir: Path, root: Path | None = None) -> Marks:
    """Read every ``test_*.py`` under ``tests_dir``; test ids are ``path::[Class::]name``, the path
    relative to ``root`` (the project root, by default the parent of ``tests_dir``)."""
    root = root or tests_dir.parent
    marks = Marks()
    for path in sorted(tests_dir.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        module_marks = _read_marks(_marks_in(_pytestmark(tree.body)), rel, marks.problems)
        is_test_file = path.name.startswith("test_")
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                where = f"{rel}::{node.name}"
                class_marks = _read_marks([m for d in node.decorator_list for m in _marks_in(d)], where,
                                          marks.problems)
                class_marks += _read_marks(_marks_in(_pytestmark(node.body)), where, marks.problems)
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        _add(marks, f"{where}::{item.name}", item, module_marks + class_marks,
                             is_test_file and node.name.startswith("Test"))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                _add(marks, f"{rel}::{node.name}", node, module_marks, is_test_file)
    return marks


def _add(marks: Marks, test_id: str, node: ast.FunctionDef | ast.AsyncFunctionDef,
         inherited: list[tuple[str, str]], collectable: bool) -> None:
    own = _read_marks([m for d in node.decorator_list for m in _marks_in(d)], test_id, marks.problems)
    if own and not (collectable and node.name.startswith("test")):
        marks.problems.append(f"{test_id}: 标记只能加在 pytest 收集的测试（test_*.py 中的 test_* 函数）上")
        return
    if not (collectable and node.name.startswith("test")):
        return
    for marker, arg in inherited + own:
        marks.by_marker[marker][arg].append(test_id)


# ---------------------------------------------------------------------------------------------
# Settings and requirements.


def shipped_profiles() -> list[PolicyProfile]:
    """The shipped profiles in the order of their regulation texts (ZJ, LZ, JS, QZ, JM)."""
    profiles = [load_profile(n) for n in available_profiles()]
    return sorted(profiles, key=lambda p: (p.regulation.text_file, p.name))


def _union(lists: list[list[str]]) -> list[str]:
    """The paths of all lists, in the first list's order; another's own paths after their neighbour."""
    order: list[str] = []
    for paths in lists:
        for i, path in enumerate(paths):
            if path in order:
                continue
            anchor = next((p for p in reversed(paths[:i]) if p in order), None)
            order.insert(order.index(anchor) + 1 if anchor else len(order), path)
    return order


def setting_paths(profiles: list[PolicyProfile]) -> list[str]:
    """Every rule setting (leaf path) of any shipped profile: each must have a row and a test."""
    return _union([[path for path, _ in p.rule_leaves()] for p in profiles])


def identity_paths(profiles: list[PolicyProfile]) -> list[str]:
    """The leaves of the identity and demo-city data (``city.special_zones`` ...): a marker may name them."""
    return _union([[path for name in IDENTITY_FIELDS if name not in ("sources", "notes")
                    for path, _ in _leaves(getattr(p, name), name)] for p in profiles])


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    articles: str
    status: str
    code: tuple[str, ...]
    note: str


def load_requirements(path: Path = REQUIREMENTS_FILE) -> list[Requirement]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for rid, entry in data.items():
        if entry["status"] not in STATUSES:
            raise ValueError(f"{path.name}: {rid}.status 应为 {'、'.join(STATUSES)} 之一")
        out.append(Requirement(rid, entry["title"], entry["articles"], entry["status"],
                               tuple(entry.get("code", ())), entry.get("note", "")))
    return out


def marker_problems(marks: Marks, profiles: list[PolicyProfile], requirements: list[Requirement]) -> list[str]:
    """Markers that name an unknown requirement or setting, and unreadable markers."""
    known_settings = set(setting_paths(profiles)) | set(identity_paths(profiles))
    known_reqs = {r.id for r in requirements}
    problems = list(marks.problems)
    for arg, tests in sorted(marks.by_marker["req"].items()):
        if arg not in known_reqs:
            problems.append(f"未知的需求 {arg!r}（docs/requirements.md 中没有）：{', '.join(sorted(set(tests)))}")
    for arg, tests in sorted(marks.by_marker["setting"].items()):
        if arg not in known_settings:
            problems.append(f"未知的设置 {arg!r}（政策配置中没有这个设置项）：{', '.join(sorted(set(tests)))}")
    return problems


# ---------------------------------------------------------------------------------------------
# The two documents.


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _tests_cell(tests: list[str]) -> str:
    return "<br>".join(f"`{t}`" for t in tests) if tests else "**（无）**"


def _value_cell(profile: PolicyProfile, path: str, values: dict[str, Any]) -> str:
    if path not in values:
        return "—"
    src = profile.source_of(path)
    where = "、".join(src.refs) if src.kind == "text" else ("本地设置" + (f"，参照 {'、'.join(src.refs)}"
                                                                          if src.refs else ""))
    return _cell(f"{format_value(values[path])}（{where}）")


def render_profiles(profiles: list[PolicyProfile], marks: Marks) -> str:
    keys = [p.regulation.key for p in profiles]
    values = {p.name: dict(p.rule_leaves()) for p in profiles}
    paths = setting_paths(profiles)
    extra = [p for p in identity_paths(profiles) if marks.tests_of("setting", p)]
    lines = [
        "# 政策配置的每项设置（Profile settings）",
        "",
        "<!-- 由 `gridgov profile docs` 生成，请勿手改。Generated by `gridgov profile docs`; do not edit. -->",
        "",
        "每项设置在各地配置中的取值与出处：条文（如 ZJ§13，条例写明）或 **本地设置**（local default："
        "条文未定，平台默认值，部署时可调整）。“测试”列是带 `@pytest.mark.setting(\"路径\")` 的测试，"
        "它们显示该设置对行为的作用。条例简称见 [requirements.md](requirements.md)。",
        "",
        f"共 {len(paths)} 项设置；配置：" + "、".join(f"{p.regulation.key} = {p.name}（{p.label}）" for p in profiles)
        + "。",
        "",
    ]
    section = None
    for path in paths + extra:
        top = path.split(".")[0]
        if top != section:
            section = top
            title = "演示城市与依据（demo data）" if path in extra else f"`{top}`"
            lines += ["", f"## {title}", "",
                      "| 设置 | " + " | ".join(keys) + " | 测试 |",
                      "|---|" + "---|" * len(keys) + "---|"]
        label = next((p.label_of(path) for p in profiles if path in values[p.name]), path)
        row = [f"`{path}`<br>{_cell(label)}"]
        for p in profiles:
            if path in extra:
                leaf = dict(_leaves(getattr(p, top), top))
                row.append(_cell(format_value(leaf[path])) if path in leaf else "—")
            else:
                row.append(_value_cell(p, path, values[p.name]))
        row.append(_tests_cell(marks.tests_of("setting", path)))
        lines.append("| " + " | ".join(row) + " |")
    missing = [p for p in paths if not marks.tests_of("setting", p)]
    lines += ["", "## 尚无测试的设置（settings with no marked test）", ""]
    lines += [f"- `{p}`" for p in missing] or ["（无）"]
    return "\n".join(lines) + "\n"


def render_traceability(requirements: list[Requirement], marks: Marks) -> str:
    counts = {s: sum(1 for r in requirements if r.status == s) for s in STATUSES}
    lines = [
        "# 需求追踪（Traceability）",
        "",
        "<!-- 由 `gridgov profile docs` 生成，请勿手改。Generated by `gridgov profile docs`; do not edit. -->",
        "",
        "[requirements.md](requirements.md) 的每项需求（A1–G2）：实现状态、实现的代码（`src/gridgov/` 下）"
        "与带 `@pytest.mark.req(\"编号\")` 的测试。状态与代码列写在 `src/gridgov/policy/requirements.toml`。",
        "",
        "状态：" + "，".join(f"{STATUSES[s]}（{s}）{counts[s]} 项" for s in STATUSES) + "。",
        "",
        "| 编号 | 需求 | 条文 | 状态 | 代码 | 测试 |",
        "|---|---|---|---|---|---|",
    ]
    for r in requirements:
        code = "<br>".join(f"`{c}`" for c in r.code) or "—"
        status = STATUSES[r.status] + (f"：{_cell(r.note)}" if r.note else "")
        lines.append(f"| {r.id} | {_cell(r.title)} | {_cell(r.articles)} | {status} | {code} | "
                     f"{_tests_cell(marks.tests_of('req', r.id))} |")
    return "\n".join(lines) + "\n"


def render_all(root: Path) -> dict[str, str]:
    """``{file name: text}`` of both documents, from the shipped profiles and ``root/tests``."""
    marks = collect_marks(root / "tests", root)
    profiles = shipped_profiles()
    return {
        PROFILES_MD: render_profiles(profiles, marks),
        TRACEABILITY_MD: render_traceability(load_requirements(), marks),
    }
