"""The QR code printed on a board: it opens the online board (LZ§10 网络工作平台, JM§8 网络公布).

Made with ``segno`` (pure Python) as SVG, so it prints sharp at any size and needs no image library.
Error correction level M survives a worn or partly covered paper board.
"""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, scale: int = 4, border: int = 2, inline: bool = False) -> str:
    """An SVG QR code of ``url``. ``inline`` leaves out the XML declaration and the fixed size
    (a viewBox instead) for embedding in a page whose CSS sizes it."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=scale, border=border, xmldecl=not inline, svgns=True, omitsize=inline,
            title="网上公示二维码", svgclass="board-qr", lineclass=None, dark="#000", light="#fff")
    return out.getvalue().decode("utf-8")
