"""The status board of a draft: every paragraph and circulated amendment in document order, with
the Employers' and Workers' positions, the regional groups' positions, the Government statements
(attributed and listed, never summed: rule 28), and the latest decision with its method.

`status_board` returns plain data (dicts of codes and values) so that the page, the API's tally
and the exports share it. It runs a fixed number of queries whatever the size of the draft.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from forum import permissions
from forum.drafting import marshalling
from forum.drafting import queries as drafting_queries
from forum.drafting.models import Amendment, AmendmentEvent, Draft, Paragraph, ParagraphEvent
from forum.errors import NotAllowed
from forum.extensions import db
from forum.positions import queries
from forum.positions.items import ItemRef
from forum.positions.models import GROUP_HOLDERS, Position, Statement

# A paragraph's "decide" event that only takes it up or sets it back is not a decision on it.
NOT_DECISIONS = frozenset({"under_discussion", "pending"})
SAME_DECLARATION = timedelta(seconds=5)


def position_dict(p: Position) -> dict[str, Any]:
    return {"group": p.holder, "regional_group": p.regional_group.name if p.regional_group else None,
            "stance": p.stance.value, "statement": p.statement, "stated_by": p.stated_by_name or None,
            "recorded_by": p.recorded_by_name, "for_chair": p.for_chair, "sitting_id": p.sitting_id,
            "updated_at": p.updated_at.isoformat()}


def statement_dict(s: Statement) -> dict[str, Any]:
    return {"id": s.id, "member_state": s.member_state,
            "regional_group": s.regional_group.code if s.regional_group else None,
            "regional_group_name": s.regional_group.name if s.regional_group else None,
            "stance": s.stance.value, "text": s.text, "recorded_by": s.recorded_by_name, "for_chair": s.for_chair,
            "sitting_id": s.sitting_id, "created_at": s.created_at.isoformat()}


def circulated_amendments(draft: Draft) -> list[Amendment]:
    """The draft's circulated amendments, as the board needs them: in one query without the movers,
    seconders and groups the drafting pages load with them (B10: that loading was a fifth of the
    page). The board reads each amendment's paragraph once its paragraphs are loaded (`items_in_order`
    loads them first), from the session, with no query."""
    return list(db.session.scalars(
        sa.select(Amendment).where(Amendment.draft_id == draft.id, Amendment.circulated_at.is_not(None))
        .options(lazyload(Amendment.paragraph), lazyload(Amendment.sponsors), lazyload(Amendment.seconders),
                 lazyload(Amendment.regional_group), lazyload(Amendment.drafting_group))
        .order_by(Amendment.number.nulls_last(), Amendment.id)))


def items_in_order(draft: Draft, amendments: list[Amendment] | None = None) -> list[tuple[ItemRef, int]]:
    """(item, depth) for every paragraph and, after it, its circulated amendments in marshalled order.

    `amendments`: `circulated_amendments(draft)` when the caller has them already (the page reads them
    again for their texts); read here otherwise."""
    paragraphs = list(db.session.scalars(drafting_queries.paragraphs_of_draft(draft.id)))
    if amendments is None:
        amendments = circulated_amendments(draft)
    by_paragraph: dict[int, list[marshalling.Entry]] = defaultdict(list)
    for entry in marshalling.marshalled(draft, amendments):
        by_paragraph[entry.amendment.paragraph_id].append(entry)
    out: list[tuple[ItemRef, int]] = []
    for p in paragraphs:
        out.append((ItemRef("paragraph", p.id, draft, paragraph=p), 0))
        out.extend((ItemRef("amendment", e.amendment.id, draft, amendment=e.amendment), 1 + e.depth)
                   for e in by_paragraph.get(p.id, []))
    return out


def _decision_model() -> Any:
    """The votes module's Decision, when it is installed (it is built alongside this module)."""
    try:
        from forum.positions.vote_models import Decision
    except ImportError:
        return None
    return Decision


def _key(paragraph_id: int | None, amendment_id: int | None) -> tuple[str, int]:
    return ("amendment", amendment_id) if amendment_id else ("paragraph", paragraph_id)  # type: ignore[return-value]


