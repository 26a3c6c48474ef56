"""``gridgov profile``: show and compare the policy profiles.

Exit codes: 0 ok; 1 a profile file is invalid (``check`` found errors); 2 unknown profile name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from gridgov.policy.loader import (
    ProfileError,
    UnknownProfile,
    available_profiles,
    load_profile,
    validate_all,
)
from gridgov.policy.schema import LOCAL_NOTE, SECTION_TITLES, PolicyProfile, Setting, format_value

app = typer.Typer(help="政策配置：查看与比较各地条例的配置。", no_args_is_help=True)

MISSING = "（无）"


def _load_or_exit(name: str) -> PolicyProfile:
    try:
        return load_profile(name)
    except UnknownProfile as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    except ProfileError as exc:
        typer.echo(f"政策配置 {name} 有误：", err=True)
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None


def _configured_name() -> str | None:
    try:
        from gridgov.config import get_settings

        return get_settings().profile
    except Exception:  # settings may be incomplete on an operator's machine; the list still works
        return None


@app.command("list")
def list_profiles() -> None:
    """列出随平台提供的政策配置。"""
    current = _configured_name()
    results = validate_all()
    for name in available_profiles():
        mark = "*" if name == current else " "
        errors = results.get(name) or []
        if errors:
            typer.echo(f"{mark} {name:<10} （配置有误：{len(errors)} 处，运行 gridgov profile check 查看）")
            continue
        p = load_profile(name)
        status = format_value(p.regulation.status)
        typer.echo(f"{mark} {name:<10} {p.label}  {p.regulation.key}  《{p.regulation.title}》（{status}）")
    if current:
        typer.echo(f"\n* 当前部署使用的配置（GRIDGOV_PROFILE）：{current}")


def summary_lines(profile: PolicyProfile) -> list[str]:
    """A readable Chinese summary: identity, the demo city, then each rule with its source."""
    reg = profile.regulation
    lines = [
        f"{profile.label}（{profile.name}）",
        f"依据：{reg.key}《{reg.title}》 {format_value(reg.kind)}，{format_value(reg.status)}"
        + (f"，{reg.in_force_from} 起施行" if reg.in_force_from else ""),
        f"平台：{profile.platform_name}",
        f"演示城市：{profile.city.name}（{profile.city.code}），中心 {profile.city.centre.lon}, "
        f"{profile.city.centre.lat}",
        "县级行政区：" + "、".join(f"{c.name}（{c.code}）" for c in profile.city.counties),
    ]
    if profile.city.special_zones:
        lines.append("功能区（县级区域）：" + "、".join(f"{z.name}（{z.code}）" for z in profile.city.special_zones))
    if "regulation" in profile.notes:
        lines.append(f"说明：{profile.notes['regulation']}")
    unsourced = profile.unsourced()
    if reg.missing_text:
        lines.append("")
        lines.append(f"【原文缺失：{'、'.join(reg.missing_text)}】以下设置无法从条文取得，均为本地设置：")
        lines.extend(f"  {s.label}：{s.display}  {_tag(s)}" for s in unsourced)
        if not unsourced:
            lines.append("  （无）")
    section = None
    for s in profile.describe():
        top = s.path.split(".")[0]
        if top != section:
            section = top
            lines.append("")
            lines.append(f"【{SECTION_TITLES.get(top, top)}】")
        lines.append(f"  {s.label}：{s.display}  {_tag(s)}")
        if s.note:
            lines.append(f"      注：{s.note}")
    lines.append("")
    lines.append(f"[本地设置] {LOCAL_NOTE}（或条文未定数值）：平台默认值，部署时可调整；"
                 "由本地设置得出的结论只是本地要求，不是条例规定。")
    return lines


def _tag(s: Setting) -> str:
    """``[JS§13]`` for a value the text gives; ``[本地设置：条例未规定，由本市确定；参照 JM§10]`` otherwise."""
    if s.source.kind == "text":
        return f"[{', '.join(s.source.refs)}]"
    refs = f"；参照 {', '.join(s.source.refs)}" if s.source.refs else ""
    return f"[本地设置：{LOCAL_NOTE}{refs}]"


@app.command("show")
def show(
    name: str = typer.Argument(..., help="配置名，例如 zhenjiang"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（含出处与说明）"),
) -> None:
    """显示一个政策配置：每项设置、取值及出处（条文或本地设置）。"""
    profile = _load_or_exit(name)
    if as_json:
        data = profile.model_dump(mode="json")
        lost = {s.path for s in profile.unsourced()}
        data["settings"] = [
            {
                "path": s.path,
                "label": s.label,
                "value": s.value,
                "source": {"kind": s.source.kind, "refs": list(s.source.refs), "label": s.source.label},
                "local": s.source.is_local,
                "unsourced": s.path in lost,
                "note": s.note,
            }
            for s in profile.describe()
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo("\n".join(summary_lines(profile)))


def diff_profiles(
    a: PolicyProfile, b: PolicyProfile, *, include_provenance: bool = False
) -> list[tuple[str, Any, Any]]:
    """Every setting whose value differs, as ``(path, value in a, value in b)``.

    A setting present in only one profile (e.g. a household norm only JS sets) shows ``None`` on
    the other side; an absent setting and an empty one (``None``, ``""``, ``[]``) count as equal.
    Paths keep the order of A, with B's own paths placed after their neighbour in B.
    """
    fa = a.flatten(include_provenance=include_provenance)
    fb = b.flatten(include_provenance=include_provenance)
    order = list(fa)
    keys_b = list(fb)
    for i, key in enumerate(keys_b):
        if key not in fa:
            anchor = keys_b[i - 1] if i else None
            pos = order.index(anchor) + 1 if anchor in order else len(order)
            order.insert(pos, key)
    out = []
    for path in order:
        va, vb = fa.get(path), fb.get(path)
        if va in (None, "", []) and vb in (None, "", []):
            continue
        if va != vb:
            out.append((path, va, vb))
    return out


def _show_value(value: Any) -> str:
    if value is None:
        return MISSING
    return json.dumps(value, ensure_ascii=False)


@app.command("diff")
def diff(
    a: str = typer.Argument(..., help="配置 A"),
    b: str = typer.Argument(..., help="配置 B"),
    provenance: bool = typer.Option(False, "--sources", help="同时比较出处与说明"),
) -> None:
    """列出两个配置中取值不同的每一项：路径: A 的值 → B 的值。"""
    pa, pb = _load_or_exit(a), _load_or_exit(b)
    rows = diff_profiles(pa, pb, include_provenance=provenance)
    if not rows:
        typer.echo(f"{a} 与 {b} 没有不同的设置。")
        return
    for path, va, vb in rows:
        typer.echo(f"{path}: {_show_value(va)} → {_show_value(vb)}")
    typer.echo(f"\n共 {len(rows)} 项不同（{a} → {b}）。")


@app.command("check")
def check() -> None:
    """校验全部政策配置文件；有错误时以非零状态退出。"""
    results = validate_all()
    bad = 0
    for name, errors in results.items():
        if errors:
            bad += 1
            typer.echo(f"✗ {name}.toml", err=True)
            for e in errors:
                typer.echo(f"  {name}.toml: {e}", err=True)
        else:
            typer.echo(f"✓ {name}.toml")
    if bad:
        typer.echo(f"{bad} 个配置文件有误。", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"全部 {len(results)} 个配置文件校验通过。")


@app.command("docs")
def docs(
    root: Path = typer.Option(Path("."), "--root", help="项目根目录（读取其中的 tests/）"),
    out: Path | None = typer.Option(None, "--out", help="写入的目录，默认为 <root>/docs"),
    check: bool = typer.Option(False, "--check", help="只检查文件是否为最新，不写入；过期时以状态 1 退出"),
) -> None:
    """生成 docs/profiles.md（每项设置的取值、出处与测试）和 docs/traceability.md（需求追踪）。"""
    from gridgov.policy.docs import render_all

    if not (root / "tests").is_dir():
        typer.echo(f"找不到测试目录 {root / 'tests'}：请在项目根目录运行，或用 --root 指定。", err=True)
        raise typer.Exit(code=2)
    target = out or root / "docs"
    stale = []
    for name, text in render_all(root).items():
        path = target / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            typer.echo(f"✓ {path} 已是最新")
            continue
        if check:
            stale.append(path)
            typer.echo(f"✗ {path} 已过期，请运行 gridgov profile docs 重新生成", err=True)
            continue
        target.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        typer.echo(f"已写入 {path}")
    if stale:
        raise typer.Exit(code=1)
