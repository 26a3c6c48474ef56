"""Field encryption and blind indexes (:mod:`gridgov.kit.crypto`) against an independent reading of the layout.

The module's docstring fixes the format (HKDF-SHA256 with salt ``gridgov``, one ``info`` per purpose;
version byte 2, the key id, a 12-byte nonce, AES-256-GCM with the first two bytes as associated
data; version-1 blobs, written before key ids, are still read). Data written under it must stay
readable, so the tests rebuild keys and blobs from that description with the ``cryptography``
primitives directly rather than through the module.
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
    assert blob[:2] == b"\x02\x00" and len(blob) == 2 + 12 + len("张三".encode()) + 16
    assert AESGCM(_key(b"field-encryption-v1")).decrypt(blob[2:14], blob[14:], b"\x02\x00").decode() == "张三"


def test_a_blob_names_the_key_that_sealed_it_and_every_configured_key_opens_its_own():
    other = "n" * 40
    old, new = FieldCipher(SECRET), FieldCipher(SECRET, {7: other})
    assert new.current == 7
    blob = new.encrypt("13812345678")
    assert blob[:2] == b"\x02\x07" and FieldCipher.key_id(blob) == 7
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gridgov", info=b"field-encryption-v2")
    key7 = kdf.derive(other.encode())
    assert AESGCM(key7).decrypt(blob[2:14], blob[14:], blob[:2]) == b"13812345678"
    assert new.decrypt(old.encrypt("x")) == "x"  # key 0 still opens what it sealed
    with pytest.raises(ValueError, match="编号 7 的密钥"):
        old.decrypt(blob)  # a cipher without key 7 says which key is missing


def test_reseal_moves_a_value_to_the_current_key_and_leaves_one_already_there():
    old, new = FieldCipher(SECRET), FieldCipher(SECRET, {1: "n" * 40})
    v1 = b"\x01" + (nonce := os.urandom(12)) + AESGCM(_key(b"field-encryption-v1")).encrypt(nonce, b"a", b"\x01")
    for blob in (v1, old.encrypt("a")):
        moved = new.reseal(blob)
        assert FieldCipher.key_id(moved) == 1 and new.decrypt(moved) == "a"
        assert new.reseal(moved) is None
    pinned = FieldCipher(SECRET, {1: "n" * 40}, current=0)
    assert FieldCipher.key_id(pinned.encrypt("a")) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("1", "格式"), ("0:" + "s" * 40, "超出"), ("1:short", "太短"), ("1:" + "s" * 40 + ",1:" + "t" * 40, "重复"),
])
def test_a_malformed_key_list_is_refused_without_quoting_a_secret(text, message):
    from gridgov.kit.crypto import parse_field_keys

    with pytest.raises(ValueError, match=message) as caught:
        parse_field_keys(text)
    assert "s" * 40 not in str(caught.value) and "short" not in str(caught.value)


def test_a_blob_sealed_by_the_documented_recipe_is_read():
    nonce = os.urandom(12)
    blob = b"\x01" + nonce + AESGCM(_key(b"field-encryption-v1")).encrypt(nonce, b"13812345678", b"\x01")
    assert FieldCipher(SECRET).decrypt(blob) == "13812345678"


@pytest.mark.parametrize("blob", [b"", b"\x03" + bytes(40)])
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
