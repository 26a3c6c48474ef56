"""Field encryption for personal data and blind indexes to find it again.

Keys are derived with HKDF-SHA256 (salt ``gridgov``), one per purpose, so the same secret never
serves two uses. Values are sealed with AES-256-GCM and a fresh 96-bit nonce each time.

**Keys and their ids.** Key 0 is derived from the deployment's secret key (``GRIDGOV_SECRET_KEY``,
info ``field-encryption-v1``). More keys are listed in ``GRIDGOV_FIELD_KEYS`` as ``id:secret`` pairs
separated by commas (ids 1–255, secrets of at least 32 characters, info ``field-encryption-v2``);
the highest id seals new values unless ``GRIDGOV_FIELD_KEY_CURRENT`` names another. Every listed
key still opens what it sealed, so a new key is added, ``gridgov keys rotate`` re-seals the old
values in small batches while the site keeps running, and the old key is dropped only afterwards.

**Layout.** Version 2 (written now): ``0x02``, the key id (one byte), the nonce (12 bytes), then the
ciphertext with its tag; the first two bytes are the associated data. Version 1 (written before key
ids existed, still read): ``0x01``, nonce, ciphertext, ``0x01`` as associated data, always key 0.

**Blind index.** A keyed HMAC-SHA256 of the normalised value (key ``blind-index-v1`` from the secret
key): equal values match, nothing can be read back. It is not rotated with the field keys (that
would need every index recomputed at once); changing ``GRIDGOV_SECRET_KEY`` changes it.

The masks shown in lists live in :mod:`gridgov.kit.masking` (re-exported here for older imports).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gridgov.kit.masking import mask_id_number, mask_phone

__all__ = ["FieldCipher", "mask_id_number", "mask_phone", "parse_field_keys"]

_V1 = b"\x01"
_V2 = b"\x02"
MIN_SECRET_LEN = 32


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gridgov", info=purpose).derive(secret.encode())


def parse_field_keys(text: str) -> dict[int, str]:
    """``"1:secret,2:secret"`` → ``{1: "secret", 2: "secret"}``; raises ValueError (in Chinese,
    never quoting a secret) on a malformed list."""
    keys: dict[int, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kid, sep, secret = part.partition(":")
        if not sep or not kid.strip().isdigit():
            raise ValueError("GRIDGOV_FIELD_KEYS 格式应为 编号:密钥,编号:密钥（编号为 1–255 的整数）")
        number = int(kid)
        if not 1 <= number <= 255:
            raise ValueError(f"GRIDGOV_FIELD_KEYS 中的密钥编号 {number} 超出 1–255")
        if number in keys:
            raise ValueError(f"GRIDGOV_FIELD_KEYS 中的密钥编号 {number} 重复")
        if len(secret.strip()) < MIN_SECRET_LEN:
            raise ValueError(f"GRIDGOV_FIELD_KEYS 中编号 {number} 的密钥太短：至少 {MIN_SECRET_LEN} 个字符")
        keys[number] = secret.strip()
    return keys


class FieldCipher:
    """Encrypts and decrypts personal fields under numbered keys; computes their blind index."""

    def __init__(self, secret_key: str, field_keys: Mapping[int, str] | None = None,
                 current: int | None = None) -> None:
        derived = {0: _derive(secret_key, b"field-encryption-v1")}
        for kid, secret in (field_keys or {}).items():
            derived[kid] = _derive(secret, b"field-encryption-v2")
        self._keys: dict[int, AESGCM] = {kid: AESGCM(key) for kid, key in derived.items()}
        # A key's check value (an HMAC under the key of a fixed text): tells whether a backup's key id
        # is the same key here, and reveals nothing of the key (gridgov.backup).
        self._checks = {kid: hmac.new(key, b"gridgov-key-check-v1", hashlib.sha256).hexdigest()[:16]
                        for kid, key in derived.items()}
        self.current = max(self._keys) if current is None else current
        if self.current not in self._keys:
            raise ValueError(f"当前加密密钥编号 {self.current} 不在已配置的密钥中")
        self._index_key = _derive(secret_key, b"blind-index-v1")

    @classmethod
    def from_settings(cls, settings) -> FieldCipher:
        """The deployment's cipher: ``GRIDGOV_SECRET_KEY``, ``GRIDGOV_FIELD_KEYS`` and
        ``GRIDGOV_FIELD_KEY_CURRENT`` (see :class:`gridgov.config.Settings`)."""
        return cls(settings.secret_key, parse_field_keys(settings.field_keys), settings.field_key_current)

    @property
    def key_ids(self) -> list[int]:
        return sorted(self._keys)

    def key_check(self, kid: int) -> str | None:
        """The check value of key ``kid`` (16 hex digits), or None when it is not configured."""
        return self._checks.get(kid)

    def encrypt(self, text: str) -> bytes:
        nonce = os.urandom(12)
        head = _V2 + bytes([self.current])
        return head + nonce + self._keys[self.current].encrypt(nonce, text.encode(), head)

    def decrypt(self, blob: bytes) -> str:
        kid = self.key_id(blob)
        if kid not in self._keys:
            raise ValueError(f"密文由编号 {kid} 的密钥加密，但该密钥未配置（GRIDGOV_FIELD_KEYS）")
        if blob[:1] == _V1:
            return self._keys[0].decrypt(blob[1:13], blob[13:], _V1).decode()
        return self._keys[kid].decrypt(blob[2:14], blob[14:], blob[:2]).decode()

    @staticmethod
    def key_id(blob: bytes) -> int:
        """The id of the key that sealed ``blob`` (0 for version-1 blobs)."""
        if blob and blob[:1] == _V1:
            return 0
        if len(blob) > 2 and blob[:1] == _V2:
            return blob[1]
        raise ValueError("未知的密文版本")

    def reseal(self, blob: bytes) -> bytes | None:
        """``blob`` sealed again under the current key, or None when it already is."""
        if blob[:1] == _V2 and blob[1] == self.current:
            return None
        return self.encrypt(self.decrypt(blob))

    def blind_index(self, text: str) -> str:
        """A keyed hash of the normalised value: equal values match, nothing can be read back."""
        return hmac.new(self._index_key, text.strip().upper().encode(), hashlib.sha256).hexdigest()
