"""The CJK font every PDF the app writes embeds (the catalogue export, the monthly analysis report).

WenQuanYi Micro Hei (Apache-2.0), shipped in ``kit/fonts/`` as a GB2312 subset (see
scripts/cjk_font_subset.py). reportlab embeds the glyphs a document uses as a TrueType subset
(FontFile2) with a ToUnicode map: a reader without Chinese fonts still shows every character, text
can be copied and searched, and the app needs no system font.
"""

from __future__ import annotations

from pathlib import Path

CJK_FONT = "WenQuanYiMicroHei"
"""The name the font is registered under in reportlab (``fontName=CJK_FONT``)."""
CJK_FONT_FILE = Path(__file__).with_name("fonts") / "wqy-microhei-gb2312.ttf"


def register_cjk_font() -> str:
    """Register the shipped TrueType font once per process; returns its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(CJK_FONT, str(CJK_FONT_FILE)))
    return CJK_FONT
