"""The SMS budget: which numbers a merchant's codes may go to, and how many, before the
gateway is asked (Twilio's Fraud Guard is the model).

Why: SMS pumping sends codes to premium or far-away numbers the attacker is paid for.
The per-phone and per-IP limits do not see it: each number gets one code, from many
addresses. So every send, delivered or silent (so the answer never tells whether a
number has an account), is checked against
- the merchant's destination countries (default: the shop's own country);
- an hourly cap of numbers per merchant, and per number prefix within it (a pumping run
  walks consecutive numbers);
- a circuit breaker over all merchants: when the numbers texted in the last minute jump
  above a multiple of the last hour's rate, sending stops and the owners are told.
The counts read `otp_challenges.last_sent_at`, one row per number, indexed for it, at
most every few seconds per process (portal/otp/budget_counts.py).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import datetime

import phonenumbers
from cachetools import TTLCache
from flask import current_app

from portal import metrics
from portal.core.error_codes import OtpError
from portal.core.errors import ServiceError
from portal.core.mail import send_mail
from portal.merchants.models import Merchant
from portal.otp.budget_counts import RecentSends, budget_counts

log = logging.getLogger(__name__)
# Owners already told about a tripped breaker, per merchant, for ten minutes (per process).
# cachetools caches are not thread-safe (gunicorn's gthread workers share this one), and
# the check and the mark must be one step or two threads both mail the owners.
_told: TTLCache[int, bool] = TTLCache(maxsize=10_000, ttl=600)
_told_lock = threading.Lock()


def first_to_tell(merchant_id: int) -> bool:
    """True once per merchant and ten minutes (per process): this caller tells the owners."""
    with _told_lock:
        if merchant_id in _told:
            return False
        _told[merchant_id] = True
        return True


def allowed_countries(merchant: Merchant) -> set[str]:
    """The ISO countries this merchant's codes may go to."""
    listed = {c.strip().upper() for c in (merchant.sms_countries or "").split(",") if c.strip()}
    return listed or {merchant.country_code.upper()}


def check_budget(
    merchant: Merchant, e164: str, now: datetime, *, sent_before: datetime | None = None
) -> None:
    """Refuse a send this merchant's budget does not allow; nothing is sent then.
    `sent_before`: when this number's challenge was last sent (None: never), so a number
    already texted this hour is not counted as another one."""
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    if region not in allowed_countries(merchant):
        metrics.BUDGET_REFUSALS.labels("country").inc()
        raise ServiceError(OtpError.COUNTRY_NOT_ALLOWED, field="phone", status=422)
    kept = budget_counts()
    counts = kept.counts(merchant.id, e164, now, sent_before)
    config = current_app.config
    if counts.merchant >= config["SMS_MERCHANT_NUMBERS_PER_HOUR"]:
        raise _over_budget(merchant, "merchant", e164)
    if counts.prefix >= config["SMS_PREFIX_NUMBERS_PER_HOUR"]:
        raise _over_budget(merchant, "prefix", e164)
    _check_breaker(merchant, counts)
    kept.sent(merchant.id, e164, now, sent_before)


def _over_budget(merchant: Merchant, which: str, e164: str) -> ServiceError:
    metrics.BUDGET_REFUSALS.labels(which).inc()
    log.warning(
        "SMS budget: %s cap reached for merchant %s (number %r…)", which, merchant.id, e164[:6]
    )
    return ServiceError(OtpError.SMS_BUDGET, field="phone", status=429, retry_after=3600)


def _check_breaker(merchant: Merchant, counts: RecentSends) -> None:
    """Stop every send while the last minute's numbers are far above the hour's rate."""
    config = current_app.config
    minute, hour = counts.minute, counts.hour
    usual = (hour or 0) / 60
    limit = max(config["SMS_BREAKER_MIN_PER_MINUTE"], config["SMS_BREAKER_FACTOR"] * usual)
    if (minute or 0) < limit:
        return
    metrics.BUDGET_REFUSALS.labels("breaker").inc()
    log.error(
        "SMS circuit breaker open: %s numbers in the last minute, usual %.1f a minute",
        minute,
        usual,
    )
    if first_to_tell(merchant.id):
        _tell_owners(merchant, minute or 0)
    raise ServiceError(OtpError.SMS_BUDGET, field="phone", status=429, retry_after=60)


def _tell_owners(merchant: Merchant, minute: int) -> None:
    """Mail the owner now: the refused request rolls back, so a job queued after its
    commit would never run. A mail that cannot go is logged, never a 500."""
    if not merchant.email:
        return
    try:
        send_mail(
            merchant.email,
            f"{merchant.name}: sending codes is paused",
            f"{minute} numbers were sent codes in one minute, far more than usual, so the "
            "portal stopped sending codes for now. This is how SMS pumping fraud looks. "
            "Sending resumes by itself when the rate falls back; nothing else is needed.",
        )
    except (OSError, smtplib.SMTPException):
        log.exception("could not tell merchant %s that the breaker opened", merchant.id)
