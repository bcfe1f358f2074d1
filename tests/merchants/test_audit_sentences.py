"""The pieces behind the customer page: actors read as people, events as whole sentences,
no-op changes dropped, phones and times in one format (customer_presenter, audit_sentences)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.core.models import AuditEntry
from portal.core.phone import format_phone
from portal.core.zones import ShopClock, shop_clock
from portal.customers.labels import active_state_label, country_name, language_name
from portal.customers.models import ActiveState
from portal.customers.signup import PURPOSES as SIGNUP_PURPOSES
from portal.customers.status import ACTIONS
from portal.merchants.audit_sentences import (
    CODE_SENT,
    KNOWN_ACTIONS,
    PURPOSE_NAMES,
    Actor,
    describe,
    parse_actor,
    real_changes,
    resolve_actors,
)

PORTAL = Path(__file__).resolve().parents[2] / "portal"
# Actions recorded on the merchant, never on one customer: the customer page never shows them.
MERCHANT_ACTIONS = ("settings.", "webhook.", "token.", "staff.", "category.", "customers.")


@pytest.mark.parametrize(
    ("handle", "actor"),
    [
        ("customer:502", Actor("customer", 502)),
        ("customer:signup", Actor("self")),
        ("staff:7", Actor("staff_id", 7)),
        ("owner@demo.test", Actor("staff_email", "owner@demo.test")),
        ("api-token:ab12cd", Actor("api")),
        ("link:9", Actor("link")),
        ("seed", Actor("system")),
        ("customer:", Actor("self")),
        ("import:owner@demo.test", Actor("import", "owner@demo.test")),
    ],
)
def test_parse_actor_reads_every_handle_the_services_write(handle, actor):
    """Each form of audit handle names its kind of actor."""
    assert parse_actor(handle) == actor


def test_real_changes_drop_what_changes_nothing():
    """Same old and new, or both empty (None, ""), are not changes."""
    changes = {
        "phone": ["+8801819181625", "+8801819181625"],
        "unconfirmed_phone": [None, None],
        "email": [None, ""],
        "language": ["bn", "en"],
        "age": [None, 30],
    }
    assert real_changes(changes) == {"language": ("bn", "en"), "age": (None, 30)}
    assert real_changes(None) == {}


def _recorded_customer_actions() -> set[str]:
    """Every literal action the services record (`action="…"`), and the status actions."""
    found: set[str] = set()
    for path in PORTAL.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', text))
        found |= set(re.findall(r'_ACTION = "([a-z_]+\.[a-z_.]+)"', text))
    found |= {f"status.{action.name}" for action in ACTIONS.values()} | {"status.restore"}
    for purpose in PURPOSE_NAMES:
        found.add(f"address.{purpose}.updated")
    found.discard("address.card.updated")  # a card is saved as card.updated
    return {a for a in found if not a.startswith(MERCHANT_ACTIONS)}


def test_every_recorded_action_has_its_sentence():
    """No action a service writes on a customer falls back to the generic sentence."""
    actions = _recorded_customer_actions()
    assert "verification.confirmed" in actions and "edit_link.issued" in actions
    assert actions <= KNOWN_ACTIONS, sorted(actions - KNOWN_ACTIONS)


def test_every_code_purpose_has_its_sentence():
    """Sign-up, sign-in, phone change and the shop's registration each say what the code
    was for."""
    assert set(SIGNUP_PURPOSES) | {"phone_change", "assist"} <= set(CODE_SENT)


def _entry(action: str, actor: str, **fields) -> AuditEntry:
    return AuditEntry(
        merchant_id=1, customer_id=1, action=action, actor=actor,
        created_at=datetime(2026, 12, 1, 18, 18, tzinfo=UTC), **fields,
    )  # fmt: skip


@pytest.fixture
def actors(app, make_merchant, make_staff, make_customer):
    merchant = make_merchant()
    customer = make_customer(merchant, first_name="Nusrat", last_name="Jahan")
    staff = make_staff(merchant, email="owner@shop.test")
    handles = ["owner@shop.test", f"staff:{staff.id}", f"customer:{customer.id}"]
    with app.test_request_context():
        yield resolve_actors(customer, handles, customer_label="Nusrat Jahan")


def _label(name, value):
    return "" if value is None else str(value)


@pytest.mark.parametrize(
    ("action", "actor", "fields", "sentence"),
    [
        ("status.block", "owner@shop.test", {}, "Blocked by owner@shop.test"),
        ("status.restore", "STAFF", {}, "Restored by owner@shop.test"),
        ("verification.sent", "ME", {"note": "signin"}, "Code sent for sign-in"),
        ("verification.confirmed", "ME", {}, "Phone confirmed"),
        ("verification.confirmed", "owner@shop.test", {}, "Phone confirmed by owner@shop.test"),
        ("customer.created", "customer:signup", {}, "Nusrat Jahan signed up"),
        ("edit_link.issued", "owner@shop.test", {"note": "card"},
         "Edit link for the payment card created by owner@shop.test"),
        ("address.billing.updated", "link:4", {},
         "Billing address updated by Nusrat Jahan, through an edit link"),
        ("card.updated", "api-token:x", {}, "Payment card updated by the API"),
        ("segment.created", "owner@shop.test", {"note": "VIP"},
         "Segment “VIP” saved by owner@shop.test"),
        ("segment.renamed", "owner@shop.test", {"note": "Gold"},
         "Segment renamed to “Gold” by owner@shop.test"),
        ("segment.deleted", "owner@shop.test", {"note": "Gold"},
         "Segment “Gold” deleted by owner@shop.test"),
        ("something.new", "seed", {}, "Changed by the system"),
    ],
)  # fmt: skip
def test_describe_says_each_event_as_a_sentence(actors, action, actor, fields, sentence):
    """Known events read as their sentence, naming the actor as a person; others as the
    generic sentence."""
    customer_id = actors.customer.id
    handle = {"ME": f"customer:{customer_id}", "STAFF": f"staff:{_staff_id(actors)}"}.get(
        actor, actor
    )
    line = describe(_entry(action, handle, **fields), actors, _label)
    assert line is not None and line.sentences == [sentence]


def _staff_id(actors) -> int:
    return next(iter(actors.staff_by_id))


def test_describe_drops_an_entry_of_only_no_op_changes(actors):
    """An update whose every change is a no-op leaves no line at all."""
    entry = _entry(
        "customer.updated",
        "owner@shop.test",
        changes={"phone": ["+880", "+880"], "email": [None, None]},
    )
    assert describe(entry, actors, _label) is None


def test_describe_names_each_real_change(actors):
    """An update reads "<who> changed <field> from <old> to <new>", one sentence a field."""
    entry = _entry(
        "customer.updated",
        f"customer:{actors.customer.id}",
        changes={"language": ["Bengali", "English"], "email": [None, "n@example.com"]},
    )
    line = describe(entry, actors, _label)
    assert line is not None
    assert line.sentences == [
        "Nusrat Jahan set email to n@example.com",
        "Nusrat Jahan changed language from Bengali to English",
    ]


def test_sentences_are_translated_whole(actors):
    """In Bengali the sentence is the catalog's, with the name placed by the translation."""
    with force_locale("bn"):
        line = describe(_entry("status.block", "owner@shop.test"), actors, _label)
    assert line is not None
    assert line.sentences == ["owner@shop.test ব্লক করেছেন"]


