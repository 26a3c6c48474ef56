"""Photos stored by content hash, with their metadata stripped and a thumbnail beside them.

Uploads come from phones, whose JPEGs carry EXIF GPS tags (where a worker or a resident stood).
Every accepted image is decoded by Pillow and re-encoded from its pixels only, so no EXIF, XMP or
comment survives; the stored bytes' SHA-256 is the file name, so the same photo uploaded twice is
stored once. Pillow also rejects what is not really a JPEG, PNG or WebP whatever its name says.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 24_000_000
"""A phone photo is 12 MP (48 MP sensors bin to 12 MP); 24 MP leaves room and costs at most 96 MB
decoded (RGBA). A 6300×6300 image (40 MP, ~160 MB decoded) is refused from its header."""
MAX_SIDE = 8192
THUMB_SIZE = (320, 320)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

# Pillow's own guard (DecompressionBombError beyond twice this) agrees with ours, for any other
# code that opens an image.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    content_type: str
    size: int
    width: int
    height: int


def _clean(data: bytes, label: str) -> tuple[bytes, str, Image.Image]:
    """Checks the image from its header, then decodes it once and rebuilds it from its pixels."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"{label}超过 {MAX_BYTES // 1024 // 1024} MB")
    if not data:
        raise Invalid(f"{label}是空文件")
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
            fmt = probe.format
            # Image.open read the header only: the size is known, nothing is decoded yet.
            width, height = probe.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise Invalid(f"{label}尺寸过大（{width}×{height}）：不能超过 {MAX_PIXELS // 1_000_000} "
                              f"百万像素，长边不能超过 {MAX_SIDE} 像素")
            probe.load()  # the one decode
            ImageOps.exif_transpose(probe, in_place=True)  # keep the orientation the phone meant
            # Rebuild from pixels only: a fresh image has no info dict, so nothing of the original's
            # metadata (EXIF/GPS, XMP, ICC, comments) is written back. One copy of the pixels.
            pixels = Image.new(probe.mode, probe.size)
            if probe.mode == "P" and probe.getpalette():
                pixels.putpalette(probe.getpalette())
            pixels.paste(probe)
    except UnidentifiedImageError as exc:
        raise Invalid(f"{label}格式不支持或不是有效的图片，只接受 JPEG、PNG 或 WebP") from exc
    except Image.DecompressionBombError as exc:  # Pillow's own guard, at twice MAX_PIXELS
        raise Invalid(f"{label}尺寸过大：不能超过 {MAX_PIXELS // 1_000_000} 百万像素") from exc
    except (OSError, ValueError) as exc:
        raise Invalid(f"{label}已损坏或无法读取") from exc
    out = io.BytesIO()
    if fmt == "JPEG":
        (pixels if pixels.mode == "RGB" else pixels.convert("RGB")).save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        pixels.save(out, "PNG", optimize=True)
    else:
        pixels.save(out, "WEBP", quality=85)
    return out.getvalue(), fmt, pixels


def _thumbnail(image: Image.Image) -> bytes:
    """A small JPEG, resized straight from the decoded pixels (no second full-size copy)."""
    width, height = image.size
    scale = min(1.0, THUMB_SIZE[0] / width, THUMB_SIZE[1] / height)
    thumb = image
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        thumb = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    buf = io.BytesIO()
    thumb.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def store_image(root: Path, data: bytes, *, label: str = "图片") -> StoredImage:
    """Validates, strips and stores one image under ``root/ab/<sha256>.<ext>`` with a JPEG thumbnail
    ``root/ab/<sha256>.thumb.jpg``; raises :class:`Invalid` (Chinese message) on bad input."""
    clean, fmt, image = _clean(data, label)
    digest = hashlib.sha256(clean).hexdigest()
    folder = root / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.{EXTENSIONS[fmt]}"
    if not target.exists():
        _write_atomically(target, clean)
        _write_atomically(folder / f"{digest}.thumb.jpg", _thumbnail(image))
    return StoredImage(digest, FORMATS[fmt], len(clean), image.width, image.height)


def image_path(root: Path, sha256: str, *, thumbnail: bool = False) -> tuple[Path, str] | None:
    """The stored file and its content type, or None (unknown hash or a malformed one)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    folder = root / sha256[:2]
    if thumbnail:
        path = folder / f"{sha256}.thumb.jpg"
        return (path, "image/jpeg") if path.exists() else None
    for fmt, ext in EXTENSIONS.items():
        path = folder / f"{sha256}.{ext}"
        if path.exists():
            return path, FORMATS[fmt]
    return None


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
