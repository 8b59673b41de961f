"""API operations on drafts and amendments (PROCEDURE.md §4–§5).

Adapters only: each gate uses the permission functions of forum/permissions.py and each operation
calls the drafting services (forum/drafting/drafts.py, amendments.py) inside `unit_of_work()`.
A draft is its meeting's participants'; an amendment before circulation is its movers' space's (and,
once submitted, the secretariat's), so anyone else is told it does not exist (404, rule 23).

Gates check the caller's *role* (403) before the input is read; what depends on the state of the
amendment (already seconded, not submitted, deadline passed) is the service's to refuse, 409.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import g
from marshmallow import fields, validate

from forum import permissions
from forum.api.core import ApiBlueprint, PageArgs, actor, paginate
from forum.api.idempotency import idempotent
from forum.api.meetings import current_meeting, in_meeting
from forum.api.schemas import (
    AmendmentInSchema,
    AmendmentSchema,
    CompilationSchema,
    DraftInSchema,
    DraftPageSchema,
    DraftSchema,
    NoteInSchema,
    OrderSchema,
    ResubmitInSchema,
    ReturnInSchema,
    TakeUpInSchema,
    Text,
    TranslationInSchema,
)
from forum.db import unit_of_work
from forum.drafting import amendments as amend
from forum.drafting import diff, drafts, marshalling, queries
from forum.drafting.importing import ParsedDraft, ParsedParagraph, ParsedPart
from forum.drafting.models import (
    LANGUAGES,
    Amendment,
    AmendmentKind,
    Compilation,
    Draft,
    Mover,
    MoverKind,
    Paragraph,
    ParagraphKind,
    roman,
)
from forum.errors import NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Group, OfficeRole, Participant, RegionalGroup

blp = ApiBlueprint("api_drafting", __name__, tag="Drafting",
                   description="Drafts, their texts in each language, and the amendment workflow (rules 15–26).")


# --- loading, gates ----------------------------------------------------------------------------------

def load_draft(draft_id: int) -> Draft:
    draft = db.session.get(Draft, draft_id)
    if draft is None or not permissions.can_view_draft(actor(), draft):
        raise NotFound("No such draft.")
    g.api_draft = draft
    return draft


def load_paragraph(paragraph_id: int) -> Paragraph:
    paragraph = db.session.get(Paragraph, paragraph_id)
    if paragraph is None:
        raise NotFound("No such paragraph.")
    load_draft(paragraph.draft_id)
    g.api_paragraph = paragraph
    return paragraph


def load_amendment(amendment_id: int) -> Amendment:
    """An amendment the caller may not see is answered as if it did not exist (rule 23)."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None or not permissions.can_view_amendment(actor(), amendment):
        raise NotFound("No such amendment.")
    g.api_amendment = amendment
    return amendment


