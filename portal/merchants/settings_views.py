"""The shop's settings page: everyone in the console reads it, owners change it."""

from __future__ import annotations

from flask import current_app, flash, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, SelectMultipleField

from portal.core.errors import ServiceError
from portal.core.zones import country_default_zone, zone_choices, zone_label
from portal.customers.fields import country_choices
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import redirect_after_post
from portal.i18n.locale import current_language
from portal.merchants.blueprint import bp
from portal.merchants.settings import set_sms_countries, set_time_zone
from portal.otp.budget import allowed_countries
from portal.sessions import current_staff
from portal.staff.access import console_reader, owner_only, staff_actor
from portal.staff.models import StaffUser


class SmsCountriesForm(FlaskForm):
    countries = SelectMultipleField(
        _l("Countries codes may be texted to"), choices=[], validate_choice=False
    )


class TimeZoneForm(FlaskForm):
    time_zone = SelectField(_l("Time zone"), choices=[], validate_choice=False)


def _zone_form(merchant_country: str, *, bind: bool) -> TimeZoneForm:
    """Every place's zone by its name in the page's language, after the country's
    default (the empty choice)."""
    form = TimeZoneForm() if bind else TimeZoneForm(formdata=None)
    language = current_language()
    default_zone = zone_label(country_default_zone(merchant_country), language)
    default = gettext("The country's zone (%(zone)s)", zone=default_zone)
    form.time_zone.choices = [("", default), *zone_choices(language)]
    return form


def _form(*, bind: bool) -> SmsCountriesForm:
    """The form with every country, labelled in the page's language; `bind` reads the post."""
    form = SmsCountriesForm() if bind else SmsCountriesForm(formdata=None)
    form.countries.choices = country_choices(current_language())
    return form


def _staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def _page(form: SmsCountriesForm, zone_form: TimeZoneForm | None = None) -> Response:
    user = _staff()
    if zone_form is None:
        zone_form = _zone_form(user.merchant.country_code, bind=False)
        zone_form.time_zone.data = user.merchant.time_zone or ""
    html = render_template(
        "merchants/settings.html",
        form=form,
        zone_form=zone_form,
        can_change=user.role == "owner",
        active_nav="merchants.settings",
    )
    refused = form.errors or zone_form.errors
    return Response(html, status=422 if refused else 200, mimetype="text/html")


@bp.get("/settings")
@console_reader
def settings() -> Response:
    """The shop's settings, filled with what is in force now."""
    form = _form(bind=False)
    form.countries.data = sorted(allowed_countries(_staff().merchant))
    return _page(form)


@bp.post("/settings")
@owner_only
def save_settings() -> Response:
    """Save the SMS countries (owners only: they decide what texts may cost)."""
    user = _staff()
    form = _form(bind=True)
    if not form.validate_on_submit():
        refused_submission(form)
        return _page(form)
    try:
        set_sms_countries(user.merchant, form.countries.data or [], actor=staff_actor(user))
    except ServiceError as err:
        show_refusal(form, err)
        return _page(form)
    current_app.logger.info("merchant %s changed its SMS countries", user.merchant_id)
    flash(gettext("The settings were saved."), "success")
    return redirect_after_post(url_for("merchants.settings"))


@bp.post("/settings/time-zone")
@owner_only
def save_time_zone() -> Response:
    """Save the zone the shop's times are shown in (owners only)."""
    user = _staff()
    zone_form = _zone_form(user.merchant.country_code, bind=True)
    countries = _form(bind=False)
    countries.countries.data = sorted(allowed_countries(user.merchant))
    if not zone_form.validate_on_submit():
        refused_submission(zone_form)
        return _page(countries, zone_form)
    try:
        set_time_zone(user.merchant, zone_form.time_zone.data, actor=staff_actor(user))
    except ServiceError as err:
        show_refusal(zone_form, err)
        return _page(countries, zone_form)
    flash(gettext("The settings were saved."), "success")
    return redirect_after_post(url_for("merchants.settings"))
