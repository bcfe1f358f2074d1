"""The time zone a shop lives in, from its country, and the one way pages show its times
(the customer page, the shopper's profile and the assistant's screen agree)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_location
from flask_babel import get_locale, gettext

from portal.core.time import as_utc

# Countries with several zones: the one most of their shops keep (the capital's).
PRIMARY_ZONES: dict[str, str] = {"ID": "Asia/Jakarta", "US": "America/New_York"}


def shop_timezone(country_code: str | None, chosen: str | None = None) -> ZoneInfo:
    """The merchant's zone: the one its owner chose in the settings (`chosen`), else its
    country's (BD -> Asia/Dhaka, ID -> Asia/Jakarta); a country with several zones and no
    primary one, or none given, is UTC. This is the one place that picks it."""
    if chosen and is_zone(chosen):
        return ZoneInfo(chosen)
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


def shop_clock(country_code: str | None, chosen: str | None = None) -> ShopClock:
    """The clock of a merchant: the zone its owner chose, else its country's."""
    return ShopClock(shop_timezone(country_code, chosen))


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name this machine knows."""
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    return name in zone_names()


def country_default_zone(country_code: str | None) -> str:
    """The zone name a shop of this country gets when its owner has not chosen one."""
    return shop_timezone(country_code).key


@lru_cache(maxsize=8)
def zone_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """(IANA name, its name in `locale`, e.g. "Bangladesh Time") of every place's zone
    CLDR names, sorted by that name: what a person picks from, not "Asia/Dhaka"."""
    places = {zone for zones in get_global("territory_zones").values() for zone in zones}
    named = sorted(places & zone_names() - {"Etc/Unknown"})
    labelled = [(name, get_timezone_location(name, locale=locale)) for name in named if "/" in name]
    return tuple(sorted(labelled, key=lambda pair: pair[1]))


def zone_label(name: str, locale: str) -> str:
    """A zone's name for people in `locale`."""
    return get_timezone_location(name, locale=locale)
