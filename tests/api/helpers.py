"""Small helpers shared by the API tests."""

from __future__ import annotations


def auth(token: str, form: str = "bearer") -> dict[str, str]:
    """The Authorization header in the Bearer form or document 004's `Token token=` form."""
    if form == "token":
        return {"Authorization": f"Token token={token}"}
    return {"Authorization": f"Bearer {token}"}


def local_bd(e164: str) -> str:
    """A +880 number written the way document 000 writes it: 01XXXXXXXXX."""
    return "0" + e164.removeprefix("+880")
