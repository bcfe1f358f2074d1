"""A customer signs in, edits the profile, switches to Bengali and uses a one-time link."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.core.models import Region
from portal.customers.models import Customer
from portal.extensions import db
from portal.links.services import issue_link
from tests.browser.helpers import wait_for_htmx
from tests.support.live import LiveServer


def test_customer_edits_profile_switches_language_and_uses_link_once(
    page: Page, live_server: LiveServer, make_merchant, make_customer
) -> None:
    """Sign in by code, fix an invalid field, see Bengali, save a shipping link, reuse it."""
    merchant = make_merchant(name="Rina's Shop", country_code="BD")
    customer = make_customer(merchant, first_name="Rina", last_name="Akter", language="en")
    phone, customer_id = customer.phone, customer.id

    # Sign in through the phone + code pages.
    page.goto(f"/shop/{merchant.slug}/signin")
    page.fill("#phone", phone)
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.fill("#code", live_server.outbox.last_code(phone))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(rf"/shop/{merchant.slug}/profile$"))
    expect(page.get_by_role("heading", name="Your profile", exact=True)).to_be_visible()
    expect(page.get_by_text("Rina Akter")).to_be_visible()

    # Edit: an invalid email first, its error shows next to the field.
    page.get_by_role("link", name="Edit profile").click()
    wait_for_htmx(page)
    page.get_by_label("Email").fill("rina@")
    page.get_by_role("button", name="Save profile").click()
    error = page.locator("#email-field .field-error")
    expect(error).to_have_text("Enter a valid email address.")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/profile/edit$"))
    page.get_by_label("Email").fill("rina@example.com")
    page.get_by_label("Last name").fill("Begum")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("heading", name="Your profile", exact=True)).to_be_visible()
    expect(page.get_by_text("Rina Begum")).to_be_visible()
    expect(page.get_by_text("rina@example.com")).to_be_visible()

    # Switch to Bengali with the switcher labelled "Language": it applies itself.
    wait_for_htmx(page)
    page.get_by_label("Language").select_option("bn")
    expect(page.get_by_role("heading", name="আপনার প্রোফাইল", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "bn")
    expect(page.get_by_role("link", name="প্রোফাইল সম্পাদনা করুন")).to_be_visible()

    # A shipping-address link: save once, then it is refused.
    with live_server.app.app_context():
        region = db.session.scalars(
            db.select(Region).where(Region.country_code == "BD", Region.postal_prefix.is_not(None))
        ).first()
        assert region is not None
        region_id, postal = region.id, f"{region.postal_prefix}00"[:4]
        district = region.district
        issued = issue_link(db.session.get(Customer, customer_id), "shipping", actor="tests")
        db.session.commit()
        url = issued.url_path
    page.goto(url)
    expect(page.get_by_role("heading", name="ডেলিভারির ঠিকানা")).to_be_visible()
    page.get_by_label("রাস্তার ঠিকানা").fill("House 5, Road 2")
    wait_for_htmx(page)
    before = page.locator("#region_id option").count()
    page.locator("#region-q").fill(district[:5])
    expect(page.locator("#region_id option")).not_to_have_count(before)
    expect(page.locator(f'#region_id option[value="{region_id}"]')).to_have_count(1)
    page.locator("#region_id").select_option(str(region_id))
    page.get_by_label("পোস্ট কোড").fill(postal)
    page.get_by_role("button", name="ঠিকানা সংরক্ষণ করুন").click()
    expect(page.get_by_text("আপনার ডেলিভারির ঠিকানা সংরক্ষিত হয়েছে।")).to_be_visible()
    response = page.goto(url)
    assert response is not None and response.status == 410
    expect(page.get_by_text("এই লিংকটি আগেই ব্যবহার করা হয়েছে")).to_be_visible()
