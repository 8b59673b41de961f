"""Marshmallow schemas of the API: what operations accept and what they answer.

Output schemas dump plain dicts built by the operations (forum/api/*.py), so that a field's
presence (e.g. a participant's email only for the secretariat) is decided next to the permission
check, never by the schema. Every string input is a `Text`: no control characters, so nothing a
browser could not have typed reaches a service or the database.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from forum.api.core import PageArgs, page_schema
from forum.meetings.models import (
    BodyType,
    Capacity,
    Group,
    MembershipKind,
    OfficeRole,
    QuorumRule,
    SittingState,
    SpaceKind,
    WeightingMode,
)

LANGUAGES = ("en", "fr", "es")
QUORUM_RULES = [q.value for q in QuorumRule if q is not QuorumRule.none]


def _values(enum_cls: Any) -> list[str]:
    return [member.value for member in enum_cls]


class Text(fields.String):
    """A string without control characters; `multiline` allows line breaks and tabs."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        allowed = "\n\r\t" if self.multiline else ""
        if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text):
            raise ma.ValidationError("Control characters are not allowed here.")
        return text


def Code(choices: list[str], **kwargs: Any) -> fields.String:
    """A string field that documents and checks its allowed values."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)


class Quorum(fields.Field):
    """`quorum`: null (none), a fraction 0 < q <= 1 of the voting members (a committee quorum), or
    `committee` (one half) / `plenary_half` (votes cast reach half of the delegates attending)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"anyOf": [  # OpenAPI 3.0: null is allowed by `nullable` in each branch
            {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1, "nullable": True},
            {"type": "string", "enum": QUORUM_RULES, "nullable": True}], **kwargs["metadata"]}
        super().__init__(allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float | str:
        if isinstance(value, str) and value in QUORUM_RULES:
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
            return float(value)
        raise ma.ValidationError("Use null, a fraction more than 0 and at most 1 (e.g. 0.5), committee or "
                                 "plenary_half.")


class ErrorDetailSchema(ma.Schema):
    code = fields.String(required=True, metadata={"description": "A stable code: not_found, validation_failed…"})
    message = fields.String(required=True, metadata={"description": "A sentence for people, in the user's language."})
    fields_ = fields.Dict(data_key="fields", attribute="fields", keys=fields.String(),
                          values=fields.List(fields.String()), metadata={"description": "Messages per input field."})
    errors = fields.List(fields.Dict(), metadata={
        "description": "Per-row problems of an imported file: {row, field, message}; row 0 is the file."})


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


# --- meetings ----------------------------------------------------------------------------------------

class MeetingInSchema(ma.Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    symbol_prefix = Text(required=True, validate=validate.Length(min=1, max=60),
                         metadata={"description": "Document symbols start with it, e.g. TTMLM/2027."})
    languages = fields.List(Code(list(LANGUAGES)), load_default=list(LANGUAGES),
                            validate=validate.Length(min=1, max=3))
    time_zone = Text(load_default="Europe/Zurich", validate=validate.Length(min=1, max=64),
                     metadata={"description": "An IANA time zone, e.g. Europe/Zurich."})
    body_type = Code(_values(BodyType), load_default=BodyType.committee.value)
    weighting = Code(_values(WeightingMode), load_default=WeightingMode.equal_strength.value)
    quorum = Quorum(load_default=QuorumRule.committee.value, metadata={
        "description": "null: no quorum; a fraction (e.g. 0.5): that share of the voting members must be in "
                       "the attendance register; committee: the same with one half; plenary_half: votes cast "
                       "must reach half of the delegates attending."})
    starts_on = fields.Date(load_default=None, allow_none=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    venue = Text(load_default="", validate=validate.Length(max=200))


class OfficeSchema(ma.Schema):
    role = Code(_values(OfficeRole), required=True)
    regional_group = fields.String(required=True, allow_none=True)


class MyParticipationSchema(ma.Schema):
    participant_id = fields.Integer(required=True)
    group = Code(_values(Group), required=True)
    capacity = Code(_values(Capacity), required=True)
    member_state = fields.String(required=True, allow_none=True)
    offices = fields.List(fields.Nested(OfficeSchema), required=True)


class MeetingSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    symbol_prefix = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)
    time_zone = fields.String(required=True)
    body_type = Code(_values(BodyType), required=True)
    weighting = Code(_values(WeightingMode), required=True)
    quorum = Quorum(required=True, metadata={
        "description": "null (none), the fraction of voting members a committee quorum needs, or plenary_half."})
    starts_on = fields.Date(required=True, allow_none=True)
    ends_on = fields.Date(required=True, allow_none=True)
    venue = fields.String(required=True)
    version = fields.Integer(required=True)
    you = fields.Nested(MyParticipationSchema, required=True,
                        metadata={"description": "The caller's participation in the meeting."})


MeetingPageSchema = page_schema(MeetingSchema, "MeetingPage")


# --- participants ------------------------------------------------------------------------------------

class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True,
                          metadata={"description": "Shown to the meeting secretariat only; null for others."})


class ParticipantSchema(ma.Schema):
    id = fields.Integer(required=True)
    user = fields.Nested(PersonSchema, required=True)
    group = Code(_values(Group), required=True)
    capacity = Code(_values(Capacity), required=True)
    member_state = fields.String(required=True, allow_none=True)
    membership = Code(_values(MembershipKind), required=True,
                      metadata={"description": "In force today in the meeting's time zone (rule 4)."})
    offices = fields.List(fields.Nested(OfficeSchema), required=True)
    removed_at = fields.AwareDateTime(required=True, allow_none=True)


ParticipantPageSchema = page_schema(ParticipantSchema, "ParticipantPage")


class ParticipantQuerySchema(PageArgs):
    group = Code(_values(Group), metadata={"description": "Only this group."})
    q = Text(validate=validate.Length(max=100), metadata={"description": "Part of a name (or email)."})
    removed = fields.Boolean(load_default=False, metadata={
        "description": "List removed participants instead (the secretariat only)."})


class RemoveQuerySchema(ma.Schema):
    reason = Text(required=True, multiline=True, validate=validate.Length(min=1, max=500),
                  metadata={"description": "Why the participant is removed; recorded in the audit log."})


class ImportQuerySchema(ma.Schema):
    effective_from = fields.Date(metadata={
        "description": "Membership changes effective from this day; default: new participants today, "
                       "changes to existing participants the next day (meeting time zone)."})


class ParticipantChangeSchema(ma.Schema):
    row = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    action = Code(["created", "updated"], required=True)
    fields_ = fields.Dict(data_key="fields", attribute="fields", required=True, keys=fields.String(),
                          values=fields.List(fields.Raw(allow_none=True)),
                          metadata={"description": "Column → [before, after]."})
    effective_from = fields.Date(required=True, allow_none=True)


class StateAddedSchema(ma.Schema):
    regional_group = fields.String(required=True)
    member_state = fields.String(required=True)


class ImportReportSchema(ma.Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    accounts_created = fields.Integer(required=True)
    changes = fields.List(fields.Nested(ParticipantChangeSchema), required=True)
    states_added = fields.List(fields.Nested(StateAddedSchema), required=True)


# --- spaces and sittings -----------------------------------------------------------------------------

class SpaceSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = Code(_values(SpaceKind), required=True)
    name = fields.String(required=True)
    group = Code(_values(Group), required=True, allow_none=True)
    regional_group = fields.String(required=True, allow_none=True)
    member_state = fields.String(required=True, allow_none=True)
    can_write = fields.Boolean(required=True)


SpacePageSchema = page_schema(SpaceSchema, "SpacePage")


class AgendaItemRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)


class SittingSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True, allow_none=True)
    room = fields.String(required=True)
    state = Code(_values(SittingState), required=True)
    agenda_item = fields.Nested(AgendaItemRefSchema, required=True, allow_none=True)
    version = fields.Integer(required=True)


