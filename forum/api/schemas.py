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
