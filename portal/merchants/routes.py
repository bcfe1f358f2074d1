"""Every URL of the merchant console, in one place: importing the page modules registers
their routes on the blueprint, which create_app registers on the app."""

from __future__ import annotations

from portal.merchants import (
    approval_views,
    bulk_views,
    category_views,
    checklist_views,
    consent_views,
    customer_action_views,
    customer_edit_views,
    customer_list_views,
    customer_views,
    edit_link_views,
    import_views,
    job_views,
    merge_views,
    notes_tags_views,
    order_import_views,
    partner_report_views,
    personal_data_views,
    report_views,
    segment_views,
    settings_views,
    storefront_views,
    team_invitation_views,
    team_views,
)
from portal.merchants.blueprint import bp

PAGE_MODULES = (
    approval_views,
    category_views,
    customer_list_views,
    customer_views,
    customer_edit_views,
    customer_action_views,
    storefront_views,
    edit_link_views,
    personal_data_views,
    merge_views,
    import_views,
    order_import_views,
    job_views,
    bulk_views,
    report_views,
    partner_report_views,
    settings_views,
    team_views,
    team_invitation_views,
    notes_tags_views,
    checklist_views,
    consent_views,
    segment_views,
)

__all__ = ["PAGE_MODULES", "bp"]