def test_labels_follow_the_viewers_language(app):
    """Country, language and active state read in the current locale."""
    with app.test_request_context():
        assert country_name("BD") == "Bangladesh"
        assert language_name("en") == "English"
        assert active_state_label(ActiveState.ACTIVE) == "Active"
        with force_locale("bn"):
            assert country_name("bd") == "বাংলাদেশ"
            assert language_name("bn") == "বাংলা"
        with force_locale("id"):
            assert country_name("ID") == "Indonesia"
            assert language_name("en") == "Inggris"
        assert country_name(None) is None and language_name("") is None


def test_format_phone_is_national_at_home_and_international_abroad():
    """A shop's own country's numbers in national form, others in international form."""
    assert format_phone("+8801819181625", "BD") == "01819-181625"
    assert format_phone("+8801819181625", "ID") == "+880 1819-181625"
    assert format_phone("+8801819181625") == "+880 1819-181625"
    assert format_phone(None, "BD") == ""


def test_shop_clock_shows_the_shops_zone(app):
    """18:18 UTC is 00:18 the next day in Dhaka, and 01:18 in Jakarta; the zone is named."""
    moment = datetime(2026, 12, 1, 18, 18, tzinfo=UTC)
    with app.test_request_context():
        assert shop_clock("BD").when(moment) == "Dec 2, 2026, 12:18\u202fAM (Bangladesh Time)"
        assert shop_clock("ID").when(moment).startswith("Dec 2, 2026, 1:18")
        assert shop_clock(None).zone.key == "UTC"
        assert ShopClock(shop_clock("BD").zone).day(date(1990, 5, 3)) == "May 3, 1990"
        with force_locale("id"):
            assert shop_clock("ID").when(moment) == "2 Des 2026 01.18 (Waktu Indonesia (Jakarta))"
