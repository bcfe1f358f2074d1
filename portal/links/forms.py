"""The address and card forms shown behind an edit link (rules live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.core.models import Region
from portal.extensions import db
from portal.links.services import ADDRESS_LIMITS


class AddressForm(FlaskForm):
    """A billing or shipping address: street, district from the list, postal code."""

    class Meta:
        csrf = False  # the app-wide CSRFProtect checks every POST; templates add the token

    recipient = StringField(
        _l("Recipient name"), [Optional(), Length(max=ADDRESS_LIMITS["recipient"])]
    )
    line1 = StringField(
        _l("Street address"), [InputRequired(), Length(max=ADDRESS_LIMITS["line1"])]
    )
    line2 = StringField(
        _l("Apartment, floor, landmark"), [Optional(), Length(max=ADDRESS_LIMITS["line2"])]
    )
    region_id = SelectField(_l("District"), [InputRequired()], choices=[], validate_choice=False)
    postal_code = StringField(_l("Postal code"), [InputRequired(), Length(max=10)])


class CardForm(FlaskForm):
    """Card number, expiry and CVC; never filled back in from what was typed."""

    class Meta:
        csrf = False

    card_number = StringField(_l("Card number"), [InputRequired(), Length(max=23)])
    expiry = StringField(_l("Expiry (MM/YY)"), [InputRequired(), Length(max=7)])
    cvc = StringField(_l("Security code (CVC)"), [InputRequired(), Length(max=4)])


def search_regions(query: str = "", *, country: str | None = None, limit: int = 50) -> list[Region]:
    """Districts whose district, city or province contains `query` (case-insensitive)."""
    stmt = select(Region)
    if country:
        stmt = stmt.where(Region.country_code == country.upper())
    text = (query or "").strip()[:60]
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(
            db.or_(
                db.func.lower(Region.district).like(like),
                db.func.lower(Region.city).like(like),
                db.func.lower(Region.province).like(like),
                Region.postal_prefix.like(f"{text}%"),
            )
        )
    stmt = stmt.order_by(Region.country_code, Region.province, Region.city, Region.district).limit(
        limit
    )
    return list(db.session.scalars(stmt))


def region_options(regions: list[Region]) -> list[tuple[str, str]]:
    return [
        (str(r.id), f"{r.label} ({r.postal_prefix}…)" if r.postal_prefix else r.label)
        for r in regions
    ]
