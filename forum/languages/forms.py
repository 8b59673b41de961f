"""Forms of the language versions: importing a translated draft, translating an amendment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional


class TranslationImportForm(FlaskForm):
    language = SelectField(_l("Language of the file"), choices=[])
    file = FileField(_l("Word (DOCX), Markdown or text file"),
                     description=_l("The same parts, numbered paragraphs and lettered sub-paragraphs as the draft, "
                                    "in the same order."))
    text = TextAreaField(_l("Or paste the text"), validators=[Optional(), Length(max=2_000_000)])


class AmendmentTranslationForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])
    text = TextAreaField(_l("Text of the amendment in that language"), validators=[Optional(), Length(max=10_000)])
    explanation = TextAreaField(_l("Explanation in that language"), validators=[Optional(), Length(max=10_000)])
