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
MAX_PIXELS = 40_000_000
THUMB_SIZE = (320, 320)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    content_type: str
    size: int
    width: int
    height: int


def _clean(data: bytes, label: str) -> tuple[bytes, str, Image.Image]:
    if len(data) > MAX_BYTES:
        raise Invalid(f"{label}超过 10 MB")
    if not data:
        raise Invalid(f"{label}是空文件")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in FORMATS:
                raise Invalid(f"{label}格式不支持，只接受 JPEG、PNG 或 WebP")
            if probe.width * probe.height > MAX_PIXELS:
                raise Invalid(f"{label}像素过多")
            probe.load()
            image = ImageOps.exif_transpose(probe)  # keep the orientation the phone meant, drop the tag
    except UnidentifiedImageError as exc:
        raise Invalid(f"{label}不是有效的图片") from exc
    except (OSError, Image.DecompressionBombError) as exc:
        raise Invalid(f"{label}已损坏或无法读取") from exc
    # Rebuild from pixels only: a fresh image has no info dict, so nothing of the original's
    # metadata (EXIF/GPS, XMP, ICC, comments) is written back.
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode == "P" and image.getpalette():
        pixels.putpalette(image.getpalette())
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        pixels.save(out, "PNG", optimize=True)
    else:
        pixels.save(out, "WEBP", quality=85)
    return out.getvalue(), fmt, pixels


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
        thumb = image.convert("RGB")
        thumb.thumbnail(THUMB_SIZE)
        buf = io.BytesIO()
        thumb.save(buf, "JPEG", quality=80)
        _write_atomically(folder / f"{digest}.thumb.jpg", buf.getvalue())
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
