"""Reads about documents. Every list is filtered by the reader's spaces inside the SQL, so counts,
pages and search results never include what the reader may not see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from forum import permissions
from forum.documents.models import Document, DocumentKind, DocumentLanguage, DocumentVersion, ReissueKind
from forum.extensions import db
from forum.meetings.models import AgendaItem, Meeting, Space, SpaceKind

SORTS = {
    "newest": (Document.created_at.desc(), Document.id.desc()),
    "oldest": (Document.created_at.asc(), Document.id.asc()),
    "symbol": (Document.symbol.asc().nulls_last(), Document.title.asc(), Document.id.asc()),
    "title": (Document.title.asc(), Document.id.asc()),
}


def readable_space_ids(user: Any, meeting: Meeting) -> frozenset[int]:
    return permissions.visible_space_ids(user, meeting)


def withdrawn_space_ids(user: Any, meeting: Meeting) -> frozenset[int]:
    """Spaces whose withdrawn documents the user may still retrieve."""
    spaces = db.session.scalars(sa.select(Space).where(Space.id.in_(readable_space_ids(user, meeting))))
    return frozenset(s.id for s in spaces if permissions.can_view_withdrawn_in_space(user, s))


def _loaded(stmt: sa.Select) -> sa.Select:
    return stmt.options(joinedload(Document.space), joinedload(Document.agenda_item), joinedload(Document.owner))


def visible_documents(user: Any, meeting: Meeting, *, space_id: int | None = None,
                      language: DocumentLanguage | None = None, agenda_item_id: int | None = None,
                      kind: DocumentKind | None = None, q: str = "", sort: str = "newest",
                      space_ids: Iterable[int] | None = None) -> sa.Select:
    """The meeting's documents the user may see, not withdrawn, one row per document family unless
    a language is asked for (then one row per document in that language)."""
    allowed = readable_space_ids(user, meeting) if space_ids is None else frozenset(space_ids)
    stmt = sa.select(Document).where(Document.meeting_id == meeting.id, Document.space_id.in_(allowed),
                                     Document.withdrawn_at.is_(None))
    if language is not None:
        stmt = stmt.where(Document.language == language)
    else:
        stmt = stmt.where(Document.variant_of_id.is_(None))
    if space_id is not None:
        stmt = stmt.where(Document.space_id == space_id)
    if agenda_item_id is not None:
        stmt = stmt.where(Document.agenda_item_id == agenda_item_id)
    if kind is not None:
        stmt = stmt.where(Document.kind == kind)
    q = q.strip()
    if q:
        variant = aliased(Document)

        def matches(d: Any) -> Any:
            return sa.or_(d.symbol.icontains(q, autoescape=True), d.title.icontains(q, autoescape=True))

        # A family is found by any of its language versions' titles.
        stmt = stmt.where(sa.or_(matches(Document), Document.id.in_(
            sa.select(variant.variant_of_id).where(variant.variant_of_id.is_not(None), variant.withdrawn_at.is_(None),
                                                   variant.space_id.in_(allowed), matches(variant)))))
    return _loaded(stmt.order_by(*SORTS.get(sort, SORTS["newest"])))


def withdrawn_documents(user: Any, meeting: Meeting) -> sa.Select:
    """Withdrawn documents the user may still retrieve (the secretariat; a caucus's own group)."""
    return _loaded(sa.select(Document).where(
        Document.meeting_id == meeting.id, Document.space_id.in_(withdrawn_space_ids(user, meeting)),
        Document.withdrawn_at.is_not(None),
    ).order_by(Document.withdrawn_at.desc(), Document.id.desc())).options(joinedload(Document.withdrawn_by))


def family_of(document: Document, *, include_withdrawn: bool = False) -> list[Document]:
    """The document's language versions, the lead first."""
    lead_id = document.lead_id
    stmt = sa.select(Document).where(sa.or_(Document.id == lead_id, Document.variant_of_id == lead_id))
    if not include_withdrawn:
        stmt = stmt.where(Document.withdrawn_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Document.variant_of_id.is_not(None), Document.language,
                                                 Document.id)))


def languages_of(lead_ids: Iterable[int]) -> dict[int, list[Document]]:
    """For each family lead, its visible language versions (the lead included), in one query."""
    ids = list(lead_ids)
    result: dict[int, list[Document]] = defaultdict(list)
    if not ids:
        return result
    stmt = sa.select(Document).where(
        sa.or_(Document.id.in_(ids), Document.variant_of_id.in_(ids)), Document.withdrawn_at.is_(None)
    ).order_by(Document.language, Document.id)
    for doc in db.session.scalars(stmt):
        result[doc.lead_id].append(doc)
    return result


def latest_versions(document_ids: Iterable[int]) -> dict[int, DocumentVersion]:
    ids = list(document_ids)
    if not ids:
        return {}
    stmt = (sa.select(DocumentVersion)
            .join(Document, sa.and_(Document.id == DocumentVersion.document_id,
                                    Document.current_version == DocumentVersion.number))
            .where(Document.id.in_(ids)))
    return {v.document_id: v for v in db.session.scalars(stmt)}


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(db.session.scalars(sa.select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                                   .options(joinedload(DocumentVersion.uploaded_by))
                                   .order_by(DocumentVersion.number.desc())))


def version(document: Document, number: int) -> DocumentVersion | None:
    return db.session.scalars(sa.select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number)).first()


