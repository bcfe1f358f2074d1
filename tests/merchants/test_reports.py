"""customers_per_month: twelve months, newest first, zeros included, category filter."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from portal.core.errors import ServiceError
from portal.merchants.reports import customers_per_month

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def test_customers_per_month_counts_last_twelve_months(app, make_merchant, make_customer):
    """Counts land in their month, empty months are zero, older ones are left out."""
    merchant = make_merchant()
    make_customer(merchant, created_at=datetime(2026, 3, 1, 0, 0, tzinfo=UTC))
    make_customer(merchant, created_at=datetime(2026, 3, 14, tzinfo=UTC))
    make_customer(merchant, created_at=datetime(2026, 1, 31, 23, 59, tzinfo=UTC))
    make_customer(merchant, created_at=datetime(2025, 4, 1, tzinfo=UTC))
    make_customer(merchant, created_at=datetime(2025, 3, 31, 23, 59, tzinfo=UTC))
    make_customer(make_merchant(), created_at=datetime(2026, 3, 2, tzinfo=UTC))
    rows = customers_per_month(merchant.id, now=NOW)
    assert len(rows) == 12
    assert rows[0] == ("2026-03", 2)
    assert rows[1] == ("2026-02", 0)
    assert rows[2] == ("2026-01", 1)
    assert rows[-1] == ("2025-04", 1)
    assert sum(count for _, count in rows) == 4


def test_customers_per_month_filters_by_category(app, make_merchant, make_customer):
    """Only customers of the chosen category are counted."""
    merchant = make_merchant()
    make_customer(merchant, created_at=datetime(2026, 2, 3, tzinfo=UTC), category_code="Y")
    make_customer(merchant, created_at=datetime(2026, 2, 4, tzinfo=UTC), category_code="N")
    rows = dict(customers_per_month(merchant.id, category="Y", now=NOW))
    assert rows["2026-02"] == 1


def test_customers_per_month_keeps_deleted_in_their_month(app, make_merchant, make_customer):
    """A customer deleted later still counts as added in their month (history is stable)."""
    merchant = make_merchant()
    make_customer(merchant, created_at=datetime(2026, 2, 3, tzinfo=UTC), deleted_at=NOW)
    assert dict(customers_per_month(merchant.id, now=NOW))["2026-02"] == 1


def test_customers_per_month_month_edges_are_utc(app, make_merchant, make_customer):
    """The last microsecond of a month and the first of the next land in their own months."""
    merchant = make_merchant()
    make_customer(merchant, created_at=datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=UTC))
    make_customer(merchant, created_at=datetime(2026, 2, 1, 0, 0, tzinfo=UTC))
    rows = dict(customers_per_month(merchant.id, now=NOW))
    assert (rows["2026-01"], rows["2026-02"]) == (1, 1)


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"months": 0}, "months"), ({"category": "ZZ"}, "category")]
)
def test_customers_per_month_refuses_bad_input(app, make_merchant, kwargs, field):
    """Out-of-range months and unknown categories are refused naming the field."""
    with pytest.raises(ServiceError) as err:
        customers_per_month(make_merchant().id, now=NOW, **kwargs)
    assert err.value.field == field


# --- the reports page ---------------------------------------------------------------------


def test_reports_page_draws_svg_chart_and_table(
    app, client, make_merchant, make_staff, make_customer
):
    """The page has an inline SVG with 12 bars and a table with the same numbers."""
    from portal.core.time import utcnow
    from tests.merchants.page_helpers import sign_in

    merchant = make_merchant()
    for _ in range(3):
        make_customer(merchant, created_at=utcnow())
    sign_in(client, make_staff(merchant, role="staff", permission="OVERVIEW"))
    response = client.get("/merchant/reports")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and html.count('class="bar"') == 12
    assert html.count('<tr><th scope="row">') == 12
    assert f'<time datetime="{utcnow():%Y-%m}">' in html
    assert 'style="' not in html
    assert "3 new customers in these 12 months." in html
    # The chart's rows run in the table's order: newest month first in both.
    row_label = r'<text class="label" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]+)<'
    labels = re.findall(row_label, html)
    months = re.findall(r'<tr><th scope="row"><time datetime="[^"]+">([^<]+)<', html)
    assert labels == months and len(labels) == 12


def test_reports_page_filters_by_category(app, client, make_merchant, make_staff, make_customer):
    """?category=Y counts only resellers; an unknown category is explained."""
    from portal.core.time import utcnow
    from tests.merchants.page_helpers import sign_in

    merchant = make_merchant()
    make_customer(merchant, created_at=utcnow(), category_code="Y")
    make_customer(merchant, created_at=utcnow(), category_code="N")
    sign_in(client, make_staff(merchant))
    filtered = client.get("/merchant/reports?category=Y").get_data(as_text=True)
    assert "1 new customer in these 12 months." in filtered
    unknown = client.get("/merchant/reports?category=NOPE")
    assert unknown.status_code == 422
    assert "Unknown category." in unknown.get_data(as_text=True)


def test_bar_chart_scales_in_round_steps():
    """The scale steps by 1, 2 or 5 times a power of ten; bars grow with their values."""
    from portal.merchants.charts import bar_chart, nice_step

    assert [nice_step(v) for v in (0, 1, 5, 6, 50, 51, 230, 1000)] == [1, 1, 1, 2, 10, 20, 50, 200]
    chart = bar_chart([("a", 0), ("b", 10), ("c", 50)])
    assert [tick.value for tick in chart.ticks] == [0, 10, 20, 30, 40, 50]
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == 0 and widths[2] == pytest.approx(5 * widths[1], abs=0.2)
    assert chart.ticks[-1].x == pytest.approx(chart.left + widths[2], abs=0.2)
    rows = [bar.y for bar in chart.bars]
    assert rows == sorted(rows)  # top to bottom in the order given
    empty = bar_chart([("a", 0)])
    assert [tick.value for tick in empty.ticks] == [0, 1]
