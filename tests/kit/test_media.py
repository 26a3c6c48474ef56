"""Photos: only real JPEG/PNG/WebP up to 10 MB are kept, stored by hash, with GPS metadata gone."""

import io

import pytest
from PIL import Image

from gridgov.errors import Invalid
from gridgov.kit.media import MAX_BYTES, image_path, store_image


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (32.0, 12.0, 5.0), 3: "E", 4: (119.0, 27.0, 1.0)}
    exif[0x010F] = "SomePhone"
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_a_phone_jpeg_loses_its_gps_tags_and_gets_a_thumbnail(tmp_path):
    data = _jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    stored = store_image(tmp_path, data)
    path, content_type = image_path(tmp_path, stored.sha256)
    assert content_type == "image/jpeg"
    kept = Image.open(path)
    assert not kept.getexif() and "exif" not in kept.info
    assert (stored.width, stored.height) == (640, 480)
    thumb, _ = image_path(tmp_path, stored.sha256, thumbnail=True)
    assert max(Image.open(thumb).size) <= 320


def test_the_same_photo_twice_is_stored_once(tmp_path):
    data = _jpeg_with_gps()
    assert store_image(tmp_path, data).sha256 == store_image(tmp_path, data).sha256
    assert len(list(tmp_path.rglob("*.jpg"))) == 2  # the photo and its thumbnail


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(tmp_path, fmt):
    buf = io.BytesIO()
    Image.new("RGBA", (20, 10), (1, 2, 3, 4)).save(buf, fmt)
    stored = store_image(tmp_path, buf.getvalue())
    assert stored.content_type == f"image/{fmt.lower()}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空文件"),
        (b"GIF89a" + b"\0" * 100, "不是有效的图片"),
        (b"%PDF-1.4 not an image", "不是有效的图片"),
        (b"\0" * (MAX_BYTES + 1), "超过 10 MB"),
    ],
)
def test_what_is_not_an_accepted_image_is_refused_in_chinese(tmp_path, data, message):
    with pytest.raises(Invalid, match=message):
        store_image(tmp_path, data, label="照片")
    assert not list(tmp_path.rglob("*.*"))


def test_a_gif_is_refused_by_its_content_not_its_name(tmp_path):
    buf = io.BytesIO()
    Image.new("P", (5, 5)).save(buf, "GIF")
    with pytest.raises(Invalid, match="只接受 JPEG、PNG 或 WebP"):
        store_image(tmp_path, buf.getvalue())


def test_unknown_or_malformed_hashes_find_nothing(tmp_path):
    assert image_path(tmp_path, "0" * 64) is None
    assert image_path(tmp_path, "../../etc/passwd") is None


def _flat_png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path, monkeypatch):
    """A 6300×6300 flat PNG is ~150 KB on the wire and ~120 MB decoded: refused before decoding."""
    from PIL import ImageFile

    bomb = _flat_png(6300, 6300)
    assert len(bomb) < 200_000

    def no_decoding(self):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(Invalid, match="尺寸过大（6300×6300）：不能超过 24 百万像素"):
        store_image(tmp_path, bomb, label="照片")
    with pytest.raises(Invalid, match="长边不能超过 8192 像素"):
        store_image(tmp_path, _flat_png(9000, 100), label="照片")
    assert not list(tmp_path.rglob("*.*"))


def test_pillow_guard_agrees_with_the_cap():
    from gridgov.kit.media import MAX_PIXELS

    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


def test_a_phone_sized_photo_is_kept_and_png_metadata_dropped(tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret place")
    buf = io.BytesIO()
    Image.new("RGB", (4000, 3000), (5, 6, 7)).save(buf, "PNG", pnginfo=info)
    stored = store_image(tmp_path, buf.getvalue())
    assert (stored.width, stored.height) == (4000, 3000)
    kept = Image.open(image_path(tmp_path, stored.sha256)[0])
    assert "Comment" not in kept.info
    assert Image.open(image_path(tmp_path, stored.sha256, thumbnail=True)[0]).size == (320, 240)
