"""Fixtures of these tests: answers are not padded to an even duration (see views)."""

from __future__ import annotations

from typing import Any

import pytest

NO_PADDING = {"SIGNIN_MIN_SECONDS": 0}


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Sign-in answers are padded to a minimum time in production; tests skip the wait."""
    return dict(NO_PADDING)
