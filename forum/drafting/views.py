"""Pages of drafting: drafts and their text as it stands, the structured editor and the import,
the amendment form (amend by editing the text), the amendment page, the marshalled list, the
secretariat's validation queue and compilations, "our amendments" of a space, drafting groups.

Views are adapters: they load what the URL names (404 for what the user may not see), check the
permission gate (403), call one service in a unit of work and render or redirect.
"""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.drafting import amendments as amendment_services
from forum.drafting import diff, drafts, importing, labels, marshalling, queries
from forum.drafting.compilation_docx import compilation_docx
from forum.drafting.forms import (
    AmendmentEditForm,
    AmendmentForm,
    ConfirmForm,
    DecideAmendmentForm,
    DecideParagraphForm,
    DraftEditForm,
    DraftForm,
    DraftingGroupForm,
    ImportForm,
    LineNumbersForm,
    OralAmendmentForm,
    ParagraphEditForm,
    ParagraphForm,
    PartForm,
    RebaseForm,
    ReferForm,
    ReorderForm,
    ReturnForm,
    SeconderForm,
    TakeUpForm,
    TranslationForm,
)
from forum.drafting.models import (
    LANGUAGES,
    PENDING,
    Amendment,
    AmendmentKind,
    AmendmentSeconder,
    AmendmentState,
    Compilation,
    Draft,
    DraftingGroup,
    Mover,
    MoverKind,
    Paragraph,
    ParagraphKind,
    Part,
    roman,
)
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.meetings import notifications
from forum.meetings.models import Capacity, Group, OfficeRole, Participant, RegionalGroup, Space, SpaceKind
from forum.meetings.services import state_name
from forum.meetings.views import load_meeting
from forum.templating import meeting_link
from forum.views_common import Page, apply_errors, attempt, failure_status, gate, is_safe_next, translated

bp = Blueprint("drafting", __name__)
meeting_link("drafting.list_drafts", _l("Drafts"), permissions.can_view_drafts)
notifications.DESCRIBERS[amendment_services.AMENDMENT_RETURNED] = labels.describe_returned

MARSHALLED_PER_PAGE = 100
OUTCOME_CHOICES = {
    AmendmentState.under_discussion: [AmendmentState.adopted, AmendmentState.adopted_as_sub_amended,
                                      AmendmentState.rejected, AmendmentState.fell, AmendmentState.merged,
                                      AmendmentState.not_seconded],
    AmendmentState.circulated: [AmendmentState.fell, AmendmentState.not_seconded, AmendmentState.not_moved,
                                AmendmentState.merged],
}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {**labels.HELPERS, "render_diff": diff.render, "ParagraphKind": ParagraphKind, "state_name": state_name,
            "roman": roman}


# --- loading and running -----------------------------------------------------------------------------

def _load_draft(meeting_id: int, draft_id: int) -> Draft:
    meeting = load_meeting(meeting_id)
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.meeting_id != meeting.id:
        abort(404)
    return draft


def _load_paragraph(draft: Draft, paragraph_id: int) -> Paragraph:
    paragraph = db.session.get(Paragraph, paragraph_id)
    if paragraph is None or paragraph.draft_id != draft.id:
        abort(404)
    return paragraph


