"""Changes to documents: publish, add a version, reissue, add a language version, withdraw.

Each service checks permission, validates (bad input changes nothing), receives the file through
storage (which moves it into place only when the transaction commits), writes the rows, records
the audit entry with the document's space (so entries about a caucus stay the caucus's, rule 11)
and queues the live event for the space's room.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from forum import permissions, realtime
from forum.audit.services import record
from forum.db import utcnow
from forum.documents import queries, storage
from forum.documents.models import (
    Document,
    DocumentKind,
    DocumentLanguage,
    DocumentVersion,
    PostAttachment,
    ReissueKind,
)
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import AgendaItem, Meeting, Space

MAX_TITLE = 300
MAX_DESCRIPTION = 5000
MAX_NOTE = 300
MAX_REASON = 500
MAX_BASE_SYMBOL = 64  # leaves room for (Rev.NN), (Corr.NN) or /Add.NN within 80
ADVISORY_SHARING = 14  # pg_advisory_xact_lock namespace: publications into one space (rule 14)
SEGMENT = re.compile(r"^[A-Z0-9][A-Z0-9.\-]*$")
REISSUE_MARKS = re.compile(r"\(|\)|(^|/)ADD\.", re.IGNORECASE)

Errors = dict[str, list[str]]


# --- symbols (rule 14) ---------------------------------------------------------------------------------

def base_symbol(meeting: Meeting, raw: str | None, errors: Errors) -> str | None:
    """A symbol typed for a new official document, checked against the meeting's pattern: its
    prefix, then one or more /-separated parts (TTMLM/2027/1, GB.316/POL/1, TTMLM/2027/INF/2).
    Reissue marks are refused here: the reissue service writes them."""
    prefix = meeting.symbol_prefix
    text = (raw or "").strip()
    example = f"{prefix}/1"
    if not text:
        errors.setdefault("symbol", []).append(
            _("Enter the document's symbol, for example %(example)s.", example=example))
        return None
    if any(c.isspace() for c in text):
        errors.setdefault("symbol", []).append(_("A symbol has no spaces, for example %(example)s.", example=example))
        return None
    if not text.upper().startswith(prefix.upper() + "/"):
        errors.setdefault("symbol", []).append(
            _("The symbol must begin with this meeting's prefix %(prefix)s/, for example %(example)s.",
              prefix=prefix, example=example))
        return None
    rest = text[len(prefix) + 1:].upper()
    if REISSUE_MARKS.search(rest):
        errors.setdefault("symbol", []).append(
            _("Revisions, corrigenda and addenda get their symbols when the original is reissued: "
              "open the original and choose Reissue."))
        return None
    parts = rest.split("/")
    if not all(SEGMENT.match(p) for p in parts):
        errors.setdefault("symbol", []).append(
            _("After the prefix, use letters, digits, dots and hyphens in parts separated by /, "
              "for example %(example)s or %(prefix)s/INF/1.", example=example, prefix=prefix))
        return None
    symbol = f"{prefix}/{'/'.join(parts)}"
    if len(symbol) > MAX_BASE_SYMBOL:
        errors.setdefault("symbol", []).append(
            _("A symbol has at most %(n)d characters.", n=MAX_BASE_SYMBOL))
        return None
    return symbol


def reissue_symbol(original: str, kind: ReissueKind, number: int) -> str:
    """TTMLM/2027/1 → TTMLM/2027/1(Rev.2), TTMLM/2027/1(Corr.), TTMLM/2027/1(Corr.2), TTMLM/2027/1/Add.1."""
    if kind is ReissueKind.revision:
        return f"{original}(Rev.{number})"
    if kind is ReissueKind.corrigendum:
        return f"{original}(Corr.)" if number == 1 else f"{original}(Corr.{number})"
    return f"{original}/Add.{number}"


# --- field checks --------------------------------------------------------------------------------------

def _enum(enum_cls: Any, value: Any, field: str, message: str, errors: Errors) -> Any:
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        errors.setdefault(field, []).append(message)
        return None


def _language(value: Any, errors: Errors) -> DocumentLanguage | None:
    return _enum(DocumentLanguage, value, "language",
                 _("Choose the document's language: English, French, Spanish or another language."), errors)


def _text(value: str | None, field: str, limit: int, errors: Errors, *, required: str | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(required)
    if len(text) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.", n=limit))
    return text


def _agenda_item(meeting: Meeting, item_id: int | None, errors: Errors) -> int | None:
    if not item_id:
        return None
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        errors.setdefault("agenda_item_id", []).append(_("Choose an agenda item of this meeting."))
        return None
    return item.id


def _raise(errors: Errors, message: str | None = None) -> None:
    if errors:
        raise ValidationFailed(message or _("The document could not be saved. Correct the marked fields."), errors)


def _symbol_taken(meeting_id: int, symbol: str, language: DocumentLanguage) -> Document | None:
    return db.session.scalars(sa.select(Document).where(
        Document.meeting_id == meeting_id, Document.symbol == symbol, Document.language == language)).first()


def _flush(field: str, message: str) -> None:
    """Flush; a unique key taken by a concurrent writer becomes the field's error (and a rollback)."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise ValidationFailed(message, {field: [message]}) from exc


