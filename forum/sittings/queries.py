"""Reads about live sittings: the agenda, the current item, the speakers list, and the snapshot
(`state`) a client receives on `join`/`snapshot` — the same shape the pages start from.

The snapshot is per user: the officers' part (the Chair's script, the officers' messages,
speaking time, who is connected) is included only for those who may see it. It is built from a
part that every member of the sitting receives alike (kept in memory per sitting version, see
`shared_state`) and a small part for the reader (rights, the vote, the officers' and Chair's parts).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from forum import permissions, presence, realtime
from forum.db import utcnow
from forum.drafting import diff, marshalling
from forum.drafting import queries as drafting_queries
from forum.drafting.drafts import amendment_label
from forum.drafting.models import Amendment, AmendmentKind, Draft, Paragraph
from forum.extensions import db
from forum.meetings.models import Meeting, Participant, Sitting
from forum.sittings import speakers
from forum.sittings.models import (
    OPEN_REQUESTS,
    LiveSitting,
    OfficerMessage,
    RequestState,
    ScriptNote,
    SpeakerRequest,
)

OFFICER_MESSAGES_SHOWN = 50


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def live_of(sitting: Sitting | int) -> LiveSitting | None:
    sitting_id = sitting if isinstance(sitting, int) else sitting.id
    return db.session.scalars(sa.select(LiveSitting).where(LiveSitting.sitting_id == sitting_id)).first()


def sittings_of_meeting(meeting_id: int) -> sa.Select:
    return sa.select(Sitting).where(Sitting.meeting_id == meeting_id).order_by(Sitting.starts_at, Sitting.id)


def agenda(draft: Draft) -> list[dict[str, Any]]:
    """Every paragraph in document order, each followed by its circulated amendments in the
    marshalled order (rule 24): what the Chair can take up, in the order it is usually taken."""
    paragraphs = list(db.session.scalars(drafting_queries.paragraphs_of_draft(draft.id)))
    public = [a for a in db.session.scalars(drafting_queries.amendments_of_draft(draft.id)) if a.is_circulated]
    by_paragraph: dict[int, list[marshalling.Entry]] = {}
    for entry in marshalling.marshalled(draft, public):
        by_paragraph.setdefault(entry.amendment.paragraph_id, []).append(entry)
    items: list[dict[str, Any]] = []
    for p in paragraphs:
        items.append({"kind": "paragraph", "id": p.id, "label": p.label, "depth": 0, "state": p.state.value,
                      "paragraph_id": p.id})
        for entry in by_paragraph.get(p.id, []):
            a = entry.amendment
            items.append({"kind": "amendment", "id": a.id, "label": amendment_label(draft, a), "depth": 1 + entry.depth,
                          "state": a.state.value, "paragraph_id": p.id, "paragraph_label": p.label,
                          "oral": a.oral, "amendment_kind": a.kind.value})
    return items


def _paragraph_view(draft: Draft, paragraph: Paragraph) -> dict[str, Any]:
    """The paragraph's current words with the changes made so far marked (rule 26)."""
    versions = drafting_queries.versions_of(paragraph.id, draft.original_language)
    first = versions[0].text if versions else ""
    current = versions[-1].text if versions else ""
    runs = diff.word_diff(first, current) if first != current else [{"op": "equal", "text": current}]
    return {"kind": "paragraph", "id": paragraph.id, "label": paragraph.label, "state": paragraph.state.value,
            "paragraph_id": paragraph.id, "paragraph_label": paragraph.label, "language": draft.original_language,
            "text": current, "runs": runs, "texts": _paragraph_texts(draft, paragraph, runs, current)}