def _load_amendment(draft: Draft, amendment_id: int) -> Amendment:
    """An amendment the user may not see is answered as if it did not exist (rule 23)."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None or amendment.draft_id != draft.id or not permissions.can_view_amendment(current_user,
                                                                                                  amendment):
        abort(404)
    return amendment










def _to_amendment(draft: Draft, amendment: Amendment):
    return redirect(url_for("drafting.show_amendment", meeting_id=draft.meeting_id, draft_id=draft.id,
                            amendment_id=amendment.id))


def _to_draft(draft: Draft, anchor: str | None = None):
    return redirect(url_for("drafting.show_draft", meeting_id=draft.meeting_id, draft_id=draft.id, _anchor=anchor))


def _confirm(draft: Draft, *, title: str, question: str, details: list[str], action: str, cancel: str,
             button: str):
    return render_template("meetings/confirm.html", meeting=draft.meeting, title=title, question=question,
                           details=details, action=action, cancel=cancel, button=button, form=ConfirmForm())


def _form_page(draft: Draft, form: FlaskForm, *, title: str, action: str, button: str, cancel: str,
               fields: list[str], intro: str = "", context: Any = None, status: int = 200,
               enctype: str | None = None):
    return render_template("drafting/form.html", draft=draft, meeting=draft.meeting, form=form, title=title,
                           action=action, button=button, cancel=cancel, fields=fields, intro=intro, context=context,
                           enctype=enctype), status


def _me(draft: Draft) -> Participant | None:
    return permissions.participation(current_user, draft.meeting_id)


# --- drafts ---------------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/drafts")
@login_required
def list_drafts(meeting_id: int):
    meeting = load_meeting(meeting_id)
    gate(permissions.can_view_drafts(current_user, meeting))
    items = list(db.session.scalars(queries.drafts_of_meeting(meeting.id)))
    ours = [sp for sp in db.session.scalars(db.select(Space).where(Space.meeting_id == meeting.id).order_by(Space.id))
            if permissions.can_view_space_amendments(current_user, sp)]
    enabled, length = drafts.line_numbering(meeting)
    line_form = LineNumbersForm(formdata=None, enabled=enabled, line_length=length) \
        if permissions.can_change_line_numbering(current_user, meeting) else None
    return render_template("drafting/list.html", meeting=meeting, drafts=items, line_form=line_form, ours=ours,
                           can_create=permissions.can_create_draft(current_user, meeting))


@bp.route("/meetings/<int:meeting_id>/drafts/line-numbers", methods=["POST"])
@login_required
def set_line_numbers(meeting_id: int):
    meeting = load_meeting(meeting_id)
    gate(permissions.can_change_line_numbering(current_user, meeting))
    form = LineNumbersForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: drafts.set_line_numbering(current_user, meeting, enabled=form.enabled.data,
                                                                 line_length=form.line_length.data))
        if ok:
            flash(_("Line numbering saved."), "success")
    else:
        flash(_("Choose a line length between 30 and 200 characters."), "error")
    return redirect(url_for("drafting.list_drafts", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/drafts/new", methods=["GET", "POST"])
@login_required
def create_draft(meeting_id: int):
    meeting = load_meeting(meeting_id)
    gate(permissions.can_create_draft(current_user, meeting))
    form = DraftForm()
    failure = None
    if form.validate_on_submit():
        ok, result = attempt(lambda: drafts.create_draft(
            current_user, meeting, title=form.title.data, symbol=form.symbol.data,
            original_language=form.original_language.data, amendment_prefix=form.amendment_prefix.data), form)
        if ok:
            flash(_("Draft created. Add its parts and paragraphs."), "success")
            return _to_draft(result)
        failure = result
    return render_template("drafting/new.html", meeting=meeting, form=form), failure_status(form, failure)


@bp.route("/meetings/<int:meeting_id>/drafts/import", methods=["GET", "POST"])
@login_required
def import_draft(meeting_id: int):
    """Upload or paste, see the structure it yields, then save it (two steps, no file kept)."""
    meeting = load_meeting(meeting_id)
    gate(permissions.can_create_draft(current_user, meeting))
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("drafting/import.html", meeting=meeting, form=form), 422 if form.errors else 200
    failure: Any = None
    if request.form.get("confirm") and form.structure.data:
        try:
            structure = importing.ParsedDraft.from_dict(json.loads(form.structure.data))
        except (ValueError, ValidationFailed):
            flash(_("The draft's structure could not be read; import the file again."), "error")
            return render_template("drafting/import.html", meeting=meeting, form=form), 422
        ok, result = attempt(lambda: drafts.create_draft(
            current_user, meeting, title=form.title.data, symbol=form.symbol.data,
            original_language=form.original_language.data, amendment_prefix=form.amendment_prefix.data,
            structure=structure), form)
        if ok:
            flash(_("Draft imported: %(n)d paragraphs. Check it, then open it for amendments.",
                    n=structure.unit_count()), "success")
            return _to_draft(result)
        return render_template("drafting/import_preview.html", meeting=meeting, form=form, parsed=structure), \
            failure_status(form, result)
    try:
        parsed = _parse_upload(form)
    except ValidationFailed as exc:
        translated(exc)
        form.form_errors.append(exc.message)
        failure = exc
        return render_template("drafting/import.html", meeting=meeting, form=form), failure_status(form, failure)
    if not (form.title.data or "").strip():
        form.title.data = parsed.title
    form.structure.data = json.dumps(parsed.to_dict(), ensure_ascii=False)
    return render_template("drafting/import_preview.html", meeting=meeting, form=form, parsed=parsed)


def _parse_upload(form: ImportForm) -> importing.ParsedDraft:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(importing.MAX_FILE_BYTES + 1)
        name = upload.filename.lower()
        if name.endswith(".docx"):
            return importing.parse_docx(data)
        if name.endswith((".md", ".markdown", ".txt", ".text")):
            return importing.parse_text(importing.decode_text_file(data))
        if data.startswith(b"PK"):
            return importing.parse_docx(data)
        raise ValidationFailed("This file is not a Word document (DOCX), Markdown or plain text file.",
                               {"file": ["Upload a .docx, .md or .txt file."]})
    if form.text.data and form.text.data.strip():
        return importing.parse_text(form.text.data)
    raise ValidationFailed("Choose a file or paste the text of the draft.", {"file": ["Choose a file."]})


def _visible_amendments(draft: Draft) -> list[Amendment]:
    return [a for a in db.session.scalars(queries.amendments_of_draft(draft.id))
            if permissions.can_view_amendment(current_user, a)]


def _display_language(draft: Draft) -> str:
    """?lang= when given, else the reader's interface language when the meeting works in it (issue 14)."""
    from forum.languages.views import reader_language

    return reader_language(draft)


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>")
@login_required
def show_draft(meeting_id: int, draft_id: int):
    """The text as it stands now, paragraph by paragraph with its state and its amendments."""
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_draft(current_user, draft))
    language = _display_language(draft)
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    parts = {p.id: p for p in db.session.scalars(queries.parts_of_draft(draft.id))}
    history = queries.text_history(draft.id)
    visible = _visible_amendments(draft)
    by_id = {a.id: a for a in visible}
    inline: dict[int, list[marshalling.Entry]] = defaultdict(list)
    for entry in marshalling.marshalled(draft, visible):
        inline[entry.amendment.paragraph_id].append(entry)
    enabled, length = drafts.line_numbering(draft.meeting)
    rows = []
    line = 0
    for p in paragraphs:
        versions = history.get((p.id, language)) or history.get((p.id, draft.original_language)) or []
        shown = versions[0].language if versions else language
        current = versions[-1].text if versions else ""
        segments = diff.attributed_diff([(v.text, v.amendment_id) for v in versions]) if len(versions) > 1 else []
        lines: list[tuple[int, str]] = []
        if enabled and current:
            for piece in textwrap.wrap(current, width=length):
                line += 1
                lines.append((line, piece))
        rows.append({"paragraph": p, "text": current, "language": shown, "segments": segments, "lines": lines,
                     "entries": inline.get(p.id, []), "part": parts.get(p.part_id) if p.part_id else None})
    counts = {state.value: n for state, n in queries.count_by_state(draft.id).items()} \
        if permissions.can_view_validation_queue(current_user, draft) else {}
    editor: dict[str, Any] = {}
    if permissions.can_edit_draft(current_user, draft):
        editor = {"part": PartForm(prefix="part", formdata=None),
                  "paragraph": _paragraph_form(draft, formdata=None)}
    return render_template(
        "drafting/show.html", draft=draft, meeting=draft.meeting, rows=rows, language=language,
        languages=[c for c in draft.meeting.language_list if c in LANGUAGES], amendments_by_id=by_id,
        can_file=permissions.can_file_amendment(current_user, draft), editor=editor, counts=counts,
        can_decide=permissions.can_decide_paragraph(current_user, draft),
        compilations=list(db.session.scalars(queries.compilations_of_draft(draft.id))),
        drafting_groups={g.id: g for g in db.session.scalars(queries.drafting_groups_of_draft(draft.id))},
        line_numbers=enabled)


def _paragraph_form(draft: Draft, **kwargs: Any) -> ParagraphForm:
    form = ParagraphForm(prefix="paragraph", **kwargs)
    choices = [("end", _("At the end of the text"))]
    for part in db.session.scalars(queries.parts_of_draft(draft.id)):
        choices.append((f"part:{part.id}", _("At the end of part %(n)s: %(title)s", n=part.numeral,
                                              title=part.title)))
    for p in db.session.scalars(queries.paragraphs_of_draft(draft.id)):
        if p.kind is ParagraphKind.paragraph:
            choices.append((f"under:{p.id}", _("As a sub-paragraph of paragraph %(label)s", label=p.label)))
    form.place.choices = choices
    return form


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@login_required
def edit_draft(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_edit_draft(current_user, draft))
    preamble = db.session.scalars(db.select(Paragraph).where(Paragraph.draft_id == draft.id,
                                                             Paragraph.kind == ParagraphKind.preamble)).first()
    current = queries.current_text(preamble.id, draft.original_language).text if preamble else ""
    form = DraftEditForm(obj=draft, preamble=current) if request.method == "GET" else DraftEditForm()
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: drafts.update_draft(
            current_user, draft, title=form.title.data, symbol=form.symbol.data,
            amendment_prefix=form.amendment_prefix.data, preamble=form.preamble.data or ""), form)
        if ok:
            flash(_("Draft saved."), "success")
            return _to_draft(draft)
    return _form_page(draft, form, title=_("Edit the draft"), button=_("Save"),
                      action=url_for("drafting.edit_draft", meeting_id=meeting_id, draft_id=draft.id),
                      cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id),
                      fields=["title", "symbol", "amendment_prefix", "preamble"], status=failure_status(form, failure))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/parts", methods=["POST"])
@login_required
def add_part(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_edit_draft(current_user, draft))
    form = PartForm(prefix="part")
    if form.validate_on_submit():
        ok, _result = attempt(lambda: drafts.add_part(current_user, draft, title=form.title.data))
        if ok:
            flash(_("Part added."), "success")
    else:
        flash(_("Enter the part's title."), "error")
    return _to_draft(draft, "editor")


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/parts/<int:part_id>/edit", methods=["GET", "POST"])
@login_required
def edit_part(meeting_id: int, draft_id: int, part_id: int):
    draft = _load_draft(meeting_id, draft_id)
    part = _load_part(draft, part_id)
    gate(permissions.can_edit_draft(current_user, draft))
    form = PartForm(obj=part)
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: drafts.edit_part(current_user, part, title=form.title.data), form)
        if ok:
            flash(_("Part saved."), "success")
            return _to_draft(draft)
    return _form_page(draft, form, title=_("Edit part %(n)s", n=part.numeral), button=_("Save"),
                      action=url_for("drafting.edit_part", meeting_id=meeting_id, draft_id=draft.id, part_id=part.id),
                      cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id),
                      fields=["title"], status=failure_status(form, failure))


