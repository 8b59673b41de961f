"""The secretariat's exports: a page per meeting listing its drafts, a page per draft with every
document in every format, and the downloads themselves (rule 35, issue #8).

Downloads check permission here, then the draft is gathered (reads only) and rendered in the
renderer process (see service.py), so a secretariat member exporting a 300-amendment compilation
never holds the write lock, a request thread's database connection, or the server's interpreter
while the draft is read and the PDF laid out.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions
from forum.drafting import queries
from forum.drafting.labels import language_label
from forum.drafting.models import LANGUAGES, Draft
from forum.exports import content, service
from forum.exports.html import render_page
from forum.exports.model import current_status, gather
from forum.extensions import db
from forum.meetings.views import load_meeting
from forum.templating import meeting_link

bp = Blueprint("exports", __name__)
meeting_link("exports.list_exports", _l("Exports"), permissions.can_export_meeting)

KIND_NAMES = {
    "final": _l("Conclusions, final text (renumbered, with the numbering table)"),
    "marked": _l("Conclusions with the changes marked (Word: tracked changes)"),
    "compilation": _l("Compilation of amendments with their outcomes"),
    "record": _l("Record of decisions and votes"),
}
DATA_NAMES = {
    ("status", "csv"): _l("Status table (CSV)"),
    ("draft", "json"): _l("The whole draft (JSON, versioned schema)"),
    ("conclusions", "akn"): _l("Conclusions (Akoma Ntoso XML)"),
    ("amendments", "akn"): _l("Compilation of amendments (Akoma Ntoso XML)"),
}
FORMAT_NAMES = {"docx": _l("Word"), "pdf": "PDF", "html": _l("Print view"), "md": "Markdown"}


def _load_draft(meeting_id: int, draft_id: int) -> Draft:
    meeting = load_meeting(meeting_id)
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.meeting_id != meeting.id:
        abort(404)
    if not permissions.can_export_draft(current_user, draft):
        abort(403)
    return draft


def _language(draft: Draft) -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and asked in draft.meeting.language_list:
        return asked
    return draft.original_language


@bp.route("/meetings/<int:meeting_id>/exports")
@login_required
def list_exports(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not permissions.can_export_meeting(current_user, meeting):
        abort(403)
    drafts = list(db.session.scalars(queries.drafts_of_meeting(meeting.id)))
    return render_template("exports/list.html", meeting=meeting, drafts=drafts)


@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/exports")
@login_required
def show_exports(meeting_id: int, draft_id: int):
    draft = _load_draft(meeting_id, draft_id)
    language = _language(draft)
    status = current_status(draft)
    languages = [c for c in draft.meeting.language_list if c in LANGUAGES]
    documents = [(kind, KIND_NAMES[kind]) for kind in content.KINDS]
    data = [(kind, fmt, DATA_NAMES[(kind, fmt)]) for kind, fmt in sorted(service.DATA_EXPORTS)]
    from forum.languages.services import coverage

    return render_template("exports/draft.html", meeting=draft.meeting, draft=draft, status=status,
                           language=language, languages=[(c, language_label(c)) for c in languages],
                           documents=documents, formats=list(FORMAT_NAMES.items()), data=data,
                           coverage=coverage(draft))


KINDS_RULE = "any(final, marked, compilation, record, status, draft, conclusions, amendments)"
FORMATS_RULE = "any(docx, pdf, html, md, csv, json, akn)"


@bp.route(f"/meetings/<int:meeting_id>/drafts/<int:draft_id>/exports/<{KINDS_RULE}:kind>.<{FORMATS_RULE}:fmt>")
@login_required
def download(meeting_id: int, draft_id: int, kind: str, fmt: str):
    """One export. The print view is a page of the site; `?file=1` gives it as a file."""
    draft = _load_draft(meeting_id, draft_id)
    if not service.known(kind, fmt):
        abort(404)
    if (kind, fmt) == ("status", "csv") and request.args.get("lang") == "all":
        return _status_side_by_side(draft)
    language = _language(draft)
    if fmt == "html" and not request.args.get("file"):
        snapshot = gather(draft, language=language)
        back = url_for("exports.show_exports", meeting_id=meeting_id, draft_id=draft.id, lang=language)
        return render_page(content.build(kind, snapshot), back=back)
    export = service.produce(draft, kind, fmt, language=language)
    disposition = "attachment"
    headers: dict[str, Any] = {"Content-Disposition": f'{disposition}; filename="{export.filename}"',
                               "Cache-Control": "no-store"}
    return Response(export.data, mimetype=export.mimetype, headers=headers)


def _status_side_by_side(draft: Draft) -> Response:
    """Issue 14: the status table with one text column per language (reads only, small: no pool)."""
    from forum.languages.exports import gather_translations, render_side_by_side_csv

    snapshot = gather(draft)
    translations, stale = gather_translations(snapshot)
    data = render_side_by_side_csv(snapshot, translations, stale)
    name = service.filename(snapshot, "status", "csv").replace(f"-{snapshot.language}.", "-" +
                                                                "-".join(snapshot.languages) + ".")
    return Response(data, mimetype=service.MIMETYPES["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

