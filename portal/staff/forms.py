"""The staff sign-in, password reset, two-factor, team and shop sign-up forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=255)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    """ "Forgot password?": the email the link goes to."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=255)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )


class ResetPasswordForm(FlaskForm):
    """The new password, twice; its rules live in portal/staff/password_reset.py."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter a new password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password", "autofocus": True},
    )
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[DataRequired(message=_l("Enter the new password again.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class TwoFactorSetupForm(FlaskForm):
    """The first code from the authenticator app, which switches two-factor sign-in on."""

    code = StringField(
        _l("Code"),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class SigninCodeForm(FlaskForm):
    """The second step of a sign-in: a code from the app, or a recovery code."""

    code = StringField(
        _l("Authentication code"),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"},
    )


class TwoFactorOffForm(FlaskForm):
    """Switching two-factor sign-in off: a current code and the password."""

    code = StringField(
        _l("Code"),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class TeamTwoFactorForm(FlaskForm):
    """The owner's rule for the whole team."""

    required = BooleanField(_l("Require two-factor sign-in for the whole team"))


class InviteForm(FlaskForm):
    """The owner's invitation: whom, and in which role (the choices are the view's; the
    rules, the service's: portal/staff/invitations.py)."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Enter an email address.")), Length(max=255)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(_l("Role"), validate_choice=False)


class RoleForm(FlaskForm):
    """A member's new role, on their row of the team page."""

    role = SelectField(_l("Role"), validate_choice=False)


class AcceptInvitationForm(FlaskForm):
    """The invitee's name and password, twice."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter a password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[DataRequired(message=_l("Enter the password again.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    """ "Create your shop"; its rules live in portal/staff/registration.py."""

    shop_name = StringField(
        _l("Shop name"),
        # The length is the service's rule (portal/staff/registration.py), said in its words.
        validators=[DataRequired(message=_l("Enter the name of your shop."))],
        render_kw={"autocomplete": "organization", "autofocus": True, "maxlength": "200"},
    )
    email = EmailField(
        _l("Your email"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=255)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter a password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[DataRequired(message=_l("Enter the password again.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    country = SelectField(
        _l("Country of your shop"),
        choices=[],
        validate_choice=False,  # the service checks the code and says so beside the field
        render_kw={"autocomplete": "country"},
    )


class ConfirmShopForm(FlaskForm):
    """Only the CSRF token: the button that uses the mailed link (a mail scanner that
    opens the link does not confirm anything)."""


class ResendLinkForm(FlaskForm):
    """Only the CSRF token: "Send the link again" for the sign-up the sign-in found."""