def _load_part(draft: Draft, part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None or part.draft_id != draft.id:
        abort(404)
    return part


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/parts/<int:part_id>/remove", methods=["GET", "POST"])
@login_required
def remove_part(meeting_id: int, draft_id: int, part_id: int):
    draft = _load_draft(meeting_id, draft_id)
    part = _load_part(draft, part_id)
    gate(permissions.can_edit_draft(current_user, draft))
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: drafts.remove_part(current_user, part))
        if ok:
            flash(_("Part removed with its paragraphs."), "success")
        return _to_draft(draft)
    return _confirm(draft, title=_("Remove part %(n)s", n=part.numeral),
                    question=_("Remove part %(n)s and all its paragraphs?", n=part.numeral), details=[part.title],
                    action=url_for("drafting.remove_part", meeting_id=meeting_id, draft_id=draft.id, part_id=part.id),
                    cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id),
                    button=_("Remove the part"))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/paragraphs", methods=["POST"])
@login_required
def add_paragraph(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_edit_draft(current_user, draft))
    form = _paragraph_form(draft)
    if form.validate_on_submit():
        place = form.place.data or "end"
        kind, _sep, ident = place.partition(":")
        part = db.session.get(Part, int(ident)) if kind == "part" and ident.isdigit() else None
        parent = db.session.get(Paragraph, int(ident)) if kind == "under" and ident.isdigit() else None
        ok, _result = attempt(lambda: drafts.add_paragraph(current_user, draft, text=form.text.data, part=part,
                                                            parent=parent))
        if ok:
            flash(_("Paragraph added."), "success")
    else:
        flash(_("Enter the paragraph's text and where it goes."), "error")
    return _to_draft(draft, "editor")


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/paragraphs/<int:paragraph_id>")
@login_required
def show_paragraph(meeting_id: int, draft_id: int, paragraph_id: int):
    """A paragraph's history: its versions with each change traced to its amendment (rule 26)."""
    draft = _load_draft(meeting_id, draft_id)
    paragraph = _load_paragraph(draft, paragraph_id)
    gate(permissions.can_view_draft(current_user, draft))
    history = queries.text_history(draft.id)
    texts = []
    for code in draft.meeting.language_list:
        versions = history.get((paragraph.id, code), [])
        if not versions:
            continue
        steps = []
        for before, after in pairwise(versions):
            steps.append({"version": after, "runs": diff.word_diff(before.text, after.text)})
        texts.append({"language": code, "current": versions[-1], "versions": versions, "steps": steps,
                      "segments": diff.attributed_diff([(v.text, v.amendment_id) for v in versions])})
    visible = [a for a in _visible_amendments(draft) if a.paragraph_id == paragraph.id]
    return render_template(
        "drafting/paragraph.html", draft=draft, meeting=draft.meeting, paragraph=paragraph, texts=texts,
        entries=marshalling.marshalled(draft, visible), amendments_by_id={a.id: a for a in _visible_amendments(draft)},
        events=list(db.session.scalars(queries.events_of_paragraph(paragraph.id))),
        threads=_threads_about(draft, paragraph_id=paragraph.id), talk=_talk_spaces(draft),
        can_decide=permissions.can_decide_paragraph(current_user, draft),
        can_translate=permissions.can_translate_draft(current_user, draft),
        can_edit=permissions.can_edit_draft(current_user, draft),
        can_file=permissions.can_file_amendment(current_user, draft))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/paragraphs/<int:paragraph_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_paragraph(meeting_id: int, draft_id: int, paragraph_id: int):
    draft = _load_draft(meeting_id, draft_id)
    paragraph = _load_paragraph(draft, paragraph_id)
    gate(permissions.can_edit_draft(current_user, draft))
    current = queries.current_text(paragraph.id, draft.original_language)
    form = ParagraphEditForm(text=current.text if current else "") if request.method == "GET" else ParagraphEditForm()
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: drafts.edit_paragraph(current_user, paragraph, text=form.text.data), form)
        if ok:
            flash(_("Paragraph saved."), "success")
            return _to_draft(draft, f"p-{paragraph.id}")
    return _form_page(draft, form, title=_("Edit %(label)s", label=labels.paragraph_label(paragraph)),
                      button=_("Save"), fields=["text"], status=failure_status(form, failure),
                      action=url_for("drafting.edit_paragraph", meeting_id=meeting_id, draft_id=draft.id,
                                     paragraph_id=paragraph.id),
                      cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/paragraphs/<int:paragraph_id>/remove",
          methods=["GET", "POST"])
@login_required
def remove_paragraph(meeting_id: int, draft_id: int, paragraph_id: int):
    draft = _load_draft(meeting_id, draft_id)
    paragraph = _load_paragraph(draft, paragraph_id)
    gate(permissions.can_edit_draft(current_user, draft))
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: drafts.remove_paragraph(current_user, paragraph))
        if ok:
            flash(_("Paragraph removed; the others were renumbered."), "success")
        return _to_draft(draft, "editor")
    current = queries.current_text(paragraph.id, draft.original_language)
    return _confirm(draft, title=_("Remove %(label)s", label=labels.paragraph_label(paragraph)),
                    question=_("Remove this paragraph (and its sub-paragraphs)?"),
                    details=[current.text if current else ""], button=_("Remove the paragraph"),
                    action=url_for("drafting.remove_paragraph", meeting_id=meeting_id, draft_id=draft.id,
                                   paragraph_id=paragraph.id),
                    cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/paragraphs/<int:paragraph_id>/translate",
          methods=["GET", "POST"])
@login_required
def translate_paragraph(meeting_id: int, draft_id: int, paragraph_id: int):
    draft = _load_draft(meeting_id, draft_id)
    paragraph = _load_paragraph(draft, paragraph_id)
    gate(permissions.can_translate_draft(current_user, draft))
    form = TranslationForm()
    form.language.choices = [(c, labels.language_label(c)) for c in draft.meeting.language_list
                             if c in LANGUAGES and c != draft.original_language]
    if request.method == "GET" and form.language.choices:
        code = request.args.get("language") or form.language.choices[0][0]
        form.language.data = code
        existing = queries.current_text(paragraph.id, code)
        form.text.data = existing.text if existing else ""
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: drafts.set_translation(current_user, paragraph, language=form.language.data,
                                                              text=form.text.data), form)
        if ok:
            flash(_("Text saved."), "success")
            return redirect(url_for("drafting.show_paragraph", meeting_id=meeting_id, draft_id=draft.id,
                                    paragraph_id=paragraph.id))
    original = queries.current_text(paragraph.id, draft.original_language)
    return _form_page(draft, form, title=_("%(label)s in another language", label=labels.paragraph_label(paragraph)),
                      button=_("Save the text"), fields=["language", "text"], status=failure_status(form, failure),
                      intro=original.text if original else "",
                      action=url_for("drafting.translate_paragraph", meeting_id=meeting_id, draft_id=draft.id,
                                     paragraph_id=paragraph.id),
                      cancel=url_for("drafting.show_paragraph", meeting_id=meeting_id, draft_id=draft.id,
                                     paragraph_id=paragraph.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/paragraphs/<int:paragraph_id>/decide",
          methods=["GET", "POST"])
@login_required
def decide_paragraph(meeting_id: int, draft_id: int, paragraph_id: int):
    draft = _load_draft(meeting_id, draft_id)
    paragraph = _load_paragraph(draft, paragraph_id)
    gate(permissions.can_decide_paragraph(current_user, draft))
    form = DecideParagraphForm()
    form.state.choices = [(s.value, labels.paragraph_state_label(s))
                          for s in sorted(drafts.PARAGRAPH_MOVES[paragraph.state], key=lambda s: s.value)]
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: drafts.decide_paragraph(current_user, paragraph, form.state.data,
                                                               note=form.note.data or ""), form)
        if ok:
            flash(_("Decision recorded."), "success")
            return _to_draft(draft, f"p-{paragraph.id}")
    intro = _("Now: %(state)s.", state=labels.paragraph_state_label(paragraph.state))
    if not permissions.is_chair(current_user, draft.meeting_id):  # type: ignore[arg-type]
        intro += " " + _("You record this decision on the Chair's behalf.")
    return _form_page(draft, form, title=_("Decision on %(label)s", label=labels.paragraph_label(paragraph)),
                      button=_("Record the decision"), fields=["state", "note"], intro=intro,
                      status=failure_status(form, failure),
                      action=url_for("drafting.decide_paragraph", meeting_id=meeting_id, draft_id=draft.id,
                                     paragraph_id=paragraph.id),
                      cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id,
                                     _anchor=f"p-{paragraph.id}"))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/open", methods=["GET", "POST"])
