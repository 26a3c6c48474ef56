"""Field encryption and blind indexes (:mod:`gridgov.kit.crypto`) against an independent reading of the layout.

The module's docstring fixes the format (HKDF-SHA256 with salt ``gridgov``, one ``info`` per purpose;
version byte 1, a 12-byte nonce, AES-256-GCM with the version byte as associated data). Data written
under it must stay readable, so the tests rebuild keys and blobs from that description with the
``cryptography`` primitives directly rather than through the module.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gridgov.kit.crypto import FieldCipher

SECRET = "k" * 40


def _key(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gridgov", info=purpose).derive(SECRET.encode())


@pytest.mark.req("E5")
def test_a_value_round_trips_and_each_sealing_is_different():
    cipher = FieldCipher(SECRET)
    first, second = cipher.encrypt("320102199001011234"), cipher.encrypt("320102199001011234")
    assert first != second  # a fresh nonce each time
    assert cipher.decrypt(first) == cipher.decrypt(second) == "320102199001011234"
    assert b"320102199001011234" not in first


def test_a_blob_has_the_documented_layout():
    blob = FieldCipher(SECRET).encrypt("张三")
    assert blob[:1] == b"\x01" and len(blob) == 1 + 12 + len("张三".encode()) + 16
    assert AESGCM(_key(b"field-encryption-v1")).decrypt(blob[1:13], blob[13:], b"\x01").decode() == "张三"


def test_a_blob_sealed_by_the_documented_recipe_is_read():
    nonce = os.urandom(12)
    blob = b"\x01" + nonce + AESGCM(_key(b"field-encryption-v1")).encrypt(nonce, b"13812345678", b"\x01")
    assert FieldCipher(SECRET).decrypt(blob) == "13812345678"


@pytest.mark.parametrize("blob", [b"", b"\x02" + bytes(40)])
def test_an_empty_blob_or_an_unknown_version_is_refused(blob):
    with pytest.raises(ValueError, match="未知的密文版本"):
        FieldCipher(SECRET).decrypt(blob)


def test_another_key_cannot_read_a_blob():
    blob = FieldCipher(SECRET).encrypt("x")
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        FieldCipher("z" * 40).decrypt(blob)


def test_the_blind_index_is_a_keyed_hash_of_the_normalised_value():
    cipher = FieldCipher(SECRET)
    expected = hmac.new(_key(b"blind-index-v1"), b"11010519491231002X", hashlib.sha256).hexdigest()
    assert cipher.blind_index(" 11010519491231002x ") == expected
    assert cipher.blind_index("11010519491231002X") != FieldCipher("z" * 40).blind_index("11010519491231002X")
