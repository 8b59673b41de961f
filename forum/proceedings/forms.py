"""Forms of the report: a summary of an intervention, publication, adoption, corrections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.meetings.programme_forms import LOCAL_FORMATS
from forum.proceedings.models import SpeakerCapacity

CAPACITY_LABELS = {
    SpeakerCapacity.chair: _l("Chairperson"),
    SpeakerCapacity.employer_vice_chair: _l("Employer Vice-Chairperson"),
    SpeakerCapacity.worker_vice_chair: _l("Worker Vice-Chairperson"),
    SpeakerCapacity.government_vice_chair: _l("Government Vice-Chairperson"),
    SpeakerCapacity.reporter: _l("Reporter"),
    SpeakerCapacity.government_member: _l("Government member"),
    SpeakerCapacity.employer_member: _l("Employer member"),
    SpeakerCapacity.worker_member: _l("Worker member"),
    SpeakerCapacity.observer: _l("Observer"),
    SpeakerCapacity.secretariat: _l("Secretariat"),
}
METHOD_CHOICES = [("consensus", _l("By consensus (no objection)")),
                  ("vote:show_of_hands", _l("By vote: show of hands")),
                  ("vote:record", _l("By vote: record vote")), ("vote:secret", _l("By vote: secret ballot"))]


class InterventionForm(FlaskForm):
    speaker = SelectField(_l("Speaker"), coerce=int, validators=[InputRequired()])
    capacity = SelectField(_l("Speaking as"), choices=[(c.value, label) for c, label in CAPACITY_LABELS.items()],
                           validators=[DataRequired()])
    on_behalf_of = StringField(_l("On behalf of"), validators=[Optional(), Length(max=20)],
                               description=_l("employer, worker or government for a group; a regional group's "
                                              "code (AFRICA); a State's two-letter code; empty for themself."))
    item = SelectField(_l("Item"), validators=[Optional()],
                       description=_l("Empty for the general discussion."))
    speaking_seconds = IntegerField(_l("Speaking time (seconds)"),
                                    validators=[Optional(), NumberRange(min=0, max=86400)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=10_000)],
                            render_kw={"rows": 8})
    version = HiddenField()
    request_id = HiddenField()


class PublishForm(FlaskForm):
    deadline = DateTimeLocalField(_l("Deadline for corrections (meeting time)"), format=LOCAL_FORMATS,
                                  validators=[Optional()],
                                  description=_l("Needed only when the programme has no deadline for corrections."))
    confirm = BooleanField(_l("Publish the draft report to every participant"), validators=[DataRequired()])


class AdoptForm(FlaskForm):
    method = SelectField(_l("How the body adopted its report"), choices=METHOD_CHOICES, validators=[DataRequired()])
    sitting_id = SelectField(_l("Sitting"), coerce=int, validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_l("The Chair declared the report adopted; record it and freeze the report"),
                           validators=[DataRequired()])


class CorrectionForm(FlaskForm):
    text = TextAreaField(_l("Corrected summary"), validators=[DataRequired(), Length(max=10_000)],
                         render_kw={"rows": 8})


class DecideCorrectionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("accept", _l("Accept")), ("decline", _l("Decline"))],
                           validators=[DataRequired()])
    note = StringField(_l("Note to the speaker"), validators=[Optional(), Length(max=500)])
