"""Short secrets sealed at rest (encrypted and authenticated) under the app's secret key.

Why here and why this way: a two-factor key must be read back to check codes, so it
cannot be hashed like a token; a copy of the table alone must still not reveal it.
Sealing is cryptography's Fernet (AES-128-CBC with HMAC-SHA256, encrypt-then-MAC),
under a key derived with HKDF from SECRET_KEY and the purpose, so that a value sealed
for one purpose never opens as another. Rotating SECRET_KEY makes sealed values
unreadable (their owners set them up again).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = "f1"


class UnsealError(ValueError):
    """The sealed value was altered, or sealed under another key or purpose."""


def _fernet(purpose: str) -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return Fernet(base64.urlsafe_b64encode(derive.derive(secret)))


def seal(plain: str, *, purpose: str) -> str:
    """`plain` encrypted and tagged, as ASCII text for a String column."""
    return VERSION + ":" + _fernet(purpose).encrypt(plain.encode()).decode()


def unseal(sealed: str, *, purpose: str) -> str:
    """The plaintext of `seal(plain, purpose=purpose)`; UnsealError for anything else."""
    version, _, token = (sealed or "").partition(":")
    if version != VERSION or not token:
        raise UnsealError("not a sealed value")
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UnsealError("the value does not open under this key and purpose") from exc
