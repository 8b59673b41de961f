"""Forms of the documents pages. The services check everything again; these give early, per-field messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from forum.documents.models import DocumentKind, DocumentLanguage, ReissueKind

LANGUAGES = [
    (DocumentLanguage.en.value, _l("English")),
    (DocumentLanguage.fr.value, _l("French")),
    (DocumentLanguage.es.value, _l("Spanish")),
    (DocumentLanguage.other.value, _l("Another language")),
]
KINDS = [
    (DocumentKind.working.value, _l("Working file (group draft, note, statement): may get new versions")),
    (DocumentKind.official.value, _l("Official document, with a symbol: never replaced, reissued instead")),
]
REISSUE_KINDS = [
    (ReissueKind.revision.value, _l("Revision (Rev.): replaces the text of the original")),
    (ReissueKind.corrigendum.value, _l("Corrigendum (Corr.): corrects the original")),
    (ReissueKind.addendum.value, _l("Addendum (Add.): adds to the original")),
]
FILE_HINT = _l("PDF, Word, Excel, PowerPoint, OpenDocument, text, Markdown, CSV, PNG or JPEG; at most %(mb)s MB.")
LANGUAGE_MESSAGE = _l("Choose English, French, Spanish or another language.")


def _one_of(choices: list, message: object) -> AnyOf:
    return AnyOf([value for value, _label in choices], message=message)


def language_field(label: object = None, **kwargs: object) -> SelectField:
    return SelectField(label or _l("Language"), choices=LANGUAGES, validate_choice=False,
                       validators=[_one_of(LANGUAGES, LANGUAGE_MESSAGE)], **kwargs)


def language_label(value: DocumentLanguage | str | None) -> str:
    code = value.value if isinstance(value, DocumentLanguage) else value
    return str(dict(LANGUAGES).get(code or "", code or ""))


def reissue_label(value: ReissueKind | str | None) -> str:
    labels = {ReissueKind.revision.value: _l("Revision"), ReissueKind.corrigendum.value: _l("Corrigendum"),
              ReissueKind.addendum.value: _l("Addendum")}
    code = value.value if isinstance(value, ReissueKind) else value
    return str(labels.get(code or "", code or ""))


def kind_label(value: DocumentKind | str | None) -> str:
    labels = {DocumentKind.official.value: _l("Official document"), DocumentKind.working.value: _l("Working file")}
    code = value.value if isinstance(value, DocumentKind) else value
    return str(labels.get(code or "", code or ""))


class DocumentForm(FlaskForm):
    space_id = SelectField(_l("Space"), coerce=int, validators=[DataRequired(_l("Choose a space."))])
    kind = RadioField(_l("Kind of document"), choices=KINDS, default=DocumentKind.working.value,
                      validate_choice=False,
                      validators=[_one_of(KINDS, _l("Choose official document or working file."))])
    symbol = StringField(_l("Symbol (official documents only)"), validators=[Optional(), Length(max=64)])
    language = language_field(default=DocumentLanguage.en.value)
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validators=[Optional()])
    draft_id = SelectField(_l("Draft it relates to"), coerce=int, validators=[Optional()])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    note = StringField(_l("Note on this version (optional)"), validators=[Optional(), Length(max=300)])


class VersionForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    note = StringField(_l("What changed (optional)"), validators=[Optional(), Length(max=300)])


class ReissueForm(FlaskForm):
    reissue_kind = RadioField(_l("Reissue as"), choices=REISSUE_KINDS, default=ReissueKind.revision.value,
                              validate_choice=False,
                              validators=[_one_of(REISSUE_KINDS, _l("Choose revision, corrigendum or addendum."))])
    language = language_field()
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])


class LanguageVersionForm(FlaskForm):
    language = language_field()
    title = StringField(_l("Title in that language"), validators=[DataRequired(_l("Enter a title.")),
                                                                  Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why the document is withdrawn.")),
                                                   Length(max=500)],
                         description=_l("Kept in the audit log and shown to those who may still retrieve it."))


class AttachForm(FlaskForm):
    # The service decides what may be attached; an id outside the choices is its to refuse.
    document_id = SelectField(_l("Document"), coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("Choose a document."))])
