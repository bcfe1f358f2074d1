"""The text message that carries an edit link, in the customer's language."""

from __future__ import annotations

from flask_babel import force_locale, gettext


def link_sms_text(merchant_name: str, purpose: str, url: str, language: str | None) -> str:
    """'<shop>: update your shipping address here: <url>' in `language` (English if unset)."""
    with force_locale(language or "en"):
        if purpose == "billing":
            return gettext(
                "%(merchant)s: update your billing address here: %(url)s",
                merchant=merchant_name,
                url=url,
            )
        if purpose == "shipping":
            return gettext(
                "%(merchant)s: update your shipping address here: %(url)s",
                merchant=merchant_name,
                url=url,
            )
        return gettext(
            "%(merchant)s: update your payment card here: %(url)s", merchant=merchant_name, url=url
        )
