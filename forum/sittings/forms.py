"""Forms of live sittings: making a sitting live; every console command posts a CommandForm
(its CSRF token is the point; the fields are the command's payload, read by the view)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired


class MakeLiveForm(FlaskForm):
    draft_id = SelectField(_l("Draft negotiated in this sitting"), coerce=int, validators=[DataRequired()])


class CommandForm(FlaskForm):
    """A console command sent without JavaScript."""
