"""The shop's settings page: everyone in the console reads it, owners change it."""

from __future__ import annotations

from flask import current_app, flash, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField

from portal.core.errors import ServiceError
from portal.customers.fields import country_choices
from portal.form_errors import refused_submission, show_refusal
from portal.htmx import redirect_after_post
from portal.i18n.locale import current_language
from portal.merchants.blueprint import bp
from portal.merchants.settings import set_sms_countries
from portal.otp.budget import allowed_countries
from portal.sessions import current_staff
from portal.staff.access import console_reader, owner_only, staff_actor
from portal.staff.models import StaffUser


class SmsCountriesForm(FlaskForm):
    countries = SelectMultipleField(
        _l("Countries codes may be texted to"), choices=[], validate_choice=False
    )


def _form(*, bind: bool) -> SmsCountriesForm:
    """The form with every country, labelled in the page's language; `bind` reads the post."""
    form = SmsCountriesForm() if bind else SmsCountriesForm(formdata=None)
    form.countries.choices = country_choices(current_language())
    return form


def _staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # the access decorators ran first
    return user


def _page(form: SmsCountriesForm) -> Response:
    user = _staff()
    html = render_template(
        "merchants/settings.html",
        form=form,
        can_change=user.role == "owner",
        active_nav="merchants.settings",
    )
    return Response(html, status=422 if form.errors else 200, mimetype="text/html")


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
