"""Reads about drafts and amendments, returning select()s (or small dicts) with loaders explicit."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum.drafting.models import (
    LIVE,
    Amendment,
    AmendmentEvent,
    AmendmentState,
    Compilation,
    Draft,
    DraftingGroup,
    Paragraph,
    ParagraphEvent,
    ParagraphText,
    Part,
)
from forum.extensions import db
from forum.meetings.models import Deadline, DeadlineKind


def drafts_of_meeting(meeting_id: int) -> sa.Select:
    return sa.select(Draft).where(Draft.meeting_id == meeting_id).order_by(Draft.created_at, Draft.id)


def parts_of_draft(draft_id: int) -> sa.Select:
    return sa.select(Part).where(Part.draft_id == draft_id).order_by(Part.position, Part.id)


def paragraphs_of_draft(draft_id: int) -> sa.Select:
    return sa.select(Paragraph).where(Paragraph.draft_id == draft_id).order_by(Paragraph.position, Paragraph.id)


def texts_of_draft(draft_id: int) -> sa.Select:
    return (sa.select(ParagraphText).join(Paragraph, ParagraphText.paragraph_id == Paragraph.id)
            .where(Paragraph.draft_id == draft_id)
            .order_by(ParagraphText.paragraph_id, ParagraphText.language, ParagraphText.version))


def current_texts(draft_id: int) -> dict[tuple[int, str], ParagraphText]:
    """The latest text of every paragraph in every language, in one query."""
    latest: dict[tuple[int, str], ParagraphText] = {}
    for text in db.session.scalars(texts_of_draft(draft_id)):
        latest[(text.paragraph_id, text.language)] = text  # ordered by version: the last one wins
    return latest


def text_history(draft_id: int) -> dict[tuple[int, str], list[ParagraphText]]:
    history: dict[tuple[int, str], list[ParagraphText]] = defaultdict(list)
    for text in db.session.scalars(texts_of_draft(draft_id)):
        history[(text.paragraph_id, text.language)].append(text)
    return history


def current_text(paragraph_id: int, language: str) -> ParagraphText | None:
    return db.session.scalars(
        sa.select(ParagraphText).where(ParagraphText.paragraph_id == paragraph_id, ParagraphText.language == language)
        .order_by(ParagraphText.version.desc()).limit(1)).first()


def versions_of(paragraph_id: int, language: str) -> list[ParagraphText]:
    return list(db.session.scalars(
        sa.select(ParagraphText).where(ParagraphText.paragraph_id == paragraph_id, ParagraphText.language == language)
        .order_by(ParagraphText.version)))


def amendments_of_draft(draft_id: int) -> sa.Select:
    return (sa.select(Amendment).where(Amendment.draft_id == draft_id)
            .options(selectinload(Amendment.sponsors), selectinload(Amendment.seconders))
            .order_by(Amendment.number.nulls_last(), Amendment.id))


def live_amendments_on(paragraph_id: int) -> list[Amendment]:
    """Filed and not disposed of: what a change of the paragraph's text may affect (rule 25)."""
    return list(db.session.scalars(
        sa.select(Amendment).where(Amendment.paragraph_id == paragraph_id, Amendment.state.in_(LIVE))
        .order_by(Amendment.id)))


def sub_amendments_of(amendment_id: int, states: frozenset[AmendmentState] | None = None) -> list[Amendment]:
    stmt = sa.select(Amendment).where(Amendment.parent_id == amendment_id).order_by(Amendment.number, Amendment.id)
    if states is not None:
        stmt = stmt.where(Amendment.state.in_(states))
    return list(db.session.scalars(stmt))


def events_of_amendment(amendment_id: int) -> sa.Select:
    return sa.select(AmendmentEvent).where(AmendmentEvent.amendment_id == amendment_id).order_by(
        AmendmentEvent.created_at, AmendmentEvent.id)


def events_of_paragraph(paragraph_id: int) -> sa.Select:
    return sa.select(ParagraphEvent).where(ParagraphEvent.paragraph_id == paragraph_id).order_by(
        ParagraphEvent.created_at, ParagraphEvent.id)


def compilations_of_draft(draft_id: int) -> sa.Select:
    return sa.select(Compilation).where(Compilation.draft_id == draft_id).order_by(Compilation.number)


def drafting_groups_of_draft(draft_id: int) -> sa.Select:
    return sa.select(DraftingGroup).where(DraftingGroup.draft_id == draft_id).order_by(DraftingGroup.id)


def next_amendment_number(draft_id: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(Amendment.number)).where(Amendment.draft_id == draft_id)) or 0) + 1


def deadline_of(meeting_id: int, kind: DeadlineKind) -> Deadline | None:
    """The programme's deadline of that kind (the latest, if the secretariat set several)."""
    return db.session.scalars(sa.select(Deadline).where(Deadline.meeting_id == meeting_id, Deadline.kind == kind)
                              .order_by(Deadline.due_at.desc()).limit(1)).first()


def count_by_state(draft_id: int) -> dict[AmendmentState, int]:
    rows = db.session.execute(sa.select(Amendment.state, sa.func.count()).where(Amendment.draft_id == draft_id)
                              .group_by(Amendment.state))
    return {state: n for state, n in rows}


def as_dict(rows: Any) -> dict[int, Any]:
    return {row.id: row for row in rows}
