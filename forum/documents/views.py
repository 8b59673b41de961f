"""Pages of the documents of a meeting: browse and search, upload, versions, reissues, language
versions, withdrawal, and the downloads themselves.

Every route that can reach a file answers 404 for a document its reader may not see, whatever
the id: a caucus's documents and all their versions exist only for that caucus (rule 9).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markdown_it import MarkdownIt
from markupsafe import Markup

from forum import permissions
from forum.db import unit_of_work
from forum.documents import queries, services, storage
from forum.documents.forms import (
    FILE_HINT,
    LANGUAGES,
    AttachForm,
    DocumentForm,
    LanguageVersionForm,
    ReissueForm,
    VersionForm,
    WithdrawForm,
    kind_label,
    language_label,
    reissue_label,
)
from forum.documents.models import Document, DocumentKind, DocumentLanguage, DocumentVersion
from forum.errors import DomainError, InvalidState
from forum.extensions import db
from forum.meetings.models import Meeting, Space
from forum.meetings.views import load_meeting
from forum.templating import meeting_link
from forum.views_common import apply_errors, paginate

bp = Blueprint("documents", __name__)


@bp.record_once
def _refuse_uploads_in_the_web_root(state: Any) -> None:
    """Stored files must never be reachable as static files, which would skip every access check and
    every header set on download: an UPLOAD_DIR inside the static folder stops the app at start."""
    app = state.app
    uploads = Path(app.config["UPLOAD_DIR"]).expanduser().resolve()
    if app.static_folder and uploads.is_relative_to(Path(app.static_folder).resolve()):
        raise RuntimeError(f"FORUM_UPLOAD_DIR ({uploads}) is inside the static folder ({app.static_folder}): "
                           "stored documents would be served to anyone. Put it outside, e.g. instance/uploads.")


PREVIEW_BYTES = 200 * 1024
# Downloads shown in the browser other than PDFs (text, images) get a CSP of their own: nothing runs.
INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


@bp.app_template_global()
def space_documents(space: Space, limit: int = 10) -> dict[str, Any]:
    """The space page's Documents section: the latest documents there and whether the reader may add one."""
    meeting = db.session.get(Meeting, space.meeting_id)
    if meeting is None or not permissions.can_view_space(current_user, space):
        return {"documents": [], "can_upload": False}
    stmt = queries.visible_documents(current_user, meeting, space_id=space.id, space_ids=[space.id]).limit(limit)
    documents = list(db.session.scalars(stmt).unique())
    return {"documents": documents, "can_upload": permissions.can_upload_to_space(current_user, space),
            **_row_context(documents, languages=True), "rooms": [(f"space:{space.id}", space.version)]}


for _name, _fn in (("document_language_label", language_label), ("document_kind_label", kind_label),
                   ("reissue_label", reissue_label)):
    bp.add_app_template_global(_fn, _name)


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return _("%(n)d bytes", n=size)
    if size < 1024 * 1024:
        return _("%(n)s KB", n=f"{size / 1024:.1f}")
    return _("%(n)s MB", n=f"{size / 1048576:.1f}")


@bp.app_template_global()
def file_type_label(code: str | None) -> str:
    file_type = storage.TYPES.get(code or "")
    return str(file_type.label) if file_type else (code or "")


# --- helpers -----------------------------------------------------------------------------------------

def _document(meeting: Meeting, document_id: int) -> Document:
    """The document, or 404 when it is not this meeting's or not the reader's to see (ids reveal nothing)."""
    document = db.session.get(Document, document_id)
    if document is None or document.meeting_id != meeting.id or not permissions.can_view_document(current_user,
                                                                                                   document):
        abort(404)
    return document


def _row_context(documents: list[Document], *, languages: bool) -> dict[str, Any]:
    ids = [d.id for d in documents]
    return {
        "languages": queries.languages_of(ids) if languages else {},
        "latest": queries.latest_versions(ids),
        "marks": queries.status_marks(documents),
    }


def _apply(form: FlaskForm, exc: DomainError) -> None:
    exc.fields = {name: [_(m) for m in messages] for name, messages in exc.fields.items()}
    exc.message = _(exc.message)
    apply_errors(form, exc)