def reissues_of(original_ids: Iterable[int], *, include_withdrawn: bool = False) -> dict[int, list[Document]]:
    """Each original's reissue leads, in the order they were issued."""
    ids = list(original_ids)
    result: dict[int, list[Document]] = defaultdict(list)
    if not ids:
        return result
    stmt = sa.select(Document).where(Document.reissue_of_id.in_(ids), Document.variant_of_id.is_(None))
    if not include_withdrawn:
        stmt = stmt.where(Document.withdrawn_at.is_(None))
    for doc in db.session.scalars(stmt.order_by(Document.created_at, Document.id)):
        result[doc.reissue_of_id].append(doc)  # type: ignore[index]
    return result


def latest_revision(reissues: list[Document]) -> Document | None:
    """The revision in force: the highest-numbered one not withdrawn (the secretariat's page lists
    withdrawn reissues too, but a withdrawn revision supersedes nothing)."""
    revisions = [d for d in reissues if d.reissue_kind is ReissueKind.revision and not d.is_withdrawn]
    return max(revisions, key=lambda d: d.reissue_number or 0) if revisions else None


def status_marks(documents: Iterable[Document]) -> dict[int, dict[str, Any]]:
    """What a list says next to each document: "superseded by …(Rev.2)", "latest revision"."""
    docs = list(documents)
    originals = {d.original_id for d in docs if d.is_official}
    reissues = reissues_of(originals)
    marks: dict[int, dict[str, Any]] = {}
    for d in docs:
        if not d.is_official or (d.reissue_kind is not None and d.reissue_kind is not ReissueKind.revision):
            continue
        latest = latest_revision(reissues.get(d.original_id, []))
        if latest is None:
            continue
        if d.reissue_kind is ReissueKind.revision and d.reissue_number == latest.reissue_number:
            marks[d.id] = {"latest": True}
        else:
            marks[d.id] = {"superseded_by": latest}
    return marks


def agenda_items(meeting_id: int) -> list[AgendaItem]:
    return list(db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                                   .order_by(AgendaItem.position, AgendaItem.id)))


def uploadable_spaces(user: Any, meeting: Meeting) -> list[Space]:
    from forum.meetings.queries import SPACE_ORDER, spaces_of_meeting

    spaces = [s for s in db.session.scalars(spaces_of_meeting(meeting.id))
              if permissions.can_upload_to_space(user, s)]
    return sorted(spaces, key=lambda s: (SPACE_ORDER[s.kind], s.name))


def readable_spaces(user: Any, meeting: Meeting) -> list[Space]:
    from forum.meetings.queries import SPACE_ORDER

    ids = readable_space_ids(user, meeting)
    spaces = list(db.session.scalars(sa.select(Space).where(Space.id.in_(ids))))
    return sorted(spaces, key=lambda s: (SPACE_ORDER[s.kind], s.name))


def sha_is_recorded(sha256: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DocumentVersion)
                             .where(DocumentVersion.sha256 == sha256)) > 0


# --- attachments to discussion posts ---------------------------------------------------------------

def attachments_of_posts(post_ids: Iterable[int]) -> dict[int, list[Document]]:
    """Each post's attached documents, in one query. Callers show only those the reader may see."""
    from forum.documents.models import PostAttachment

    ids = list(post_ids)
    result: dict[int, list[Document]] = defaultdict(list)
    if not ids:
        return result
    stmt = (sa.select(PostAttachment.post_id, Document).join(Document, Document.id == PostAttachment.document_id)
            .where(PostAttachment.post_id.in_(ids)).options(joinedload(Document.space))
            .order_by(PostAttachment.created_at, PostAttachment.id))
    for post_id, document in db.session.execute(stmt):
        result[post_id].append(document)
    return result


def attachable_documents(user: Any, thread: Any) -> list[Document]:
    """What the reader may attach in this thread: documents of its space and of the plenary, not withdrawn."""
    meeting = db.session.get(Meeting, thread.meeting_id)
    plenary = db.session.scalars(sa.select(Space.id).where(Space.meeting_id == thread.meeting_id,
                                                           Space.kind == SpaceKind.plenary)).first()
    allowed = readable_space_ids(user, meeting) & {thread.space_id, plenary}
    return list(db.session.scalars(visible_documents(user, meeting, space_ids=allowed, sort="symbol")).unique())


def posts_citing(user: Any, document: Document) -> list[tuple[Any, Any]]:
    """(post, thread) pairs the document is attached to, that the reader may see."""
    from forum.discussions.models import Post, Thread
    from forum.documents.models import PostAttachment

    stmt = (sa.select(Post, Thread).join(PostAttachment, PostAttachment.post_id == Post.id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(PostAttachment.document_id == document.id, Post.removed_at.is_(None),
                   Thread.space_id.in_(readable_space_ids(user, db.session.get(Meeting, document.meeting_id))))
            .order_by(Post.created_at))
    return [(post, thread) for post, thread in db.session.execute(stmt)]


def attachments_in_thread(thread_id: int) -> dict[int, list[Document]]:
    """Every post's attachments in a thread, in one query (a thread page asks once, whatever its length)."""
    from forum.discussions.models import Post
    from forum.documents.models import PostAttachment

    result: dict[int, list[Document]] = defaultdict(list)
    stmt = (sa.select(PostAttachment.post_id, Document).join(Document, Document.id == PostAttachment.document_id)
            .join(Post, Post.id == PostAttachment.post_id).where(Post.thread_id == thread_id)
            .options(joinedload(Document.space)).order_by(PostAttachment.created_at, PostAttachment.id))
    for post_id, document in db.session.execute(stmt):
        result[post_id].append(document)
    return result
