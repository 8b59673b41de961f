"""Forms of votes, decisions, the attendance register and substitution notices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

VOTE_TYPES = [("record", _l("Record vote (each voter's choice is published)")),
              ("show_of_hands", _l("Show of hands (results by group, no individual record)")),
              ("secret", _l("Secret ballot (totals only; final once cast)"))]
MAJORITIES = [("simple", _l("Simple majority (more weighted votes for than against)")),
              ("two_thirds", _l("Two-thirds majority of the votes cast"))]
CHOICE_LABELS = [("for", _l("For")), ("against", _l("Against")), ("abstain", _l("Abstain"))]
OUTCOME_LABELS = {
    "adopted": _l("Adopted"), "adopted_as_amended": _l("Adopted as amended"), "rejected": _l("Rejected"),
    "deferred": _l("Deferred"), "referred": _l("Referred to a drafting group"),
    "reservation": _l("Adopted with a reservation recorded"), "reopened": _l("Reopened (with the body's agreement)"),
    "fell": _l("Fell"), "withdrawn": _l("Withdrawn"), "not_seconded": _l("Not seconded"),
    "not_moved": _l("Not moved"), "merged": _l("Merged"),
}
METHOD_LABELS = [("consensus", _l("Consensus (no objection)")), ("vote", _l("Vote (cite the closed vote)")),
                 ("reservation", _l("Reservation recorded instead of a vote")),
                 ("none", _l("No decision on substance (procedural)"))]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpenVoteForm(FlaskForm):
    vote_type = RadioField(_l("Type of vote"), choices=VOTE_TYPES, default="record", validators=[DataRequired()])
    majority = RadioField(_l("Required majority"), choices=MAJORITIES, default="simple", validators=[DataRequired()])
    sitting_id = SelectField(_l("Sitting"), coerce=int, validators=[Optional()],
                             description=_l("The quorum is counted from this sitting's attendance register."))
    question = StringField(_l("Question put to the vote"), validators=[Optional(), Length(max=500)])


class BallotForm(FlaskForm):
    choice = RadioField(_l("Your vote"), choices=CHOICE_LABELS,
                        validators=[DataRequired(_l("Choose for, against or abstain."))])
    confirm = BooleanField(_l("I understand that a secret ballot is final: it cannot be changed once cast."))


class ConfirmForm(FlaskForm):
    pass


class ReceiptForm(FlaskForm):
    receipt = StringField(_l("Receipt code"), validators=[DataRequired(_l("Enter the code shown when you voted.")),
                                                         Length(max=40)])


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()])
    method = SelectField(_l("Method"), choices=METHOD_LABELS, validators=[DataRequired()])
    vote_id = SelectField(_l("Vote cited"), coerce=int, validators=[Optional()])
    drafting_group = SelectField(_l("Drafting group (when referred)"), coerce=int, validators=[Optional()])
    merged_into = SelectField(_l("Merged into (amendments)"), coerce=int, validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("Whose reservation; how the body agreed to reopen; anything the report "
                                        "should say."))


class AttendanceForm(FlaskForm):
    member_states = MultiCheckboxField(_l("Member States present (Government delegations)"))
    participant_ids = MultiCheckboxField(_l("Participants present"), coerce=int)


class SubstitutionForm(FlaskForm):
    substitute_id = SelectField(_l("Substitute (deputy member or adviser)"), coerce=int, validators=[DataRequired()])
    replaces_id = SelectField(_l("In place of (absent regular member or delegate)"), coerce=int,
                              validators=[DataRequired()])
    day = DateField(_l("Day"), validators=[Optional()], description=_l("Defaults to the sitting's day, or today."))
    sitting_id = SelectField(_l("Sitting (leave empty for the whole day)"), coerce=int, validators=[Optional()])
    note = StringField(_l("Note (the written notice)"), validators=[Optional(), Length(max=300)])
