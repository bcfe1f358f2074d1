"""Partner conversion: the shoppers each partner shop and assistant registered, per day
in the shop's zone, how many proved their phone, and how long the code took.

Why: a marketplace pays its partner shops per verified registration and coaches the
assistants whose shoppers do not finish. The figures come from the customers an
assistant registered (portal/assist/services.py sets partner_id and created_by): a
registration is verified once its code was entered (confirmed_at), and the time from
code to verification runs from the last code sent (confirmation_sent_at).

The range is at most MAX_DAYS days, and the rows are streamed from the (merchant,
partner, created_at) index, so a report reads only that range's registrations.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.core.dates import parse_day
from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.extensions import db
from portal.merchants.models import Partner

MAX_DAYS = 92
DEFAULT_DAYS = 30


@dataclass
class Conversion:
    """Registered and verified shoppers of one group, with each verification's wait."""

    registered: int = 0
    verified: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Verified per registered, from 0 to 1; None without registrations."""
        return self.verified / self.registered if self.registered else None

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.waits) if self.waits else None

    def add(self, wait: float | None) -> None:
        self.registered += 1
        if wait is not None:
            self.verified += 1
            self.waits.append(wait)


@dataclass
class Report:
    """The range's days, per (day, partner, assistant) and per partner."""

    start: date
    end: date
    daily: dict[tuple[date, str, str], Conversion] = field(default_factory=dict)
    partners: dict[str, Conversion] = field(default_factory=dict)

    def daily_rows(self) -> list[tuple[date, str, str, Conversion]]:
        """Newest day first, then partner and assistant by name."""
        keys = sorted(self.daily, key=lambda k: (-k[0].toordinal(), k[1].lower(), k[2]))
        return [(*key, self.daily[key]) for key in keys]

    def partner_rows(self) -> list[tuple[str, Conversion]]:
        """Partners with the most verified registrations first."""
        return sorted(self.partners.items(), key=lambda p: (-p[1].verified, p[0].lower()))


def report_range(raw_start: str | None, raw_end: str | None, *, today: date) -> tuple[date, date]:
    """The days asked for (yyyy-mm-dd; empty: the last DEFAULT_DAYS days up to `today`),
    else MerchantError naming the field."""
    end = parse_day(raw_end, field="end") or today
    start = parse_day(raw_start, field="start") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ServiceError(MerchantError.RANGE_REVERSED, field="start")
    if (end - start).days >= MAX_DAYS:
        raise ServiceError(MerchantError.RANGE_TOO_LONG, field="start", days=MAX_DAYS)
    return start, end


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants the shop's days `start`..`end` cover."""
    low = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return low, high


def _registrations(merchant_id: int, low: datetime, high: datetime) -> Iterator[tuple]:
    query = (
        select(
            Customer.created_at,
            Partner.name,
            Customer.created_by,
            Customer.confirmation_sent_at,
            Customer.confirmed_at,
        )
        .join(Partner, Partner.id == Customer.partner_id)
        .where(
            Customer.merchant_id == merchant_id,
            Partner.merchant_id == merchant_id,
            Customer.partner_id.is_not(None),
            Customer.created_at >= low,
            Customer.created_at < high,
        )
        .execution_options(yield_per=2_000)
    )
    yield from db.session.execute(query)


def partner_conversion(merchant_id: int, start: date, end: date, zone: ZoneInfo) -> Report:
    """Count the range's assisted registrations per day, partner and assistant."""
    report = Report(start, end)
    low, high = _bounds(start, end, zone)
    for created, partner, assistant, sent, confirmed in _registrations(merchant_id, low, high):
        wait = None
        if confirmed is not None:
            wait = max((confirmed - (sent or created)).total_seconds(), 0.0)
        day = created.astimezone(zone).date()
        who = assistant or ""
        report.daily.setdefault((day, partner, who), Conversion()).add(wait)
        report.partners.setdefault(partner, Conversion()).add(wait)
    return report


def report_csv(report: Report) -> str:
    """The daily rows as CSV: day, partner, assistant, registered, verified, rate (%) and
    the median seconds from code to verification."""
    from portal.merchants.export import csv_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "day",
            "partner",
            "assistant",
            "registered",
            "verified",
            "conversion_percent",
            "median_seconds_to_verify",
        ]
    )
    for day, partner, assistant, row in report.daily_rows():
        rate = "" if row.rate is None else f"{row.rate * 100:.1f}"
        median = "" if row.median_seconds is None else f"{row.median_seconds:.0f}"
        writer.writerow(
            [
                day.isoformat(),
                csv_safe(partner),
                csv_safe(assistant),
                row.registered,
                row.verified,
                rate,
                median,
            ]
        )
    return buffer.getvalue()