def latest_decisions(draft: Draft) -> dict[tuple[str, int], dict[str, Any]]:
    """(kind, id) -> the latest decision declared on the item.

    The votes module's Decision records say the most (method, sitting, vote); a decision taken on
    the drafting pages alone leaves only the drafting history, which knows the outcome, not the
    method. The later of the two wins; a Decision and the history entry it caused are written in the
    same transaction, so the history entry counts as later only beyond a few seconds.
    """
    recorded: dict[tuple[str, int], Any] = {}
    decision = _decision_model()
    names: dict[int, str] = {}
    if decision is not None:
        for r in db.session.scalars(sa.select(decision).where(decision.draft_id == draft.id)
                                    .order_by(decision.created_at, decision.id)):
            recorded[_key(r.paragraph_id, r.amendment_id)] = r
        names = _user_names({r.declared_by_id for r in recorded.values()
                             if r.declared_by_id and not getattr(r, "declared_by_name", "")})
    events: list[tuple[tuple[str, int], Any]] = []
    for e in db.session.scalars(sa.select(ParagraphEvent).join(Paragraph, Paragraph.id == ParagraphEvent.paragraph_id)
                                .where(Paragraph.draft_id == draft.id, ParagraphEvent.action.in_(("decide", "reopen")))
                                .order_by(ParagraphEvent.created_at, ParagraphEvent.id)):
        events.append((("paragraph", e.paragraph_id), e))
    for e in db.session.scalars(sa.select(AmendmentEvent).join(Amendment, Amendment.id == AmendmentEvent.amendment_id)
                                .where(Amendment.draft_id == draft.id, AmendmentEvent.action == "decide")
                                .order_by(AmendmentEvent.created_at, AmendmentEvent.id)):
        events.append((("amendment", e.amendment_id), e))
    latest: dict[tuple[str, int], Any] = {}
    for key, e in events:
        if e.action == "reopen" or e.to_state not in NOT_DECISIONS:
            latest[key] = e
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for key in set(recorded) | set(latest):
        r, e = recorded.get(key), latest.get(key)
        if r is not None and (e is None or e.created_at <= r.created_at + SAME_DECLARATION):
            found[key] = {
                "outcome": getattr(r.outcome, "value", r.outcome), "method": getattr(r.method, "value", r.method),
                "declared_by": getattr(r, "declared_by_name", "") or names.get(r.declared_by_id),
                "for_chair": bool(r.for_chair), "sitting_id": r.sitting_id, "vote_id": r.vote_id,
                "note": r.note or "", "at": r.created_at.isoformat() if r.created_at else None, "source": "decision"}
        elif e is not None and e.action != "reopen":  # reopened: the earlier decision no longer stands
            found[key] = {"outcome": e.to_state, "method": None, "declared_by": e.actor_name,
                          "for_chair": e.for_chair, "sitting_id": None, "vote_id": None, "note": e.note,
                          "at": e.created_at.isoformat(), "source": "history"}
    return found


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    from forum.accounts.models import User

    return {uid: name for uid, name in db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids)))}


def texts_in(draft: Draft, rows: list[dict[str, Any]], language: str,
             amendments: list[Amendment] | None = None) -> dict[tuple[str, int], dict[str, str]]:
    """(kind, id) -> {"text", "language"}: each row's words for a reader of `language` (issue 14): the
    paragraph's text or the amendment's up-to-date translation in that language where it exists,
    else the original, whose `language` then differs from the one asked for. Three queries, two when
    the caller passes the rows' amendments (the page has them from `status_board`)."""
    from forum.languages.services import reading_text, translations_of

    history = drafting_queries.text_history(draft.id)
    amendment_ids = [r["id"] for r in rows if r["kind"] == "amendment"]
    if amendments is not None:
        wanted = set(amendment_ids)
        by_id = {a.id: a for a in amendments if a.id in wanted}
    else:
        by_id = {a.id: a for a in db.session.scalars(sa.select(Amendment).where(Amendment.id.in_(amendment_ids)))} \
            if amendment_ids else {}
    translations = translations_of(amendment_ids)
    found: dict[tuple[str, int], dict[str, str]] = {}
    for r in rows:
        if r["kind"] == "paragraph":
            versions = history.get((r["id"], language)) or history.get((r["id"], draft.original_language)) or []
            if versions:
                found[("paragraph", r["id"])] = {"text": versions[-1].text, "language": versions[-1].language}
        elif (a := by_id.get(r["id"])) is not None:
            text, _explanation, shown = reading_text(a, translations.get(a.id, {}), language)
            found[("amendment", a.id)] = {"text": text, "language": shown}
    return found


def status_board(user: Any, draft: Draft, amendments: list[Amendment] | None = None) -> list[dict[str, Any]]:
    """One row per paragraph and circulated amendment, in document order (see the module docstring).

    `amendments`: `circulated_amendments(draft)`, when the caller reads them once for this and `texts_in`."""
    if not permissions.can_view_board(user, draft):
        raise NotAllowed("Only the meeting's participants see its status board.")
    items = items_in_order(draft, amendments)
    positions: dict[tuple[str, int], list[Position]] = defaultdict(list)
    for p in db.session.scalars(queries.positions_of_draft(draft.id)):
        positions[_key(p.paragraph_id, p.amendment_id)].append(p)
    statements: dict[tuple[str, int], list[Statement]] = defaultdict(list)
    for s in db.session.scalars(queries.statements_of_draft(draft.id)):
        statements[_key(s.paragraph_id, s.amendment_id)].append(s)
    decisions = latest_decisions(draft)
    rows = []
    for item, depth in items:
        key = (item.kind, item.id)
        held = sorted(positions.get(key, []), key=lambda p: queries.holder_order(p.holder))
        groups = {p.holder: position_dict(p) for p in held if p.holder in GROUP_HOLDERS}
        obj = item.obj
        rows.append({
            "item": item.as_dict(), "kind": item.kind, "id": item.id, "label": item.label, "depth": depth,
            "paragraph_id": item.paragraph.id if item.paragraph is not None else item.amendment.paragraph_id,  # type: ignore[union-attr]
            "parent_id": item.amendment.parent_id if item.amendment is not None else None,
            "state": obj.state.value,
            "employer": groups.get("employer"), "worker": groups.get("worker"),
            "regional": [position_dict(p) for p in held if p.holder not in GROUP_HOLDERS],
            "statements": [statement_dict(s) for s in statements.get(key, [])],
            "decision": decisions.get(key),
        })
    return rows