@login_required
def open_draft(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_open_draft(current_user, draft))
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: drafts.open_draft(current_user, draft))
        if ok:
            flash(_("The draft is open for amendments. Its paragraph numbers no longer change."), "success")
        return _to_draft(draft)
    return _confirm(draft, title=_("Open the draft for amendments"),
                    question=_("Open %(symbol)s for amendments?", symbol=draft.symbol),
                    details=[_("From now on the paragraph numbers are stable: new paragraphs are numbered 5bis, "
                               "deleted ones keep their number, and the text changes only through adopted "
                               "amendments.")],
                    action=url_for("drafting.open_draft", meeting_id=meeting_id, draft_id=draft.id),
                    cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id),
                    button=_("Open for amendments"))


# --- movers -------------------------------------------------------------------------------------------

def mover_choices(draft: Draft, p: Participant | None) -> list[tuple[str, str]]:
    """In whose name this participant may file (rule 19)."""
    if p is None or p.capacity in (Capacity.observer, Capacity.secretariat):
        return []
    choices: list[tuple[str, str]] = []
    roles = p.roles()
    if p.group is Group.government and p.member_state:
        name = state_name(p.member_state)
        choices.append(("state", name))
        choices.append(("co_sponsored", _("%(state)s with co-sponsors (tick them below)", state=name)))
        for office in p.offices:
            if office.role is OfficeRole.coordinator and office.regional_group is not None:
                choices.append((f"regional:{office.regional_group_id}",
                                _("On behalf of %(group)s", group=office.regional_group.name)))
    if p.group in (Group.employer, Group.worker) and roles & {OfficeRole.group_secretary, OfficeRole.spokesperson}:
        choices.append((f"{p.group.value}_group", _("The Employers' group") if p.group is Group.employer
                        else _("The Workers' group")))
        choices.append(("joint", _("The Employers' and Workers' groups jointly")))
    for group in db.session.scalars(queries.drafting_groups_of_draft(draft.id)):
        if any(m.participant_id == p.id for m in group.space.members):
            choices.append((f"drafting:{group.id}", _("Drafting group: %(name)s", name=group.name)))
    return choices


def mover_from(value: str, p: Participant | None, co_sponsors: list[str], non_supporting: list[str]) -> Mover:
    kind, _sep, ident = (value or "").partition(":")
    own = (p.member_state,) if p is not None and p.member_state else ()
    if kind == "state":
        return Mover(MoverKind.state, states=own)
    if kind == "co_sponsored":
        return Mover(MoverKind.co_sponsored, states=(*own, *co_sponsors))
    if kind == "regional" and ident.isdigit():
        return Mover(MoverKind.regional_group, regional_group_id=int(ident), non_supporting=tuple(non_supporting))
    if kind in ("employer_group", "worker_group", "joint"):
        return Mover(MoverKind(kind))
    if kind == "drafting" and ident.isdigit():
        return Mover(MoverKind.drafting_group, drafting_group_id=int(ident))
    raise ValidationFailed("Say in whose name the amendment is moved.", {"mover": ["Choose a mover."]})


def _state_choices(codes: set[str]) -> list[tuple[str, str]]:
    return sorted(((c, state_name(c)) for c in codes), key=lambda item: item[1])


# --- amendments ---------------------------------------------------------------------------------------

def _amendment_form(draft: Draft, p: Participant | None, **kwargs: Any) -> AmendmentForm:
    form = AmendmentForm(**kwargs)
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    form.paragraph_id.choices = [(x.id, labels.paragraph_label(x)) for x in paragraphs]
    form.mover.choices = mover_choices(draft, p)
    represented = amendment_services.represented_states(draft.meeting_id)
    government = p is not None and p.group is Group.government and p.member_state is not None
    form.co_sponsors.choices = _state_choices(represented - {p.member_state}) if government else []
    region_states: set[str] = set()
    if p is not None:
        for office in p.offices:
            if office.role is OfficeRole.coordinator and office.regional_group is not None:
                region_states |= office.regional_group.state_codes
    form.non_supporting.choices = _state_choices(region_states)
    form.language.choices = [(c, labels.language_label(c)) for c in draft.meeting.language_list if c in LANGUAGES]
    return form


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/new", methods=["GET", "POST"])
@login_required
def file_amendment(meeting_id: int, draft_id: int):
    """Amend by editing: the form holds the paragraph's current text for the mover to change."""
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_file_amendment(current_user, draft))
    me = _me(draft)
    parent = None
    parent_arg = request.values.get("parent", type=int) or request.form.get("parent_id", type=int)
    if parent_arg:
        parent = _load_amendment(draft, parent_arg)
    form = _amendment_form(draft, me)
    if request.method == "GET":
        paragraph_id = parent.paragraph_id if parent else request.args.get("paragraph", type=int)
        paragraph = _load_paragraph(draft, paragraph_id) if paragraph_id else None
        language = parent.language if parent else (request.args.get("language") or draft.original_language)
        form.paragraph_id.data = paragraph.id if paragraph else None
        form.language.data = language
        form.kind.data = request.args.get("kind") or "modify"
        if parent is not None:
            form.text.data = parent.text
            form.parent_id.data = str(parent.id)
        elif paragraph is not None:
            current = queries.current_text(paragraph.id, language)
            form.text.data = current.text if current else ""
    failure = None
    if form.validate_on_submit():
        paragraph = _load_paragraph(draft, form.paragraph_id.data)
        try:
            mover = mover_from(form.mover.data, me, form.co_sponsors.data or [], form.non_supporting.data or [])
        except ValidationFailed as exc:
            apply_errors(form, translated(exc))
            failure = exc
        else:
            ok, result = attempt(lambda: amendment_services.file_amendment(
                current_user, draft, paragraph, mover=mover, kind=form.kind.data, language=form.language.data,
                text=form.text.data or "", explanation=form.explanation.data or "", parent=parent), form)
            if ok:
                flash(_("Amendment saved as a draft: only your delegation or group sees it. Submit it when ready."),
                      "success")
                return _to_amendment(draft, result)
            failure = result
    base = None
    if parent is not None:
        base = parent.text
    elif form.paragraph_id.data:
        paragraph = db.session.get(Paragraph, form.paragraph_id.data)
        if paragraph is not None and paragraph.draft_id == draft.id:
            current = queries.current_text(paragraph.id, form.language.data or draft.original_language)
            base = current.text if current else None
    deadline = amendment_services.queries.deadline_of(
        draft.meeting_id, _deadline_kind(parent is not None))
    return render_template("drafting/amendment_form.html", draft=draft, meeting=draft.meeting, form=form,
                           parent=parent, base=base, deadline=deadline), failure_status(form, failure)


