"""Field encryption for personal data and blind indexes to find it again.

Keys are derived from the deployment's secret key with HKDF-SHA256, one per purpose, so the same
secret never serves two uses. Values are sealed with AES-256-GCM (a fresh 96-bit nonce each time,
stored in front of the ciphertext, with a version byte first so keys can rotate later). The masks
shown in lists live in :mod:`gridgov.kit.masking` (re-exported here for older imports).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gridgov.kit.masking import mask_id_number, mask_phone

__all__ = ["FieldCipher", "mask_id_number", "mask_phone"]

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
