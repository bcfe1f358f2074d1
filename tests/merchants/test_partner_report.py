"""The partner conversion report (portal/merchants/partner_conversion.py and its page)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.core.errors import ServiceError
from portal.merchants.partner_conversion import MAX_DAYS, partner_conversion, report_range
from portal.staff.models import Role
from tests.merchants.page_helpers import sign_in

DHAKA = ZoneInfo("Asia/Dhaka")
PAGE = "/merchant/reports/partners"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def registration(make_customer, shop, partner, assistant, created, *, wait_s=None):
    """A shopper `assistant` of `partner` registered at `created` (UTC), verified
    `wait_s` seconds after the code, or not verified."""
    confirmed = created + timedelta(seconds=wait_s) if wait_s is not None else None
    return make_customer(
        shop,
        confirmed=wait_s is not None,
        partner_id=partner.id,
        registered_by="partner",
        created_by=assistant,
        created_at=created,
        confirmation_sent_at=created,
        confirmed_at=confirmed,
    )


def test_counts_per_day_partner_and_assistant_in_the_shop_s_zone(
    shop, make_partner, make_customer, make_merchant
):
    """Registered, verified, rate and median wait per (day, partner, assistant); a
    registration at 20:30 UTC is the next day in Dhaka; self sign-ups and another
    shop's registrations are not counted."""
    north, south = make_partner(shop, name="North Outlet"), make_partner(shop, name="South")
    day = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 10:00 in Dhaka
    registration(make_customer, shop, north, "asha@shop.test", day, wait_s=30)
    registration(make_customer, shop, north, "asha@shop.test", day, wait_s=90)
    registration(make_customer, shop, north, "asha@shop.test", day)
    registration(make_customer, shop, south, "bilal@shop.test", day, wait_s=600)
    late = datetime(2026, 11, 20, 20, 30, tzinfo=UTC)  # 02:30 on the 21st in Dhaka
    registration(make_customer, shop, south, "bilal@shop.test", late)
    make_customer(shop, created_at=day)  # signed up alone
    other = make_merchant(name="Other")
    registration(make_customer, other, make_partner(other), "x@other.test", day, wait_s=5)

    report = partner_conversion(shop.id, date(2026, 11, 20), date(2026, 11, 21), DHAKA)
    rows = {(d, p, a): r for d, p, a, r in report.daily_rows()}
    asha = rows[(date(2026, 11, 20), "North Outlet", "asha@shop.test")]
    assert (asha.registered, asha.verified, asha.median_seconds) == (3, 2, 60)
    assert asha.rate == pytest.approx(2 / 3)
    assert rows[(date(2026, 11, 21), "South", "bilal@shop.test")].registered == 1
    assert len(rows) == 3
    totals = dict(report.partner_rows())
    assert (totals["South"].registered, totals["South"].verified) == (2, 1)
    assert [name for name, _ in report.partner_rows()] == ["North Outlet", "South"]


def test_the_range_is_checked():
    today = date(2026, 12, 1)
    assert report_range(None, None, today=today) == (date(2026, 11, 2), today)
    with pytest.raises(ServiceError) as reversed_:
        report_range("2026-11-10", "2026-11-01", today=today)
    assert reversed_.value.field == "start"
    with pytest.raises(ServiceError):
        report_range("2026-01-01", "2026-11-01", today=today)
    with pytest.raises(ServiceError) as bad:
        report_range("01/11/2026", None, today=today)
    assert bad.value.field == "start"
    assert (date(2026, 11, 1) + timedelta(days=MAX_DAYS - 1)) == report_range(
        "2026-11-01", (date(2026, 11, 1) + timedelta(days=MAX_DAYS - 1)).isoformat(), today=today
    )[1]


def test_the_page_shows_chart_table_and_csv(client, shop, make_partner, make_customer, make_staff):
    partner = make_partner(shop, name="<b>North</b>")
    moment = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    registration(make_customer, shop, partner, "asha@shop.test", moment, wait_s=45)
    sign_in(client, make_staff(shop, role=Role.STAFF, permission="OVERVIEW"))
    page = client.get(PAGE, query_string={"start": "2026-11-01", "end": "2026-11-30"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and 'id="partner-totals"' in html and 'id="daily-rows"' in html
    assert "&lt;b&gt;North&lt;/b&gt;" in html and "<b>North</b>" not in html
    assert "100%" in html and "45 s" in html
    sheet = client.get(f"{PAGE}.csv", query_string={"start": "2026-11-01", "end": "2026-11-30"})
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True))))
    assert rows[0][:5] == ["day", "partner", "assistant", "registered", "verified"]
    assert rows[1] == ["2026-11-20", "<b>North</b>", "asha@shop.test", "1", "1", "100.0", "45"]


def test_an_empty_range_and_a_refused_one(client, shop, make_staff):
    sign_in(client, make_staff(shop))
    empty = client.get(PAGE)
    assert empty.status_code == 200
    assert "No registrations by partners in these days" in empty.get_data(as_text=True)
    refused = client.get(PAGE, query_string={"start": "2026-11-30", "end": "2026-11-01"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The first day must not be after the last day." in html
    assert client.get(f"{PAGE}.csv", query_string={"start": "x"}).status_code == 422


def test_assistants_cannot_read_it(client, shop, make_partner, make_staff):
    assistant = make_staff(shop, role=Role.ASSISTANT, partner=make_partner(shop))
    sign_in(client, assistant)
    assert client.get(PAGE).status_code in (302, 403)
