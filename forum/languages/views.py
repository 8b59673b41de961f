"""Pages of the language versions: the draft side by side in its languages, importing a translated
draft, translating an amendment; and the helpers the drafting pages use to show each reader the
texts in their language, with a marker where only the original exists."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions
from forum.drafting import labels
from forum.drafting.models import Amendment, AmendmentKind, Draft
from forum.drafting.views import _load_amendment, _load_draft, _parse_upload
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.languages import services
from forum.languages.forms import AmendmentTranslationForm, TranslationImportForm
from forum.languages.models import AmendmentTranslation
from forum.views_common import attempt, failure_status, gate, translated

bp = Blueprint("languages", __name__)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return dict(labels.HELPERS)


def reader_language(draft: Draft) -> str:
    """The language a reader sees the texts in: ?lang= when given, else the interface language when the
    meeting works in it, else the draft's original."""
    languages = services.draft_languages(draft)
    asked = request.args.get("lang", "")
    if asked in languages:
        return asked
    mine = str(get_locale() or "")
    return mine if mine in languages else draft.original_language


def _translations_of_draft(draft_id: int) -> dict[int, dict[str, AmendmentTranslation]]:
    """All the amendment translations of a draft, once per request (pages list many amendments)."""
    cache = g.setdefault("_amendment_translations", {})
    if draft_id not in cache:
        found: dict[int, dict[str, AmendmentTranslation]] = {}
        rows = db.session.scalars(sa.select(AmendmentTranslation).join(
            Amendment, Amendment.id == AmendmentTranslation.amendment_id).where(Amendment.draft_id == draft_id))
        for t in rows:
            found.setdefault(t.amendment_id, {})[t.language] = t
        cache[draft_id] = found
    return cache[draft_id]


def amendment_languages(amendment: Amendment) -> list[services.LanguageVersion]:
    return services.language_versions(amendment, _translations_of_draft(amendment.draft_id).get(amendment.id, {}),
                                      services.draft_languages(amendment.draft))


def amendment_missing_languages(amendment: Amendment) -> list[str]:
    return [v.language for v in amendment_languages(amendment) if v.state in {"missing", "outdated"}]


def amendment_in_language(amendment: Amendment, language: str | None = None) -> dict[str, str]:
    """The amendment's words for a reader of `language` (the interface's by default)."""
    language = language or reader_language(amendment.draft)
    text, explanation, shown = services.reading_text(
        amendment, _translations_of_draft(amendment.draft_id).get(amendment.id, {}), language)
    return {"text": text, "explanation": explanation, "language": shown, "wanted": language}


def part_title(part: Any, language: str) -> str:
    """A part's title in `language` when the secretariat gave it, else the original's."""
    cache = g.setdefault("_part_titles", {})
    if part.draft_id not in cache:
        cache[part.draft_id] = services.part_titles(part.draft_id)
    return cache[part.draft_id].get((part.id, language)) or part.title


def language_list_label(codes: list[str]) -> str:
    return ", ".join(labels.language_label(c) for c in codes)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(amendment_languages=amendment_languages, amendment_in_language=amendment_in_language,
                                 amendment_missing_languages=amendment_missing_languages,
                                 reader_language=reader_language, language_list_label=language_list_label,
                                 language_label=labels.language_label, part_title=part_title)


# --- the draft in its languages ---------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/languages")
@login_required
def side_by_side(meeting_id: int, draft_id: int):
    """The three language versions, paragraph by paragraph, with what is missing or out of date."""
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_draft(current_user, draft))
    coverage = services.coverage(draft)
    return render_template("languages/side_by_side.html", draft=draft, meeting=draft.meeting, coverage=coverage,
                           parts={p.id: p for p in draft_parts(draft)}, titles=services.part_titles(draft.id),
                           can_translate=permissions.can_translate_draft(current_user, draft))


def draft_parts(draft: Draft) -> list[Any]:
    from forum.drafting import queries

    return list(db.session.scalars(queries.parts_of_draft(draft.id)))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/languages/import", methods=["GET", "POST"])
@login_required
def import_translation(meeting_id: int, draft_id: int):
    """A translated Word (or text) file, aligned paragraph by paragraph with the draft."""
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_translate_draft(current_user, draft))
    form = TranslationImportForm()
    form.language.choices = [(c, labels.language_label(c)) for c in services.draft_languages(draft)
                             if c != draft.original_language]
    if not form.language.choices:
        flash(_("This meeting works in one language only."), "info")
        return redirect(url_for("languages.side_by_side", meeting_id=meeting_id, draft_id=draft.id))
    if request.method == "GET" and request.args.get("language") in dict(form.language.choices):
        form.language.data = request.args["language"]
    failure: Any = None
    if form.validate_on_submit():
        try:
            parsed = _parse_upload(form)  # type: ignore[arg-type]
        except ValidationFailed as exc:
            translated(exc)
            form.form_errors.append(exc.message)
            for name, messages in exc.fields.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = list(field.errors) + messages
            failure = exc
        else:
            ok, result = attempt(lambda: services.import_translation(current_user, draft, language=form.language.data,
                                                                     parsed=parsed), form)
            if ok:
                flash(_("The %(language)s text is saved: %(n)d paragraphs changed.",
                        language=labels.language_label(form.language.data), n=result), "success")
                return redirect(url_for("languages.side_by_side", meeting_id=meeting_id, draft_id=draft.id))
            failure = result
    return render_template("languages/import.html", draft=draft, meeting=draft.meeting, form=form), \
        failure_status(form, failure)


# --- amendments ------------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/translate",
          methods=["GET", "POST"])
@login_required
def translate_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_translate_amendment(current_user, amendment))
    form = AmendmentTranslationForm()
    form.language.choices = [(c, labels.language_label(c)) for c in services.draft_languages(draft)
                             if c != amendment.language]
    if not form.language.choices:
        abort(404)
    existing = _translations_of_draft(draft.id).get(amendment.id, {})
    if request.method == "GET":
        code = request.args.get("language")
        code = code if code in dict(form.language.choices) else next(
            (c for c, _label in form.language.choices if c not in existing), form.language.choices[0][0])
        form.language.data = code
        if code in existing:
            form.text.data, form.explanation.data = existing[code].text, existing[code].explanation
    failure: Any = None
    if form.validate_on_submit():
        ok, result = attempt(lambda: services.set_amendment_translation(
            current_user, amendment, language=form.language.data, text=form.text.data or "",
            explanation=form.explanation.data or ""), form)
        if ok:
            flash(_("The %(language)s version of the amendment is saved.",
                    language=labels.language_label(form.language.data)), "success")
            return redirect(url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                    amendment_id=amendment.id))
        failure = result
    return render_template("languages/translate_amendment.html", draft=draft, meeting=draft.meeting,
                           amendment=amendment, form=form, is_deletion=amendment.kind is AmendmentKind.delete,
                           existing=existing), failure_status(form, failure)