SittingPageSchema = page_schema(SittingSchema, "SittingPage")


# --- discussions -------------------------------------------------------------------------------------

SPACE_REF = r"^(plenary|caucus|[1-9][0-9]{0,9})$"
SPACE_REF_HELP = ("A space id, `plenary` for the meeting's plenary, or `caucus` for the caller's own group caucus "
                  "(the government, employers' or workers' group).")


class SpaceRef(Text):
    """`space`: an id or `plenary` / `caucus`, resolved for the caller by the operation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Regexp(SPACE_REF, error="A space id, plenary or caucus."),
                         metadata={"description": SPACE_REF_HELP}, **kwargs)


class ThreadQuerySchema(PageArgs):
    space = SpaceRef()


class ThreadInSchema(ma.Schema):
    space = SpaceRef(required=True)
    # Title and body are checked by the discussions service itself, with the browser's messages.
    title = Text(load_default="", metadata={"description": "Up to 200 characters."})
    body = Text(load_default="", multiline=True, metadata={"description": "Markdown, up to 20,000 characters."})
    paragraph_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                                  metadata={"description": "A paragraph of one of the meeting's drafts."})
    amendment_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                                  metadata={"description": "An amendment (circulated, or seen by the whole space)."})


class PostInSchema(ma.Schema):
    body = Text(load_default="", multiline=True, metadata={"description": "Markdown, up to 20,000 characters."})
    parent_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                               metadata={"description": "The post replied to, in the same thread."})


class PostSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True, metadata={"description": "Order of writing in the thread, from 1."})
    parent_id = fields.Integer(required=True, allow_none=True)
    author = fields.String(required=True, allow_none=True, metadata={"description": "The author's name."})
    author_id = fields.Integer(required=True, allow_none=True)
    body = fields.String(required=True, metadata={"description": "The markdown source; empty once removed."})
    html = fields.String(required=True, metadata={"description": "Its sanitised rendering; empty once removed."})
    created_at = fields.AwareDateTime(required=True)
    edited_at = fields.AwareDateTime(required=True, allow_none=True)
    removed = fields.String(required=True, allow_none=True, validate=validate.OneOf(
        ["deleted_by_author", "hidden_by_moderator"]), metadata={"description": "Why the text is gone, or null."})


class ThreadSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    space = fields.Integer(required=True, metadata={"description": "The id of the thread's space."})
    space_kind = Code(_values(SpaceKind), required=True)
    author = fields.String(required=True, allow_none=True)
    post_count = fields.Integer(required=True)
    last_post_at = fields.AwareDateTime(required=True)
    pinned = fields.Boolean(required=True)
    locked = fields.Boolean(required=True)
    paragraph_id = fields.Integer(required=True, allow_none=True)
    amendment_id = fields.Integer(required=True, allow_none=True)
    version = fields.Integer(required=True)


class ThreadSchema(ThreadSummarySchema):
    posts = fields.List(fields.Nested(PostSchema), required=True, metadata={"description": "In tree order."})


ThreadPageSchema = page_schema(ThreadSummarySchema, "ThreadPage")


# --- audit -------------------------------------------------------------------------------------------

class AuditQuerySchema(PageArgs):
    actor = Text(validate=validate.Length(max=254), metadata={"description": "Part of the actor's email or name."})
    action = Text(validate=validate.Length(max=60), metadata={"description": "An action or its beginning."})
    object_type = Text(validate=validate.Length(max=40))
    object_id = Text(validate=validate.Length(max=40))
    date_from = fields.Date(metadata={"description": "First day, in the meeting's time zone."})
    date_to = fields.Date(metadata={"description": "Last day, in the meeting's time zone."})

    @ma.validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ma.ValidationError("The end date is before the start date.", "date_to")


class AuditEntrySchema(ma.Schema):
    seq = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    redacted = fields.Boolean(required=True, metadata={
        "description": "An entry about a restricted space the caller is not a member of (rule 11): "
                       "only its sequence number and time are given."})
    actor = fields.String(required=True, allow_none=True)
    actor_name = fields.String(required=True, allow_none=True)
    for_chair = fields.Boolean(required=True, allow_none=True)
    action = fields.String(required=True, allow_none=True)
    object_type = fields.String(required=True, allow_none=True)
    object_id = fields.String(required=True, allow_none=True)
    space_id = fields.Integer(required=True, allow_none=True)
    payload = fields.Dict(required=True, allow_none=True)


AuditEntryPageSchema = page_schema(AuditEntrySchema, "AuditEntryPage")


class ChainReportSchema(ma.Schema):
    key = fields.String(required=True, metadata={"description": "global, or meeting:<id>"})
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True)
    head_seq = fields.Integer(required=True)
    head_hash = fields.String(required=True)
    broken_seq = fields.Integer(required=True, allow_none=True)
    reason = fields.String(required=True)


class AuditVerificationSchema(ma.Schema):
    ok = fields.Boolean(required=True)
    chains = fields.List(fields.Nested(ChainReportSchema), required=True)


# --- tokens ------------------------------------------------------------------------------------------

class TokenInSchema(ma.Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100),
                metadata={"description": "Where the token is used, e.g. room display."})


class TokenSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(required=True, allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "The token itself: shown this once only."})


TokenPageSchema = page_schema(TokenSchema, "TokenPage")


# --- drafts and amendments ---------------------------------------------------------------------------

def _ids(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


STATE_CODE = r"^[A-Za-z]{2}$"
PARAGRAPH_STATES = ["pending", "under_discussion", "adopted", "adopted_as_amended", "deleted", "deferred", "bracketed"]
AMENDMENT_STATES = ["draft", "submitted", "returned", "validated", "circulated", "under_discussion", "adopted",
                    "adopted_as_sub_amended", "rejected", "withdrawn", "fell", "not_seconded", "not_moved", "merged"]
ON_BEHALF_HELP = ("In whose name the amendment is moved: omitted for the caller's own State (or, for a group "
                  "secretary or spokesperson, their group); `employer`, `worker`, `joint` (both groups), or a "
                  "regional group code such as `AFRICA` (its coordinator).")


class SubparagraphInSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # a getDraft answer may be sent back as it is

    text = Text(required=True, multiline=True, validate=validate.Length(min=1, max=10_000))


class ParagraphInSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    text = Text(load_default="", multiline=True, validate=validate.Length(max=10_000))
    subparagraphs = fields.List(fields.Nested(SubparagraphInSchema), load_default=list,
                                validate=validate.Length(max=100))


class PartInSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    title = Text(load_default="", validate=validate.Length(max=300), metadata={
        "description": "Empty for paragraphs that stand before the first part."})
    paragraphs = fields.List(fields.Nested(ParagraphInSchema), load_default=list, validate=validate.Length(max=1000))


class DraftInSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    title = Text(required=True, validate=validate.Length(min=1, max=300))
    symbol = Text(required=True, validate=validate.Length(min=1, max=100),
                  metadata={"description": "Unique in the meeting, e.g. TTMLM/2027/D.1."})
    language = Code(list(LANGUAGES), required=True, metadata={"description": "The original language."})
    amendment_prefix = Text(load_default="D", validate=validate.Length(min=1, max=10),
                            metadata={"description": "Amendments are numbered D.1, D.2…"})
    preamble = Text(load_default="", multiline=True, validate=validate.Length(max=10_000))
    parts = fields.List(fields.Nested(PartInSchema), load_default=list, validate=validate.Length(max=100))


class SubparagraphSchema(ma.Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "The original text, as first written."})
    current_text = fields.String(required=True, metadata={"description": "As it stands now (original language)."})
    texts = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": "The current text in each language it exists in."})
    state = Code(PARAGRAPH_STATES, required=True)


class DraftParagraphSchema(SubparagraphSchema):
    kind = Code(["preamble", "paragraph", "subparagraph"], required=True)
    part_id = fields.Integer(required=True, allow_none=True)
    parent_id = fields.Integer(required=True, allow_none=True)


class ParagraphInPartSchema(SubparagraphSchema):
    subparagraphs = fields.List(fields.Nested(SubparagraphSchema), required=True)


class PartSchema(ma.Schema):
    id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "null for paragraphs that stand before the first part."})
    number = fields.String(required=True, allow_none=True, metadata={"description": "Roman numeral."})
    title = fields.String(required=True)
    paragraphs = fields.List(fields.Nested(ParagraphInPartSchema), required=True)


class SeconderSchema(ma.Schema):
    member_state = fields.String(required=True, allow_none=True)
    group = Code(_values(Group), required=True)
    participant_id = fields.Integer(required=True, allow_none=True)
    from_floor = fields.Boolean(required=True)


class DiffRunSchema(ma.Schema):
    op = Code(["equal", "insert", "delete"], required=True)
    text = fields.String(required=True)


class AmendmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True, allow_none=True, metadata={"description": "Given at submission."})
    label = fields.String(required=True, metadata={"description": "e.g. D.7 (#id before submission)."})
    draft_id = fields.Integer(required=True)
    paragraph_id = fields.Integer(required=True)
    paragraph_label = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True, metadata={"description": "Set for a sub-amendment."})
    kind = Code(["modify", "delete", "insert_after"], required=True)
    language = Code(list(LANGUAGES), required=True)
    state = Code(AMENDMENT_STATES, required=True)
    mover_kind = fields.String(required=True)
    movers = fields.List(fields.String(), required=True, metadata={
        "description": "ISO codes of the moving States, or the moving groups (employer, worker)."})
    on_behalf_of = fields.String(required=True, allow_none=True, metadata={
        "description": "employer, worker, joint, a regional group code, drafting_group, or null (States)."})
    dissenting = fields.List(fields.String(), required=True, metadata={
        "description": "For a regional group's amendment: its States that do not support it."})
    seconders = fields.List(fields.Nested(SeconderSchema), required=True)
    needs_seconder = fields.Boolean(required=True)
    seconded = fields.Boolean(required=True)
    text = fields.String(required=True, metadata={"description": "The proposed text (empty for a deletion)."})
    base_text = fields.String(required=True, metadata={"description": "The text it was written on."})
    explanation = fields.String(required=True)
    diff = fields.List(fields.Nested(DiffRunSchema), required=True)
    flagged = fields.Boolean(required=True, metadata={"description": "Its words changed meanwhile (rule 25)."})
    oral = fields.Boolean(required=True)
    submitted_at = fields.AwareDateTime(required=True, allow_none=True)
    circulated_at = fields.AwareDateTime(required=True, allow_none=True)
    decided_at = fields.AwareDateTime(required=True, allow_none=True)


class DraftSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    meeting_id = fields.Integer(required=True)
    title = fields.String(required=True)
    symbol = fields.String(required=True)
    language = Code(list(LANGUAGES), required=True)
    amendment_prefix = fields.String(required=True)
    state = Code(["preparation", "negotiation"], required=True, metadata={
        "description": "preparation (the secretariat shapes it) or negotiation (open for amendments)."})
    version = fields.Integer(required=True)


class DraftSchema(DraftSummarySchema):
    preamble = fields.String(required=True, metadata={"description": "The preamble as it stands now."})
    preamble_id = fields.Integer(required=True, allow_none=True)
    parts = fields.List(fields.Nested(PartSchema), required=True)
    paragraphs = fields.List(fields.Nested(DraftParagraphSchema), required=True,
                             metadata={"description": "Every unit in document order, the preamble first."})
    amendments = fields.List(fields.Nested(AmendmentSchema), required=True, metadata={
        "description": "The amendments the caller may see (rule 23), in the order they are taken (rule 24)."})


DraftPageSchema = page_schema(DraftSummarySchema, "DraftPage")


class TranslationItemSchema(ma.Schema):
    id = _ids(required=True, metadata={"description": "A paragraph of the draft."})
    text = Text(required=True, multiline=True, validate=validate.Length(min=1, max=10_000))


class TranslationInSchema(ma.Schema):
    paragraphs = fields.List(fields.Nested(TranslationItemSchema), required=True,
                             validate=validate.Length(min=1, max=1000))


class AmendmentInSchema(ma.Schema):
    kind = Code(["modify", "delete", "insert_after"], required=True)
    text = Text(load_default="", multiline=True, validate=validate.Length(max=10_000), metadata={
        "description": "modify: the whole paragraph as the movers want it; insert_after: the new paragraph."})
    explanation = Text(load_default="", multiline=True, validate=validate.Length(max=5000))
    language = Code(list(LANGUAGES), required=True)
    on_behalf_of = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20),
                        metadata={"description": ON_BEHALF_HELP})
    co_sponsors = fields.List(fields.String(validate=validate.Regexp(STATE_CODE)), load_default=list,
                              validate=validate.Length(max=200),
                              metadata={"description": "ISO codes of co-sponsoring States (with the caller's)."})
    dissenting = fields.List(fields.String(validate=validate.Regexp(STATE_CODE)), load_default=list,
                             validate=validate.Length(max=200), metadata={
                                 "description": "For a regional group: its States that do not support it."})
    parent_id = _ids(load_default=None, allow_none=True, metadata={
        "description": "The amendment this sub-amendment amends."})
    submit = fields.Boolean(load_default=True, metadata={
        "description": "Submit to the secretariat at once (default); false keeps it as a draft of the movers."})


class NoteInSchema(ma.Schema):
    note = Text(load_default="", multiline=True, validate=validate.Length(max=2000))


class ReturnInSchema(ma.Schema):
    message = Text(required=True, multiline=True, validate=validate.Length(min=1, max=2000),
                   metadata={"description": "What needs clarifying; the movers are notified."})


class ResubmitInSchema(ma.Schema):
    text = Text(multiline=True, validate=validate.Length(max=10_000),
                metadata={"description": "The corrected text; omitted: unchanged."})
    explanation = Text(multiline=True, validate=validate.Length(max=5000))


class TakeUpInSchema(ma.Schema):
    on_behalf_of = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20),
                        metadata={"description": ON_BEHALF_HELP})


class CompilationSchema(ma.Schema):
    number = fields.Integer(required=True)
    circulated_at = fields.AwareDateTime(required=True)
    amendments = fields.List(fields.Nested(AmendmentSchema), required=True)


class OrderSchema(ma.Schema):
    order = fields.List(_ids(), required=True, validate=validate.Length(min=1, max=5000), metadata={
        "description": "Ids of the circulated amendments (not sub-amendments) in the order they are taken."})


# --- documents ---------------------------------------------------------------------------------------

DOCUMENT_LANGUAGES = ["en", "fr", "es", "other"]
REISSUES = {"rev": "revision", "corr": "corrigendum", "add": "addendum"}
FILE_HELP = ("The file (PDF, DOCX, XLSX, PPTX, ODT, ODS, plain text, Markdown, CSV, PNG or JPEG; its type is "
             "detected from the content). Required.")


class DocumentQuerySchema(PageArgs):
    space = SpaceRef()
    language = Code(DOCUMENT_LANGUAGES, metadata={"description": "One row per document in this language."})
    kind = Code(["official", "working"])
    q = Text(validate=validate.Length(max=200), metadata={"description": "Part of a symbol or title."})


class DocumentUploadSchema(ma.Schema):
    file = Upload(metadata={"description": FILE_HELP})
    title = Text(load_default="", validate=validate.Length(max=300))
    symbol = Text(load_default="", validate=validate.Length(max=80),
                  metadata={"description": "Official documents only: the meeting's prefix, then /-separated parts."})
    language = Code(DOCUMENT_LANGUAGES, load_default="en")
    space = SpaceRef(load_default="plenary")
    kind = Code(["official", "working"], load_default="working",
                metadata={"description": "official: the secretariat, in the plenary, with a symbol."})
    description = Text(load_default="", multiline=True, validate=validate.Length(max=5000))
    note = Text(load_default="", validate=validate.Length(max=300), metadata={"description": "About this version."})
    draft_id = _ids(load_default=None, allow_none=True, metadata={"description": "The draft it relates to."})


class VersionUploadSchema(ma.Schema):
    file = Upload(metadata={"description": FILE_HELP})
    note = Text(load_default="", validate=validate.Length(max=300))


class ReissueUploadSchema(ma.Schema):
    file = Upload(metadata={"description": FILE_HELP})
    reissue = Code(list(REISSUES), required=True, metadata={
        "description": "rev (a revision, …(Rev.N)), corr (a corrigendum, …(Corr.)) or add (an addendum, …/Add.N)."})
    title = Text(load_default="", validate=validate.Length(max=300),
                 metadata={"description": "Default: the original's."})
    language = Code(DOCUMENT_LANGUAGES, metadata={"description": "Default: the original's."})
    description = Text(load_default="", multiline=True, validate=validate.Length(max=5000))


class DocumentVersionSchema(ma.Schema):
    number = fields.Integer(required=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True)
    file_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    note = fields.String(required=True)
    uploaded_by = fields.String(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    url = fields.String(required=True, metadata={"description": "downloadDocumentVersion's URL."})


class DocumentRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    symbol = fields.String(required=True, allow_none=True)
    language = Code(DOCUMENT_LANGUAGES, required=True)
    title = fields.String(required=True)


class DocumentSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    meeting_id = fields.Integer(required=True)
    space = fields.Integer(required=True)
    space_kind = Code(_values(SpaceKind), required=True)
    kind = Code(["official", "working"], required=True)
    symbol = fields.String(required=True, allow_none=True)
    language = Code(DOCUMENT_LANGUAGES, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    draft_id = fields.Integer(required=True, allow_none=True)
    agenda_item_id = fields.Integer(required=True, allow_none=True)
    owner = fields.String(required=True, allow_none=True)
    current_version = fields.Integer(required=True)
    updated_at = fields.AwareDateTime(required=True)
    withdrawn = fields.Boolean(required=True)
    reissue_of = fields.Integer(required=True, allow_none=True)
    reissue_kind = Code(list(REISSUES.values()), required=True, allow_none=True)
    variant_of = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The lead document of which this is a language version."})


class DocumentSchema(DocumentSummarySchema):
    versions = fields.List(fields.Nested(DocumentVersionSchema), required=True,
                           metadata={"description": "Newest first."})
    languages = fields.List(fields.Nested(DocumentRefSchema), required=True,
                            metadata={"description": "The document's language versions, the lead first."})
    reissues = fields.List(fields.Nested(DocumentRefSchema), required=True,
                           metadata={"description": "Revisions, corrigenda and addenda of an original."})


DocumentPageSchema = page_schema(DocumentSummarySchema, "DocumentPage")


# --- positions, statements, polls and the tally ------------------------------------------------------

STANCES = ["support", "oppose", "reserve", "none"]
VOTE_CHOICES = ["for", "against", "abstain"]


class ItemSchema(ma.Schema):
    kind = Code(["paragraph", "amendment"], required=True)
    id = fields.Integer(required=True)
    draft_id = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "The paragraph's label, or the amendment's number."})


class ItemInSchema(ma.Schema):
    kind = Code(["paragraph", "amendment"], required=True)
    id = _ids(required=True)


class PositionInSchema(ma.Schema):
    stance = Code(STANCES, required=True)
    statement = Text(load_default="", multiline=True, validate=validate.Length(max=500))
    sitting_id = _ids(load_default=None, allow_none=True, metadata={"description": "The sitting it was stated in."})


class PositionSchema(ma.Schema):
    group = fields.String(required=True, metadata={"description": "employer, worker or a regional group code."})
    regional_group = fields.String(required=True, allow_none=True, metadata={"description": "Its name."})
    stance = Code(STANCES, required=True)
    statement = fields.String(required=True)
    stated_by = fields.String(required=True, allow_none=True)
    recorded_by = fields.String(required=True)
    for_chair = fields.Boolean(required=True, metadata={"description": "The secretariat took note of it."})
    sitting_id = fields.Integer(required=True, allow_none=True)
    updated_at = fields.String(required=True)


class RecordedPositionSchema(PositionSchema):
    item = fields.Nested(ItemSchema, required=True)


class StatementInSchema(ma.Schema):
    member_state = Text(load_default=None, allow_none=True, validate=validate.Regexp(STATE_CODE), metadata={
        "description": "The State that spoke (ISO code); default: the caller's own State."})
    regional_group = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20), metadata={
        "description": "The regional group it spoke on behalf of (its code), if any."})
    stance = Code(STANCES, required=True)
    text = Text(load_default="", multiline=True, validate=validate.Length(max=1000))
    sitting_id = _ids(load_default=None, allow_none=True)


class StatementSchema(ma.Schema):
    id = fields.Integer(required=True)
    member_state = fields.String(required=True)
    regional_group = fields.String(required=True, allow_none=True)
    regional_group_name = fields.String(required=True, allow_none=True)
    stance = Code(STANCES, required=True)
    text = fields.String(required=True)
    recorded_by = fields.String(required=True)
    for_chair = fields.Boolean(required=True)
    sitting_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.String(required=True)


class RecordedStatementSchema(StatementSchema):
    item = fields.Nested(ItemSchema, required=True)


class PollInSchema(ma.Schema):
    item = fields.Nested(ItemInSchema, required=True)
    question = Text(load_default="", validate=validate.Length(max=300))
    minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=24 * 60),
                             metadata={"description": "Closes by itself after so many minutes; null: when closed."})


class PollAnswerInSchema(ma.Schema):
    choice = Code(["support", "oppose", "abstain"], required=True)


class PollSchema(ma.Schema):
    id = fields.Integer(required=True)
    space = fields.Integer(required=True)
    item = fields.Nested(ItemSchema, required=True)
    question = fields.String(required=True)
    state = Code(["open", "closed"], required=True)
    closes_at = fields.AwareDateTime(required=True, allow_none=True)
    opened_by = fields.String(required=True)
    results = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                          metadata={"description": "Answers per choice: counts only, never who chose what."})
    your_answer = fields.String(required=True, allow_none=True)


class DecisionSchema(ma.Schema):
    outcome = fields.String(required=True)
    method = fields.String(required=True, allow_none=True,
                           metadata={"description": "consensus, vote:<type>, reservation, none; null if unknown."})
    declared_by = fields.String(required=True, allow_none=True)
    for_chair = fields.Boolean(required=True)
    sitting_id = fields.Integer(required=True, allow_none=True)
    vote_id = fields.Integer(required=True, allow_none=True)
    note = fields.String(required=True)
    at = fields.String(required=True, allow_none=True)
    source = fields.String(required=True)


class TallyRowSchema(ma.Schema):
    item = fields.Nested(ItemSchema, required=True)
    depth = fields.Integer(required=True, metadata={"description": "0 paragraph, 1 amendment, 2 sub-amendment."})
    paragraph_id = fields.Integer(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    state = fields.String(required=True)
    employer = fields.Nested(PositionSchema, required=True, allow_none=True)
    worker = fields.Nested(PositionSchema, required=True, allow_none=True)
    regional = fields.List(fields.Nested(PositionSchema), required=True)
    statements = fields.List(fields.Nested(StatementSchema), required=True, metadata={
        "description": "Government statements, each attributed to its State: never summed into one position."})
    decision = fields.Nested(DecisionSchema, required=True, allow_none=True)


class TallySchema(ma.Schema):
    draft = fields.Nested(DraftSummarySchema, required=True)
    items = fields.List(fields.Nested(TallyRowSchema), required=True)


# --- votes and decisions -------------------------------------------------------------------------------

class VoteInSchema(ma.Schema):
    type = Code(["show_of_hands", "record", "secret"], required=True)
    majority = Code(["simple", "two_thirds"], load_default="simple")
    question = Text(load_default="", validate=validate.Length(max=500))
    sitting_id = _ids(load_default=None, allow_none=True, metadata={
        "description": "Default: the meeting's live sitting (a quorum is counted from its attendance register)."})


class BallotInSchema(ma.Schema):
    choice = Code(VOTE_CHOICES, required=True)


class BallotSchema(ma.Schema):
    receipt = fields.String(required=True, allow_none=True, metadata={
        "description": "Secret ballots: a code to check the ballot was counted; shown this once only."})
    changed = fields.Boolean(required=True)
    vote = fields.Nested(lambda: VoteSchema(), required=True)


class CountSchema(ma.Schema):
    raw = fields.Integer(required=True)
    weighted = fields.Integer(required=True)


class TotalsSchema(ma.Schema):
    for_ = fields.Nested(CountSchema, data_key="for", attribute="for", required=True)
    against = fields.Nested(CountSchema, required=True)
    abstain = fields.Nested(CountSchema, required=True)


class GroupCountSchema(ma.Schema):
    for_ = fields.Integer(data_key="for", attribute="for", required=True)
    against = fields.Integer(required=True)
    abstain = fields.Integer(required=True)


class VoteQuorumSchema(ma.Schema):
    rule = fields.String(required=True, allow_none=True)
    required = fields.Integer(required=True, allow_none=True)
    attending = fields.Integer(required=True, allow_none=True)
    reached = fields.Boolean(required=True, allow_none=True, metadata={"description": "Known once closed."})
    votes_cast = fields.Integer(allow_none=True)


class VoterSchema(ma.Schema):
    voter = fields.String(required=True)
    group = fields.String(required=True)
    choice = Code(VOTE_CHOICES, required=True)
    weight = fields.Integer(required=True)


class VoteSchema(ma.Schema):
    id = fields.Integer(required=True)
    type = Code(["show_of_hands", "record", "secret"], required=True)
    state = Code(["open", "closed"], required=True)
    item = fields.Nested(ItemSchema, required=True)
    question = fields.String(required=True)
    sitting_id = fields.Integer(required=True, allow_none=True)
    majority = Code(["simple", "two_thirds"], required=True)
    weighting = fields.String(required=True)
    weights = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                          metadata={"description": "The weight of one vote of each group (rule 31)."})
    composition = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                              metadata={"description": "Voting members of each group when the vote opened."})
    opened_at = fields.String(required=True)
    closed_at = fields.String(required=True, allow_none=True)
    for_chair = fields.Boolean(required=True)
    ballots_cast = fields.Integer(required=True)
    quorum = fields.Nested(VoteQuorumSchema, required=True)
    outcome = Code(["adopted", "rejected", "void"], required=True, allow_none=True,
                   metadata={"description": "Once closed; the Chair still declares the decision (decideItem)."})
    totals = fields.Nested(TotalsSchema, allow_none=True, metadata={"description": "Once closed."})
    by_group = fields.Dict(keys=fields.String(), values=fields.Nested(GroupCountSchema), metadata={
        "description": "Once closed; absent for secret ballots."})
    by_group_weighted = fields.Dict(keys=fields.String(), values=fields.Nested(GroupCountSchema))
    ballots = fields.List(fields.Nested(VoterSchema), metadata={"description": "Record votes only, once closed."})


class DecisionInSchema(ma.Schema):
    outcome = Code(["adopted", "adopted_as_amended", "rejected", "fell", "withdrawn", "not_seconded", "not_moved",
                    "merged", "deferred", "referred", "reservation", "reopened"], required=True)
    method = Code(["consensus", "vote", "reservation", "none"], required=True)
    note = Text(load_default="", multiline=True, validate=validate.Length(max=2000), metadata={
        "description": "Required for a reservation (whose) and a reopening (the body's agreement)."})
    vote_id = _ids(load_default=None, allow_none=True, metadata={
        "description": "With method vote: the closed vote cited (default: the item's last closed vote)."})
    sitting_id = _ids(load_default=None, allow_none=True)
    drafting_group_id = _ids(load_default=None, allow_none=True, metadata={"description": "For referred."})
    merged_into = _ids(load_default=None, allow_none=True, metadata={"description": "For merged: an amendment id."})


class DeclaredSchema(ma.Schema):
    id = fields.Integer(required=True)
    item = fields.Nested(ItemSchema, required=True)
    outcome = fields.String(required=True)
    method = fields.String(required=True)
    vote_id = fields.Integer(required=True, allow_none=True)
    sitting_id = fields.Integer(required=True, allow_none=True)
    for_chair = fields.Boolean(required=True)
    note = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "The item's state now."})


# --- sittings ------------------------------------------------------------------------------------------

class SittingInSchema(ma.Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(required=True, metadata={
        "description": "With its offset, e.g. 2027-03-01T10:00:00+01:00."})
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True)
    room = Text(load_default="", validate=validate.Length(max=100))
    agenda_item_id = _ids(load_default=None, allow_none=True)
    draft_id = _ids(load_default=None, allow_none=True, metadata={
        "description": "The draft it negotiates: the sitting is made live on it (the `make_live` command)."})


class SittingCommandInSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE  # the command's own fields, as docs/realtime.md lists them

    command = Text(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "open, suspend, resume, close, set_item ({item: {kind, id}}), call_objections, announce "
                       "({text}), … as the socket event sitting_command (docs/realtime.md)."})


class SittingCommandSchema(ma.Schema):
    ok = fields.Boolean(required=True)
    result = fields.Dict(required=True, metadata={"description": "What the command answers (as the socket's ack)."})
    state = fields.Dict(required=True, metadata={"description": "The sitting's state afterwards (getSittingState)."})


class AttendanceInSchema(ma.Schema):
    participant_ids = fields.List(_ids(), load_default=list, validate=validate.Length(max=5000))
    member_states = fields.List(fields.String(validate=validate.Regexp(STATE_CODE)), load_default=list,
                                validate=validate.Length(max=300))


class AttendanceSchema(ma.Schema):
    participants = fields.List(fields.Integer(), required=True)
    member_states = fields.List(fields.String(), required=True)


class SittingStateSchema(ma.Schema):
    sitting_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    state = Code(_values(SittingState), required=True)
    title = fields.String(required=True)
    meeting_id = fields.Integer(required=True)
    live = fields.Boolean(required=True)
    draft_id = fields.Integer(required=True, allow_none=True)
    announcement = fields.String(required=True)
    item = fields.Dict(required=True, allow_none=True)
    oral = fields.Dict(required=True, allow_none=True)
    speakers = fields.Dict(required=True)
    timer = fields.Dict(required=True, allow_none=True)
    objections = fields.Dict(required=True, allow_none=True)
    observers_invited = fields.Boolean(required=True)
    vote = fields.Dict(required=True, allow_none=True)
    default_limit = fields.Integer(required=True, allow_none=True)
    you = fields.Dict(required=True)
    positions = fields.List(fields.Dict())
    statements = fields.List(fields.Dict())
    agenda = fields.List(fields.Dict())
    officers = fields.Dict()
    chair = fields.Dict()
    attendance = fields.Nested(AttendanceSchema, metadata={"description": "For the Chair and the secretariat."})
    server_time = fields.String(required=True)


# --- exports -------------------------------------------------------------------------------------------

class ExportQuerySchema(ma.Schema):
    format = Code(["docx", "pdf", "html", "md", "json", "akn", "csv"], required=True)
    marked = fields.Integer(load_default=0, validate=validate.OneOf([0, 1]), metadata={
        "description": "1: the conclusions with the changes marked (Word: tracked changes); 0: the final text."})
    kind = Code(["final", "marked", "compilation", "record", "status", "draft", "conclusions", "amendments"],
                metadata={"description": "Another document than the conclusions: compilation, record (docx, pdf, "
                                         "html, md); amendments (akn)."})
    language = Code(list(LANGUAGES), metadata={"description": "Default: the draft's original language."})