def _lock(document: Document) -> Document:
    """Re-read the document under a row lock: numbering (versions, reissues) is serialised on it."""
    return db.session.scalars(sa.select(Document).where(Document.id == document.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _receive(file: BinaryIO, filename: str | None) -> storage.StagedFile:
    storage.sweep(queries.sha_is_recorded)
    return storage.receive(file, filename, session=db.session())


def _one_share_at_a_time(space: Space) -> None:
    """Publications into a space wait for each other (PostgreSQL; SQLite's write lock already does), so
    that a double submit finds the first one's document. An advisory lock, not the space's row: nothing
    else takes it, so it adds no lock-order question with the audit chain or the space's version."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:namespace, :space)"),
                           {"namespace": ADVISORY_SHARING, "space": space.id})


def _repeat(stmt: sa.Select, staged: storage.StagedFile) -> Document | None:
    """The document `stmt` finds whose current file is this very file: the same form sent twice."""
    return db.session.scalars(stmt.join(DocumentVersion, sa.and_(
        DocumentVersion.document_id == Document.id, DocumentVersion.number == Document.current_version))
        .where(DocumentVersion.sha256 == staged.sha256, Document.withdrawn_at.is_(None))
        .order_by(Document.id)).first()


def _new_version(document: Document, number: int, staged: storage.StagedFile, actor: Any, note: str
                 ) -> DocumentVersion:
    version = DocumentVersion(document_id=document.id, number=number, sha256=staged.sha256, size=staged.size,
                              file_type=staged.file_type.code, filename=staged.filename, note=note,
                              uploaded_by_id=actor.id, created_at=utcnow())
    db.session.add(version)
    return version


def _file_payload(staged: storage.StagedFile) -> dict[str, Any]:
    return {"sha256": staged.sha256, "size": staged.size, "type": staged.file_type.code, "filename": staged.filename}


def _announce(document: Document, event: str, **extra: Any) -> None:
    """Tell the space's room: a code and ids, never text; clients fetch what they may see."""
    space = db.session.get(Space, document.space_id)
    assert space is not None
    room = realtime.room("space", space.id)
    realtime.publish(room, event, {
        "room": room, "meeting_id": document.meeting_id, "space_id": space.id, "document_id": document.id,
        "lead_id": document.lead_id, "kind": document.kind.value, "language": document.language.value,
        "agenda_item_id": document.agenda_item_id, **extra,
    }, version=realtime.bump_version(space))


def _check_visible(actor: Any, document: Document) -> None:
    if not permissions.can_view_document(actor, document):
        raise NotFound(_("No such document."))


def _draft(meeting: Meeting, draft_id: int | None, actor: Any, errors: Errors) -> int | None:
    if not draft_id:
        return None
    from forum.drafting.models import Draft

    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.meeting_id != meeting.id or not permissions.can_view_draft(actor, draft):
        errors.setdefault("draft_id", []).append(_("Choose a draft of this meeting."))
        return None
    return draft.id


# --- publishing ----------------------------------------------------------------------------------------

def publish_document(actor: Any, space: Space, *, kind: DocumentKind | str, title: str,
                     language: DocumentLanguage | str, file: BinaryIO, filename: str | None,
                     symbol: str | None = None, description: str = "", agenda_item_id: int | None = None,
                     note: str = "", draft_id: int | None = None) -> Document:
    """A new document in `space`: official (the secretariat, in the plenary, with a symbol) or a
    working file. An official symbol already used in another language makes this its language version.
    The same form sent twice (same sharer, space, kind, symbol, language, title and file) returns the
    document the first one made and writes nothing more."""
    if not permissions.can_view_space(actor, space):
        raise NotFound(_("No such space."))
    meeting = db.session.get(Meeting, space.meeting_id)
    assert meeting is not None
    errors: Errors = {}
    doc_kind = _enum(DocumentKind, kind, "kind", _("Choose official document or working file."), errors)
    if doc_kind is DocumentKind.official and not permissions.can_publish_official_document(actor, space):
        raise NotAllowed(_("Only the meeting secretariat publishes official documents, in the plenary."))
    if doc_kind is not DocumentKind.official and not permissions.can_upload_to_space(actor, space):
        raise NotAllowed(_("You cannot share documents in this space."))
    lang = _language(language, errors)
    title = _text(title, "title", MAX_TITLE, errors, required=_("Enter a title."))
    description = _text(description, "description", MAX_DESCRIPTION, errors)
    note = _text(note, "note", MAX_NOTE, errors)
    item_id = _agenda_item(meeting, agenda_item_id, errors)
    related_draft = _draft(meeting, draft_id, actor, errors)
    lead: Document | None = None
    checked_symbol: str | None = None
    if doc_kind is DocumentKind.official:
        checked_symbol = base_symbol(meeting, symbol, errors)
    elif (symbol or "").strip():
        errors.setdefault("symbol", []).append(_("Working files have no symbol; leave the symbol empty."))
    staged: storage.StagedFile | None = None
    if not errors:
        _one_share_at_a_time(space)
        earlier = sa.select(Document).where(
            Document.space_id == space.id, Document.owner_id == actor.id, Document.kind == doc_kind,
            Document.language == lang, Document.title == title, Document.reissue_of_id.is_(None),
            Document.symbol == checked_symbol if checked_symbol else Document.symbol.is_(None))
        if db.session.scalars(earlier.limit(1)).first() is not None:
            staged = _receive(file, filename)
            repeat = _repeat(earlier, staged)
            if repeat is not None:
                return repeat  # a double submit: the first one stands; the file is already stored
    if doc_kind is DocumentKind.official and checked_symbol and lang:
        lead = _family_for_symbol(meeting, checked_symbol, lang, errors)
    _raise(errors)

    staged = staged or _receive(file, filename)
    now = utcnow()
    document = Document(
        meeting_id=meeting.id, space_id=space.id, kind=doc_kind, symbol=checked_symbol, language=lang,
        title=title, description=description,
        agenda_item_id=item_id if item_id or lead is None else lead.agenda_item_id,
        draft_id=related_draft if related_draft or lead is None else lead.draft_id,
        variant_of_id=lead.id if lead else None, owner_id=actor.id, current_version=1, updated_at=now,
    )
    db.session.add(document)
    _flush("symbol", _("The symbol %(symbol)s is already used in this language.", symbol=checked_symbol or ""))
    _new_version(document, 1, staged, actor, note)
    _flush("file", _("The document changed in the meantime. Try again."))
    record(actor, "document.publish", document, {
        "kind": doc_kind.value, "symbol": checked_symbol, "language": lang.value, "title": title,
        "variant_of": document.variant_of_id, "draft": document.draft_id, **_file_payload(staged),
    }, meeting_id=meeting.id, space_id=space.id)
    _announce(document, "document.published")
    return document


def _family_for_symbol(meeting: Meeting, symbol: str, language: DocumentLanguage, errors: Errors
                       ) -> Document | None:
    """The family an official symbol already names (its lead), or None; a duplicate is an error."""
    existing = list(db.session.scalars(sa.select(Document).where(
        Document.meeting_id == meeting.id, Document.symbol == symbol).order_by(Document.id)))
    if not existing:
        return None
    if any(d.language is language for d in existing):
        errors.setdefault("symbol", []).append(
            _("%(symbol)s is already used for a document in this language. Choose another symbol, or "
              "reissue that document as a revision, corrigendum or addendum.", symbol=symbol))
        return None
    lead = next((d for d in existing if d.variant_of_id is None), existing[0])
    if lead.is_withdrawn:
        errors.setdefault("symbol", []).append(
            _("%(symbol)s was withdrawn; a symbol is not used again.", symbol=symbol))
        return None
    return lead


def add_version(actor: Any, document: Document, *, file: BinaryIO, filename: str | None,
                note: str = "") -> DocumentVersion:
    """A new version of a working file; the earlier ones stay as they are."""
    _check_visible(actor, document)
    if not permissions.can_add_document_version(actor, document):
        raise NotAllowed(_("You cannot add versions to documents in this space."))
    if document.is_official:
        raise InvalidState(_("An official document is never replaced. Reissue it as a revision, corrigendum "
                             "or addendum instead."))
    if document.is_withdrawn:
        raise InvalidState(_("This document has been withdrawn: no new version can be added to it."))
    errors: Errors = {}
    note = _text(note, "note", MAX_NOTE, errors)
    _raise(errors, _("The version could not be saved."))
    document = _lock(document)
    if document.is_withdrawn:
        raise InvalidState(_("This document has been withdrawn: no new version can be added to it."))
    staged = _receive(file, filename)
    latest = db.session.scalars(sa.select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == document.current_version)).first()
    if latest is not None and latest.sha256 == staged.sha256:
        message = _("This file is the same as version %(n)d. Choose the changed file.", n=latest.number)
        raise ValidationFailed(message, {"file": [message]})
    number = document.current_version + 1
    version = _new_version(document, number, staged, actor, note)
    document.current_version = number
    document.updated_at = utcnow()
    realtime.bump_version(document)
    _flush("file", _("Someone added a version at the same moment. Try again."))
    record(actor, "document.add_version", document, {"number": number, "note": note, **_file_payload(staged)},
           meeting_id=document.meeting_id, space_id=document.space_id)
    _announce(document, "document.updated", number=number)
    return version


def reissue_document(actor: Any, document: Document, *, reissue_kind: ReissueKind | str, title: str,
                     language: DocumentLanguage | str, file: BinaryIO, filename: str | None,
                     description: str = "") -> Document:
    """Reissue an official document (rule 14): a new document with the next …(Rev.N), …(Corr.) or
    …/Add.N symbol, linked to the original, which stays as it was. The same reissue sent twice (same
    kind, language, title and file) returns the first: a double click never takes the next number."""
    _check_visible(actor, document)
    if not permissions.can_reissue_document(actor, document):
        raise NotAllowed(_("Only the meeting secretariat reissues official documents."))
    original = document.reissue_of or document.variant_of or document
    if original.is_withdrawn:
        raise InvalidState(_("The original has been withdrawn; it cannot be reissued."))
    errors: Errors = {}
    kind = _enum(ReissueKind, reissue_kind, "reissue_kind",
                 _("Choose revision, corrigendum or addendum."), errors)
    lang = _language(language, errors)
    title = _text(title, "title", MAX_TITLE, errors, required=_("Enter a title."))
    description = _text(description, "description", MAX_DESCRIPTION, errors)
    _raise(errors, _("The reissue could not be saved. Correct the marked fields."))
    original = _lock(original)
    staged = _receive(file, filename)
    repeat = _repeat(sa.select(Document).where(
        Document.reissue_of_id == original.id, Document.reissue_kind == kind, Document.variant_of_id.is_(None),
        Document.language == lang, Document.title == title), staged)
    if repeat is not None:
        return repeat  # a double submit: the first reissue stands
    number = 1 + (db.session.scalar(sa.select(sa.func.max(Document.reissue_number)).where(
        Document.reissue_of_id == original.id, Document.reissue_kind == kind)) or 0)
    assert original.symbol is not None
    symbol = reissue_symbol(original.symbol, kind, number)
    reissue = Document(
        meeting_id=original.meeting_id, space_id=original.space_id, kind=DocumentKind.official, symbol=symbol,
        language=lang, title=title, description=description, agenda_item_id=original.agenda_item_id,
        reissue_of_id=original.id, reissue_kind=kind, reissue_number=number, owner_id=actor.id,
        current_version=1, updated_at=utcnow(),
    )
    db.session.add(reissue)
    _flush("symbol", _("The symbol %(symbol)s is already used in this language.", symbol=symbol))
    _new_version(reissue, 1, staged, actor, "")
    record(actor, "document.reissue", reissue, {
        "original": original.id, "original_symbol": original.symbol, "reissue_kind": kind.value,
        "number": number, "symbol": symbol, "language": lang.value, "title": title, **_file_payload(staged),
    }, meeting_id=original.meeting_id, space_id=original.space_id)
    _announce(reissue, "document.published")
    return reissue


def add_language_version(actor: Any, document: Document, *, language: DocumentLanguage | str, title: str,
                         file: BinaryIO, filename: str | None, description: str = "") -> Document:
    """The same document in another language: same symbol, space and agenda item, its own file."""
    _check_visible(actor, document)
    if not permissions.can_add_language_version(actor, document):
        raise NotAllowed(_("You cannot add language versions to this document."))
    lead = document.variant_of or document
    if lead.is_withdrawn or document.is_withdrawn:
        raise InvalidState(_("This document has been withdrawn: no language version can be added to it."))
    errors: Errors = {}
    lang = _language(language, errors)
    title = _text(title, "title", MAX_TITLE, errors, required=_("Enter a title."))
    description = _text(description, "description", MAX_DESCRIPTION, errors)
    lead = _lock(lead)
    if lang is not None:
        family = db.session.scalars(sa.select(Document.language).where(
            sa.or_(Document.id == lead.id, Document.variant_of_id == lead.id)))
        if lang in set(family) and lang is not DocumentLanguage.other:
            errors.setdefault("language", []).append(_("This document already has a version in this language."))
    _raise(errors, _("The language version could not be saved. Correct the marked fields."))
    staged = _receive(file, filename)
    variant = Document(
        meeting_id=lead.meeting_id, space_id=lead.space_id, kind=lead.kind, symbol=lead.symbol, language=lang,
        title=title, description=description, agenda_item_id=lead.agenda_item_id, reissue_of_id=lead.reissue_of_id,
        reissue_kind=lead.reissue_kind, reissue_number=lead.reissue_number, variant_of_id=lead.id,
        owner_id=actor.id, current_version=1, updated_at=utcnow(),
    )
    db.session.add(variant)
    _flush("language", _("This document already has a version in this language."))
    _new_version(variant, 1, staged, actor, "")
    record(actor, "document.add_language", variant, {
        "lead": lead.id, "symbol": lead.symbol, "language": lang.value, "title": title, **_file_payload(staged),
    }, meeting_id=lead.meeting_id, space_id=lead.space_id)
    _announce(variant, "document.published")
    return variant


def withdraw_document(actor: Any, document: Document, *, reason: str) -> list[Document]:
    """Withdraw a document (with its language versions when it leads them): it leaves every list,
    keeps its versions and its place in the audit log. Returns what was withdrawn."""
    _check_visible(actor, document)
    if document.is_withdrawn:
        raise InvalidState(_("This document has already been withdrawn."))
    if not permissions.can_withdraw_document(actor, document):
        raise NotAllowed(_("Only the secretariat or the document's owner may withdraw it."))
    errors: Errors = {}
    reason = _text(reason, "reason", MAX_REASON, errors, required=_("Say why the document is withdrawn."))
    _raise(errors, _("The document was not withdrawn."))
    document = _lock(document)
    if document.is_withdrawn:
        raise InvalidState(_("This document has already been withdrawn."))
    withdrawn = [document]
    if document.variant_of_id is None:
        withdrawn += list(db.session.scalars(sa.select(Document).where(
            Document.variant_of_id == document.id, Document.withdrawn_at.is_(None))))
    now = utcnow()
    for doc in withdrawn:
        doc.withdrawn_at, doc.withdrawn_by_id, doc.withdrawn_reason = now, actor.id, reason
        realtime.bump_version(doc)
    db.session.flush()
    record(actor, "document.withdraw", document, {
        "symbol": document.symbol, "title": document.title, "reason": reason,
        "with_language_versions": [d.id for d in withdrawn[1:]],
    }, meeting_id=document.meeting_id, space_id=document.space_id)
    _announce(document, "document.withdrawn", withdrawn=[d.id for d in withdrawn])
    return withdrawn


# --- attachments to discussion posts ---------------------------------------------------------------------

def _post_space(post: Any) -> tuple[Any, Space]:
    from forum.discussions.models import Thread

    thread = db.session.get(Thread, post.thread_id)
    assert thread is not None
    space = db.session.get(Space, thread.space_id)
    assert space is not None
    return thread, space


def attach_document(actor: Any, post: Any, document: Document) -> PostAttachment:
    """Attach a document to a post: the post's author, a document they see, of the post's space or of
    the plenary. A caucus document is refused in any other space as if it did not exist."""
    thread, space = _post_space(post)
    if not permissions.can_view_space(actor, space):
        raise NotFound(_("No such post."))
    if not permissions.can_view_document(actor, document) or document.meeting_id != thread.meeting_id:
        raise NotFound(_("No such document."))
    if document.is_withdrawn:
        raise InvalidState(_("This document has been withdrawn: it cannot be attached."))
    if not permissions.can_attach_document(actor, post, document):
        if not permissions.can_detach_document(actor, post):
            raise NotAllowed(_("Only the post's author attaches documents to it."))
        message = _("Only documents of this space or of the plenary can be attached here.")
        raise ValidationFailed(message, {"document_id": [message]})
    if db.session.scalars(sa.select(PostAttachment.id).where(
            PostAttachment.post_id == post.id, PostAttachment.document_id == document.id)).first():
        message = _("This document is already attached to the post.")
        raise ValidationFailed(message, {"document_id": [message]})
    attachment = PostAttachment(post_id=post.id, document_id=document.id, attached_by_id=actor.id)
    db.session.add(attachment)
    _flush("document_id", _("This document is already attached to the post."))
    record(actor, "post.attach_document", post, {"document": document.id, "symbol": document.symbol,
                                                 "title": document.title, "thread": thread.id},
           meeting_id=thread.meeting_id, space_id=space.id)
    return attachment


def detach_document(actor: Any, post: Any, document: Document) -> None:
    thread, space = _post_space(post)
    if not permissions.can_view_space(actor, space):
        raise NotFound(_("No such post."))
    attachment = db.session.scalars(sa.select(PostAttachment).where(
        PostAttachment.post_id == post.id, PostAttachment.document_id == document.id)).first()
    if attachment is None:
        raise NotFound(_("This document is not attached to the post."))
    if not permissions.can_detach_document(actor, post):
        raise NotAllowed(_("Only the post's author removes its attachments."))
    db.session.delete(attachment)
    record(actor, "post.detach_document", post, {"document": document.id, "thread": thread.id},
           meeting_id=thread.meeting_id, space_id=space.id)
