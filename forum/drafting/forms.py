"""Forms of drafting. Choices that depend on the meeting or the user are filled in by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

LANGUAGE_CHOICES = [("en", _l("English")), ("fr", _l("French")), ("es", _l("Spanish"))]
KIND_CHOICES = [("modify", _l("Change the words (edit the text below)")),
                ("delete", _l("Delete the paragraph")),
                ("insert_after", _l("Insert a new paragraph after it (write it below)"))]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(FlaskForm):
    """A destructive or weighty action's confirmation: its CSRF token is the point."""


class DraftForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)],
                        description=_l("For example Draft conclusions on fair recruitment"))
    symbol = StringField(_l("Symbol"), validators=[DataRequired(), Length(max=100)],
                         description=_l("For example TTMLM/2027/D.1"))
    original_language = SelectField(_l("Original language"), choices=LANGUAGE_CHOICES, default="en")
    amendment_prefix = StringField(_l("Prefix of amendment numbers"), default="D",
                                   validators=[DataRequired(), Length(max=10)],
                                   description=_l("Amendments are numbered D.1, D.2 … with the prefix D"))


class ImportForm(DraftForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)],
                        description=_l("Leave empty to take the title of the Word document (its Title style)"))
    file = FileField(_l("Word (DOCX), Markdown or text file"),
                     description=_l("Headings become parts, numbered paragraphs paragraphs, lettered items "
                                    "(a), (b) … sub-paragraphs; text before the first paragraph is the preamble."))
    text = TextAreaField(_l("Or paste the text"), validators=[Optional(), Length(max=2_000_000)])
    structure = HiddenField()


class DraftEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    symbol = StringField(_l("Symbol"), validators=[DataRequired(), Length(max=100)])
    amendment_prefix = StringField(_l("Prefix of amendment numbers"), validators=[DataRequired(), Length(max=10)])
    preamble = TextAreaField(_l("Preamble (optional)"), validators=[Optional(), Length(max=10_000)])


class PartForm(FlaskForm):
    title = StringField(_l("Title of the part"), validators=[DataRequired(), Length(max=300)])


class ParagraphForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10_000)])
    place = SelectField(_l("Where"), validators=[DataRequired()])


class ParagraphEditForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10_000)])


class TranslationForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    text = TextAreaField(_l("Text in that language"), validators=[DataRequired(), Length(max=10_000)])


class DecideParagraphForm(FlaskForm):
    state = SelectField(_l("Decision"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("Reopening an adopted paragraph: record how the body agreed."))


class AmendmentForm(FlaskForm):
    paragraph_id = SelectField(_l("Paragraph"), coerce=int)
    parent_id = HiddenField()
    mover = SelectField(_l("Moved by"))
    co_sponsors = MultiCheckboxField(_l("Co-sponsoring States"))
    non_supporting = MultiCheckboxField(_l("States of the group that do not support it"))
    kind = RadioField(_l("The amendment would"), choices=KIND_CHOICES, default="modify")
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 6},
                         description=_l("Edit the paragraph as you want it to read; the changes are worked out "
                                        "word by word."))
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=5000)],
                                description=_l("Its purpose, in a sentence or two."))


class AmendmentEditForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 6})
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=5000)])


class ReturnForm(FlaskForm):
    message = TextAreaField(_l("Message to the movers"), validators=[DataRequired(), Length(max=2000)])


class DecideAmendmentForm(FlaskForm):
    outcome = SelectField(_l("Outcome"))
    merged_into = SelectField(_l("Merged into"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class RebaseForm(FlaskForm):
    text = TextAreaField(_l("Text re-based on the current wording"), validators=[Optional(), Length(max=10_000)],
                         render_kw={"rows": 6})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("For example: the movers agreed to the re-based text."))


class TakeUpForm(FlaskForm):
    mover = SelectField(_l("Taken up in the name of"))


class SeconderForm(FlaskForm):
    participant_id = SelectField(_l("Seconded from the floor by"), coerce=int)


class ReorderForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class OralAmendmentForm(FlaskForm):
    paragraph_id = SelectField(_l("Paragraph"), coerce=int)
    parent_id = SelectField(_l("Sub-amendment to (optional)"), coerce=int, validate_choice=False)
    moved_by = SelectField(_l("Moved by"), coerce=int)
    mover = SelectField(_l("In the name of"),
                        choices=[("own", _l("Their State, or their group if they act for it")),
                                 ("employer_group", _l("The Employers' group")),
                                 ("worker_group", _l("The Workers' group")),
                                 ("joint", _l("The Employers' and Workers' groups jointly"))])
    seconded_by = SelectField(_l("Seconded by (if needed)"), coerce=int, validate_choice=False)
    kind = RadioField(_l("The amendment would"), choices=KIND_CHOICES, default="modify")
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=10_000)])
    explanation = TextAreaField(_l("Explanation (optional)"), validators=[Optional(), Length(max=5000)])


class DraftingGroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=150)])
    mandate = TextAreaField(_l("Mandate (optional)"), validators=[Optional(), Length(max=2000)])
    participant_ids = MultiCheckboxField(_l("Members"), coerce=int)


class ReferForm(FlaskForm):
    paragraph_ids = MultiCheckboxField(_l("Paragraphs to refer"), coerce=int)


class LineNumbersForm(FlaskForm):
    enabled = BooleanField(_l("Number the lines of drafts"))
    line_length = IntegerField(_l("Characters per line"), default=80, validators=[Optional(), NumberRange(30, 200)])