def on_draft(check: Callable[[Any, Draft], bool] | None = None, message: str = "") -> Callable:
    """Gate an operation under /drafts/<draft_id>: 404 for non-participants, then 403 unless
    `check(user, draft)`; put it above `blp.arguments`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            draft = load_draft(kwargs["draft_id"])
            if check is not None and not check(actor(), draft):
                raise NotAllowed(message)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def on_amendment(check: Callable[[Any, Amendment], bool], message: str) -> Callable:
    """Gate an operation under /amendments/<amendment_id>: 404 unless the caller sees it, 403 unless
    `check(user, amendment)` (the caller's role; the service refuses wrong states with 409)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            amendment = load_amendment(kwargs["amendment_id"])
            if not check(actor(), amendment):
                raise NotAllowed(message)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def on_paragraph(view: Callable) -> Callable:
    """Gate submitAmendment: 404 for non-participants, 403 for those who file nothing (rule 19); a
    draft not open for amendments is the service's to refuse (409)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        load_paragraph(kwargs["paragraph_id"])
        draft, user = g.api_draft, actor()
        if draft.open_for_amendments and not permissions.can_file_amendment(user, draft):
            p = permissions.participation(user, draft.meeting_id)
            raise NotAllowed(amend.refusal(p, Mover(MoverKind.state)))
        return view(*args, **kwargs)

    return wrapper


# The callers' roles, from the same rules the services apply (forum/permissions.py).

def _in(user: Any, a: Amendment) -> Participant | None:
    return permissions.participation(user, a.draft.meeting_id)


def _movers(user: Any, a: Amendment) -> bool:
    return permissions.acts_for_mover(_in(user, a), a.mover) and not a.oral


def _seconder(user: Any, a: Amendment) -> bool:
    p = _in(user, a)
    own = p is not None and p.group is Group.government and p.member_state in a.mover.states
    return permissions.is_voting_member(p, a.draft.meeting) and not own


def _secretariat(user: Any, a: Amendment) -> bool:
    return permissions.is_secretariat(user, a.draft.meeting_id)


def _presiding(user: Any, a: Amendment) -> bool:
    return permissions.presides(user, a.draft.meeting_id)


def _taker(user: Any, a: Amendment) -> bool:
    return (not permissions.acts_for_mover(_in(user, a), a.mover)
            and (not a.draft.open_for_amendments or permissions.can_file_amendment(user, a.draft)))


# --- shapes ------------------------------------------------------------------------------------------

ON_BEHALF = {MoverKind.employer_group: "employer", MoverKind.worker_group: "worker", MoverKind.joint: "joint",
             MoverKind.drafting_group: "drafting_group"}


def amendment_out(a: Amendment) -> dict[str, Any]:
    draft = a.draft
    mover = a.mover
    on_behalf = (a.regional_group.code if a.mover_kind is MoverKind.regional_group and a.regional_group
                 else ON_BEHALF.get(a.mover_kind))
    return {
        "id": a.id, "number": a.number, "label": drafts.amendment_label(draft, a), "draft_id": a.draft_id,
        "paragraph_id": a.paragraph_id, "paragraph_label": a.paragraph.label, "parent_id": a.parent_id,
        "kind": a.kind.value, "language": a.language, "state": a.state.value, "mover_kind": a.mover_kind.value,
        "movers": [s.member_state or (s.group.value if s.group else "") for s in a.sponsors],
        "on_behalf_of": on_behalf, "dissenting": list(mover.non_supporting),
        "seconders": [{"member_state": s.member_state, "group": s.group.value, "participant_id": s.participant_id,
                       "from_floor": s.from_floor} for s in a.seconders],
        "needs_seconder": a.needs_seconder, "seconded": a.seconded, "text": a.text, "base_text": a.base_text,
        "explanation": a.explanation, "diff": list(a.diff or []), "flagged": a.flagged, "oral": a.oral,
        "submitted_at": a.submitted_at, "circulated_at": a.circulated_at, "decided_at": a.decided_at,
    }


def draft_summary_out(draft: Draft) -> dict[str, Any]:
    return {"id": draft.id, "meeting_id": draft.meeting_id, "title": draft.title, "symbol": draft.symbol,
            "language": draft.original_language, "amendment_prefix": draft.amendment_prefix,
            "state": draft.state.value, "version": draft.version}


def visible_amendments(draft: Draft) -> list[Amendment]:
    user = actor()
    return [a for a in db.session.scalars(queries.amendments_of_draft(draft.id))
            if permissions.can_view_amendment(user, a)]


def draft_out(draft: Draft) -> dict[str, Any]:
    """The draft as it stands: parts, paragraphs and sub-paragraphs (original and current text,
    the current text in each language), the same units as a flat list, and the amendments the
    caller may see in marshalled order."""
    history = queries.text_history(draft.id)
    original = draft.original_language

    def unit(p: Paragraph) -> dict[str, Any]:
        versions = history.get((p.id, original), [])
        texts = {lang: history[(p.id, lang)][-1].text for lang in LANGUAGES if history.get((p.id, lang))}
        return {"id": p.id, "label": p.label, "text": versions[0].text if versions else "",
                "current_text": versions[-1].text if versions else "", "texts": texts, "state": p.state.value}

    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    parts = list(db.session.scalars(queries.parts_of_draft(draft.id)))
    flat, by_part, children = [], {}, {}
    preamble = None
    for p in paragraphs:
        flat.append({**unit(p), "kind": p.kind.value, "part_id": p.part_id, "parent_id": p.parent_id})
        if p.kind is ParagraphKind.preamble:
            preamble = p
        elif p.parent_id is not None:
            children.setdefault(p.parent_id, []).append(unit(p))
        else:
            by_part.setdefault(p.part_id, []).append(p)
    tree = []
    for part_id, number, title in ([(None, None, "")] if by_part.get(None) else []) + [
            (part.id, roman(part.number), part.title) for part in parts]:
        tree.append({"id": part_id, "number": number, "title": title, "paragraphs": [
            {**unit(p), "subparagraphs": children.get(p.id, [])} for p in by_part.get(part_id, [])]})
    entries = marshalling.marshalled(draft, visible_amendments(draft))
    return {**draft_summary_out(draft), "preamble": unit(preamble)["current_text"] if preamble else "",
            "preamble_id": preamble.id if preamble else None, "parts": tree, "paragraphs": flat,
            "amendments": [amendment_out(e.amendment) for e in entries]}


def parsed(data: dict[str, Any]) -> ParsedDraft:
    """createDraft's body as the structure the service creates; a part without a title holds the
    paragraphs that stand before the first part (as getDraft shows them)."""
    result = ParsedDraft(title=data["title"], preamble=data["preamble"])
    for part in data["parts"]:
        paragraphs = [ParsedParagraph(p["text"], [s["text"] for s in p["subparagraphs"]]) for p in part["paragraphs"]]
        if part["title"].strip():
            result.parts.append(ParsedPart(part["title"].strip(), paragraphs))
        elif result.parts:
            raise ValidationFailed("The draft could not be saved.",
                                   {"parts": ["Only the first part may be untitled (paragraphs before any part)."]})
        else:
            result.paragraphs.extend(paragraphs)
    return result


def mover_for(p: Participant | None, draft: Draft, on_behalf_of: str | None, co_sponsors: list[str],
              dissenting: list[str]) -> Mover:
    """The mover an API caller names, as the amendment form builds it (forum/drafting/views.py)."""
    if on_behalf_of is None:
        if p is not None and p.group is Group.government and p.member_state:
            states = (p.member_state, *(c.upper() for c in co_sponsors if c.upper() != p.member_state))
            return Mover(MoverKind.co_sponsored if len(states) > 1 else MoverKind.state, states=states)
        if p is not None and p.group in (Group.employer, Group.worker) and \
                p.roles() & {OfficeRole.group_secretary, OfficeRole.spokesperson}:
            return Mover(MoverKind.employer_group if p.group is Group.employer else MoverKind.worker_group)
        raise ValidationFailed("Say in whose name the amendment is moved.",
                               {"on_behalf_of": ["You move in no State's or group's name: name one."]})
    if on_behalf_of in ("employer", "worker", "joint"):
        return Mover({"employer": MoverKind.employer_group, "worker": MoverKind.worker_group,
                      "joint": MoverKind.joint}[on_behalf_of])
    group = db.session.scalars(sa.select(RegionalGroup).where(RegionalGroup.code == on_behalf_of.upper())).first()
    if group is None:
        raise ValidationFailed("Say in whose name the amendment is moved.", {"on_behalf_of": [
            "Use employer, worker, joint or a regional group code."]})
    return Mover(MoverKind.regional_group, regional_group_id=group.id,
                 non_supporting=tuple(s.upper() for s in dissenting))


def _renamed(exc: ValidationFailed, names: dict[str, str]) -> ValidationFailed:
    exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return exc


MOVER_FIELDS = {"states": "co_sponsors", "regional_group_id": "on_behalf_of", "non_supporting": "dissenting",
                "mover": "on_behalf_of", "original_language": "language", "structure": "parts"}


# --- drafts ------------------------------------------------------------------------------------------

@blp.route("/meetings/<id:meeting_id>/drafts", methods=["GET"])
@blp.operation("listDrafts", 404, 422)
@in_meeting(permissions.can_view_drafts)
@blp.arguments(PageArgs, location="query")
@blp.response(200, DraftPageSchema)
def list_drafts(args: dict[str, Any], meeting_id: int):
    """The meeting's drafts (every participant reads them)"""
    return paginate(queries.drafts_of_meeting(current_meeting().id), args,
                    lambda rows: [draft_summary_out(d) for d in rows])


@blp.route("/meetings/<id:meeting_id>/drafts", methods=["POST"])
@blp.operation("createDraft", 403, 404, 422)
@in_meeting(permissions.can_create_draft, "Only the meeting secretariat creates drafts.")
@blp.arguments(DraftInSchema)
@blp.response(201, DraftSchema)
def create_draft(data: dict[str, Any], meeting_id: int):
    """Create a draft in preparation (the secretariat)

    The body mirrors getDraft: `title`, `symbol`, `language` (the original), `preamble`, `parts`
    with their `paragraphs` and `subparagraphs` (each a `text`); labels (1, 2, 3(a)…) and part numbers
    are given by the service. Extra keys of a getDraft answer are ignored. Open it for amendments
    with openDraft.
    """
    try:
        structure = parsed(data)
        with unit_of_work():
            draft = drafts.create_draft(actor(), current_meeting(), title=data["title"], symbol=data["symbol"],
                                        original_language=data["language"], structure=structure,
                                        amendment_prefix=data["amendment_prefix"])
    except ValidationFailed as exc:
        raise _renamed(exc, MOVER_FIELDS) from None
    return draft_out(db.session.get(Draft, draft.id))


@blp.route("/drafts/<id:draft_id>", methods=["GET"])
@blp.operation("getDraft", 404)
@blp.response(200, DraftSchema)
def get_draft(draft_id: int):
    """A draft as it stands, with the amendments the caller may see

    `parts` → `paragraphs` → `subparagraphs` with `text` (as first written), `current_text` (now,
    in the original language) and `texts` (now, per language); the same units as a flat
    `paragraphs` list in document order; `amendments` in the order they are taken (rule 24), each
    with its `diff` runs (`equal`, `delete`, `insert`).
    """
    return draft_out(load_draft(draft_id))


@blp.route("/drafts/<id:draft_id>/open", methods=["POST"])
@blp.operation("openDraft", 403, 404, 409)
@on_draft(lambda u, d: permissions.is_secretariat(u, d.meeting_id), "Only the meeting secretariat opens drafts.")
@blp.response(200, DraftSchema)
def open_draft(draft_id: int):
    """Open a draft for amendments (the secretariat): its labels are stable from now on (rule 16)"""
    with unit_of_work():
        drafts.open_draft(actor(), g.api_draft)
    return draft_out(g.api_draft)


@blp.route("/drafts/<id:draft_id>/texts/<any(en,fr,es):language>", methods=["PUT"])
@blp.operation("addDraftTranslation", 403, 404, 422)
@on_draft(permissions.can_translate_draft, "Only the meeting secretariat adds the texts in other languages.")
@blp.arguments(TranslationInSchema)
@blp.response(200, DraftSchema)
def add_draft_translation(data: dict[str, Any], draft_id: int, language: str):
    """Set the text of paragraphs in another of the meeting's languages (the secretariat)

    `paragraphs`: `[{"id", "text"}]`, all at once or none (422 names the failing item). A text
    identical to the current one is left as it is, so the same request may be sent again. A new
    text never overwrites the old one; amendments written on it are re-based or flagged (rule 25).
    """
    draft = g.api_draft
    with unit_of_work():
        for index, item in enumerate(data["paragraphs"]):
            paragraph = db.session.get(Paragraph, item["id"])
            if paragraph is None or paragraph.draft_id != draft.id:
                raise ValidationFailed("The text could not be saved.",
                                       {f"paragraphs.{index}.id": ["Not a paragraph of this draft."]})
            current = queries.current_text(paragraph.id, language)
            if current is not None and current.text == diff.normalise(item["text"]):
                continue
            try:
                drafts.set_translation(actor(), paragraph, language=language, text=item["text"])
            except ValidationFailed as exc:
                exc.fields = {(k if k == "language" else f"paragraphs.{index}.{k}"): v for k, v in exc.fields.items()}
                raise
    return draft_out(draft)


@blp.route("/drafts/<id:draft_id>/circulate", methods=["POST"])
@blp.operation("circulateAmendments", 403, 404, 409)
@on_draft(lambda u, d: permissions.is_secretariat(u, d.meeting_id),
          "Only the meeting secretariat circulates amendments.")
@blp.response(200, CompilationSchema)
def circulate_amendments(draft_id: int):
    """Circulate every validated amendment at once, as the next compilation (the secretariat)

    409 when none is waiting or the draft is not open for amendments.
    """
    draft = g.api_draft
    with unit_of_work():
        compilation = amend.circulate_amendments(actor(), draft)
    compilation = db.session.get(Compilation, compilation.id)
    rows = db.session.scalars(sa.select(Amendment).where(Amendment.compilation_id == compilation.id))
    entries = marshalling.marshalled(draft, list(rows))
    return {"number": compilation.number, "circulated_at": compilation.circulated_at,
            "amendments": [amendment_out(e.amendment) for e in entries]}


@blp.route("/drafts/<id:draft_id>/order", methods=["PUT"])
@blp.operation("reorderAmendments", 403, 404, 409, 422)
@on_draft(lambda u, d: permissions.presides(u, d.meeting_id),
          "Only the Chair, or the secretariat on the Chair's behalf, orders the amendments.")
@blp.arguments(OrderSchema)
@blp.response(200, OrderSchema)
def reorder_amendments(data: dict[str, Any], draft_id: int):
    """Arrange the marshalled list (the Chair, or the secretariat for the Chair; rule 24)

    `order`: the ids of the circulated amendments (sub-amendments follow their amendment). Only the
    order of amendments to the same paragraph can change; the paragraphs keep the document's order
    (422 otherwise). Each move is recorded, as when the Chair moves one up or down on the page.
    Answers the resulting order.
    """
    draft = g.api_draft
    wanted = data["order"]
    with unit_of_work():
        amendments = list(db.session.scalars(queries.amendments_of_draft(draft.id)))
        current = marshalling.top_level_order(draft, [a for a in amendments if a.is_circulated])
        by_id = {a.id: a for a in amendments}
        if sorted(wanted) != sorted(current):
            raise ValidationFailed("Name every circulated amendment once.", {"order": [
                "List the ids of all circulated amendments (not sub-amendments), each once."]})
        if [by_id[i].paragraph_id for i in wanted] != [by_id[i].paragraph_id for i in current]:
            raise ValidationFailed("Amendments are taken paragraph by paragraph.", {"order": [
                "Only amendments to the same paragraph change places."]})
        for index, ident in enumerate(wanted):  # one recorded move at a time, as on the page
            position = current.index(ident)
            while position > index:
                current = amend.reorder_amendment(actor(), by_id[ident], "up")
                position = current.index(ident)
    return {"order": current}


# --- amendments --------------------------------------------------------------------------------------

@blp.route("/paragraphs/<id:paragraph_id>/amendments", methods=["POST"])
@blp.operation("submitAmendment", 400, 403, 404, 409, 422)
@on_paragraph
@idempotent
@blp.arguments(AmendmentInSchema)
@blp.response(201, AmendmentSchema)
def submit_amendment(data: dict[str, Any], paragraph_id: int):
    """File a written amendment to a paragraph and submit it to the secretariat (rules 19–21)

    `kind`: `modify` (`text` is the whole paragraph as the movers want it), `delete` or
    `insert_after` (`text` is the new paragraph); `explanation`; `language`; `on_behalf_of`,
    `co_sponsors`, `dissenting` name the movers; `parent_id` makes it a sub-amendment. It gets its
    number (D.7) on submission; `"submit": false` keeps it as the movers' draft. After the deadline
    (rule 21) it is 409. Honours `Idempotency-Key`.
    """
    paragraph, draft, user = g.api_paragraph, g.api_draft, actor()
    parent = None
    if data["parent_id"] is not None:
        parent = db.session.get(Amendment, data["parent_id"])
        if parent is None or parent.draft_id != draft.id or not permissions.can_view_amendment(user, parent):
            raise ValidationFailed("The amendment could not be saved.",
                                   {"parent_id": ["Choose an amendment to this paragraph."]})
    try:
        mover = mover_for(permissions.participation(user, draft.meeting_id), draft, data["on_behalf_of"],
                          data["co_sponsors"], data["dissenting"])
        with unit_of_work():
            amendment = amend.file_amendment(user, draft, paragraph, mover=mover, kind=AmendmentKind(data["kind"]),
                                             language=data["language"], text=data["text"],
                                             explanation=data["explanation"], parent=parent)
            if data["submit"]:
                amend.submit_amendment(user, amendment)
    except ValidationFailed as exc:
        raise _renamed(exc, MOVER_FIELDS) from None
    return amendment_out(db.session.get(Amendment, amendment.id))


@blp.route("/amendments/<id:amendment_id>", methods=["GET"])
@blp.operation("getAmendment", 404)
@blp.response(200, AmendmentSchema)
def get_amendment(amendment_id: int):
    """An amendment the caller may see (rule 23: before circulation, its movers and the secretariat)"""
    return amendment_out(load_amendment(amendment_id))


def _act(service: Callable[[Amendment], Any]) -> dict[str, Any]:
    amendment = g.api_amendment
    with unit_of_work():
        service(amendment)
    return amendment_out(db.session.get(Amendment, amendment.id))


@blp.route("/amendments/<id:amendment_id>/second", methods=["POST"])
@blp.operation("secondAmendment", 403, 404, 409)
@on_amendment(_seconder, "Another voting member seconds: not the movers, not observers or the secretariat.")
@blp.response(200, AmendmentSchema)
def second_amendment(amendment_id: int):
    """Second a single State's circulated amendment in writing (rule 22)

    A State seconds once, whoever of its delegation does it; already seconded, or an amendment that
    needs no seconder, is 409.
    """
    return _act(lambda a: amend.second_amendment(actor(), a))


@blp.route("/amendments/<id:amendment_id>/withdraw", methods=["POST"])
@blp.operation("withdrawAmendment", 403, 404, 409, 422)
@on_amendment(_movers, "Only the amendment's movers withdraw it.")
@blp.arguments(NoteInSchema)
@blp.response(200, AmendmentSchema)
def withdraw_amendment(data: dict[str, Any], amendment_id: int):
    """Withdraw an amendment not yet decided (its movers only; rule 23)

    Its live sub-amendments are flagged for the Chair. Once circulated, another member may take it up.
    """
    return _act(lambda a: amend.withdraw_amendment(actor(), a, note=data["note"]))


@blp.route("/amendments/<id:amendment_id>/take-up", methods=["POST"])
@blp.operation("takeUpAmendment", 403, 404, 409, 422)
@on_amendment(_taker, "Another member who may file amendments takes it up, not the one who withdrew it.")
@blp.arguments(TakeUpInSchema)
@blp.response(200, AmendmentSchema)
def take_up_amendment(data: dict[str, Any], amendment_id: int):
    """Take up a withdrawn, circulated amendment in one's own name (rule 23)

    `on_behalf_of` as in submitAmendment (default: the caller's State or group).
    """
    amendment = g.api_amendment
    user = actor()
    try:
        mover = mover_for(permissions.participation(user, amendment.draft.meeting_id), amendment.draft,
                          data["on_behalf_of"], [], [])
    except ValidationFailed as exc:
        raise _renamed(exc, MOVER_FIELDS) from None
    return _act(lambda a: amend.take_up_amendment(user, a, mover=mover))


@blp.route("/amendments/<id:amendment_id>/return", methods=["POST"])
@blp.operation("returnAmendment", 403, 404, 409, 422)
@on_amendment(_secretariat, "Only the meeting secretariat returns amendments for clarification.")
@blp.arguments(ReturnInSchema)
@blp.response(200, AmendmentSchema)
def return_amendment(data: dict[str, Any], amendment_id: int):
    """Return a submitted amendment to its movers for clarification, with a message (the secretariat)"""
    return _act(lambda a: amend.return_amendment(actor(), a, message=data["message"]))


@blp.route("/amendments/<id:amendment_id>/resubmit", methods=["POST"])
@blp.operation("resubmitAmendment", 403, 404, 409, 422)
@on_amendment(_movers, "Only the amendment's movers submit it.")
@blp.arguments(ResubmitInSchema)
@blp.response(200, AmendmentSchema)
def resubmit_amendment(data: dict[str, Any], amendment_id: int):
    """Submit a returned amendment (or the movers' draft) again, corrected if `text` or
    `explanation` is given; it keeps its number"""
    user = actor()

    def resubmit(a: Amendment) -> None:
        if "text" in data or "explanation" in data:
            amend.edit_amendment(user, a, text=data.get("text", a.text), explanation=data.get("explanation",
                                                                                                a.explanation))
        amend.submit_amendment(user, a)

    return _act(resubmit)


@blp.route("/amendments/<id:amendment_id>/validate", methods=["POST"])
@blp.operation("validateAmendment", 403, 404, 409)
@on_amendment(_secretariat, "Only the meeting secretariat validates amendments.")
@blp.response(200, AmendmentSchema)
def validate_amendment(amendment_id: int):
    """Validate a submitted amendment (the secretariat): it is circulated with the next compilation"""
    return _act(lambda a: amend.validate_amendment(actor(), a))


@blp.route("/amendments/<id:amendment_id>/discuss", methods=["POST"])
@blp.operation("discussAmendment", 403, 404, 409)
@on_amendment(_presiding, "Only the Chair, or the secretariat on the Chair's behalf, takes up an amendment.")
@blp.response(200, AmendmentSchema)
def discuss_amendment(amendment_id: int):
    """Take a circulated amendment up for discussion (the Chair, or the secretariat for the Chair)

    A single State's amendment must have been seconded (rule 22); sub-amendments after their
    amendment. Its outcome is then declared with decideItem.
    """
    return _act(lambda a: amend.start_discussion(actor(), a))


# --- languages (issue 14): an amendment's versions in the meeting's languages ---------------------------

class AmendmentTranslationInSchema(ma.Schema):
    text = Text(load_default="", multiline=True, validate=validate.Length(max=10_000), metadata={
        "description": "The amendment's words in that language (modify: the whole paragraph; insert_after: the "
                       "new paragraph; delete: ignored)."})
    explanation = Text(load_default="", multiline=True, validate=validate.Length(max=10_000))


class AmendmentVersionSchema(ma.Schema):
    language = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": ["original", "translated", "outdated", "missing"],
                                                   "description": "outdated: the movers changed the amendment "
                                                                  "since it was translated."})
    text = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)


