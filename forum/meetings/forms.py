"""Meeting forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forum.meetings.models import BodyType, QuorumRule, WeightingMode


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


BODY_TYPES = [
    (BodyType.committee.value, _l("Committee")),
    (BodyType.plenary.value, _l("Plenary")),
    (BodyType.experts.value, _l("Meeting of experts")),
    (BodyType.governing_body.value, _l("Governing Body")),
]
WEIGHTING = [
    (WeightingMode.equal_strength.value, _l("Equal voting strength of the three groups")),
    (WeightingMode.one_person_one_vote.value, _l("One person, one vote")),
    (WeightingMode.fixed_ratio.value, _l("Fixed ratio")),
]
QUORUM = [
    (QuorumRule.committee.value, _l("Committee quorum (from the attendance register)")),
    (QuorumRule.plenary_half.value, _l("Votes cast must reach half of the delegates attending")),
    (QuorumRule.none.value, _l("No quorum")),
]


class MeetingSettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    participants_share_in_plenary = BooleanField(_l("Participants may share working files in the plenary"))
    membership_effective_next_day = BooleanField(
        _l("Membership changes take effect the day after they are notified (rule 4)"))
    membership_cutoff = TimeField(
        _l("Cut-off time for notifying membership changes (optional)"), validators=[Optional()],
        description=_l("In the meeting's time zone. A change notified after this time counts as notified "
                       "the next day. Leave empty: the day ends at midnight."))
    ballot_changes_allowed = BooleanField(
        _l("Voters may change a record or show-of-hands ballot while the vote is open (rule 30)"))


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    symbol_prefix = StringField(_l("Symbol prefix"), validators=[DataRequired(), Length(max=60)],
                                description=_l("For example TTMLM/2027"))
    languages = MultiCheckboxField(_l("Languages"), choices=[("en", "English"), ("fr", "Français"),
                                                               ("es", "Español")], default=["en", "fr", "es"])
    timezone = StringField(_l("Time zone"), default="Europe/Zurich", validators=[DataRequired()])
    body_type = SelectField(_l("Body"), choices=BODY_TYPES, default=BodyType.committee.value)
    weighting_mode = SelectField(_l("Weighting of votes"), choices=WEIGHTING,
                                 default=WeightingMode.equal_strength.value)
    quorum_rule = SelectField(_l("Quorum"), choices=QUORUM, default=QuorumRule.committee.value)
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
