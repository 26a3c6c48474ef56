"""Field encryption for personal data, blind indexes to find it again, and masks for lists.

Keys are derived from the deployment's secret key with HKDF-SHA256, one per purpose, so the same
secret never serves two uses. Values are sealed with AES-256-GCM (a fresh 96-bit nonce each time,
stored in front of the ciphertext, with a version byte first so keys can rotate later).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gridgov", info=purpose).derive(secret.encode())


class FieldCipher:
    """Encrypts and decrypts personal fields; computes their blind index."""

    def __init__(self, secret_key: str) -> None:
        self._aead = AESGCM(_derive(secret_key, b"field-encryption-v1"))
        self._index_key = _derive(secret_key, b"blind-index-v1")

    def encrypt(self, text: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, text.encode(), _VERSION)

    def decrypt(self, blob: bytes) -> str:
        if not blob or blob[:1] != _VERSION:
            raise ValueError("未知的密文版本")
        return self._aead.decrypt(blob[1:13], blob[13:], _VERSION).decode()

    def blind_index(self, text: str) -> str:
        """A keyed hash of the normalised value: equal values match, nothing can be read back."""
        return hmac.new(self._index_key, text.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """``320102199001011234`` → ``320***********1234``."""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; other lengths keep only the last four digits."""
    value = value.strip()
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
