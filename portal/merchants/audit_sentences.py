"""The audit trail as sentences: who did it named as a person, each event one translatable
sentence with named placeholders, and changes that change nothing left out.

The trail stores actors as handles (`customer:502`, an e-mail address, `api-token:ab12`)
and actions as codes (`verification.confirmed`); this module turns them into what a
merchant reads. Actors are resolved once for the whole page, one query per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l

from portal.core.models import AuditEntry
from portal.core.phone import format_phone
from portal.customers.labels import (
    active_state_label,
    country_name,
    gender_label,
    language_name,
)
from portal.customers.masking import DOCUMENT_FIELDS, mask_document
from portal.customers.models import Customer
from portal.customers.status import status_label
from portal.merchants.customer_history import customer_names, staff_named
from portal.staff.models import StaffUser

# --- actors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """One audit handle read: its kind and, for customers and staff ids, the id."""

    # "customer", "self", "staff_email", "staff_id", "api", "link", "import", "system"
    kind: str
    key: str | int | None = None


def parse_actor(handle: str) -> Actor:
    """What an audit handle names, from the forms the services write."""
    prefix, sep, rest = handle.partition(":")
    if sep and prefix == "customer":
        return Actor("customer", int(rest)) if rest.isdigit() else Actor("self")
    if sep and prefix == "staff" and rest.isdigit():
        return Actor("staff_id", int(rest))
    if sep and prefix in ("api-token", "token", "api"):
        return Actor("api")
    if sep and prefix == "link":
        return Actor("link")
    if sep and prefix == "import":
        return Actor("import", rest)
    if "@" in handle and not sep:
        return Actor("staff_email", handle)
    return Actor("system")


@dataclass
class Actors:
    """The people a page's audit entries name, looked up once for all of them."""

    customer: Customer
    customer_label: str
    staff_by_email: dict[str, StaffUser] = field(default_factory=dict)
    staff_by_id: dict[int, StaffUser] = field(default_factory=dict)
    other_customers: dict[int, str] = field(default_factory=dict)

    def is_customer(self, handle: str) -> bool:
        """Whether the customer of the page did it (signed up, confirmed, changed)."""
        actor = parse_actor(handle)
        return actor.kind == "self" or (actor.kind == "customer" and actor.key == self.customer.id)

    def staff(self, handle: str | None) -> StaffUser | None:
        """The staff user behind a handle, if it names one of this merchant's."""
        if not handle:
            return None
        actor = parse_actor(handle)
        if actor.kind == "staff_email":
            return self.staff_by_email.get(str(actor.key))
        if actor.kind == "staff_id" and isinstance(actor.key, int):
            return self.staff_by_id.get(actor.key)
        return None

    def label(self, handle: str) -> str:
        """The handle as a person: the customer's name, a staff e-mail, "the API"..."""
        actor = parse_actor(handle)
        if self.is_customer(handle):
            return self.customer_label
        if actor.kind == "customer" and isinstance(actor.key, int):
            return self.other_customers.get(actor.key) or gettext("another customer")
        if actor.kind == "staff_email":
            return str(actor.key)
        if actor.kind == "staff_id":
            user = self.staff(handle)
            return (user.email if user else None) or gettext("a staff member")
        if actor.kind == "api":
            return gettext("the API")
        if actor.kind == "link":
            return gettext("%(name)s, through an edit link", name=self.customer_label)
        if actor.kind == "import":
            return gettext("%(actor)s, by a file import", actor=self.label(str(actor.key)))
        return gettext("the system")


def resolve_actors(
    customer: Customer, handles: Iterable[str | None], *, customer_label: str
) -> Actors:
    """Look up every staff user and other customer the handles name: one query per kind."""
    emails: set[str] = set()
    staff_ids: set[int] = set()
    customer_ids: set[int] = set()
    for handle in handles:
        if not handle:
            continue
        actor = parse_actor(handle)
        if actor.kind == "staff_email":
            emails.add(str(actor.key))
        elif actor.kind == "staff_id" and isinstance(actor.key, int):
            staff_ids.add(actor.key)
        elif actor.kind == "customer" and isinstance(actor.key, int) and actor.key != customer.id:
            customer_ids.add(actor.key)
    staff = staff_named(customer.merchant_id, emails=emails, ids=staff_ids)
    return Actors(
        customer=customer,
        customer_label=customer_label,
        staff_by_email={user.email: user for user in staff},
        staff_by_id={user.id: user for user in staff},
        other_customers=customer_names(customer.merchant_id, customer_ids),
    )


