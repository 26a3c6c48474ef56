"""The user guide (issue 14, "Done when": a guide in Chinese, one page per role, with the tests'
screenshots, linked from each page's help menu): served by the app at /help offline and safely, each
role's header linking its own page, every role with a page, and docs/guide/ the same as the package's."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from gridgov.accounts.demo import DEMO_ACCOUNTS
from gridgov.models.accounts import HANDOVER_CLIENT_ROLES, Role
from gridgov.web import guide

HTML = {"accept": "text/html"}
REPO = Path(__file__).resolve().parents[2]
PHONE_GUIDES = ("worker-", "partner-")
"""Guides whose readers work on a phone in the field: grid workers, and special service teams' members (the
partner page, whose social organisations' screenshot is taken in the same phone test)."""
LARGEST_IMAGE = 160_000
"""Bytes: a screenshot of the guide stays small (palette PNG; phone-sized for the worker)."""


def test_every_role_has_exactly_one_guide_page_and_the_index_lists_them_all():
    for role in Role:
        if role in HANDOVER_CLIENT_ROLES:  # other systems never log in: their guide is docs/interop.md
            assert not any(role in p.roles for p in guide.PAGES), role
            continue
        assert sum(role in p.roles for p in guide.PAGES) == 1, role
    assert guide.page_for(None).slug == guide.PUBLIC
    index = guide.source("index")
    for page in guide.PAGES:
        assert f"]({page.slug}.md)" in index, page.slug
        text = guide.source(page.slug)
        assert text.startswith("# ") and len(text) > 500 and "](img/" in text, f"{page.slug}.md 内容太少或没有截图"


def test_the_markdown_is_rendered_as_text_with_links_and_images_only_inside_the_app():
    html = guide.render_text(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[下一页](worker.md) [总览](index.md#top) [上报](/cases/new) [外](https://github.com/x) "
        "[协议相对](//evil.example/x) [js](javascript:alert(1))\n\n"
        "![上报](img/worker-report.png) ![坏](img/../../secret.png) ![外](http://x.example/y.png)\n")
    assert "<script" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
    assert 'href="/help/worker"' in html and 'href="/help#top"' in html and 'href="/cases/new"' in html
    assert "github" not in html and "evil.example" not in html and 'href="javascript' not in html
    assert html.count("<img") == 1 and 'src="/help/img/worker-report.png"' in html and "x.example" not in html


def test_the_guide_links_nowhere_outside_and_every_image_is_there_small_and_used():
    used = set()
    for slug in ["index", *guide.BY_SLUG]:
        text = guide.source(slug)
        assert not re.search(r"\]\((https?:)?//", text), f"{slug}.md 链接到外部网站（指南须离线可用）"
        for src in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            assert guide.image_src(src), f"{slug}.md: {src} 不是指南 img/ 中的图片"
            assert (guide.IMAGE_DIR / src.removeprefix("img/")).is_file(), f"{slug}.md: 缺少 {src}"
            used.add(src.removeprefix("img/"))
    shipped = {p.name for p in guide.IMAGE_DIR.glob("*.png")}
    assert shipped == used, f"未被引用的截图：{sorted(shipped - used)}"
    for name in shipped:
        path = guide.IMAGE_DIR / name
        assert path.stat().st_size <= LARGEST_IMAGE, f"{name}: {path.stat().st_size} 字节"
        with Image.open(path) as image:
            phone = image.width <= 400
        assert phone == name.startswith(PHONE_GUIDES), f"{name}: 网格员和服务队队员用手机截图，其他角色用电脑截图"


def test_the_help_pages_and_images_answer_and_nothing_else(anonymous):
    r = anonymous.get("/help", headers=HTML)
    assert r.status_code == 200 and 'id="help-body"' in r.text
    for page in guide.PAGES:
        r = anonymous.get(page.url, headers=HTML)
        assert r.status_code == 200 and f'data-page="{page.slug}"' in r.text, page.slug
        for src in re.findall(r'src="(/help/img/[^"]+)"', r.text):
            image = anonymous.get(src)
            assert image.status_code == 200 and image.headers["content-type"] == "image/png", src
    for bad in ("/help/nobody", "/help/index.md", "/help/img/nothing.png", "/help/img/..%2Fworker.md",
                "/help/img/%2e%2e%2fguide.py", "/help/img/worker.md"):
        assert anonymous.get(bad, headers=HTML).status_code == 404, bad


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_page_header_links_the_guide_page_of_the_logged_in_role(client_as, account):
    c = client_as(account.username)
    expected = guide.page_for(account.role).url
    for path in ("/account", "/help"):
        r = c.get(path, headers=HTML)
        assert r.status_code == 200
        assert re.search(rf'<a class="user-menu__help" href="{re.escape(expected)}" id="help-link">', r.text), path
    assert c.get("/no-such-page", headers=HTML).text.count(f'href="{expected}" id="help-link"') == 1


def test_a_visitor_of_the_public_pages_is_led_to_the_public_guide(anonymous):
    for path in ("/login", "/catalogue", "/complaint-status"):
        r = anonymous.get(path, headers=HTML)
        assert r.status_code == 200 and 'href="/help/public" id="help-link"' in r.text, path


def test_docs_guide_is_the_package_guide():
    """docs/guide/ is written by ``gridgov guide``: stale, this fails (run the command)."""
    from gridgov.cli import app

    r = CliRunner().invoke(app, ["guide", "--check", "--out", str(REPO / "docs" / "guide")])
    assert r.exit_code == 0, r.output


def test_gridgov_guide_writes_and_checks_a_copy(tmp_path):
    from gridgov.cli import app

    out = tmp_path / "guide"
    assert CliRunner().invoke(app, ["guide", "--check", "--out", str(out)]).exit_code == 1
    assert CliRunner().invoke(app, ["guide", "--out", str(out)]).exit_code == 0
    (out / "stray.md").write_text("x", encoding="utf-8")
    (out / "worker.md").write_text("旧", encoding="utf-8")
    r = CliRunner().invoke(app, ["guide", "--check", "--out", str(out)])
    assert r.exit_code == 1 and "stray.md" in r.output and "worker.md" in r.output
    assert CliRunner().invoke(app, ["guide", "--out", str(out)]).exit_code == 0
    assert not (out / "stray.md").exists() and (out / "worker.md").read_bytes() == guide.files()["worker.md"]


def test_the_wheel_carries_the_guide():
    """Package data: every file of the guide matches a pattern of pyproject's package-data."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["gridgov"]
    for rel in guide.files():
        path = f"web/guide/{rel}"
        assert any(fnmatch.fnmatch(path, p) for p in patterns), path
