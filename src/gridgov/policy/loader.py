"""Load and check policy profiles from ``policy/profiles/<name>.toml``.

A profile is data: the app refuses to start if any shipped profile is malformed, and the message
names each bad field by its path with a Chinese explanation, e.g.
``jiangsu.toml: territory.household_norms.urban.min: 必须小于等于 max（500）``.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gridgov.policy.schema import PolicyProfile

PROFILES_DIR = Path(__file__).parent / "profiles"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class ProfileError(Exception):
    """A profile file that cannot be used: each entry of ``errors`` is ``path: 中文说明``."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = list(errors)
        super().__init__("\n".join(f"{source}: {e}" for e in self.errors))


class UnknownProfile(ProfileError):
    """No profile file of that name ships with the platform."""

    def __init__(self, name: str):
        self.name = name
        choices = "、".join(available_profiles()) or "（无）"
        super().__init__(name, [f"未知的政策配置 {name!r}，可选：{choices}"])

    def __str__(self) -> str:
        return self.errors[0]


def available_profiles() -> list[str]:
    """Names of the profiles that ship with the platform (one TOML file each), sorted."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml") if _NAME_RE.match(p.stem))


def profile_path(name: str) -> Path:
    if not _NAME_RE.match(name or "") or not (PROFILES_DIR / f"{name}.toml").is_file():
        raise UnknownProfile(name)
    return PROFILES_DIR / f"{name}.toml"


def load_profile_file(path: Path | str) -> PolicyProfile:
    """Read and check one profile file; its ``name`` must equal the file's stem. Not cached."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path.name, [f"TOML 语法错误：{exc}"]) from None
    except OSError as exc:
        raise ProfileError(path.name, [f"无法读取文件：{exc.strerror or exc}"]) from None
    return parse_profile(data, source=path.name, expected_name=path.stem)


def parse_profile(data: dict[str, Any], *, source: str, expected_name: str | None = None) -> PolicyProfile:
    """Check already-parsed profile data; raise :class:`ProfileError` listing every bad field."""
    try:
        profile = PolicyProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(source, explain(exc)) from None
    if expected_name is not None and profile.name != expected_name:
        raise ProfileError(source, [f"name: 与文件名不一致（文件名为 {expected_name}，name 为 {profile.name}）"])
    return profile


@cache
def load_profile(name: str) -> PolicyProfile:
    """The shipped profile of that name, checked; loaded once per process."""
    return load_profile_file(profile_path(name))


def validate_all() -> dict[str, list[str]]:
    """Check every shipped profile: ``{name: [path: 说明, ...]}``, an empty list when it is good."""
    result: dict[str, list[str]] = {}
    for name in available_profiles():
        try:
            load_profile_file(PROFILES_DIR / f"{name}.toml")
        except ProfileError as exc:
            result[name] = exc.errors
        else:
            result[name] = []
    return result


def validate_profiles_or_die(name: str) -> PolicyProfile:
    """Start-up check: every shipped profile must be valid; returns the configured one.

    ``name`` is the deployment's setting (``GRIDGOV_PROFILE``). Raises
    :class:`ProfileError` (all problems of all files in its message) or :class:`UnknownProfile`.
    """
    profile_path(name)
    problems = [f"{n}.toml: {e}" for n, errs in validate_all().items() for e in errs]
    if problems:
        raise ProfileError("政策配置", problems)
    return load_profile(name)


# ---------------------------------------------------------------------------------------------
# Pydantic errors, in Chinese, one line per bad field.

_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的设置项（拼写错误？）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为字符串",
    "list_type": "应为列表",
    "dict_type": "应为表（[table] 或 { ... }）",
    "model_type": "应为表（[table] 或 { ... }）",
    "model_attributes_type": "应为表（[table] 或 { ... }）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须大于等于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "必须小于等于 {le}",
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）",
    "string_too_short": "不能为空",
    "string_too_long": "太长（最多 {max_length} 个字符）",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "enum": "取值应为以下之一：{expected}",
    "literal_error": "取值应为以下之一：{expected}",
}


def format_loc(loc: tuple[Any, ...] | list[Any]) -> str:
    """``('city', 'counties', 0, 'code')`` → ``city.counties[0].code``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _join(base: str, rel: str) -> str:
    if not rel:
        return base
    if not base:
        return rel
    return base + rel if rel.startswith("[") else f"{base}.{rel}"


def explain(exc: ValidationError) -> list[str]:
    """One ``path: 中文说明`` line per problem in a pydantic validation error."""
    lines: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        base = format_loc(loc)
        ctx = err.get("ctx") or {}
        if err["type"] == "profile_rule":
            for rel, msg in ctx.get("problems", []):
                lines.append(f"{_join(base, rel) or '（整体）'}: {msg}")
            continue
        template = _MESSAGES.get(err["type"])
        if "expected" in ctx:
            ctx = {**ctx, "expected": str(ctx["expected"]).replace(" or ", ", ")}
        if template:
            try:
                msg = template.format(**{k: str(v) for k, v in ctx.items()})
            except (KeyError, IndexError):
                msg = template
        else:
            msg = f"无效：{err['msg']}"
        if err["type"] in {"enum", "literal_error"} and "input" in err:
            msg += f"（而不是 {err['input']!r}）"
        lines.append(f"{base or '（整体）'}: {msg}")
    return lines
