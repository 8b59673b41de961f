"""Forms of discussions. The services check everything again (and the API goes straight to them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from forum.discussions.services import MAX_BODY, MAX_REASON, MAX_TITLE

BODY_HINT = _l("Markdown: **bold**, *italic*, > quotation, - list, [link](https://…). "
               "Mention a participant who can see this space with @[Full Name].")


def _body_field(label: str | None = None) -> TextAreaField:
    return TextAreaField(label or _l("Message"), validators=[DataRequired(), Length(max=MAX_BODY)],
                         description=BODY_HINT, render_kw={"rows": 8, "maxlength": MAX_BODY})


class AttachmentsField(SelectMultipleField):
    """Documents to attach, as checkboxes. The view offers those the author may attach here; an id
    outside the choices is the service's to refuse (validate_choice=False)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _attachments_field() -> AttachmentsField:
    return AttachmentsField(_l("Attach documents (optional)"), coerce=int, validate_choice=False, default=[],
                            description=_l("Documents of this space or of the plenary."))


class ThreadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)],
                        render_kw={"maxlength": MAX_TITLE})
    body = _body_field()
    # The subject, from ?paragraph= or ?amendment=; the service checks it may be linked here.
    paragraph_id = IntegerField(validators=[Optional()], widget=HiddenInput())
    amendment_id = IntegerField(validators=[Optional()], widget=HiddenInput())
    attachments = _attachments_field()


class ReplyForm(FlaskForm):
    parent_id = IntegerField(validators=[Optional()], widget=HiddenInput())
    body = _body_field(_l("Your reply"))
    attachments = _attachments_field()


class EditPostForm(FlaskForm):
    body = _body_field()


class HidePostForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_REASON)],
                         description=_l("Shown in place of the post: “hidden by moderator: reason”."),
                         render_kw={"maxlength": MAX_REASON})


class ToggleForm(FlaskForm):
    """Pin or lock (value "1") and undo it (value "0")."""

    value = HiddenField(validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A destructive action's confirmation: nothing but the CSRF token."""
