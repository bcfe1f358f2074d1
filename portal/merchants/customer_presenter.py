"""The customer page as a merchant reads it: labels instead of codes, empty fields left
out (listed under "Add details"), phones in the shop's format, and every time in one
format per locale, in the shop's time zone, with the zone named.

The view hands the customer and its audit entries in; this module returns plain values
(strings, never Markup) for the template, so nothing from data is marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.core.models import AuditEntry
from portal.core.phone import format_phone
from portal.core.zones import ShopClock, shop_clock
from portal.customers.labels import active_state_label, country_name, gender_label, language_name
from portal.customers.masking import shown_document
from portal.customers.models import Customer, RegisteredBy
from portal.customers.status import status_label
from portal.merchants.audit_sentences import (
    Actors,
    TrailLine,
    describe_all,
    resolve_actors,
    value_labeller,
)
from portal.merchants.categories import category_choices
from portal.merchants.list_forms import category_label

# --- the page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One labelled value of a section."""

    label: str
    value: str


@dataclass(frozen=True)
class Section:
    """A group of filled-in fields under a heading; `key` makes its heading's id."""

    key: str
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class CustomerPage:
    """What the customer page shows, ready for the template."""

    name: str
    phone: str
    unconfirmed_phone: str
    status: str
    active_state: str
    category: str
    last_order: str
    registered: str
    sections: list[Section]
    missing: list[str]
    trail: list[TrailLine]
    statuses: list[TrailLine]
    clock: ShopClock


def customer_label(customer: Customer, shop_country: str) -> str:
    """How the trail names this customer: full name, else phone number, else "the customer"."""
    return (
        customer.full_name
        or format_phone(customer.display_phone, shop_country)
        or gettext("the customer")
    )


def registered_label(customer: Customer, actors: Actors) -> str:
    """Who brought the customer in, as a sentence."""
    if customer.registered_by == RegisteredBy.PARTNER:
        partner = customer.partner.name if customer.partner else ""
        assistant = actors.staff(customer.created_by)
        who = (assistant.name or assistant.email) if assistant else ""
        if who and partner:
            return gettext(
                "Registered by %(assistant)s at %(partner)s", assistant=who, partner=partner
            )
        if partner:
            return gettext("Registered at %(partner)s", partner=partner)
        return gettext("Registered at a partner shop")
    if customer.registered_by == RegisteredBy.MERCHANT:
        if customer.created_by and "@" in customer.created_by:
            return gettext("Added by %(actor)s", actor=actors.label(customer.created_by))
        return gettext("Added by the shop")
    return gettext("Signed up themselves")


# (key, label, value) for each field shown in a section; a None or "" value is empty.
Field = tuple[str, object, str | None]

# Section headings, translated lazily (they are built once).
SECTION_TITLES = {
    "contact": _l("Contact"),
    "addresses": _l("Addresses"),
    "identity": _l("Identity documents"),
    "account": _l("Account"),
}


def _sections(
    customer: Customer,
    phone: str,
    unconfirmed: str,
    clock: ShopClock,
    registered: str,
    modified_by: str,
    documents: bool,
) -> tuple[list[Section], list[str]]:
    """The filled-in fields grouped in sections, and the labels of the empty ones;
    document numbers masked unless `documents` (portal/customers/masking.py)."""
    passport = shown_document(customer.passport_number, unmasked=documents)
    national_id = shown_document(customer.national_id_number, unmasked=documents)
    dob = clock.day(customer.date_of_birth) if customer.date_of_birth else None
    groups: dict[str, list[Field]] = {
        "contact": [
            ("phone", _l("Phone number"), phone or unconfirmed or None),
            ("email", _l("Email"), customer.email),
            ("language", _l("Language"), language_name(customer.language)),
            ("whatsapp", _l("WhatsApp"), customer.whatsapp),
            ("viber", _l("Viber"), customer.viber),
            ("imo", _l("imo"), customer.imo),
            ("line", _l("LINE"), customer.line),
            ("other_contact", _l("Other contact"), customer.other_contact),
        ],
        "addresses": [
            ("address", _l("Address"), customer.address),
            ("home_address", _l("Home address"), customer.home_address),
            ("region", _l("District"), customer.region.label if customer.region else None),
            ("postal_code", _l("Postal code"), customer.postal_code),
            ("country", _l("Country"), country_name(customer.country_code)),
        ],
        "identity": [
            ("gender", _l("Gender"), gender_label(customer.gender)),
            ("date_of_birth", _l("Date of birth"), dob),
            ("age", _l("Age"), None if customer.age is None else str(customer.age)),
            ("nationality", _l("Nationality"), country_name(customer.nationality)),
            ("passport_number", _l("Passport number"), passport),
            ("national_id_number", _l("National ID number"), national_id),
        ],
        "account": _account_fields(customer, clock, registered, modified_by),
    }
    return _grouped(groups)