def _deadline_kind(sub: bool):
    from forum.meetings.models import DeadlineKind

    return DeadlineKind.sub_amendments if sub else DeadlineKind.amendments


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>")
@login_required
def show_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    me = _me(draft)
    subs = [a for a in queries.sub_amendments_of(amendment.id) if permissions.can_view_amendment(current_user, a)]
    forms: dict[str, Any] = {"confirm": ConfirmForm()}
    if permissions.can_record_seconder(current_user, amendment):
        seconder = SeconderForm(formdata=None)
        people = db.session.scalars(db.select(Participant).where(Participant.meeting_id == draft.meeting_id,
                                                                 Participant.removed_at.is_(None)))
        seconder.participant_id.choices = sorted(
            ((x.id, _participant_label(x)) for x in people if permissions.may_second(x, amendment)),
            key=lambda item: item[1])
        forms["seconder"] = seconder
    parent = amendment.parent if amendment.parent_id else None
    talk = _talk_spaces(draft)
    if not amendment.is_circulated:  # before circulation only its movers' own space may talk of it (rule 23)
        from forum.discussions.services import everyone_in_space_sees

        talk = [sp for sp in talk if everyone_in_space_sees(sp, amendment)]
    return render_template(
        "drafting/amendment.html", draft=draft, meeting=draft.meeting, amendment=amendment, subs=subs, parent=parent,
        talk=talk, threads=_threads_about(draft, amendment_id=amendment.id),
        events=list(db.session.scalars(queries.events_of_amendment(amendment.id))), forms=forms, me=me,
        merged_into=db.session.get(Amendment, amendment.merged_into_id) if amendment.merged_into_id else None,
        can={
            "edit": permissions.can_edit_amendment(current_user, amendment),
            "submit": permissions.can_submit_amendment(current_user, amendment),
            "discard": permissions.can_discard_amendment(current_user, amendment),
            "withdraw": permissions.can_withdraw_amendment(current_user, amendment),
            "take_up": permissions.can_take_up_amendment(current_user, amendment),
            "second": permissions.can_second_amendment(current_user, amendment),
            "validate": permissions.can_validate_amendment(current_user, amendment),
            "return": permissions.can_return_amendment(current_user, amendment),
            "preside": permissions.can_declare_outcome(current_user, amendment),
            "sub_amend": amendment.state in PENDING and amendment.parent_id is None
            and amendment.kind is not AmendmentKind.delete and permissions.can_file_amendment(current_user, draft),
        })


def _talk_spaces(draft: Draft) -> list[Space]:
    """Where the draft can be talked about: the plenary and the user's own spaces (discussions module)."""
    return [sp for sp in db.session.scalars(db.select(Space).where(Space.meeting_id == draft.meeting_id)
                                            .order_by(Space.id))
            if sp.kind in (SpaceKind.plenary, SpaceKind.group, SpaceKind.delegation, SpaceKind.regional,
                           SpaceKind.drafting) and permissions.can_start_thread(current_user, sp)]


def _threads_about(draft: Draft, *, paragraph_id: int | None = None, amendment_id: int | None = None) -> list[Any]:
    """The threads about a paragraph or an amendment in the spaces the reader belongs to (filtered in SQL)."""
    from forum.discussions.queries import threads_about

    spaces = permissions.visible_space_ids(current_user, draft.meeting)
    return list(db.session.scalars(threads_about(spaces, paragraph_id=paragraph_id, amendment_id=amendment_id)))


def _participant_label(p: Participant) -> str:
    who = p.user.name
    if p.group is Group.government and p.member_state:
        return f"{who} ({state_name(p.member_state)})"
    return f"{who} ({labels_group(p.group)})"


def labels_group(group: Group) -> str:
    from forum.labels import group_label

    return group_label(group)


def _amendment_action(meeting_id: int, draft_id: int, amendment_id: int, allowed: Callable[[Any, Any], bool],
                      service: Callable[[Amendment], Any], done: str):
    """A one-button action on an amendment: gate, one service, back to the amendment's page."""
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(allowed(current_user, amendment))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _result = attempt(lambda: service(amendment))
    if ok:
        flash(done, "success")
    back = request.form.get("next")
    if is_safe_next(back):
        return redirect(back)  # e.g. back to the validation queue
    return _to_amendment(draft, amendment)


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_edit_amendment(current_user, amendment))
    stale = amendment.flagged or amendment_services._stale(amendment)
    if request.method == "GET":
        text = amendment.text
        if stale:
            base, _version = amendment_services._target_text(amendment.paragraph, amendment.language, amendment.parent)
            text = diff.rebase(amendment.base_text, base, amendment.text) or base
        form = AmendmentEditForm(text=text, explanation=amendment.explanation)
    else:
        form = AmendmentEditForm()
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: amendment_services.edit_amendment(
            current_user, amendment, text=form.text.data or "", explanation=form.explanation.data or ""), form)
        if ok:
            flash(_("Amendment saved."), "success")
            return _to_amendment(draft, amendment)
    fields = ["explanation"] if amendment.kind is AmendmentKind.delete else ["text", "explanation"]
    intro = _("The text has changed since this amendment was written: it is shown on the current text.") \
        if stale else ""
    return _form_page(draft, form, title=_("Edit amendment %(n)s", n=labels.number_label(draft, amendment)),
                      button=_("Save"), fields=fields, intro=intro, status=failure_status(form, failure),
                      action=url_for("drafting.edit_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id),
                      cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/submit", methods=["POST"])
@login_required
def submit_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    return _amendment_action(meeting_id, draft_id, amendment_id, permissions.can_submit_amendment,
                             lambda a: amendment_services.submit_amendment(current_user, a),
                             _("Amendment submitted to the secretariat."))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/discard",
          methods=["GET", "POST"])
@login_required
def discard_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_discard_amendment(current_user, amendment))
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: amendment_services.discard_amendment(current_user, amendment))
        if ok:
            flash(_("Draft amendment discarded."), "success")
            return _to_draft(draft)
        return _to_amendment(draft, amendment)
    return _confirm(draft, title=_("Discard this draft amendment"),
                    question=_("Discard this draft amendment? It was never submitted."),
                    details=[amendment.explanation], button=_("Discard it"),
                    action=url_for("drafting.discard_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                   amendment_id=amendment.id),
                    cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                   amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/second", methods=["POST"])
@login_required
def second_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    return _amendment_action(meeting_id, draft_id, amendment_id, permissions.can_second_amendment,
                             lambda a: amendment_services.second_amendment(current_user, a),
                             _("You seconded the amendment."))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/seconders",
          methods=["POST"])
@login_required
def record_seconder(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_record_seconder(current_user, amendment))
    participant = db.session.get(Participant, request.form.get("participant_id", type=int) or 0)
    if participant is None or participant.meeting_id != draft.meeting_id:
        flash(_("Choose who seconded it."), "error")
        return _to_amendment(draft, amendment)
    ok, _result = attempt(lambda: amendment_services.record_seconder(current_user, amendment, participant))
    if ok:
        flash(_("Seconder recorded."), "success")
    return _to_amendment(draft, amendment)


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/withdraw",
          methods=["GET", "POST"])
