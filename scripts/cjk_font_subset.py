"""Rebuild the CJK font the PDFs embed (src/gridgov/kit/fonts/, registered by kit/pdffont.py).

The PDF must show Chinese on any reader, so it embeds a TrueType (glyf) font: reportlab embeds a
subset of the glyphs a document uses. The app ships a subset of WenQuanYi Micro Hei (Apache-2.0,
Debian package fonts-wqy-microhei) covering GB2312, ASCII, CJK punctuation, full-width forms and
every character of the package's own texts (profiles, starter lists, case types, templates), so
the file stays small and no system font is needed at run time.

Needs fontTools (a build tool, not a dependency of the app):

    apt-get download fonts-wqy-microhei && dpkg-deb -x fonts-wqy-microhei_*.deb x
    python -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools
    /tmp/ft/bin/python scripts/cjk_font_subset.py x/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "gridgov"
OUT = PACKAGE / "kit" / "fonts" / "wqy-microhei-gb2312.ttf"
TEXTS = ("*.toml", "*.csv", "*.py", "*.html")


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((hi, lo)).decode("gb2312"))
    return chars


def package_chars() -> set[str]:
    chars: set[str] = set()
    for pattern in TEXTS:
        for path in PACKAGE.rglob(pattern):
            chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) >= 0x2000)
    return chars


def wanted() -> set[str]:
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203B), (0x3000, 0x303F),
              (0xFF01, 0xFF5E), (0x2460, 0x2473), (0x2160, 0x216B)]
    chars = {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)}
    return chars | gb2312() | package_chars()


def main(source: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=0)  # 0: WenQuanYi Micro Hei (1 is its monospaced sibling)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    cmap = font.getBestCmap()
    subsetter.populate(unicodes=[ord(c) for c in wanted() if ord(c) in cmap])
    subsetter.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(font.getBestCmap())} characters, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
