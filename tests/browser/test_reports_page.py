"""The reports page at 390 px and 1280 px: horizontal bars whose labels stay readable,
in the same order as the table, without sideways scrolling."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sideways_overflow, sign_in_console

MIN_LABEL_PX = 10.5


def _check_reports(page: Page, name: str) -> None:
    sign_in_console(page)
    page.goto("/merchant/reports")
    expect(page.locator("svg.chart")).to_be_visible()
    scroll, visible = sideways_overflow(page)
    assert scroll <= visible, f"page scrolls sideways: {scroll} > {visible} px"
    # Rendered height of a month label, in CSS pixels (the SVG scales with its box).
    label_px = page.locator("svg.chart text.label").first.evaluate(
        "el => el.getBoundingClientRect().height"
    )
    assert label_px >= MIN_LABEL_PX, label_px
    chart_months = page.locator('svg.chart text.label[text-anchor="end"]').all_text_contents()
    table_months = page.locator(".report-table tbody th").all_inner_texts()
    assert chart_months == table_months and len(chart_months) == 12
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reports-{name}.png"), full_page=True)


def test_reports_on_a_phone(phone_page: Page) -> None:
    """At 390 px the chart's labels are readable and nothing scrolls sideways."""
    _check_reports(phone_page, "390")


def test_reports_on_a_desktop(page: Page) -> None:
    """At 1280 px the chart and table agree and the labels are readable."""
    _check_reports(page, "1280")