@login_required
def withdraw_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_withdraw_amendment(current_user, amendment))
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: amendment_services.withdraw_amendment(current_user, amendment))
        if ok:
            flash(_("Amendment withdrawn."), "success")
        return _to_amendment(draft, amendment)
    details = [_("Once circulated, a withdrawn amendment may be taken up by another member.")] \
        if amendment.is_circulated else []
    return _confirm(draft, title=_("Withdraw amendment %(n)s", n=labels.number_label(draft, amendment)),
                    question=_("Withdraw amendment %(n)s?", n=labels.number_label(draft, amendment)),
                    details=details, button=_("Withdraw it"),
                    action=url_for("drafting.withdraw_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                   amendment_id=amendment.id),
                    cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                   amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/take-up",
          methods=["GET", "POST"])
@login_required
def take_up_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_take_up_amendment(current_user, amendment))
    me = _me(draft)
    form = TakeUpForm()
    form.mover.choices = [c for c in mover_choices(draft, me) if c[0] != "co_sponsored"]
    failure = None
    if form.validate_on_submit():
        try:
            mover = mover_from(form.mover.data, me, [], [])
        except ValidationFailed as exc:
            apply_errors(form, translated(exc))
            failure = exc
        else:
            ok, failure = attempt(lambda: amendment_services.take_up_amendment(current_user, amendment,
                                                                                mover=mover), form)
            if ok:
                flash(_("You took up the amendment."), "success")
                return _to_amendment(draft, amendment)
    return _form_page(draft, form, title=_("Take up amendment %(n)s", n=labels.number_label(draft, amendment)),
                      button=_("Take it up"), fields=["mover"], status=failure_status(form, failure),
                      action=url_for("drafting.take_up_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id),
                      cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/validate",
          methods=["POST"])
@login_required
def validate_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    return _amendment_action(meeting_id, draft_id, amendment_id, permissions.can_validate_amendment,
                             lambda a: amendment_services.validate_amendment(current_user, a),
                             _("Amendment validated; it is circulated with the next compilation."))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/return",
          methods=["GET", "POST"])
