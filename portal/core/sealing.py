"""Short secrets sealed at rest (encrypted and authenticated) under the app's secret key.

Why here and why this way: a two-factor key must be read back to check codes, so it
cannot be hashed like a token; a copy of the table alone must still not reveal it. The
project has no encryption library, so this uses only HMAC-SHA256 from the standard
library: a pseudo-random keystream HMAC(enc_key, nonce || counter) XORed with the
plaintext, then a tag HMAC(mac_key, nonce || ciphertext) checked in constant time
(encrypt-then-MAC). Both keys come from SECRET_KEY and the purpose, so rotating
SECRET_KEY makes sealed values unreadable (their owners set them up again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

NONCE_BYTES = 16
TAG_BYTES = 32
VERSION = "s1"


class UnsealError(ValueError):
    """The sealed value was altered, or sealed under another key or purpose."""


def _key(purpose: str, use: str) -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"sealing:{use}:{purpose}".encode(), hashlib.sha256).digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def seal(plain: str, *, purpose: str) -> str:
    """`plain` encrypted and tagged, as ASCII text for a String column."""
    data = plain.encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = _xor(data, _keystream(_key(purpose, "enc"), nonce, len(data)))
    tag = hmac.new(_key(purpose, "mac"), nonce + body, hashlib.sha256).digest()
    return VERSION + ":" + base64.urlsafe_b64encode(nonce + body + tag).decode()


def unseal(sealed: str, *, purpose: str) -> str:
    """The plaintext of `seal(plain, purpose=purpose)`; UnsealError for anything else."""
    version, _, text = (sealed or "").partition(":")
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except ValueError as exc:
        raise UnsealError("not a sealed value") from exc
    if version != VERSION or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise UnsealError("not a sealed value")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    expected = hmac.new(_key(purpose, "mac"), nonce + body, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise UnsealError("the tag does not match")
    return _xor(body, _keystream(_key(purpose, "enc"), nonce, len(body))).decode()
