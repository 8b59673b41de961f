"""Forms of positions, statements and polls. Choices that depend on the user are filled in by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

STANCE_CHOICES = [("support", _l("Support")), ("oppose", _l("Oppose")), ("reserve", _l("Reservation")),
                  ("none", _l("No position"))]
POLL_CHOICES = [("support", _l("Support")), ("oppose", _l("Oppose")), ("abstain", _l("Abstain"))]


class PositionForm(FlaskForm):
    group = SelectField(_l("Group"), validators=[DataRequired()], validate_choice=False)
    stance = RadioField(_l("Position"), choices=STANCE_CHOICES, validators=[DataRequired()], validate_choice=False)
    statement = TextAreaField(_l("Short statement (optional)"), validators=[Optional(), Length(max=500)],
                              description=_l("At most 500 characters."))
    # The secretariat, taking note in the sitting, names who stated it (others state it themselves).
    stated_by = SelectField(_l("Stated by"), validators=[Optional()], validate_choice=False)


class StatementForm(FlaskForm):
    member_state = SelectField(_l("Government of"), validators=[DataRequired()], validate_choice=False)
    regional_group = SelectField(_l("On behalf of"), validators=[Optional()], validate_choice=False)
    stance = RadioField(_l("Position stated"), choices=STANCE_CHOICES, validators=[DataRequired()],
                        validate_choice=False)
    text = TextAreaField(_l("What was said (optional)"), validators=[Optional(), Length(max=1000)],
                         description=_l("At most 1,000 characters."))


class PollForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    item = HiddenField(validators=[DataRequired()])
    question = StringField(_l("Question (optional)"), validators=[Optional(), Length(max=300)],
                           description=_l("For example: Can we support the amendment as it stands?"))
    minutes = IntegerField(_l("Open for (minutes)"), validators=[Optional(), NumberRange(min=1, max=1440)],
                           description=_l("Leave empty to keep it open until you close it."))


class AnswerForm(FlaskForm):
    choice = RadioField(_l("Your answer"), choices=POLL_CHOICES, validators=[DataRequired()], validate_choice=False)