# --- changes -----------------------------------------------------------------------------

# Field names as they read inside a sentence ("changed language from ... to ...").
FIELD_NAMES = {
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "full_name": _l("name"),
    "phone": _l("phone number"),
    "unconfirmed_phone": _l("unconfirmed phone number"),
    "country_code": _l("country"),
    "email": _l("email"),
    "gender": _l("gender"),
    "date_of_birth": _l("date of birth"),
    "age": _l("age"),
    "nationality": _l("nationality"),
    "passport_number": _l("passport number"),
    "national_id_number": _l("national ID number"),
    "language": _l("language"),
    "address": _l("address"),
    "home_address": _l("home address"),
    "region_id": _l("district"),
    "postal_code": _l("postal code"),
    "whatsapp": _l("WhatsApp"),
    "viber": _l("Viber"),
    "imo": _l("imo"),
    "line": _l("LINE"),
    "other_contact": _l("other contact"),
    "category_code": _l("category"),
    "registration_status": _l("status"),
    "active_state": _l("active state"),
    "storefront_active": _l("storefront account"),
    "is_loyal": _l("loyal customer"),
    "user_type": _l("user type"),
    "external_customer_id": _l("external customer id"),
    "external_customer_code": _l("external customer code"),
    "is_otp_verified": _l("phone confirmed"),
    "sms_consent": _l("SMS consent"),
    "email_consent": _l("email consent"),
    "confirmed_at": _l("confirmation time"),
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def real_changes(changes: Mapping[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """The changes that change something: `phone: X -> X` and `— -> —` are left out."""
    kept: dict[str, tuple[Any, Any]] = {}
    for name, change in (changes or {}).items():
        if not isinstance(change, list | tuple) or len(change) != 2:
            continue
        old, new = change
        if old == new or (_empty(old) and _empty(new)):
            continue
        kept[name] = (old, new)
    return kept


ValueLabel = Callable[[str, Any], str]


def _yes_no(value: Any) -> str:
    return gettext("Yes") if value else gettext("No")


def value_labeller(
    *,
    categories: Mapping[str, str],
    when: Callable[[datetime], str],
    shop_country: str,
    documents: bool = False,
) -> ValueLabel:
    """How a changed value reads: codes as labels in the viewer's language, phones in the
    shop's format, dates in the page's one format; any other value as it is (escaped).
    Without `documents`, passport and national-id numbers read masked."""

    def label(name: str, value: Any) -> str:
        text = "" if value is None else str(value)
        if name in DOCUMENT_FIELDS and not documents:
            return mask_document(text) or ""
        if isinstance(value, bool) or name in ("storefront_active", "is_loyal", "is_otp_verified"):
            return _yes_no(value)
        if name in ("phone", "unconfirmed_phone"):
            return format_phone(text, shop_country)
        if name in ("country_code", "nationality"):
            return country_name(text) or text
        if name == "language":
            return language_name(text) or text
        if name == "category_code":
            return categories.get(text, text)
        if name == "registration_status":
            return gettext(status_label(text))
        if name == "active_state":
            return active_state_label(text) or text
        if name == "gender":
            return gender_label(text) or text
        if name == "date_of_birth":
            return _date(text)
        if name == "confirmed_at":
            return _datetime(text, when)
        return text

    return label


def _date(text: str) -> str:
    try:
        return format_date(date.fromisoformat(text), "medium")
    except ValueError:
        return text


def _datetime(text: str, when: Callable[[datetime], str]) -> str:
    try:
        return when(datetime.fromisoformat(text))
    except ValueError:
        return text


def _change_sentence(actor: str | None, name: str, old: str, new: str) -> str:
    """One change as one whole sentence, with or without who made it."""
    label = FIELD_NAMES.get(name)
    if label is None:
        if actor is None:
            return gettext("Changed another detail")
        return gettext("%(actor)s changed another detail", actor=actor)
    params = {"field": str(label), "old": old, "new": new}
    if actor is None:
        if not old:
            return gettext("Set %(field)s to %(new)s", **params)
        if not new:
            return gettext("Removed %(field)s (was %(old)s)", **params)
        return gettext("Changed %(field)s from %(old)s to %(new)s", **params)
    if not old:
        return gettext("%(actor)s set %(field)s to %(new)s", actor=actor, **params)
    if not new:
        return gettext("%(actor)s removed %(field)s (was %(old)s)", actor=actor, **params)
    return gettext("%(actor)s changed %(field)s from %(old)s to %(new)s", actor=actor, **params)


# --- events ------------------------------------------------------------------------------

# Edit-link purposes as they read inside a sentence.
PURPOSE_NAMES = {
    "billing": _l("billing address"),
    "shipping": _l("shipping address"),
    "card": _l("payment card"),
}

# Verification codes by what they were sent for (portal/customers/signup.py, phone_change,
# assist); the purpose is kept in the entry's note.
CODE_SENT = {
    "signup": _l("Code sent for sign-up"),
    "signin": _l("Code sent for sign-in"),
    "phone_change": _l("Code sent to confirm a new phone number"),
    "assist": _l("Code sent for registration at the shop"),
}

# The owner's changes to the team (portal/staff/invitations.py), "<done> by <actor>" too.
TEAM_EVENTS = {
    "team.invited": _l("Team member invited by %(actor)s"),
    "team.invitation_resent": _l("Team invitation sent again by %(actor)s"),
    "team.invitation_cancelled": _l("Team invitation cancelled by %(actor)s"),
    "team.invitation_accepted": _l("Team invitation accepted by %(actor)s"),
    "team.role_changed": _l("Team member's role changed by %(actor)s"),
    "team.member_deactivated": _l("Team member deactivated by %(actor)s"),
    "team.member_reactivated": _l("Team member reactivated by %(actor)s"),
}

# Actions whose sentence is "<done> by <actor>".
DONE_BY = {
    "status.accept": _l("Accepted by %(actor)s"),
    "status.refuse": _l("Refused by %(actor)s"),
    "status.activate": _l("Activated by %(actor)s"),
    "status.block": _l("Blocked by %(actor)s"),
    "status.unblock": _l("Unblocked by %(actor)s"),
    "status.delete": _l("Deleted by %(actor)s"),
    "status.restore": _l("Restored by %(actor)s"),
    "status.undo": _l("Decision undone by %(actor)s: waiting for approval again"),
    "storefront.activated": _l("Storefront account activated by %(actor)s"),
    "storefront.deactivated": _l("Storefront account deactivated by %(actor)s"),
    "address.billing.updated": _l("Billing address updated by %(actor)s"),
    "address.shipping.updated": _l("Shipping address updated by %(actor)s"),
    "card.updated": _l("Payment card updated by %(actor)s"),
    "assist.registered": _l("Registered at the shop by %(actor)s"),
    "order.created": _l("Order recorded by %(actor)s"),
    "order.status_changed": _l("Order status changed by %(actor)s"),
    "customer.data_exported": _l("Personal data downloaded by %(actor)s"),
    "customer.erased": _l("Personal data erased by %(actor)s"),
    # Merges (portal/customers/merging.py): on the record kept, and on the pointer.
    "customer.merged": _l("Another record of this customer merged into this one by %(actor)s"),
    "customer.merged_into": _l("Merged into another record by %(actor)s"),
    "customer.merge_undone": _l("Merge undone by %(actor)s"),
    **TEAM_EVENTS,
    "note.added": _l("Note added by %(actor)s"),
    "note.edited": _l("Note edited by %(actor)s"),
    "note.deleted": _l("Note deleted by %(actor)s"),
    # The shop's own beginning ("Create your shop", portal/staff/registration.py).
    "shop.created": _l("Shop created by %(actor)s"),
    "shop.email_confirmed": _l("Owner's email confirmed by %(actor)s"),
}

# Tags: the entry's note holds the tag's name (portal/customers/tags.py).
TAG_EVENTS = {
    "tag.added": _l("Tag “%(tag)s” added by %(actor)s"),
    "tag.removed": _l("Tag “%(tag)s” removed by %(actor)s"),
}

# Marketing consent (portal/customers/consent.py): the entry's note is "<channel>.<what>".
CONSENT_EVENTS = {
    "sms.granted": _l("SMS consent given, recorded by %(actor)s"),
    "sms.withdrawn": _l("SMS consent withdrawn, recorded by %(actor)s"),
    "email.granted": _l("Email consent given, recorded by %(actor)s"),
    "email.withdrawn": _l("Email consent withdrawn, recorded by %(actor)s"),
}

# Segments, the list's saved filters (portal/customers/segments.py): the entry's note
# holds the segment's name (the new one for a rename).
SEGMENT_EVENTS = {
    "segment.created": _l("Segment “%(segment)s” saved by %(actor)s"),
    "segment.renamed": _l("Segment renamed to “%(segment)s” by %(actor)s"),
    "segment.deleted": _l("Segment “%(segment)s” deleted by %(actor)s"),
}

LINK_EVENTS = {
    "edit_link.issued": _l("Edit link for the %(purpose)s created by %(actor)s"),
    "edit_link.sent": _l("Edit link for the %(purpose)s sent by SMS by %(actor)s"),
    "edit_link.revoked": _l("Edit link for the %(purpose)s cancelled by %(actor)s"),
}

# Every action recorded on a customer has its own sentence (tests check this list against
# the services); anything else reads as the generic fallback.
KNOWN_ACTIONS = frozenset(
    {
        "customer.created",
        "customer.updated",
        "verification.sent",
        "verification.confirmed",
        "customer.consent_changed",
    }
    | set(DONE_BY)
    | set(LINK_EVENTS)
    | set(TAG_EVENTS)
    | set(SEGMENT_EVENTS)
)
# Actions whose changes are shown under the sentence; a creation lists every field it set,
# and address and card changes name fields of another record, so those show none.
DETAILED_ACTIONS = ("status.", "storefront.", "verification.confirmed", "customer.merge")


@dataclass(frozen=True)
class TrailLine:
    """One audit entry as the page shows it."""

    created_at: datetime
    sentences: list[str]
    details: list[str]


def _headline(entry: AuditEntry, actors: Actors) -> str:
    actor = actors.label(entry.actor)
    action = entry.action
    if action == "customer.created":
        if actors.is_customer(entry.actor):
            return gettext("%(name)s signed up", name=actor)
        return gettext("Added by %(actor)s", actor=actor)
    if action == "customer.updated":
        return gettext("Details changed by %(actor)s", actor=actor)
    if action == "verification.sent":
        sentence = CODE_SENT.get(entry.note or "")
        return str(sentence) if sentence is not None else gettext("Code sent")
    if action == "verification.confirmed":
        if actors.is_customer(entry.actor):
            return gettext("Phone confirmed")
        return gettext("Phone confirmed by %(actor)s", actor=actor)
    if action in DONE_BY:
        return str(DONE_BY[action]) % {"actor": actor}
    if action in TAG_EVENTS:
        return str(TAG_EVENTS[action]) % {"actor": actor, "tag": entry.note or ""}
    if action == "customer.consent_changed":
        sentence = CONSENT_EVENTS.get(entry.note or "")
        if sentence is None:
            return gettext("Marketing consent changed by %(actor)s", actor=actor)
        return str(sentence) % {"actor": actor}
    if action in SEGMENT_EVENTS:
        return str(SEGMENT_EVENTS[action]) % {"actor": actor, "segment": entry.note or ""}
    if action in LINK_EVENTS:
        purpose = PURPOSE_NAMES.get(entry.note or "")
        if purpose is None:
            return gettext("Edit link changed by %(actor)s", actor=actor)
        return str(LINK_EVENTS[action]) % {"actor": actor, "purpose": str(purpose)}
    return gettext("Changed by %(actor)s", actor=actor)


def describe(entry: AuditEntry, actors: Actors, label: ValueLabel) -> TrailLine | None:
    """An audit entry as sentences, or None when every change it records is a no-op."""
    changes = real_changes(entry.changes)
    if entry.changes and not changes:
        return None
    if entry.action == "customer.updated" and changes:
        actor = actors.label(entry.actor)
        sentences = [
            _change_sentence(actor, name, label(name, old), label(name, new))
            for name, (old, new) in sorted(changes.items())
        ]
        return TrailLine(entry.created_at, sentences, [])
    details: list[str] = []
    if entry.action.startswith(DETAILED_ACTIONS):
        details = [
            _change_sentence(None, name, label(name, old), label(name, new))
            for name, (old, new) in sorted(changes.items())
        ]
    return TrailLine(entry.created_at, [_headline(entry, actors)], details)


def describe_all(
    entries: Iterable[AuditEntry], actors: Actors, label: ValueLabel
) -> list[TrailLine]:
    """The entries that say something, in the order given."""
    lines = (describe(entry, actors, label) for entry in entries)
    return [line for line in lines if line is not None]
