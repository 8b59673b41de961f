"""Forms of the programme of work. Times are typed as wall-clock times in the meeting's zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum.meetings.models import DeadlineKind

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

DEADLINE_KINDS = [
    (DeadlineKind.amendments.value, _l("Amendments")),
    (DeadlineKind.sub_amendments.value, _l("Sub-amendments")),
    (DeadlineKind.report_corrections.value, _l("Corrections to the report")),
    (DeadlineKind.other.value, _l("Other")),
]


def deadline_kind_label(kind: DeadlineKind | str) -> str:
    value = kind.value if isinstance(kind, DeadlineKind) else kind
    return str(dict(DEADLINE_KINDS).get(value, value))


class AgendaItemForm(FlaskForm):
    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=20)],
                         description=_l("For example 2 or 3(a)"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    position = IntegerField(_l("Position in the agenda"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Items are listed by position; leave empty to put the item last."))


class SittingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example First sitting"))
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMATS, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMATS, validators=[Optional()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validators=[Optional()])


class DeadlineForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=DEADLINE_KINDS, default=DeadlineKind.amendments.value)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example Written amendments to the draft conclusions"))
    due_at = DateTimeLocalField(_l("Due"), format=LOCAL_FORMATS, validators=[DataRequired()])


class ExtendDeadlineForm(FlaskForm):
    due_at = DateTimeLocalField(_l("New time"), format=LOCAL_FORMATS, validators=[DataRequired()])
    note = StringField(_l("Reason"), validators=[Optional(), Length(max=300)],
                       description=_l("Shown with the deadline, e.g. at the request of the Africa group"))
    granted_by_chair = BooleanField(_l("Granted by the Chairperson"))


class AnnouncementForm(FlaskForm):
    body = TextAreaField(_l("Announcement"), validators=[DataRequired(), Length(max=2000)])


class ConfirmForm(FlaskForm):
    """A destructive action's confirmation: nothing but the CSRF token."""