class AmendmentLanguagesSchema(ma.Schema):
    amendment_id = fields.Integer(required=True)
    language = fields.String(required=True, metadata={"description": "The language it was written in."})
    versions = fields.List(fields.Nested(AmendmentVersionSchema), required=True)


def _languages_out(amendment: Amendment) -> dict[str, Any]:
    from forum.languages import services as language_services

    versions = language_services.language_versions(
        amendment, language_services.translations_of([amendment.id])[amendment.id],
        language_services.draft_languages(amendment.draft))
    out = []
    for v in versions:
        if v.state == "original":
            out.append({"language": v.language, "state": v.state, "text": amendment.text,
                        "explanation": amendment.explanation})
        else:
            t = v.translation
            out.append({"language": v.language, "state": v.state, "text": t.text if t else None,
                        "explanation": t.explanation if t else None})
    return {"amendment_id": amendment.id, "language": amendment.language, "versions": out}


@blp.route("/amendments/<id:amendment_id>/languages", methods=["GET"])
@blp.operation("getAmendmentLanguages", 404)
@on_amendment(lambda u, a: True, "")
@blp.response(200, AmendmentLanguagesSchema)
def get_amendment_languages(amendment_id: int):
    """The amendment in each of the meeting's languages: as written, translated, out of date or missing"""
    return _languages_out(g.api_amendment)