def _paragraph_texts(draft: Draft, paragraph: Paragraph, runs: list[dict[str, str]],
                     current: str) -> dict[str, dict[str, Any]]:
    """The paragraph's words for each of the meeting's languages (issue 14): the language's own
    text where the secretariat entered it, else the original (its `language` says which). Every
    language travels with the item so that each client shows its reader's (docs/realtime.md)."""
    from forum.languages.services import draft_languages

    texts = {draft.original_language: {"language": draft.original_language, "text": current, "runs": runs}}
    for language in draft_languages(draft):
        if language in texts:
            continue
        versions = drafting_queries.versions_of(paragraph.id, language)
        if not versions:
            texts[language] = texts[draft.original_language]
            continue
        first, last = versions[0].text, versions[-1].text
        texts[language] = {"language": language, "text": last,
                           "runs": diff.word_diff(first, last) if first != last else [{"op": "equal", "text": last}]}
    return texts


def amendment_runs(amendment: Amendment) -> list[dict[str, str]]:
    if amendment.kind is AmendmentKind.delete:
        return [{"op": "delete", "text": amendment.base_text}]
    if amendment.kind is AmendmentKind.insert_after:
        return [{"op": "insert", "text": amendment.text}]
    return list(amendment.diff or diff.word_diff(amendment.base_text, amendment.text))


def _amendment_view(draft: Draft, amendment: Amendment) -> dict[str, Any]:
    return {"kind": "amendment", "id": amendment.id, "label": amendment_label(draft, amendment),
            "state": amendment.state.value, "paragraph_id": amendment.paragraph_id,
            "paragraph_label": amendment.paragraph.label, "language": amendment.language,
            "amendment_kind": amendment.kind.value, "oral": amendment.oral,
            "mover": {"kind": amendment.mover_kind.value, "states": list(amendment.mover.states),
                      "regional_group": amendment.regional_group.code if amendment.regional_group else None},
            "seconded": amendment.seconded, "flagged": amendment.flagged,
            "parent_id": amendment.parent_id, "text": amendment.text, "runs": amendment_runs(amendment),
            "explanation": amendment.explanation, "texts": _amendment_texts(draft, amendment)}


def _amendment_texts(draft: Draft, amendment: Amendment) -> dict[str, dict[str, Any]]:
    """The amendment's words for each of the meeting's languages: the secretariat's up-to-date
    translation, marked against the paragraph's text in that language, else the words as written."""
    from forum.languages.services import draft_languages, reading_text, translations_of

    written = {"language": amendment.language, "text": amendment.text, "runs": amendment_runs(amendment),
               "explanation": amendment.explanation}
    translations = translations_of([amendment.id])[amendment.id]
    texts: dict[str, dict[str, Any]] = {}
    for language in dict.fromkeys([amendment.language, *draft_languages(draft)]):
        text, explanation, shown = reading_text(amendment, translations, language)
        if shown == amendment.language:
            texts[language] = written
            continue
        base = drafting_queries.current_text(amendment.paragraph_id, language)
        base_text = base.text if base is not None else ""
        runs = ([{"op": "delete", "text": base_text}] if amendment.kind is AmendmentKind.delete else
                [{"op": "insert", "text": text}] if amendment.kind is AmendmentKind.insert_after or not base_text else
                diff.word_diff(base_text, text))
        texts[language] = {"language": shown, "text": text, "runs": runs, "explanation": explanation}
    return texts


def text_for(item: dict[str, Any] | None, language: str) -> dict[str, Any] | None:
    """The item's words for a reader of `language` (the original's when the meeting lacks it)."""
    if not item:
        return None
    texts = item.get("texts") or {}
    return texts.get(language) or {"language": item.get("language"), "text": item.get("text"),
                                   "runs": item.get("runs")}


def item_view(live: LiveSitting) -> dict[str, Any] | None:
    draft = db.session.get(Draft, live.draft_id)
    if draft is None:
        return None
    if live.amendment_id is not None:
        amendment = db.session.get(Amendment, live.amendment_id)
        if amendment is not None and amendment.is_circulated:
            return _amendment_view(draft, amendment)
    if live.paragraph_id is not None:
        paragraph = db.session.get(Paragraph, live.paragraph_id)
        if paragraph is not None:
            return _paragraph_view(draft, paragraph)
    return None


