"""The shop's own settings the owner changes in the console: the countries its one-time
codes may be texted to (the SMS budget, portal/otp/budget.py) and the time zone its times
are shown in."""

from __future__ import annotations

from collections.abc import Iterable

from portal.core.audit import record_audit
from portal.core.error_codes import MerchantError
from portal.core.errors import ServiceError
from portal.core.zones import is_zone
from portal.customers.fields import country_codes
from portal.extensions import db
from portal.merchants.models import Merchant
from portal.otp.budget import allowed_countries


def set_sms_countries(merchant: Merchant, codes: Iterable[str], *, actor: str) -> None:
    """Replace the destination countries; at least one, each an ISO country code."""
    chosen = sorted({code.strip().upper() for code in codes if code and code.strip()})
    if not chosen:
        raise ServiceError(MerchantError.SMS_COUNTRIES_REQUIRED, field="countries")
    if set(chosen) - set(country_codes()):
        raise ServiceError(MerchantError.SMS_COUNTRY_UNKNOWN, field="countries")
    before = sorted(allowed_countries(merchant))
    if chosen == before:
        return
    merchant.sms_countries = ",".join(chosen)
    db.session.flush()
    record_audit(
        merchant.id,
        actor=actor,
        action="settings.sms_countries",
        changes={"sms_countries": [",".join(before), merchant.sms_countries]},
    )


def set_time_zone(merchant: Merchant, name: str | None, *, actor: str) -> None:
    """Show the shop's times in the IANA zone `name`; empty goes back to the country's."""
    chosen = (name or "").strip() or None
    if chosen is not None and not is_zone(chosen):
        raise ServiceError(MerchantError.TIME_ZONE_UNKNOWN, field="time_zone")
    if chosen == merchant.time_zone:
        return
    before = merchant.time_zone
    merchant.time_zone = chosen
    db.session.flush()
    record_audit(
        merchant.id,
        actor=actor,
        action="settings.time_zone",
        changes={"time_zone": [before, chosen]},
    )
