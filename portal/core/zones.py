"""The time zone a shop lives in, from its country, and the one way pages show its times
(the customer page, the shopper's profile and the assistant's screen agree)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_location
from flask_babel import get_locale, gettext

from portal.core.time import as_utc

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


@dataclass(frozen=True)
class ShopClock:
    """Formats times the one way the page shows them: the locale's medium date and short
    time, in the shop's zone, followed by the zone's name ("Dec 2, 2026, 12:18 AM
    (Bangladesh Time)")."""

    zone: ZoneInfo

    @property
    def zone_name(self) -> str:
        return get_timezone_location(self.zone, locale=_locale())

    def when(self, moment: datetime) -> str:
        """A stored (UTC) time in the shop's zone, with the zone named."""
        local = (as_utc(moment) or moment).astimezone(self.zone)
        locale = _locale()
        pattern = str(get_datetime_format("medium", locale=locale))
        text = pattern.format(
            format_time(local, "short", tzinfo=self.zone, locale=locale),
            format_date(local, "medium", locale=locale),
        )
        return gettext("%(time)s (%(zone)s)", time=text, zone=self.zone_name)

    def day(self, value: date) -> str:
        """A calendar date (a birthday) in the same medium date format."""
        return format_date(value, "medium", locale=_locale())


def _locale() -> str:
    return str(get_locale() or "en")


def shop_clock(country_code: str | None) -> ShopClock:
    """The clock of a merchant: merchants have no zone setting, so their country's zone."""
    return ShopClock(shop_timezone(country_code))
