"""Staff sign-in and sign-out at /login and /logout."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__)
