"""API operations on documents: list, upload, versions, reissues and downloads (rules 9 and 14).

Adapters only: the same permission functions as the pages (a document is seen by its space's
members alone; withdrawn ones by the secretariat, or in a caucus by its members) and the same
services (forum/documents/services.py) inside `unit_of_work()`. Uploads are `multipart/form-data`
with the file in `file`; a document the caller may not see answers 404, like the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request, send_file, url_for

from forum import permissions
from forum.api.core import ApiBlueprint, actor, paginate
from forum.api.discussions import resolve_space
from forum.api.meetings import current_meeting, in_meeting
from forum.api.schemas import (
    REISSUES,
    DocumentPageSchema,
    DocumentQuerySchema,
    DocumentSchema,
    DocumentUploadSchema,
    ReissueUploadSchema,
    VersionUploadSchema,
)
from forum.db import unit_of_work
from forum.documents import queries, services, storage
from forum.documents.models import Document, DocumentKind, DocumentLanguage, DocumentVersion
from forum.errors import NotAllowed, NotFound, ValidationFailed
from forum.extensions import db

blp = ApiBlueprint("api_documents", __name__, tag="Documents",
                   description="Official documents and working files in the spaces of a meeting.")

MULTIPART = "multipart/form-data"
FILE_TYPES = sorted({t.mime.split(";")[0] for t in storage.TYPES.values()} | {"application/octet-stream"})


def load_document(document_id: int) -> Document:
    """The document, or 404 for those who may not see it (ids reveal nothing)."""
    document = db.session.get(Document, document_id)
    if document is None or not permissions.can_view_document(actor(), document):
        raise NotFound("No such document.")
    g.api_document = document
    return document


def on_document(check: Callable[[Any, Document], bool] | None = None, message: str = "") -> Callable:
    """Gate an operation under /documents/<document_id>: 404 unless the caller sees it, then 403
    unless `check(user, document)`; above `blp.arguments`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            document = load_document(kwargs["document_id"])
            if check is not None and not check(actor(), document):
                raise NotAllowed(message)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def uploaded() -> Any:
    """The file of a multipart request, or a 422 naming the `file` field."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed("Choose a file.", {"file": ["Send the file in the multipart field `file`."]})
    return file


# --- shapes ------------------------------------------------------------------------------------------

def document_summary_out(d: Document) -> dict[str, Any]:
    return {
        "id": d.id, "meeting_id": d.meeting_id, "space": d.space_id, "space_kind": d.space.kind.value,
        "kind": d.kind.value, "symbol": d.symbol, "language": d.language.value, "title": d.title,
        "description": d.description, "draft_id": d.draft_id, "agenda_item_id": d.agenda_item_id,
        "owner": d.owner.name if d.owner else None, "current_version": d.current_version, "updated_at": d.updated_at,
        "withdrawn": d.withdrawn_at is not None, "reissue_of": d.reissue_of_id,
        "reissue_kind": d.reissue_kind.value if d.reissue_kind else None, "variant_of": d.variant_of_id,
    }


def _ref(d: Document) -> dict[str, Any]:
    return {"id": d.id, "symbol": d.symbol, "language": d.language.value, "title": d.title}


def version_out(d: Document, v: DocumentVersion) -> dict[str, Any]:
    return {"number": v.number, "filename": v.filename, "size": v.size, "file_type": v.file_type, "sha256": v.sha256,
            "note": v.note, "uploaded_by": v.uploaded_by.name if v.uploaded_by else None, "created_at": v.created_at,
            "url": url_for("api_documents.download_document_version", document_id=d.id, number=v.number,
                           _external=True)}


def document_out(d: Document) -> dict[str, Any]:
    user = actor()
    family = [x for x in queries.family_of(d) if permissions.can_view_document(user, x)]
    reissues = [x for x in queries.reissues_of([d.id]).get(d.id, []) if permissions.can_view_document(user, x)]
    return {**document_summary_out(d), "versions": [version_out(d, v) for v in queries.versions_of(d)],
            "languages": [_ref(x) for x in family], "reissues": [_ref(x) for x in reissues]}


# --- operations --------------------------------------------------------------------------------------

@blp.route("/meetings/<id:meeting_id>/documents", methods=["GET"])
@blp.operation("listDocuments", 404, 422)
@in_meeting()
@blp.arguments(DocumentQuerySchema, location="query")
@blp.response(200, DocumentPageSchema)
def list_documents(args: dict[str, Any], meeting_id: int):
    """The documents of the spaces the caller belongs to, newest first (withdrawn ones left out)

    One row per document with its language versions folded in, unless `language` is given;
    `space` (an id, `plenary` or `caucus`), `kind` and `q` (symbol or title) filter.
    """
    meeting = current_meeting()
    space_id = resolve_space(meeting, args["space"]).id if args.get("space") else None
    stmt = queries.visible_documents(
        actor(), meeting, space_id=space_id, kind=DocumentKind(args["kind"]) if args.get("kind") else None,
        language=DocumentLanguage(args["language"]) if args.get("language") else None, q=args.get("q") or "")
    return paginate(stmt, args, lambda rows: [document_summary_out(d) for d in rows])


@blp.route("/meetings/<id:meeting_id>/documents", methods=["POST"])
@blp.operation("uploadDocument", 403, 404, 413, 422)
@in_meeting(lambda u, m: bool(queries.uploadable_spaces(u, m)), "You cannot share documents in this meeting.")
@blp.arguments(DocumentUploadSchema, location="form", content_type=MULTIPART)
@blp.response(201, DocumentSchema)
def upload_document(data: dict[str, Any], meeting_id: int):
    """Publish an official document or share a working file (multipart)

    `file`, `title`, `language`, `space` (an id, `plenary` or `caucus`; default `plenary`), `kind`
    (`official`: the secretariat, in the plenary, with a `symbol` of the meeting's prefix; an
    official symbol already used in another language makes this its language version; or
    `working`), `description`, `note`, `draft_id`.
    """
    space = resolve_space(current_meeting(), data["space"])
    file = uploaded()
    with unit_of_work():
        document = services.publish_document(
            actor(), space, kind=data["kind"], title=data["title"], language=data["language"], file=file.stream,
            filename=file.filename, symbol=data["symbol"] or None, description=data["description"],
            note=data["note"], draft_id=data["draft_id"])
    return document_out(db.session.get(Document, document.id))


@blp.route("/documents/<id:document_id>", methods=["GET"])
@blp.operation("getDocument", 404)
@blp.response(200, DocumentSchema)
def get_document(document_id: int):
    """A document with its versions (newest first), language versions and reissues"""
    return document_out(load_document(document_id))


@blp.route("/documents/<id:document_id>/versions", methods=["POST"])
@blp.operation("uploadDocumentVersion", 403, 404, 409, 413, 422)
@on_document(permissions.can_add_document_version, "You cannot add versions to documents in this space.")
@blp.arguments(VersionUploadSchema, location="form", content_type=MULTIPART)
@blp.response(201, DocumentSchema)
def upload_document_version(data: dict[str, Any], document_id: int):
    """Add a version to a working file (multipart `file`, `note`)

    Earlier versions stay as they were. An official document is never replaced (409: reissue it);
    a withdrawn one takes no version (409); the same file as the latest version is 422.
    """
    file = uploaded()
    with unit_of_work():
        services.add_version(actor(), g.api_document, file=file.stream, filename=file.filename, note=data["note"])
    return document_out(db.session.get(Document, document_id))


@blp.route("/documents/<id:document_id>/reissues", methods=["POST"])
@blp.operation("reissueDocument", 403, 404, 409, 413, 422)
@on_document(permissions.can_reissue_document, "Only the meeting secretariat reissues official documents.")
@blp.arguments(ReissueUploadSchema, location="form", content_type=MULTIPART)
@blp.response(201, DocumentSchema)
def reissue_document(data: dict[str, Any], document_id: int):
    """Reissue an official document (the secretariat; rule 14): multipart `file` and `reissue`

    `reissue`: `rev`, `corr` or `add`. The reissue is a new document with the next symbol
    (…(Rev.N), …(Corr.), …/Add.N), linked to the original, which stays as it was; `title` and
    `language` default to the original's.
    """
    document = g.api_document
    file = uploaded()
    with unit_of_work():
        reissue = services.reissue_document(
            actor(), document, reissue_kind=REISSUES[data["reissue"]], title=data["title"] or document.title,
            language=data.get("language") or document.language.value, file=file.stream, filename=file.filename,
            description=data["description"])
    return document_out(db.session.get(Document, reissue.id))


@blp.route("/documents/<id:document_id>/versions/<id:number>/file", methods=["GET"])
@blp.operation("downloadDocumentVersion", 404)
@on_document()
@blp.response(200, description="The file, with its detected type (nothing is sniffed).")
@blp.doc(responses={200: {"content": {mime: {"schema": {"type": "string", "format": "binary"}}
                                        for mime in FILE_TYPES}}})
def download_document_version(document_id: int, number: int):
    """Download one version of a document, as an attachment"""
    version = queries.version(g.api_document, number)
    if version is None:
        raise NotFound("No such version.")
    file_type = storage.TYPES.get(version.file_type)
    response = send_file(storage.open_blob(version.sha256),
                         mimetype=file_type.mime if file_type else "application/octet-stream", as_attachment=True,
                         download_name=version.filename, conditional=True, etag=version.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
