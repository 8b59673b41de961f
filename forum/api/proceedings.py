"""API operations on the report of the meeting (issue #10, rule 34): listInterventions,
addIntervention, proposeCorrection, decideCorrection, publishDraftReport, adoptReport, getReport,
exportReport.

Adapters only: the permission functions of forum/permissions.py gate each operation (404 for what
the caller may not see, 403 for what they see but may not do) and forum/proceedings/services.py
does the work inside `unit_of_work()`. The report is adopted only by adoptReport, the Chair's
declaration (or the secretariat's on the Chair's behalf, recorded as such).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import wraps
from typing import Any

import marshmallow as ma
from flask import Response, g
from marshmallow import fields, validate

from forum import permissions
from forum.api.core import ApiBlueprint, PageArgs, actor, page_schema, paginate
from forum.api.meetings import current_meeting, in_meeting
from forum.api.schemas import Code, ItemInSchema, ItemSchema, Text, _ids
from forum.db import unit_of_work
from forum.errors import NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Participant, Sitting
from forum.positions.items import item_of_row, load_item
from forum.proceedings import queries, report, services
from forum.proceedings.models import Intervention, Report, ReportCorrection, SpeakerCapacity
from forum.sittings.models import SpeakerRequest

blp = ApiBlueprint("api_proceedings", __name__, tag="Report",
                   description="The report of the meeting: summaries of interventions, corrections, publication, "
                               "adoption and its files.")

SECRETARIAT = "Only the meeting secretariat does this."
CAPACITIES = [c.value for c in SpeakerCapacity]


# --- schemas ----------------------------------------------------------------------------------------------

class InterventionInSchema(ma.Schema):
    speaker = _ids(required=True, metadata={"description": "The speaker's participant id."})
    summary = Text(required=True, multiline=True, validate=validate.Length(min=1, max=services.SUMMARY_LIMIT))
    item = fields.Nested(ItemInSchema, load_default=None, allow_none=True,
                         metadata={"description": "The paragraph or amendment; omitted for the general discussion."})
    on_behalf_of = Text(load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={
        "description": "employer, worker or government (a group), a regional group's code (AFRICA) or a State's "
                       "two-letter code; omitted when the speaker spoke for themself (their State)."})
    capacity = Code(CAPACITIES, load_default=None, allow_none=True,
                    metadata={"description": "Default: from the speaker's office and group."})
    started_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    speaking_seconds = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=86400))
    speaker_request_id = _ids(load_default=None, allow_none=True, metadata={
        "description": "The turn at the floor (speakers list) it summarises: its time and speaking time fill in."})


class InterventionSchema(ma.Schema):
    id = fields.Integer(required=True)
    sitting_id = fields.Integer(required=True)
    speaker = fields.Integer(required=True, metadata={"description": "The speaker's participant id."})
    speaker_name = fields.String(required=True)
    capacity = fields.String(required=True)
    on_behalf_of = fields.String(required=True, allow_none=True)
    attribution = fields.String(required=True, metadata={"description": "As the report names the speaker."})
    item = fields.Nested(ItemSchema, required=True, allow_none=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    speaking_seconds = fields.Integer(required=True, allow_none=True)
    summary = fields.String(required=True)
    version = fields.Integer(required=True)
    written_by = fields.String(required=True)


InterventionPageSchema = page_schema(InterventionSchema, "InterventionPage")


class CorrectionInSchema(ma.Schema):
    text = Text(required=True, multiline=True, validate=validate.Length(min=1, max=services.SUMMARY_LIMIT))


class CorrectionDecisionInSchema(ma.Schema):
    accepted = fields.Boolean(required=True)
    note = Text(load_default="", validate=validate.Length(max=services.NOTE_LIMIT))


class CorrectionSchema(ma.Schema):
    id = fields.Integer(required=True)
    intervention_id = fields.Integer(required=True)
    proposed_by = fields.Integer(required=True, metadata={"description": "The speaker's participant id."})
    text = fields.String(required=True)
    original = fields.String(required=True)
    state = Code(["proposed", "accepted", "declined"], required=True)
    decided_by = fields.String(required=True, allow_none=True)
    note = fields.String(required=True)
    history = fields.List(fields.Dict(), required=True)


class PublishInSchema(ma.Schema):
    deadline = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC, metadata={
        "description": "The deadline for corrections, when the programme has none (ISO 8601; UTC without a zone)."})


class AdoptInSchema(ma.Schema):
    method = Code(list(services.METHODS), required=True)
    sitting_id = _ids(load_default=None, allow_none=True)
    note = Text(load_default="", validate=validate.Length(max=services.NOTE_LIMIT))


class ReportSchema(ma.Schema):
    meeting_id = fields.Integer(required=True)
    state = Code(["draft", "published", "adopted"], required=True)
    published_at = fields.DateTime(required=True, allow_none=True)
    correction_deadline = fields.DateTime(required=True, allow_none=True)
    pending_corrections = fields.Integer(required=True)
    adopted_at = fields.DateTime(required=True, allow_none=True)
    adoption = fields.Dict(required=True, allow_none=True, metadata={
        "description": "method, declared_by, for_chair, sitting_id, note — once adopted."})
    languages = fields.List(fields.String(), required=True)
    report = fields.Dict(required=False, metadata={
        "description": "The report's structure (sections of blocks); once adopted, the frozen text."})


class ReportQuerySchema(ma.Schema):
    language = fields.String(validate=validate.Length(max=8), metadata={
        "description": "The language of the drafts' texts (a meeting language with translations)."})


class ReportExportQuerySchema(ReportQuerySchema):
    format = Code(list(report.FORMATS), required=True)


# --- shapes -----------------------------------------------------------------------------------------------

def intervention_out(i: Intervention, names: dict[str, str] | None = None) -> dict[str, Any]:
    item = item_of_row(i).as_dict() if (i.paragraph_id or i.amendment_id) else None
    return {"id": i.id, "sitting_id": i.sitting_id, "speaker": i.speaker_id, "speaker_name": i.speaker.user.name,
            "capacity": i.capacity.value, "on_behalf_of": i.on_behalf_of,
            "attribution": report.attribution(i, names if names is not None else report.regional_names()),
            "item": item, "started_at": i.started_at, "speaking_seconds": i.speaking_seconds, "summary": i.summary,
            "version": i.version, "written_by": i.written_by_name}


def correction_out(c: ReportCorrection) -> dict[str, Any]:
    return {"id": c.id, "intervention_id": c.intervention_id, "proposed_by": c.proposed_by_id, "text": c.text,
            "original": c.original, "state": c.state.value, "decided_by": c.decided_by_name or None, "note": c.note,
            "history": list(c.history or [])}


def report_out(rep: Report, *, structure: dict[str, Any] | None = None) -> dict[str, Any]:
    meeting = current_meeting()
    adoption = None
    if rep.adopted_at is not None:
        adoption = {"method": rep.adoption_method, "declared_by": rep.adopted_by_name,
                    "for_chair": rep.adoption_for_chair, "sitting_id": rep.adoption_sitting_id,
                    "note": rep.adoption_note}
    out = {"meeting_id": rep.meeting_id, "state": rep.state.value, "published_at": rep.published_at,
           "correction_deadline": queries.correction_deadline(rep),
           "pending_corrections": queries.pending_corrections(rep.meeting_id), "adopted_at": rep.adopted_at,
           "adoption": adoption, "languages": report.languages(meeting)}
    if structure is not None:
        out["report"] = structure
    return out


def _renamed(exc: ValidationFailed, names: dict[str, str]) -> ValidationFailed:
    exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return exc


# --- gates ------------------------------------------------------------------------------------------------

def _report_of_meeting(check: Callable[[Any, Report], bool], message: str) -> Callable:
    """Under /meetings/<meeting_id>/report: 404 for non-participants, 403 unless `check(user, report)`."""

    def decorator(view: Callable) -> Callable:
        @in_meeting()
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            rep = queries.report_of(kwargs["meeting_id"])
            if not check(actor(), rep):
                raise NotAllowed(message)
            g.api_report = rep
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _on_sitting(check: Callable[[Any, Sitting], bool], message: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sitting = db.session.get(Sitting, kwargs["sitting_id"])
            if sitting is None or not permissions.can_view_sitting(actor(), sitting):
                raise NotFound("No such sitting.")
            if not check(actor(), sitting):
                raise NotAllowed(message)
            g.api_sitting = sitting
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _reads_report(user: Any, sitting: Sitting) -> bool:
    return permissions.can_view_report(user, queries.report_of(sitting.meeting_id))


NOT_PUBLISHED = "The draft report has not been published yet."


# --- interventions ----------------------------------------------------------------------------------------

@blp.route("/sittings/<id:sitting_id>/interventions", methods=["GET"])
@blp.operation("listInterventions", 403, 404, 422)
@_on_sitting(_reads_report, NOT_PUBLISHED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, InterventionPageSchema)
def list_interventions(args: dict[str, Any], sitting_id: int):
    """The summaries of a sitting's interventions, in the order spoken

    Everyone in the meeting once the draft report is published; before that, the secretariat and the Chair.
    """
    names = report.regional_names()
    return paginate(queries.interventions_of_sitting(sitting_id), args,
                    lambda rows: [intervention_out(i, names) for i in rows])


@blp.route("/sittings/<id:sitting_id>/interventions", methods=["POST"])
@blp.operation("addIntervention", 403, 404, 409, 422)
@_on_sitting(lambda u, s: permissions.can_write_summaries(u, s.meeting_id), SECRETARIAT)
@blp.arguments(InterventionInSchema)
@blp.response(201, InterventionSchema)
def add_intervention(data: dict[str, Any], sitting_id: int):
    """Write the summary of an intervention (the secretariat)

    With `speaker_request_id` (a turn at the floor of this sitting's speakers list) the time, the
    speaking time, the item and on whose behalf are filled in from it unless given. A turn that
    already has its summary, or an adopted report, is 409.
    """
    sitting = g.api_sitting
    request = None
    values: dict[str, Any] = {}
    if data["speaker_request_id"] is not None:
        request = db.session.get(SpeakerRequest, data["speaker_request_id"])
        if request is None or request.sitting_id != sitting.id:
            raise ValidationFailed("Name a turn at the floor of this sitting.",
                                   {"speaker_request_id": ["Choose a request of this sitting's speakers list."]})
        values = services.prefill(request)
    item = values.get("item")
    if data["item"] is not None:
        try:
            item = load_item(data["item"]["kind"], data["item"]["id"])
        except NotFound:
            raise ValidationFailed("Name an item of this meeting's drafts.", {"item": ["No such item."]}) from None
    speaker = db.session.get(Participant, data["speaker"])
    try:
        with unit_of_work():
            intervention = services.add_intervention(
                actor(), sitting, speaker=speaker, summary=data["summary"], item=item,
                on_behalf_of=data["on_behalf_of"] if data["on_behalf_of"] is not None else values.get("on_behalf_of"),
                capacity=data["capacity"],
                started_at=data["started_at"] or values.get("started_at"),
                speaking_seconds=data["speaking_seconds"] if data["speaking_seconds"] is not None
                else values.get("speaking_seconds"), speaker_request=request)
            out = intervention_out(intervention)
    except ValidationFailed as exc:
        raise _renamed(exc, {"speaker_request": "speaker_request_id"}) from None
    return out


# --- corrections ------------------------------------------------------------------------------------------

def _on_intervention(view: Callable) -> Callable:
    """404 unless the caller reads the report the intervention is in; 403 unless they are its speaker."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        intervention = db.session.get(Intervention, kwargs["intervention_id"])
        if intervention is None or not permissions.can_view_report(actor(),
                                                                   queries.report_of(intervention.meeting_id)):
            raise NotFound("No such intervention.")
        if not permissions.can_propose_correction(actor(), intervention):
            raise NotAllowed("Only the speaker proposes corrections to the summary of their intervention.")
        g.api_intervention = intervention
        return view(*args, **kwargs)

    return wrapper


def _on_correction(view: Callable) -> Callable:
    """404 unless the caller sees the correction (its proposer, the Chair, the secretariat); 403 unless secretariat."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        correction = db.session.get(ReportCorrection, kwargs["correction_id"])
        if correction is None or not permissions.can_view_correction(actor(), correction):
            raise NotFound("No such correction.")
        if not permissions.can_decide_correction(actor(), correction):
            raise NotAllowed("Only the meeting secretariat decides on corrections.")
        g.api_correction = correction
        return view(*args, **kwargs)

    return wrapper


@blp.route("/interventions/<id:intervention_id>/corrections", methods=["POST"])
@blp.operation("proposeCorrection", 403, 404, 409, 422)
@_on_intervention
@blp.arguments(CorrectionInSchema)
@blp.response(201, CorrectionSchema)
def propose_correction(data: dict[str, Any], intervention_id: int):
    """Propose a correction to the summary of one's own intervention (the speaker only)

    Open while the draft report is published and until the deadline for corrections (409 after).
    Sending the same wording twice answers the same correction.
    """
    with unit_of_work():
        correction = services.propose_correction(actor(), g.api_intervention, data["text"])
        out = correction_out(correction)
    return out


@blp.route("/corrections/<id:correction_id>/decision", methods=["POST"])
@blp.operation("decideCorrection", 403, 404, 409, 422)
@_on_correction
@blp.arguments(CorrectionDecisionInSchema)
@blp.response(200, CorrectionSchema)
def decide_correction(data: dict[str, Any], correction_id: int):
    """Accept or decline a correction (the secretariat); `accepted`: true or false

    An accepted correction becomes the summary. The history keeps every step. Deciding it again
    the same way answers it unchanged; the other way is 409.
    """
    correction = g.api_correction
    with unit_of_work():
        services.decide_correction(actor(), correction, data["accepted"], data["note"])
        out = correction_out(correction)
    return out


# --- the report -------------------------------------------------------------------------------------------

@blp.route("/meetings/<id:meeting_id>/report/publish", methods=["POST"])
@blp.operation("publishDraftReport", 403, 404, 409, 422)
@_report_of_meeting(permissions.can_publish_report, "Only the meeting secretariat publishes the draft report.")
@blp.arguments(PublishInSchema)
@blp.response(200, ReportSchema)
def publish_draft_report(data: dict[str, Any], meeting_id: int):
    """Publish the draft report to the participants (the secretariat)

    Corrections are open until the programme's deadline of kind report_corrections; without one,
    give `deadline`. Publishing twice is 409.
    """
    with unit_of_work():
        rep = services.publish_report(actor(), current_meeting(), deadline=data["deadline"])
        out = report_out(rep)
    return out


@blp.route("/meetings/<id:meeting_id>/report/adopt", methods=["POST"])
@blp.operation("adoptReport", 403, 404, 409, 422)
@_report_of_meeting(permissions.can_adopt_report,
                    "Only the Chair, or the secretariat on the Chair's behalf, declares the report adopted.")
@blp.arguments(AdoptInSchema)
@blp.response(200, ReportSchema)
def adopt_report(data: dict[str, Any], meeting_id: int):
    """Record the body's adoption of its report, as the Chair declared it

    `method`: consensus, vote:show_of_hands, vote:record or vote:secret. The secretariat records it on
    the Chair's behalf (`for_chair`). The report must be published with no correction pending (409);
    it is then frozen (per language) and its files are made from the adopted text.
    """
    meeting = current_meeting()
    sitting = None
    if data["sitting_id"] is not None:
        sitting = db.session.get(Sitting, data["sitting_id"])
        if sitting is None or sitting.meeting_id != meeting.id:
            raise ValidationFailed("Name a sitting of this meeting.", {"sitting_id": ["Choose a sitting of this "
                                                                                      "meeting."]})
    with unit_of_work():
        rep = services.adopt_report(actor(), meeting, method=data["method"], sitting=sitting, note=data["note"])
        out = report_out(rep)
    return out


@blp.route("/meetings/<id:meeting_id>/report", methods=["GET"])
@blp.operation("getReport", 403, 404, 422)
@_report_of_meeting(permissions.can_view_report, NOT_PUBLISHED)
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema)
def get_report(args: dict[str, Any], meeting_id: int):
    """The report: its state, deadline and structure (once adopted, the frozen text)

    Everyone in the meeting once the draft is published; before that, the secretariat and the Chair (403).
    """
    rep = g.api_report
    return report_out(rep, structure=report.current(current_meeting(), rep, args.get("language")))


@blp.route("/meetings/<id:meeting_id>/report/export", methods=["GET"])
@blp.operation("exportReport", 403, 404, 422)
@_report_of_meeting(permissions.can_view_report, NOT_PUBLISHED)
@blp.arguments(ReportExportQuerySchema, location="query")
@blp.response(200, description="The file, as an attachment.")
@blp.doc(responses={200: {"content": {mime: {"schema": {"type": "string", "format": "binary"}}
                                      for mime in report.FORMATS.values()}}})
def export_report(args: dict[str, Any], meeting_id: int):
    """The report as a file: `format` docx or pdf, `language` of the drafts' texts

    Once adopted, made from the frozen text; before, from the current draft (its status says so).
    """
    export = report.export(current_meeting(), g.api_report, args["format"], args.get("language"))
    return Response(export.data, mimetype=export.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{export.filename}"',
                             "Cache-Control": "no-store"})
