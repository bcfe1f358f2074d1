"""The language switcher: visitors keep it in the session, customers in their profile."""

from __future__ import annotations

from datetime import date

from portal.extensions import db


def test_visitor_choice_is_kept_in_session(client):
    """A visitor switching to Indonesian sees the next pages in Indonesian."""
    response = client.post("/language", data={"language": "id", "next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert 'lang="id"' in html and "Portal pelanggan" in html
    with client.session_transaction() as s:
        assert s["language"] == "id"


def test_first_visit_follows_accept_language(client):
    """Without a choice, the browser's Accept-Language decides."""
    html = client.get("/", headers={"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert 'lang="bn"' in html and "গ্রাহক পোর্টাল" in html
    english = client.get("/", headers={"Accept-Language": "fr-FR,fr"}).get_data(as_text=True)
    assert 'lang="en"' in english


def test_session_choice_beats_accept_language(client):
    """Once chosen, the language no longer follows the browser."""
    client.post("/language", data={"language": "en"})
    html = client.get("/", headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert 'lang="en"' in html


def test_signed_in_customer_choice_is_stored_in_profile(client, make_merchant, make_customer):
    """A customer's switch is saved as their preferred language and wins next session."""
    merchant = make_merchant()
    customer = make_customer(merchant, language="en")
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
    client.post("/language", data={"language": "bn", "next": f"/shop/{merchant.slug}/profile"})
    db.session.refresh(customer)
    assert customer.language == "bn"
    with client.session_transaction() as s:
        s.pop("language", None)
    html = client.get(f"/shop/{merchant.slug}/profile", headers={"Accept-Language": "id"})
    assert 'lang="bn"' in html.get_data(as_text=True)


def test_unsupported_language_is_clear_400(client):
    """An unknown code answers a 400 page naming the choices, not a crash."""
    response = client.post("/language", data={"language": "xx"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This language is not available" in html and "Bahasa Indonesia" in html


def test_switch_never_redirects_off_site(client):
    """`next` pointing to another host is ignored."""
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert response.headers["Location"] != "//evil.example/"


def test_profile_dates_follow_language(client, make_merchant, make_customer):
    """The birth date is written in the page's language."""
    merchant = make_merchant()
    customer = make_customer(merchant, language="id", date_of_birth=date(1990, 5, 4))
    with client.session_transaction() as s:
        s["_user_id"] = f"customer:{customer.id}:{customer.session_version}"
    html = client.get(f"/shop/{merchant.slug}/profile").get_data(as_text=True)
    assert "4 Mei 1990" in html
    customer.language = "bn"
    db.session.commit()
    html = client.get(f"/shop/{merchant.slug}/profile").get_data(as_text=True)
    assert "4 মে, 1990" in html