def _attempt(form: FlaskForm, action: Callable[[], Any]) -> tuple[Any, int]:
    """Run one service call in its own transaction; (result, 200), or (None, status) with the form's errors."""
    try:
        with unit_of_work():
            return action(), 200
    except DomainError as exc:
        if exc.status in (403, 404, 409):
            raise
        _apply(form, exc)
        return None, exc.status


def _upload(form: FlaskForm) -> tuple[Any, str | None]:
    return form.file.data.stream, form.file.data.filename


def _status(form: FlaskForm, status: int) -> int:
    if status != 200:
        return status
    return 422 if form.errors else 200


def _agenda_choices(meeting: Meeting) -> list[tuple[int, str]]:
    return [(0, _("No agenda item")), *((i.id, f"{i.number}. {i.title}") for i in queries.agenda_items(meeting.id))]


def _draft_choices(meeting: Meeting) -> list[tuple[int, str]]:
    from forum.drafting.models import Draft

    drafts = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == meeting.id).order_by(Draft.id))
    return [(0, _("No draft")), *((d.id, f"{d.symbol} — {d.title}") for d in drafts
                                   if permissions.can_view_draft(current_user, d))]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and value > 0 else None


def _enum_arg(enum_cls: Any, name: str) -> Any:
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _file_hint() -> str:
    return str(FILE_HINT) % {"mb": storage.max_upload_bytes() // (1024 * 1024)}


def _to_document(meeting: Meeting, document: Document):
    return redirect(url_for("documents.show_document", meeting_id=meeting.id, document_id=document.id))


# --- browsing ------------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/documents")
@login_required
def list_documents(meeting_id: int):
    meeting = load_meeting(meeting_id)
    filters = {
        "space_id": _int_arg("space"),
        "language": _enum_arg(DocumentLanguage, "language"),
        "agenda_item_id": _int_arg("agenda_item"),
        "kind": _enum_arg(DocumentKind, "kind"),
        "q": request.args.get("q", "")[:200],
        "sort": request.args.get("sort", "newest") if request.args.get("sort") in queries.SORTS else "newest",
    }
    page = paginate(queries.visible_documents(current_user, meeting, **filters))
    spaces = queries.readable_spaces(current_user, meeting)
    shown_spaces = [s for s in spaces if filters["space_id"] in (None, s.id)]
    live = filters["sort"] == "newest" and page.page == 1 and not filters["q"]
    return render_template(
        "documents/list.html", meeting=meeting, page=page, documents=page.items, filters=filters, spaces=spaces,
        agenda=queries.agenda_items(meeting.id), language_choices=LANGUAGES,
        can_upload=bool(queries.uploadable_spaces(current_user, meeting)),
        rooms=[(f"space:{s.id}", s.version) for s in shown_spaces], live_insert=live,
        **_row_context(page.items, languages=filters["language"] is None),
    )


@bp.route("/meetings/<int:meeting_id>/documents/by-agenda-item")
@login_required
def documents_by_agenda_item(meeting_id: int):
    """The programme's agenda items, each with its documents (and those under no item last)."""
    meeting = load_meeting(meeting_id)
    documents = list(db.session.scalars(queries.visible_documents(current_user, meeting, sort="symbol")).unique())
    groups: dict[int | None, list[Document]] = {}
    for doc in documents:
        groups.setdefault(doc.agenda_item_id, []).append(doc)
    return render_template("documents/by_agenda_item.html", meeting=meeting, agenda=queries.agenda_items(meeting.id),
                           groups=groups, **_row_context(documents, languages=True))


@bp.route("/meetings/<int:meeting_id>/documents/withdrawn")
@login_required
def list_withdrawn_documents(meeting_id: int):
    meeting = load_meeting(meeting_id)
    page = paginate(queries.withdrawn_documents(current_user, meeting))
    return render_template("documents/withdrawn.html", meeting=meeting, page=page,
                           latest=queries.latest_versions(d.id for d in page.items))


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>")
@login_required
def show_document(meeting_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    may_see_withdrawn = permissions.can_view_withdrawn_document(current_user, document)
    versions = queries.versions_of(document)
    latest = versions[0] if versions else None
    original_id = document.original_id
    original = db.session.get(Document, original_id) if original_id != document.id else document
    reissues = queries.reissues_of([original_id], include_withdrawn=may_see_withdrawn).get(original_id, [])
    return render_template(
        "documents/show.html", meeting=meeting, document=document, versions=versions, latest=latest,
        family=queries.family_of(document, include_withdrawn=may_see_withdrawn),
        original=original if original is not None and permissions.can_view_document(current_user, original) else None,
        reissues=reissues, latest_revision=queries.latest_revision(reissues), preview=_preview(latest),
        file_type=storage.TYPES.get(latest.file_type) if latest else None,
        cited_in=queries.posts_citing(current_user, document),
    )


def _preview(version: DocumentVersion | None) -> dict[str, Any] | None:
    """Text and Markdown shown on the page: text escaped by the template, Markdown rendered without
    raw HTML and cleaned with nh3 all the same."""
    if version is None or version.file_type not in ("txt", "md", "csv"):
        return None
    import nh3

    try:
        text, cut = storage.read_text(version.sha256, PREVIEW_BYTES)
    except DomainError:
        return None
    if version.file_type == "md":
        return {"html": Markup(nh3.clean(_markdown.render(text))), "cut": cut}
    return {"text": text, "cut": cut}


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/row")
@login_required
def show_document_row(meeting_id: int, document_id: int):
    """One row of a documents table, for pages that add a newly published document without a reload."""
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    if document.is_withdrawn:
        abort(404)
    by_language = request.args.get("language") == "1"
    return render_template("documents/_row.html", meeting=meeting, doc=document, show_space=True,
                           **_row_context([document], languages=not by_language))


# --- files ---------------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/download")
@login_required
def download_document(meeting_id: int, document_id: int):
    """The latest version."""
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    version = queries.version(document, document.current_version)
    if version is None:
        abort(404)
    return _send(version)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/versions/<int:number>")
@login_required
def download_version(meeting_id: int, document_id: int, number: int):
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    version = queries.version(document, number)
    if version is None:
        abort(404)
    return _send(version)


def _send(version: DocumentVersion) -> Response:
    """The stored file with the detected type; PDFs, text and images open in the browser (unless
    ?download=1), everything else downloads. Nothing is ever sniffed."""
    file_type = storage.TYPES.get(version.file_type)
    path = storage.open_blob(version.sha256)
    inline = bool(file_type and file_type.inline) and request.args.get("download") != "1"
    response = send_file(path, mimetype=file_type.mime if file_type else "application/octet-stream",
                         as_attachment=not inline, download_name=version.filename, conditional=True,
                         etag=version.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline and file_type and file_type.code != "pdf":
        response.headers["Content-Security-Policy"] = INLINE_CSP
    return response


# --- uploading -----------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/documents/new", methods=["GET", "POST"])
@login_required
def upload_document(meeting_id: int):
    meeting = load_meeting(meeting_id)
    spaces = queries.uploadable_spaces(current_user, meeting)
    if not spaces:
        abort(403)
    official_spaces = {s.id for s in spaces if permissions.can_publish_official_document(current_user, s)}
    chosen = request.args.get("space", type=int)
    form = DocumentForm(data={"space_id": chosen} if chosen and request.method == "GET" else None)
    form.space_id.choices = [(s.id, s.name) for s in spaces]
    form.agenda_item_id.choices = _agenda_choices(meeting)
    form.draft_id.choices = _draft_choices(meeting)
    form.file.description = _file_hint()
    status = 200
    official = bool(official_spaces) and form.kind.data == DocumentKind.official.value
    if form.is_submitted() and official and form.space_id.data not in official_spaces:
        form.kind.errors = [*form.kind.errors, _("Official documents are published in the plenary.")]
    elif form.validate_on_submit():
        space = db.session.get(Space, form.space_id.data)
        assert space is not None
        file, filename = _upload(form)
        document, status = _attempt(form, lambda: services.publish_document(
            current_user, space, kind=form.kind.data if official_spaces else DocumentKind.working.value,
            title=form.title.data, language=form.language.data, file=file, filename=filename,
            symbol=form.symbol.data, description=form.description.data or "",
            agenda_item_id=form.agenda_item_id.data or None, note=form.note.data or "",
            draft_id=form.draft_id.data or None))
        if document is not None:
            flash(_("Document shared."), "success")
            return _to_document(meeting, document)
    return render_template("documents/upload.html", meeting=meeting, form=form, can_publish_official=bool(
        official_spaces), prefix=meeting.symbol_prefix), _status(form, status)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/versions/new", methods=["GET", "POST"])
@login_required
def add_document_version(meeting_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    if not permissions.can_add_document_version(current_user, document):
        abort(403)
    _refuse_versions(document)
    form = VersionForm()
    form.file.description = _file_hint()
    status = 200
    if form.validate_on_submit():
        file, filename = _upload(form)
        version, status = _attempt(form, lambda: services.add_version(
            current_user, document, file=file, filename=filename, note=form.note.data or ""))
        if version is not None:
            flash(_("Version %(n)d added.", n=version.number), "success")
            return _to_document(meeting, document)
    return render_template("documents/form.html", meeting=meeting, document=document, form=form,
                           title=_("New version of “%(title)s”", title=document.title),
                           action=url_for("documents.add_document_version", meeting_id=meeting.id,
                                          document_id=document.id),
                           button=_("Add the version"),
                           intro=_("The earlier versions stay downloadable; nothing is overwritten.")), \
        _status(form, status)


def _refuse_versions(document: Document) -> None:
    """Say at once why a document takes no versions (the service says the same on a POST)."""
    if document.is_official:
        raise InvalidState(_("An official document is never replaced. Reissue it as a revision, corrigendum "
                             "or addendum instead."))
    if document.is_withdrawn:
        raise InvalidState(_("This document has been withdrawn: no new version can be added to it."))


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/reissue", methods=["GET", "POST"])
@login_required
def reissue_document(meeting_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    if not permissions.can_reissue_document(current_user, document):
        abort(403)
    form = ReissueForm(data={"language": document.language.value, "title": document.title}
                       if request.method == "GET" else None)
    form.file.description = _file_hint()
    status = 200
    if form.validate_on_submit():
        file, filename = _upload(form)
        reissue, status = _attempt(form, lambda: services.reissue_document(
            current_user, document, reissue_kind=form.reissue_kind.data, title=form.title.data,
            language=form.language.data, file=file, filename=filename, description=form.description.data or ""))
        if reissue is not None:
            flash(_("Reissued as %(symbol)s.", symbol=reissue.symbol), "success")
            return _to_document(meeting, reissue)
    original = document.reissue_of or document.variant_of or document
    return render_template("documents/form.html", meeting=meeting, document=document, form=form,
                           title=_("Reissue %(symbol)s", symbol=original.symbol),
                           action=url_for("documents.reissue_document", meeting_id=meeting.id,
                                          document_id=document.id),
                           button=_("Reissue"),
                           intro=_("The original stays as it is. The reissue gets the next symbol: "
                                   "%(symbol)s(Rev.N), %(symbol)s(Corr.) or %(symbol)s/Add.N.",
                                   symbol=original.symbol)), _status(form, status)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/languages/new", methods=["GET", "POST"])
@login_required
def add_language_version(meeting_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    if not permissions.can_add_language_version(current_user, document):
        abort(403)
    form = LanguageVersionForm()
    form.file.description = _file_hint()
    status = 200
    if form.validate_on_submit():
        file, filename = _upload(form)
        variant, status = _attempt(form, lambda: services.add_language_version(
            current_user, document, language=form.language.data, title=form.title.data, file=file,
            filename=filename, description=form.description.data or ""))
        if variant is not None:
            flash(_("Language version added."), "success")
            return _to_document(meeting, variant)
    return render_template("documents/form.html", meeting=meeting, document=document, form=form,
                           title=_("Add a language version of “%(title)s”", title=document.title),
                           action=url_for("documents.add_language_version", meeting_id=meeting.id,
                                          document_id=document.id),
                           button=_("Add the language version"),
                           intro=_("The same document in another language, listed with it under one entry.")), \
        _status(form, status)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_document(meeting_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    document = _document(meeting, document_id)
    if document.is_withdrawn:
        raise InvalidState(_("This document has already been withdrawn."))
    if not permissions.can_withdraw_document(current_user, document):
        abort(403)
    form = WithdrawForm()
    status = 200
    if form.validate_on_submit():
        withdrawn, status = _attempt(form, lambda: services.withdraw_document(
            current_user, document, reason=form.reason.data))
        if withdrawn is not None:
            flash(_("Document withdrawn. It no longer appears in the lists; the audit log keeps the record."),
                  "success")
            return redirect(url_for("documents.list_documents", meeting_id=meeting.id))
    variants = [d for d in queries.family_of(document) if d.id != document.id] if document.variant_of_id is None \
        else []
    return render_template("documents/withdraw.html", meeting=meeting, document=document, form=form,
                           variants=variants), _status(form, status)


# --- attachments to discussion posts --------------------------------------------------------------

@bp.app_template_global()
def post_attachments(post: Any) -> list[dict[str, Any]]:
    """A post's attachments as its reader may see them (for the thread page: one query per thread)."""
    from forum.discussions.models import Thread

    cache = g.setdefault("_post_attachments", {})
    if post.thread_id not in cache:
        # The thread is kept with its attachments so that the permission checks below find it in the
        # session instead of loading it again for every post.
        cache[post.thread_id] = (db.session.get(Thread, post.thread_id),
                                 queries.attachments_in_thread(post.thread_id))
    documents = cache[post.thread_id][1].get(post.id, [])
    removable = bool(documents) and permissions.can_detach_document(current_user, post)
    return [{"document": d, "visible": permissions.can_view_document(current_user, d), "removable": removable}
            for d in documents]


def _post(meeting: Meeting, post_id: int) -> tuple[Any, Any]:
    """The post and its thread, or 404 unless the reader sees them (a removed post: its moderators)."""
    from forum.discussions.models import Post, Thread

    post = db.session.get(Post, post_id)
    thread = db.session.get(Thread, post.thread_id) if post is not None else None
    if (post is None or thread is None or thread.meeting_id != meeting.id
            or not permissions.can_view_thread(current_user, thread)
            or (post.removed_at is not None and not permissions.can_view_post_history(current_user, post))):
        abort(404)
    return post, thread


def _attachments_page(meeting: Meeting, post: Any, thread: Any, form: AttachForm | None = None, status: int = 200):
    can_attach = permissions.can_detach_document(current_user, post)
    if can_attach and form is None:
        form = AttachForm(formdata=None)
    if form is not None:
        form.document_id.choices = [(d.id, f"{d.symbol} — {d.title}" if d.symbol else d.title)
                                    for d in queries.attachable_documents(current_user, thread)]
    return render_template("documents/post_attachments.html", meeting=meeting, post=post, thread=thread,
                           attachments=post_attachments(post), form=form if can_attach else None), status


@bp.route("/meetings/<int:meeting_id>/posts/<int:post_id>/attachments")
@login_required
def show_post_attachments(meeting_id: int, post_id: int):
    meeting = load_meeting(meeting_id)
    post, thread = _post(meeting, post_id)
    return _attachments_page(meeting, post, thread)


@bp.route("/meetings/<int:meeting_id>/posts/<int:post_id>/attachments", methods=["POST"])
@login_required
def attach_document(meeting_id: int, post_id: int):
    meeting = load_meeting(meeting_id)
    post, thread = _post(meeting, post_id)
    if not permissions.can_detach_document(current_user, post):
        abort(403)
    form = AttachForm()
    status = 200
    if form.validate_on_submit():
        document = db.session.get(Document, form.document_id.data)
        if document is None or document.meeting_id != meeting.id:
            abort(404)
        attached, status = _attempt(form, lambda: services.attach_document(current_user, post, document))
        if attached is not None:
            flash(_("Document attached."), "success")
            return redirect(url_for("documents.show_post_attachments", meeting_id=meeting.id, post_id=post.id))
    return _attachments_page(meeting, post, thread, form, _status(form, status))


@bp.route("/meetings/<int:meeting_id>/posts/<int:post_id>/attachments/<int:document_id>/detach",
          methods=["GET", "POST"])
@login_required
def detach_document(meeting_id: int, post_id: int, document_id: int):
    meeting = load_meeting(meeting_id)
    post, thread = _post(meeting, post_id)
    if not permissions.can_detach_document(current_user, post):
        abort(403)
    document = next((a["document"] for a in post_attachments(post) if a["document"].id == document_id), None)
    if document is None:
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.detach_document(current_user, post, document)
        flash(_("Attachment removed. The document itself stays where it is."), "success")
        return redirect(url_for("documents.show_post_attachments", meeting_id=meeting.id, post_id=post.id))
    return render_template("documents/detach.html", meeting=meeting, post=post, thread=thread, document=document,
                           form=form)


meeting_link("documents.list_documents", _l("Documents"), permissions.can_view_meeting)
