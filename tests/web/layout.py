"""What every page must keep in a browser, at any size (issue 14, "Done when"): no button taller than
80 px (a button stretched by its neighbours, as the dispatch cards once were), and nothing wider than
the viewport (a phone must never scroll sideways). Used by the browser tests on every page they visit:

    from ..web.layout import assert_fits, screenshot
    assert_fits(page, "dispatcher inbox")

An element may stick out to the right only inside a box that clips or scrolls it (a wide table in its
scroll box, a map's panes): what the user sees of the page then still fits.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

TALLEST_BUTTON = 80
"""Pixels: taller than this, a button is a stretched box rather than a button."""

REPO = Path(__file__).resolve().parents[2]

_PROBLEMS = """(tallest) => {
  const width = window.innerWidth;
  const problems = [];
  const shown = e => {
    const s = getComputedStyle(e);
    return s.display !== 'none' && s.visibility !== 'hidden' && e.getClientRects().length > 0;
  };
  const name = e => {
    const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
      (text ? '「' + text.slice(0, 20) + '」' : '');
  };
  const doc = document.documentElement.scrollWidth;
  if (doc > width) problems.push('页面宽 ' + doc + 'px，超出视口 ' + width + 'px');
  const buttons = 'button, input[type=submit], input[type=button], input[type=reset], a.button, .btn, .button';
  for (const b of document.querySelectorAll(buttons)) {
    if (!shown(b)) continue;
    const h = b.getBoundingClientRect().height;
    if (h > tallest) problems.push('按钮 ' + name(b) + ' 高 ' + Math.round(h) + 'px');
  }
  // an element past the right edge, unless a box between it and the page clips or scrolls it
  const clipped = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 1) return true;
      if (s.position === 'fixed') return false;
    }
    return false;
  };
  const wide = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    if (clipped(e)) continue;
    wide.add(e);
    if (e.parentElement && wide.has(e.parentElement)) continue;  // its parent is named already
    problems.push(name(e) + ' 右边缘在 ' + Math.round(r.right) + 'px，超出视口 ' + width + 'px');
  }
  return problems;
}"""


def layout_problems(page) -> list[str]:
    """What breaks the rules on the page as it is shown now (empty when it fits)."""
    return page.evaluate(_PROBLEMS, TALLEST_BUTTON)


def assert_fits(page, where: str) -> None:
    """Fails naming every button taller than 80 px and every element past the viewport's right edge."""
    problems = layout_problems(page)
    assert not problems, f"{where}（{page.url}）版面问题：\n" + "\n".join(problems[:20])


def artefacts_dir(*parts: str) -> Path:
    """Where browser tests keep their screenshots: ``GRIDGOV_ARTIFACTS`` or ``test-artifacts/`` at the
    repository's root (listed in .gitignore)."""
    root = Path(os.environ.get("GRIDGOV_ARTIFACTS") or REPO / "test-artifacts")
    out = root.joinpath(*parts)
    out.mkdir(parents=True, exist_ok=True)
    return out


def guide_dir() -> Path | None:
    """Where the user guide's screenshots go when ``GRIDGOV_GUIDE_SHOTS`` names a directory (relative
    to the repository's root), e.g. ``GRIDGOV_GUIDE_SHOTS=src/gridgov/web/guide/img``; None otherwise."""
    value = os.environ.get("GRIDGOV_GUIDE_SHOTS")
    if not value:
        return None
    out = Path(value) if Path(value).is_absolute() else REPO / value
    out.mkdir(parents=True, exist_ok=True)
    return out


def save_small_png(png: bytes, path: Path, colours: int = 64) -> None:
    """A screenshot kept small for the repository: a palette of ``colours`` (the pages are flat
    colours and text) and zlib's best compression."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, "PNG", optimize=True)


def screenshot(page, folder: Path, name: str, *, guide: str | None = None, full_page: bool = True) -> Path:
    """Keeps a screenshot of the page as a test artefact, and as the guide's ``guide``.png when
    ``GRIDGOV_GUIDE_SHOTS`` is set (the visible part only: a guide shows what one screen shows)."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    target = guide_dir() if guide else None
    if target is not None:
        save_small_png(page.screenshot(full_page=False), target / f"{guide}.png")
    return path
