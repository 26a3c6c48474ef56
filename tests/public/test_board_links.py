"""The board's phone numbers are tap-to-call (tel:) and the printed QR code carries the site's public
address (``GRIDGOV_PUBLIC_URL``) where one is set, not the address the server was reached by."""

from __future__ import annotations

import re

import pytest

from gridgov.accounts.demo import demo_places
from gridgov.public.qr import qr_svg
from gridgov.public.web import tel_href

from .test_board import add_staff, clear_posts, page

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def test_the_boards_phones_are_tap_to_call_links(anonymous, db, places):
    clear_posts(db, places.grid)
    add_staff(db, places.grid, "孙电话", role="leader", work_phone="0511-85550001")
    html = page(anonymous, f"/board/{places.grid}")
    cells = re.findall(r'<td class="board-phone">(.*?)</td>', html)
    assert cells == ['<a href="tel:0511-85550001">0511-85550001</a>'], cells
    supervision = re.search(r'<dd class="board-phone" id="board-supervision-phone">(.*?)</dd>', html).group(1)
    assert supervision == '<a href="tel:12345">12345</a>'
    assert '<a href="tel:12345" id="supervision-call">12345</a>' in html


def test_a_tel_link_carries_only_digits_plus_and_dash():
    assert tel_href("0511-8555 0001") == "tel:0511-85550001"
    assert tel_href("+86 138 0000 1111") == "tel:+8613800001111"
    assert tel_href('12345"><script>') == "tel:12345"
    assert tel_href("无") == "" and tel_href(None) == ""


def test_the_qr_code_encodes_the_public_url_when_one_is_set(app, anonymous, places):
    path = f"/board/{places.grid}"
    assert anonymous.get(f"{path}/qr.svg").text == qr_svg(f"http://testserver{path}"), "未设置时沿用访问地址"
    app.state.settings = app.state.settings.model_copy(update={"public_url": "https://grid.example.gov.cn/"})
    public = f"https://grid.example.gov.cn{path}"
    r = anonymous.get(f"{path}/qr.svg", headers={"Host": "10.0.0.5:8000"})
    assert r.status_code == 200 and r.text == qr_svg(public)
    html = page(anonymous, f"{path}/print")
    assert qr_svg(public, inline=True) in html and f'<span class="sheet__url" id="board-url">{public}</span>' in html
    assert "testserver" not in html