def item_ref(live: LiveSitting) -> Any:
    """The current item as the positions and votes modules name it (forum.positions.items)."""
    from forum.positions.items import load_item

    item = live.current_item
    return load_item(*item) if item else None


def oral_view(live: LiveSitting) -> dict[str, Any] | None:
    draft = live.oral_draft
    if not draft:
        return None
    kind = draft.get("kind", "modify")
    base, text = draft.get("base", ""), draft.get("text", "")
    runs = ([{"op": "delete", "text": base}] if kind == "delete" else
            [{"op": "insert", "text": text}] if kind == "insert_after" else diff.word_diff(base, text))
    return {"kind": kind, "paragraph_id": draft.get("paragraph_id"), "parent_id": draft.get("parent_id"),
            "language": draft.get("language"), "text": text, "runs": runs}


def speaker_view(r: SpeakerRequest) -> dict[str, Any]:
    return {"id": r.id, "participant_id": r.participant_id, "name": r.participant.user.name,
            "group": r.group.value, "member_state": r.member_state, "category": r.category.value,
            "kind": r.kind.value, "on_behalf_of": r.on_behalf_of, "state": r.state.value, "position": r.position,
            "time_limit": r.time_limit_seconds, "granted_at": iso(r.granted_at)}


def open_requests(sitting_id: int) -> list[SpeakerRequest]:
    # The list needs each speaker's name only: not their offices and memberships (loaded eagerly elsewhere).
    participant = joinedload(SpeakerRequest.participant)
    return list(db.session.scalars(
        sa.select(SpeakerRequest).where(SpeakerRequest.sitting_id == sitting_id,
                                        SpeakerRequest.state.in_(OPEN_REQUESTS))
        .options(participant.lazyload(Participant.offices), participant.lazyload(Participant.memberships))
        .order_by(SpeakerRequest.position, SpeakerRequest.id)))


def speakers_view(sitting_id: int) -> dict[str, Any]:
    requests = open_requests(sitting_id)
    current = next((r for r in requests if r.state is RequestState.speaking), None)
    return {"current": speaker_view(current) if current else None,
            "waiting": [speaker_view(r) for r in requests if r.state is RequestState.waiting]}


def timer_view(live: LiveSitting | None) -> dict[str, Any] | None:
    if live is None or live.timer_started_at is None:
        return None
    return {"started_at": iso(live.timer_started_at), "seconds": live.timer_seconds,
            "request_id": live.timer_request_id}


def objections_view(live: LiveSitting | None) -> dict[str, Any] | None:
    if live is None or live.objections_called_at is None:
        return None
    return {"called_at": iso(live.objections_called_at), "item": live.objections_item}


def script_for(sitting_id: int, item_key: str) -> str:
    note = db.session.scalars(sa.select(ScriptNote).where(ScriptNote.sitting_id == sitting_id,
                                                          ScriptNote.item_key == item_key)).first()
    return note.text if note else ""


def officer_messages(sitting_id: int, limit: int = OFFICER_MESSAGES_SHOWN) -> list[dict[str, Any]]:
    rows = list(db.session.scalars(sa.select(OfficerMessage).where(OfficerMessage.sitting_id == sitting_id)
                                   .order_by(OfficerMessage.id.desc()).limit(limit)))
    return [message_view(m) for m in reversed(rows)]


def message_view(m: OfficerMessage) -> dict[str, Any]:
    return {"id": m.id, "author": m.author_name, "body": m.body, "at": iso(m.created_at)}


def connected(sitting_id: int) -> list[dict[str, Any]]:
    """Who has the sitting open right now: information for the Chair, never attendance or quorum."""
    from forum.accounts.models import User

    ids = presence.user_ids(realtime.room("sitting", sitting_id))
    if not ids:
        return []
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.name))
    return [{"id": u.id, "name": u.name} for u in users]