@blp.route("/amendments/<id:amendment_id>/translations/<any(en,fr,es):language>", methods=["PUT"])
@blp.operation("addAmendmentTranslation", 403, 404, 422)
@on_amendment(permissions.can_translate_amendment, "Only the meeting secretariat adds the translations of an "
                                                   "amendment.")
@blp.arguments(AmendmentTranslationInSchema)
@blp.response(200, AmendmentLanguagesSchema)
def add_amendment_translation(data: dict[str, Any], amendment_id: int, language: str):
    """Set the amendment's words and explanation in another of the meeting's languages (the secretariat)

    A submitted amendment onwards. The same translation sent again is left as it is (200), so the
    request may be repeated; the language it was written in is 422.
    """
    from forum.languages import services as language_services
    from forum.languages.models import AmendmentTranslation, source_digest

    amendment = g.api_amendment
    existing = db.session.scalar(sa.select(AmendmentTranslation).where(
        AmendmentTranslation.amendment_id == amendment.id, AmendmentTranslation.language == language))
    same = existing is not None and (existing.text, existing.explanation, existing.source_digest) == (
        diff.normalise(data["text"]) if amendment.kind.value != "delete" else "", data["explanation"].strip(),
        source_digest(amendment.text, amendment.explanation))
    if not same:
        with unit_of_work():
            language_services.set_amendment_translation(actor(), amendment, language=language, text=data["text"],
                                                        explanation=data["explanation"])
    return _languages_out(db.session.get(Amendment, amendment.id))