@login_required
def return_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_return_amendment(current_user, amendment))
    form = ReturnForm()
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: amendment_services.return_amendment(current_user, amendment,
                                                                           message=form.message.data), form)
        if ok:
            flash(_("Amendment returned to its movers, with your message."), "success")
            return redirect(url_for("drafting.show_validation_queue", meeting_id=meeting_id, draft_id=draft.id))
    return _form_page(draft, form, title=_("Return amendment %(n)s for clarification",
                                           n=labels.number_label(draft, amendment)),
                      button=_("Return it"), fields=["message"], status=failure_status(form, failure),
                      context=amendment,
                      action=url_for("drafting.return_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id),
                      cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/discuss", methods=["POST"])
@login_required
def start_discussion(meeting_id: int, draft_id: int, amendment_id: int):
    return _amendment_action(meeting_id, draft_id, amendment_id, permissions.can_declare_outcome,
                             lambda a: amendment_services.start_discussion(current_user, a),
                             _("The amendment is under discussion."))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/decide",
          methods=["GET", "POST"])
@login_required
def decide_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_declare_outcome(current_user, amendment))
    form = DecideAmendmentForm()
    form.outcome.choices = [(s.value, labels.amendment_state_label(s))
                            for s in OUTCOME_CHOICES.get(amendment.state, [])]
    others = [a for a in queries.live_amendments_on(amendment.paragraph_id)
              if a.id != amendment.id and a.state in PENDING]
    form.merged_into.choices = [(0, "—"), *((a.id, labels.number_label(draft, a)) for a in others)]
    failure = None
    if form.validate_on_submit():
        target = db.session.get(Amendment, form.merged_into.data) if form.merged_into.data else None
        ok, failure = attempt(lambda: amendment_services.decide_amendment(
            current_user, amendment, form.outcome.data, note=form.note.data or "", merged_into=target), form)
        if ok:
            flash(_("Outcome recorded."), "success")
            return _to_amendment(draft, amendment)
    intro = "" if permissions.is_chair(current_user, draft.meeting_id) else \
        _("You record this outcome on the Chair's behalf.")  # type: ignore[arg-type]
    return _form_page(draft, form, title=_("Outcome of amendment %(n)s", n=labels.number_label(draft, amendment)),
                      button=_("Record the outcome"), fields=["outcome", "merged_into", "note"], intro=intro,
                      context=amendment, status=failure_status(form, failure),
                      action=url_for("drafting.decide_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id),
                      cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/rebase",
          methods=["GET", "POST"])
@login_required
def rebase_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_declare_outcome(current_user, amendment))
    if request.method == "GET":
        try:
            base, _version = amendment_services._target_text(amendment.paragraph, amendment.language,
                                                             amendment.parent)
        except ValidationFailed:
            base = amendment.base_text
        text = amendment.text if amendment.kind is AmendmentKind.insert_after else \
            (diff.rebase(amendment.base_text, base, amendment.text) or base)
        form = RebaseForm(text=text)
    else:
        form = RebaseForm()
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: amendment_services.rebase_amendment(
            current_user, amendment, text=form.text.data or "", note=form.note.data or ""), form)
        if ok:
            flash(_("Amendment re-based on the current text."), "success")
            return _to_amendment(draft, amendment)
    fields = ["note"] if amendment.kind is AmendmentKind.delete else ["text", "note"]
    return _form_page(draft, form, title=_("Re-base amendment %(n)s", n=labels.number_label(draft, amendment)),
                      button=_("Re-base it"), fields=fields, context=amendment, status=failure_status(form, failure),
                      intro=_("Edit the current text as the amendment would change it, as agreed with its movers."),
                      action=url_for("drafting.rebase_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id),
                      cancel=url_for("drafting.show_amendment", meeting_id=meeting_id, draft_id=draft.id,
                                     amendment_id=amendment.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments/<int:amendment_id>/move", methods=["POST"])
@login_required
def reorder_amendment(meeting_id: int, draft_id: int, amendment_id: int):
    draft = _load_draft(meeting_id, draft_id)
    amendment = _load_amendment(draft, amendment_id)
    gate(permissions.can_reorder_amendments(current_user, draft))
    form = ReorderForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: amendment_services.reorder_amendment(current_user, amendment,
                                                                            form.direction.data))
        if ok:
            flash(_("Order changed."), "success")
    else:
        flash(_("Move up or down."), "error")
    return redirect(url_for("drafting.list_amendments", meeting_id=meeting_id, draft_id=draft.id,
                            _anchor=f"a-{amendment.id}"))


# --- the marshalled list, the queue, compilations ------------------------------------------------

MOVER_GROUP = {MoverKind.state: {"government"}, MoverKind.co_sponsored: {"government"},
               MoverKind.regional_group: {"government"}, MoverKind.employer_group: {"employer"},
               MoverKind.worker_group: {"worker"}, MoverKind.joint: {"employer", "worker"},
               MoverKind.drafting_group: set()}


def _mover_keys(a: Amendment) -> set[str]:
    keys = {f"state:{s}" for s in a.mover.states}
    if a.regional_group_id:
        keys.add(f"regional:{a.regional_group_id}")
    keys |= {f"group:{g}" for g in MOVER_GROUP[a.mover_kind]}
    return keys


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/amendments")
@login_required
def list_amendments(meeting_id: int, draft_id: int):
    """The marshalled list of circulated amendments, with filters (group, state, mover, paragraph)."""
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_draft(current_user, draft))
    # The cards say whether an amendment is seconded, not by whom: the seconders' participants (and
    # their offices and memberships) are not loaded (B10).
    public = list(db.session.scalars(queries.amendments_of_draft(draft.id).where(Amendment.circulated_at.is_not(None))
                                     .options(selectinload(Amendment.seconders).lazyload(AmendmentSeconder.participant))))
    entries = marshalling.marshalled(draft, public)
    group = request.args.get("group", "")
    state = request.args.get("state", "")
    mover = request.args.get("mover", "")
    paragraph_id = request.args.get("paragraph", type=int)
    shown = [e for e in entries
             if (not group or group in MOVER_GROUP[e.amendment.mover_kind])
             and (not state or e.amendment.state.value == state)
             and (not mover or mover in _mover_keys(e.amendment))
             and (not paragraph_id or e.amendment.paragraph_id == paragraph_id)]
    page_number = request.args.get("page", 1, type=int) or 1
    if page_number < 1:
        abort(404)
    start = (page_number - 1) * MARSHALLED_PER_PAGE
    page = Page(shown[start:start + MARSHALLED_PER_PAGE], page_number, MARSHALLED_PER_PAGE, len(shown))
    movers = sorted({(k, _mover_key_label(k)) for e in entries for k in _mover_keys(e.amendment)
                     if not k.startswith("group:")}, key=lambda item: item[1])
    paragraphs = sorted({e.amendment.paragraph for e in entries}, key=lambda p: p.position)
    return render_template(
        "drafting/marshalled.html", draft=draft, meeting=draft.meeting, page=page, total=len(entries),
        filters={"group": group, "state": state, "mover": mover, "paragraph": paragraph_id},
        movers=movers, paragraphs=paragraphs, states=[s for s in AmendmentState if s not in (
            AmendmentState.draft, AmendmentState.submitted, AmendmentState.returned, AmendmentState.validated)],
        can_reorder=permissions.can_reorder_amendments(current_user, draft), reorder=ReorderForm(formdata=None),
        **_labels_once_per_request())


def _labels_once_per_request() -> dict[str, Any]:
    """The card's labels of states, kinds, languages and paragraphs, each translated once for the
    request (the locale is fixed within it) instead of once per card: a list of 100 cards repeats a
    handful of them (B10). They shadow the context processor's helpers of the same names."""
    return {name: cache(labels.HELPERS[name]) for name in
            ("amendment_state_label", "kind_label", "language_label", "paragraph_label", "flag_label")}


def _mover_key_label(key: str) -> str:
    kind, _sep, ident = key.partition(":")
    if kind == "state":
        return state_name(ident)
    if kind == "regional" and ident.isdigit():
        group = db.session.get(RegionalGroup, int(ident))
        return group.name if group else ident
    return ident


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/validation")
@login_required
def show_validation_queue(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_validation_queue(current_user, draft))
    amendments = [a for a in db.session.scalars(queries.amendments_of_draft(draft.id))
                  if a.state in (AmendmentState.submitted, AmendmentState.validated, AmendmentState.returned)]
    entries = marshalling.marshalled(draft, amendments)
    return render_template(
        "drafting/validation.html", draft=draft, meeting=draft.meeting, form=ConfirmForm(),
        submitted=[e for e in entries if e.amendment.state is AmendmentState.submitted],
        validated=[e for e in entries if e.amendment.state is AmendmentState.validated],
        returned=[e for e in entries if e.amendment.state is AmendmentState.returned],
        compilations=list(db.session.scalars(queries.compilations_of_draft(draft.id))))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/circulate", methods=["GET", "POST"])
@login_required
def circulate_amendments(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_circulate_amendments(current_user, draft))
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, result = attempt(lambda: amendment_services.circulate_amendments(current_user, draft))
        if ok:
            flash(_("Compilation %(n)d circulated.", n=result.number), "success")
            return redirect(url_for("drafting.show_compilation", meeting_id=meeting_id, draft_id=draft.id,
                                    number=result.number))
        return redirect(url_for("drafting.show_validation_queue", meeting_id=meeting_id, draft_id=draft.id))
    waiting = db.session.scalar(db.select(db.func.count()).select_from(Amendment).where(
        Amendment.draft_id == draft.id, Amendment.state == AmendmentState.validated)) or 0
    return _confirm(draft, title=_("Circulate the validated amendments"),
                    question=_("Circulate %(n)d validated amendments to every participant?", n=waiting),
                    details=[_("They become visible to the whole meeting, as a numbered compilation.")],
                    action=url_for("drafting.circulate_amendments", meeting_id=meeting_id, draft_id=draft.id),
                    cancel=url_for("drafting.show_validation_queue", meeting_id=meeting_id, draft_id=draft.id),
                    button=_("Circulate"))


def _compilation(draft: Draft, number: int) -> tuple[Compilation, list[marshalling.Entry]]:
    compilation = db.session.scalars(db.select(Compilation).where(Compilation.draft_id == draft.id,
                                                                  Compilation.number == number)).first()
    if compilation is None:
        abort(404)
    public = [a for a in db.session.scalars(queries.amendments_of_draft(draft.id)) if a.is_circulated]
    entries = [e for e in marshalling.marshalled(draft, public) if e.amendment.compilation_id == compilation.id]
    return compilation, entries


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/compilations/<int:number>")
@login_required
def show_compilation(meeting_id: int, draft_id: int, number: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_draft(current_user, draft))
    compilation, entries = _compilation(draft, number)
    return render_template("drafting/compilation.html", draft=draft, meeting=draft.meeting, compilation=compilation,
                           entries=entries)


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/compilations/<int:number>.docx")
@login_required
def export_compilation(meeting_id: int, draft_id: int, number: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_draft(current_user, draft))
    compilation, entries = _compilation(draft, number)
    language = _display_language(draft)  # issue 14: the compilation in the reader's (or ?lang=) language
    name = f"{draft.symbol.replace('/', '-')}-compilation-{compilation.number}-{language}.docx"
    return Response(compilation_docx(draft, compilation, entries, language),
                    mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- oral amendments (rule 21) -------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/oral", methods=["GET", "POST"])
@login_required
def record_oral_amendment(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_record_oral_amendment(current_user, draft))
    form = OralAmendmentForm()
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    form.paragraph_id.choices = [(p.id, labels.paragraph_label(p)) for p in paragraphs]
    discussed = [a for a in db.session.scalars(queries.amendments_of_draft(draft.id))
                 if a.state is AmendmentState.under_discussion and a.parent_id is None]
    form.parent_id.choices = [(0, "—"), *((a.id, f"{labels.number_label(draft, a)} — "
                                               f"{labels.paragraph_label(a.paragraph)}") for a in discussed)]
    people = [p for p in db.session.scalars(db.select(Participant).where(
        Participant.meeting_id == draft.meeting_id, Participant.removed_at.is_(None)))
        if p.capacity not in (Capacity.observer, Capacity.secretariat) and p.group is not Group.none]
    people.sort(key=_participant_label)
    form.moved_by.choices = [(p.id, _participant_label(p)) for p in people]
    form.seconded_by.choices = [(0, "—"), *((p.id, _participant_label(p)) for p in people
                                            if permissions.is_voting_member(p, draft.meeting))]
    form.language.choices = [(c, labels.language_label(c)) for c in draft.meeting.language_list if c in LANGUAGES]
    failure = None
    if form.validate_on_submit():
        moved_by = db.session.get(Participant, form.moved_by.data)
        parent = db.session.get(Amendment, form.parent_id.data) if form.parent_id.data else None
        seconder = db.session.get(Participant, form.seconded_by.data) if form.seconded_by.data else None
        mover = (amendment_services.mover_for_participant(moved_by) if form.mover.data == "own"
                 else Mover(MoverKind(form.mover.data))) if moved_by else None
        if mover is None or (parent is not None and parent.draft_id != draft.id):
            form.moved_by.errors = [*form.moved_by.errors, _("This participant does not move amendments in a "
                                                             "State's or group's name.")]
        else:
            paragraph = _load_paragraph(draft, parent.paragraph_id if parent else form.paragraph_id.data)
            ok, result = attempt(lambda: amendment_services.record_oral_amendment(
                current_user, draft, paragraph, mover=mover, moved_by=moved_by, kind=form.kind.data,
                language=form.language.data, text=form.text.data or "", explanation=form.explanation.data or "",
                seconded_by=seconder, parent=parent), form)
            if ok:
                flash(_("Oral amendment %(n)s recorded.", n=labels.number_label(draft, result)), "success")
                return _to_amendment(draft, result)
            failure = result
    return _form_page(draft, form, title=_("Record an oral amendment"), button=_("Record it"),
                      fields=["paragraph_id", "parent_id", "moved_by", "mover", "seconded_by", "kind", "language",
                              "text", "explanation"],
                      intro=_("For an amendment or sub-amendment moved from the floor: its mover and, for a single "
                              "State, its seconder."), status=failure_status(form, failure),
                      action=url_for("drafting.record_oral_amendment", meeting_id=meeting_id, draft_id=draft.id),
                      cancel=url_for("drafting.show_draft", meeting_id=meeting_id, draft_id=draft.id))


# --- drafting groups (rule 18) --------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/drafting-groups")
@login_required
def list_drafting_groups(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_draft(current_user, draft))
    groups = list(db.session.scalars(queries.drafting_groups_of_draft(draft.id)))
    referred: dict[int, list[Paragraph]] = defaultdict(list)
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    for p in paragraphs:
        if p.drafting_group_id:
            referred[p.drafting_group_id].append(p)
    manage = permissions.can_manage_drafting_groups(current_user, draft)
    refer_forms = {}
    if manage and draft.open_for_amendments:
        for g in groups:
            form = ReferForm(prefix=f"refer{g.id}", formdata=None)
            form.paragraph_ids.choices = [(p.id, labels.paragraph_label(p)) for p in paragraphs if not p.settled]
            refer_forms[g.id] = form
    return render_template("drafting/groups.html", draft=draft, meeting=draft.meeting, groups=groups,
                           referred=referred, manage=manage, refer_forms=refer_forms,
                           members={g.id: _members(g) for g in groups})


def _members(group: DraftingGroup) -> list[Participant]:
    ids = [m.participant_id for m in group.space.members]
    people = list(db.session.scalars(db.select(Participant).where(Participant.id.in_(ids))))
    return sorted(people, key=lambda p: (p.group.value, p.user.name))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/drafting-groups/new", methods=["GET", "POST"])
@login_required
def create_drafting_group(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_manage_drafting_groups(current_user, draft))
    form = DraftingGroupForm()
    people = [p for p in db.session.scalars(db.select(Participant).where(
        Participant.meeting_id == draft.meeting_id, Participant.removed_at.is_(None)))
        if p.capacity not in (Capacity.observer, Capacity.secretariat) and p.group is not Group.none]
    people.sort(key=lambda p: (p.group.value, _participant_label(p)))
    form.participant_ids.choices = [(p.id, f"{_participant_label(p)} — {labels_group(p.group)}") for p in people]
    failure = None
    if form.validate_on_submit():
        ok, result = attempt(lambda: drafts.create_drafting_group(
            current_user, draft, name=form.name.data, participant_ids=form.participant_ids.data or [],
            mandate=form.mandate.data or ""), form)
        if ok:
            flash(_("Drafting group set up, with its own space."), "success")
            return redirect(url_for("drafting.list_drafting_groups", meeting_id=meeting_id, draft_id=draft.id))
        failure = result
    return _form_page(draft, form, title=_("New drafting group"), button=_("Set it up"),
                      fields=["name", "mandate", "participant_ids"], status=failure_status(form, failure),
                      intro=_("A small tripartite group: name Government, Employer and Worker members."),
                      action=url_for("drafting.create_drafting_group", meeting_id=meeting_id, draft_id=draft.id),
                      cancel=url_for("drafting.list_drafting_groups", meeting_id=meeting_id, draft_id=draft.id))


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/drafting-groups/<int:group_id>/refer",
          methods=["POST"])
@login_required
def refer_paragraphs(meeting_id: int, draft_id: int, group_id: int):
    draft = _load_draft(meeting_id, draft_id)
    group = db.session.get(DraftingGroup, group_id)
    if group is None or group.draft_id != draft.id:
        abort(404)
    gate(permissions.can_manage_drafting_groups(current_user, draft))
    ids = [int(v) for v in request.form.getlist(f"refer{group.id}-paragraph_ids") if v.isdigit()]
    ok, _result = attempt(lambda: drafts.refer_paragraphs(current_user, group, ids))
    if ok:
        flash(_("Paragraphs referred to the drafting group."), "success")
    return redirect(url_for("drafting.list_drafting_groups", meeting_id=meeting_id, draft_id=draft.id))


# --- "our amendments" ---------------------------------------------------------------------------------

def belongs_to_space(amendment: Amendment, space: Space) -> bool:
    """Is the amendment moved in the name this space stands for (a delegation, a regional group,
    a caucus, a drafting group)?"""
    kind = amendment.mover_kind
    if space.kind is SpaceKind.delegation:
        return space.member_state in amendment.mover.states
    if space.kind is SpaceKind.regional:
        return kind is MoverKind.regional_group and amendment.regional_group_id == space.regional_group_id
    if space.kind is SpaceKind.group:
        return space.group is not None and space.group.value in MOVER_GROUP[kind] and kind in (
            MoverKind.employer_group, MoverKind.worker_group, MoverKind.joint)
    if space.kind is SpaceKind.drafting:
        return amendment.drafting_group is not None and amendment.drafting_group.space_id == space.id
    return False


@bp.route("/meetings/<int:meeting_id>/spaces/<int:space_id>/amendments")
@login_required
def list_space_amendments(meeting_id: int, space_id: int):
    """A group's or delegation's own amendments, unsubmitted drafts included (seen by that space only)."""
    meeting = load_meeting(meeting_id)
    space = db.session.get(Space, space_id)
    if space is None or space.meeting_id != meeting.id or not permissions.can_view_space(current_user, space):
        abort(404)
    gate(permissions.can_view_space_amendments(current_user, space))
    rows = []
    for draft in db.session.scalars(queries.drafts_of_meeting(meeting.id)):
        mine = [a for a in db.session.scalars(queries.amendments_of_draft(draft.id))
                if belongs_to_space(a, space) and permissions.can_view_amendment(current_user, a)]
        if mine:
            rows.append((draft, marshalling.marshalled(draft, mine)))
    return render_template("drafting/space_amendments.html", meeting=meeting, space=space, rows=rows)