def current_vote(sitting: Sitting) -> Any:
    """The latest vote of this sitting (the votes module's), if that module is installed."""
    try:
        from forum.positions.vote_models import Vote
    except ImportError:
        return None
    return db.session.scalars(sa.select(Vote).where(Vote.sitting_id == sitting.id)
                              .order_by(Vote.id.desc()).limit(1)).first()


def vote_view(sitting: Sitting, user: Any) -> dict[str, Any] | None:
    vote = current_vote(sitting)
    if vote is None:
        return None
    from forum.positions import votes

    return votes.vote_view(vote, user)


def positions_view(live: LiveSitting) -> dict[str, Any]:
    """Group positions and Government statements on the current item (the positions module's)."""
    try:
        from forum.positions import queries as positions_queries
    except ImportError:
        return {"positions": [], "statements": []}
    item = item_ref(live)
    if item is None:
        return {"positions": [], "statements": []}

    def code(value: Any) -> Any:
        return getattr(value, "value", value)

    def group_of(obj: Any) -> str | None:
        group = getattr(obj, "regional_group", None)
        return group.code if group is not None else None

    return {
        "positions": [{"group": p.holder, "stance": code(p.stance), "statement": p.statement}
                      for p in positions_queries.positions_for_item(item)],
        "statements": [{"member_state": s.member_state, "on_behalf_of": group_of(s), "stance": code(s.stance),
                        "text": s.text} for s in positions_queries.statements_for_item(item)],
    }


# --- the snapshot: the part every member receives, kept per version, and the reader's part --------

_WROTE = "forum_sittings_wrote"  # Session.info: this transaction has flushed changes


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


class SharedKey(NamedTuple):
    """What the shared part depends on, read fresh from the database on every snapshot.

    Every change a member can see bumps one of these versions in its own transaction: the
    sitting's (its commands, votes, positions, decisions: `publish_sitting_update`), the draft's
    (texts, translations, circulated amendments: `drafting.events.publish_draft`) or the
    meeting's (its languages). `created_at` tells a sitting from an earlier one that had its id.
    """

    sitting_id: int
    created_at: datetime
    version: int
    meeting_version: int
    draft_id: int | None
    draft_version: int | None


def shared_key(sitting_id: int) -> SharedKey | None:
    row = db.session.execute(
        sa.select(Sitting.id, Sitting.created_at, Sitting.version, Meeting.version, LiveSitting.draft_id,
                  Draft.version)
        .join(Meeting, Meeting.id == Sitting.meeting_id)
        .outerjoin(LiveSitting, LiveSitting.sitting_id == Sitting.id)
        .outerjoin(Draft, Draft.id == LiveSitting.draft_id)
        .where(Sitting.id == sitting_id)).first()
    return SharedKey(*row) if row is not None else None


class SharedSnapshots:
    """A bounded LRU of shared parts by `SharedKey`, built once per key however many join at once.

    No invalidation is needed: a change bumps a version, so the next snapshot reads a new key and
    the old entry ages out. Entries are shared between threads: read them, never change them.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[SharedKey, dict[str, Any]] = OrderedDict()
        self._building: dict[SharedKey, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0

    def _cached(self, key: SharedKey) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def get(self, key: SharedKey, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        entry = self._cached(key)
        if entry is not None:
            return entry
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # a thousand sockets joining at once: one builds, the others wait for it
            entry = self._cached(key)
            if entry is not None:
                return entry
            try:
                entry = build()
                self.builds += 1
                with self._lock:
                    self._entries[key] = entry
                    while len(self._entries) > self.size:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def shared_snapshots() -> SharedSnapshots | None:
    """This app's cache: `SITTING_SNAPSHOT_CACHE` entries, one per sitting and version (None when 0)."""
    size = int(current_app.config["SITTING_SNAPSHOT_CACHE"])
    if size <= 0:
        return None
    cache = current_app.extensions.get("forum_sitting_snapshots")
    if cache is None:
        cache = current_app.extensions.setdefault("forum_sitting_snapshots", SharedSnapshots(size))
    return cache


