"""Account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me on this device"))


class ReauthenticateForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class LocaleForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[("en", "English"), ("fr", "Français"), ("es", "Español")])


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    staff = BooleanField(_l("Staff (may create meetings)"))
    admin = BooleanField(_l("Administrator"))


class UserFlagsForm(FlaskForm):
    staff = BooleanField(_l("Staff (may create meetings)"))
    admin = BooleanField(_l("Administrator"))
    active = BooleanField(_l("Active"))


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)],
                       description=_l("Where you will use it, e.g. \"room display\" or \"secretariat script\"."))


class ConfirmForm(FlaskForm):
    """A POST with its CSRF token and nothing else: for confirmation pages."""
