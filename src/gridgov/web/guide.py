"""The user guide (使用指南): one page per kind of user, in Chinese, shipped inside the package.

Where it lives, and why: the guide's source is ``gridgov/web/guide/`` (markdown pages and ``img/``
screenshots), package data like the templates, so an installed app (a wheel, no checkout) serves it
offline at ``/help``. ``docs/guide/`` in the repository is a copy written by ``gridgov guide`` (like
``gridgov profile docs`` writes docs/profiles.md) for readers of the repository; ``gridgov guide --check``
fails when the copy is stale (tests/web/test_guide.py runs it). Git stores the identical screenshots
once. The screenshots are taken by the browser tests (``GRIDGOV_GUIDE_SHOTS``, see tests/web/layout.py).

Rendering is safe by construction: markdown-it in CommonMark mode with raw HTML off (any ``<tag>`` in
a page is shown as text), links only to other guide pages or the app's own paths, images only from the
guide's ``img/`` folder, served by the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from gridgov.models.accounts import (
    AREA_STAFF_ROLES,
    CASE_PARTNER_ROLES,
    DEPARTMENT_ROLES,
    GRID_WORKER_ROLES,
    MICRO_GRID_ROLES,
    PARTNER_ROLES,
    TWO_FACTOR_ROLES,
    Role,
)

GUIDE_DIR = Path(__file__).parent / "guide"
IMAGE_DIR = GUIDE_DIR / "img"
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.png$")


@dataclass(frozen=True)
class GuidePage:
    slug: str
    title: str
    roles: frozenset[str]

    @property
    def url(self) -> str:
        return f"/help/{self.slug}"


PUBLIC = "public"
"""The guide of someone not logged in: the public pages (群众)."""

PAGES: tuple[GuidePage, ...] = (
    GuidePage("worker", "网格员", (GRID_WORKER_ROLES - {Role.LEADER}) | MICRO_GRID_ROLES),
    GuidePage("dispatcher", "镇街调度员（网格化机构）", frozenset({Role.AGENCY_DISPATCHER})),
    GuidePage("department", "职能部门（联动部门）", DEPARTMENT_ROLES),
    GuidePage("leader", "领导（网格长、总网格长、网格指导员）", AREA_STAFF_ROLES | {Role.LEADER}),
    GuidePage("auditor", "审计员", frozenset({Role.AUDITOR})),
    GuidePage("admin", "系统管理员（含机构管理员、安全管理员）", TWO_FACTOR_ROLES),
    GuidePage("lawyer", "法律服务人员（法律进网格）", frozenset({Role.LEGAL_PROFESSIONAL})),
    GuidePage("mediator", "人民调解员", frozenset({Role.MEDIATOR})),
    GuidePage("partner", "专项服务队队员和社会组织", PARTNER_ROLES - CASE_PARTNER_ROLES),
    GuidePage(PUBLIC, "群众（公开页面）", frozenset()),
)
"""Every role reads exactly one page (tests/web/test_guide.py keeps it so); ``index`` lists them all."""

BY_SLUG = {p.slug: p for p in PAGES}


def page_for(role: str | None) -> GuidePage:
    """The guide page of a role (the public one for nobody logged in)."""
    for page in PAGES:
        if role in page.roles:
            return page
    return BY_SLUG[PUBLIC]


def source(slug: str) -> str | None:
    """The markdown of ``index`` or a page; None for a name that is not one."""
    if slug != "index" and slug not in BY_SLUG:
        return None
    return (GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    plain_image = md.renderer.rules["image"]

    # markdown-it binds a render rule to its renderer: ``self`` comes first.
    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        token.attrSet("href", app_href(token.attrGet("href") or ""))
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens, idx, options, env):
        token = tokens[idx]
        src = image_src(token.attrGet("src") or "")
        if not src:  # not an image of the guide: its description, as text
            return escapeHtml(self.renderInlineAsText(token.children or [], options, env))
        token.attrSet("src", src)
        token.attrSet("loading", "lazy")
        return plain_image(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


def app_href(href: str) -> str:
    """Where a link of the guide leads in the app: ``worker.md`` → ``/help/worker``, ``index.md`` →
    ``/help``, a path of the app (``/cases/new``) as it is; anything else (another site, a scheme) → ``#``:
    the guide works offline and links nowhere outside."""
    page, _, anchor = href.partition("#")
    suffix = f"#{anchor}" if anchor else ""
    if page.endswith(".md"):
        stem = page[:-3]
        if stem == "index":
            return "/help" + suffix
        if stem in BY_SLUG:
            return f"/help/{stem}{suffix}"
        return "#"
    if not page and anchor:
        return href
    if page.startswith("/") and not page.startswith("//") and ":" not in page and "\\" not in page:
        return href
    return "#"


def image_src(src: str) -> str:
    """An image of the guide (``img/name.png``) as the app serves it; anything else shows nothing."""
    name = src.removeprefix("img/")
    return f"/help/img/{name}" if src.startswith("img/") and IMAGE_NAME.match(name) else ""


@cache
def render(slug: str) -> str | None:
    """The page as HTML (text escaped, no raw HTML); None for a name that is not a page."""
    text = source(slug)
    return None if text is None else _markdown().render(text)


def render_text(text: str) -> str:
    """Any markdown, rendered as the guide's pages are (for tests of the rules above)."""
    return _markdown().render(text)


@cache
def title_of(slug: str) -> str:
    text = source(slug) or ""
    first = next((line for line in text.splitlines() if line.startswith("# ")), "# 使用指南")
    return first[2:].strip()


def image_path(name: str) -> Path | None:
    """The file of an image of the guide; None for a name that is not one (no path reaches outside)."""
    if not IMAGE_NAME.match(name):
        return None
    path = IMAGE_DIR / name
    return path if path.is_file() else None


def files() -> dict[str, bytes]:
    """Every file of the guide, by its path relative to the guide's folder (what docs/guide/ holds)."""
    found = {f"{slug}.md": (GUIDE_DIR / f"{slug}.md").read_bytes() for slug in ["index", *BY_SLUG]}
    for path in sorted(IMAGE_DIR.glob("*.png")):
        found[f"img/{path.name}"] = path.read_bytes()
    return found


def export(target: Path, *, check: bool = False) -> tuple[list[str], list[str]]:
    """Writes the guide into ``target`` (docs/guide): (files written or stale, files removed or extra).
    With ``check`` nothing is written; both lists then name what differs."""
    wanted = files()
    changed = []
    for rel, data in wanted.items():
        path = target / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        changed.append(rel)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    extra = []
    if target.is_dir():
        for path in sorted(target.rglob("*")):
            rel = path.relative_to(target).as_posix()
            if path.is_file() and rel not in wanted:
                extra.append(rel)
                if not check:
                    path.unlink()
    return changed, extra