def _build_shared(sitting: Sitting, key: SharedKey) -> dict[str, Any]:
    """What every member of the sitting receives alike: no user, rights or restricted space goes in.

    Each part here is also broadcast to the whole `sitting:<id>` room as it changes (docs/realtime.md).
    """
    live = live_of(sitting)
    state: dict[str, Any] = {
        "sitting_id": sitting.id, "version": key.version,
        "state": sitting.state.value, "title": sitting.title, "meeting_id": sitting.meeting_id,
        "live": live is not None, "draft_id": live.draft_id if live else None,
        "announcement": live.announcement if live else "",
        "item": item_view(live) if live else None, "oral": oral_view(live) if live else None,
        "speakers": speakers_view(sitting.id), "timer": timer_view(live), "objections": objections_view(live),
        "observers_invited": bool(live and live.observers_invited),
        "default_limit": live.default_limit_seconds if live else None,
    }
    if live is not None:
        state.update(positions_view(live))
    return state


def shared_state(sitting: Sitting) -> dict[str, Any]:
    """The shared part for the sitting as it is now in the database.

    Built afresh (and not kept) inside a transaction that has written: what it reads may never commit.
    """
    key = shared_key(sitting.id)
    cache = shared_snapshots()
    if key is None:  # deleted since it was read: the object's own values, nothing kept
        return _build_shared(sitting, SharedKey(sitting.id, sitting.created_at, sitting.version, 0, None, None))
    if cache is None or db.session.info.get(_WROTE) or db.session.new or db.session.dirty or db.session.deleted:
        return _build_shared(sitting, key)
    return cache.get(key, lambda: _build_to_keep(sitting, key))


def _build_to_keep(sitting: Sitting, key: SharedKey) -> dict[str, Any]:
    """The shared part for `key`, read after it.

    On PostgreSQL each statement sees what is committed when it runs: objects this transaction
    loaded before the key may be older than it, and would be kept under the newer version for every
    later reader, so they are reloaded (the session has no changes to lose). A change committed during
    the build has bumped a version: later readers read a new key and never see this entry.
    """
    db.session.expire_all()
    return _build_shared(sitting, key)


def state_for(user: Any, sitting: Sitting, *, with_agenda: bool = True) -> dict[str, Any]:
    """The snapshot: everything a client needs to draw the sitting, as codes and values.

    The shared part is the same object for every reader of that version: copied at the top level
    only, so callers may add keys but must not change what is inside.
    """
    shared = shared_state(sitting)
    p = permissions.participation(user, sitting.meeting_id)
    presiding = permissions.can_preside_sitting(user, sitting)
    officer = permissions.is_sitting_officer(p)
    state: dict[str, Any] = {
        **shared, "server_time": utcnow().isoformat(),
        # Not shared: the live count changes without a version (docs/realtime.md, `ballots_counted`).
        "vote": vote_view(sitting, user),
        "you": {"participant_id": p.id if p else None, "presides": presiding, "officer": officer,
                "may_request_floor": permissions.can_request_floor(user, sitting, shared["observers_invited"]),
                "records_oral": bool(shared["live"] and permissions.is_secretariat(user, sitting.meeting_id))},
    }
    live = live_of(sitting) if shared["live"] and (officer or presiding) else None
    if live is not None and with_agenda and presiding:  # the console's: delegates joining need not compute it
        draft = db.session.get(Draft, live.draft_id)
        state["agenda"] = agenda(draft) if draft else []
    if officer:
        state["officers"] = {
            "script": script_for(sitting.id, live.current_key) if live else "",
            "messages": officer_messages(sitting.id),
        }
    if presiding:
        state["chair"] = {"speaking_times": speakers.speaking_times(sitting.id),
                          "connected": connected(sitting.id)}
    return state


@realtime.snapshot_provider("sitting")
def _sitting_snapshot(user: Any, sitting_id: int) -> dict[str, Any]:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None:
        return {"sitting_id": sitting_id, "version": 0}
    return state_for(user, sitting)
