"""The time zone a shop lives in, from its country, for "today" and for showing times."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.core import get_global

# Countries with several zones: the one most of their shops keep (the capital's).
PRIMARY_ZONES: dict[str, str] = {"ID": "Asia/Jakarta", "US": "America/New_York"}


def shop_timezone(country_code: str | None) -> ZoneInfo:
    """The merchant's zone from its country (BD -> Asia/Dhaka, ID -> Asia/Jakarta); a
    country with several zones and no primary one, or none given, is UTC. Merchants have
    no zone setting yet, so this is the one place that picks it."""
    code = (country_code or "").upper()
    zones = get_global("territory_zones").get(code, [])
    name = PRIMARY_ZONES.get(code) or (zones[0] if len(zones) == 1 else "UTC")
    return ZoneInfo(name)