def _grouped(groups: dict[str, list[Field]]) -> tuple[list[Section], list[str]]:
    """Sections of the filled-in rows, and the labels of the empty fields."""
    sections: list[Section] = []
    missing: list[str] = []
    for key, fields in groups.items():
        rows = []
        for name, label, value in fields:
            if name == "phone" and value:
                continue  # the page leads with the phone; no second row for it
            if value:
                rows.append(Row(str(label), value))
            elif name not in ("modified",):
                missing.append(str(label))
        if rows:
            sections.append(Section(key, str(SECTION_TITLES[key]), rows))
    return sections, missing


def _account_fields(
    customer: Customer, clock: ShopClock, registered: str, modified_by: str
) -> list[Field]:
    """The account section: how they joined, when, and the integration fields."""
    modified = clock.when(customer.modified_at) if customer.modified_at else None
    if modified and modified_by:
        modified = gettext("%(time)s, by %(actor)s", time=modified, actor=modified_by)
    return [
        ("registered", _l("How they joined"), registered),
        ("created", _l("Created"), clock.when(customer.created_at)),
        ("modified", _l("Last modified"), modified),
        (
            "storefront",
            _l("Storefront account"),
            gettext("Active") if customer.storefront_active else gettext("Not active"),
        ),
        ("loyal", _l("Loyal customer"), gettext("Yes") if customer.is_loyal else gettext("No")),
        ("user_type", _l("User type"), customer.user_type),
        (
            "external_customer_id",
            _l("External customer id"),
            None if customer.external_customer_id is None else str(customer.external_customer_id),
        ),
        (
            "external_customer_code",
            _l("External customer code"),
            customer.external_customer_code,
        ),
    ]


def _trail_categories(customer: Customer, trail: Sequence[AuditEntry]) -> dict[str, str]:
    """The merchant's category names, looked up only when the trail changes a category."""
    if not any("category_code" in (e.changes or {}) for e in trail):
        return {}
    return {
        code: category_label(code, name) for code, name in category_choices(customer.merchant_id)
    }


def present_customer(
    customer: Customer,
    *,
    shop_country: str,
    shop_zone: str | None = None,
    category_name: str,
    trail: Sequence[AuditEntry],
    statuses: Sequence[AuditEntry],
    documents: bool = False,
) -> CustomerPage:
    """Everything the page shows about the customer, as plain text in the viewer's language.
    Passport and national-id numbers, in the fields and in the trail, are masked unless
    `documents` (the viewer may see them: portal/customers/masking.py).

    Looks up the people the trail names (one query per kind) and, when a category change
    is in the trail, the merchant's category names (one query)."""
    clock = shop_clock(shop_country, shop_zone)
    label = customer_label(customer, shop_country)
    handles = [e.actor for e in (*trail, *statuses)] + [customer.created_by, customer.modified_by]
    actors = resolve_actors(customer, handles, customer_label=label)
    values = value_labeller(
        categories=_trail_categories(customer, trail),
        when=clock.when,
        shop_country=shop_country,
        documents=documents,
    )
    phone = format_phone(customer.phone, shop_country)
    unconfirmed = format_phone(customer.unconfirmed_phone, shop_country)
    registered = registered_label(customer, actors)
    modified_by = actors.label(customer.modified_by) if customer.modified_by else ""
    sections, missing = _sections(
        customer, phone, unconfirmed, clock, registered, modified_by, documents
    )
    return CustomerPage(
        name=customer.full_name,
        phone=phone or unconfirmed,
        unconfirmed_phone=unconfirmed if phone else "",
        status=gettext(status_label(customer.registration_status)),
        active_state=active_state_label(customer.active_state) or "",
        category=category_label(customer.category_code, category_name),
        last_order=clock.when(customer.last_order_at) if customer.last_order_at else "",
        registered=registered,
        sections=sections,
        missing=missing,
        trail=describe_all(trail, actors, values),
        statuses=describe_all(statuses, actors, values),
        clock=clock,
    )
