"""The console's language menu: the choice is kept on the staff member's account."""

from __future__ import annotations

from portal.extensions import db
from tests.merchants.page_helpers import sign_in


def test_console_switch_is_stored_on_the_account(client, make_merchant, make_staff):
    """Switching to Bengali in the console saves it and the console turns Bengali."""
    user = make_staff(make_merchant())
    sign_in(client, user)
    response = client.post("/language", data={"language": "bn", "next": "/merchant/customers"})
    assert response.status_code == 303 and response.headers["Location"] == "/merchant/customers"
    db.session.refresh(user)
    assert user.language == "bn"
    html = client.get("/merchant/customers").get_data(as_text=True)
    assert '<html lang="bn">' in html and "গ্রাহকগণ" in html


def test_choice_follows_staff_to_another_device(app, make_merchant, make_staff):
    """A second browser (no session language, another Accept-Language) opens in the
    language kept on the account."""
    user = make_staff(make_merchant())
    first = sign_in(app.test_client(), user)
    first.post("/language", data={"language": "id", "next": "/merchant/customers"})
    second = sign_in(app.test_client(), user)
    html = second.get("/merchant/customers", headers={"Accept-Language": "bn"})
    assert '<html lang="id">' in html.get_data(as_text=True)


def test_account_language_beats_the_session(client, make_merchant, make_staff):
    """A language picked before signing in gives way to the one on the account."""
    user = make_staff(make_merchant(), language="bn")
    client.post("/language", data={"language": "id"})
    sign_in(client, user)
    html = client.get("/merchant/customers").get_data(as_text=True)
    assert '<html lang="bn">' in html


def test_staff_without_a_choice_follow_the_session(client, make_merchant, make_staff):
    """Nothing kept on the account: the session's language still applies."""
    user = make_staff(make_merchant())
    sign_in(client, user)
    with client.session_transaction() as s:
        s["language"] = "id"
    html = client.get("/merchant/customers").get_data(as_text=True)
    assert '<html lang="id">' in html
    db.session.refresh(user)
    assert user.language is None


def test_unsupported_language_leaves_the_account_alone(client, make_merchant, make_staff):
    """An unknown code is a 400 and nothing is written."""
    user = make_staff(make_merchant(), language="bn")
    sign_in(client, user)
    assert client.post("/language", data={"language": "xx"}).status_code == 400
    db.session.refresh(user)
    assert user.language == "bn"
