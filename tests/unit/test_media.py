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
