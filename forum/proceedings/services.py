"""Writes of the report: summaries of interventions, corrections, publication and adoption.

Every change checks its permission, writes in the caller's transaction, appends to the meeting's
audit chain and never commits. The software never adopts the report: only the Chair's declaration
(or the secretariat's, on the Chair's behalf and recorded as such) does (rule 29, rule 34).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting.drafts import actor_name, for_chair
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Capacity, Group, Meeting, OfficeRole, Participant, RegionalGroup, Sitting
from forum.positions.items import ItemRef
from forum.proceedings import queries
from forum.proceedings.models import (
    BehalfKind,
    CorrectionState,
    Intervention,
    Report,
    ReportCorrection,
    ReportState,
    SpeakerCapacity,
)
from forum.sittings.models import SpeakerRequest

SUMMARY_LIMIT = 10_000
NOTE_LIMIT = 500
METHODS = ("consensus", "vote:show_of_hands", "vote:record", "vote:secret")
GROUP_CODES = {"government": Group.government, "employer": Group.employer, "worker": Group.worker}


class EditConflict(InvalidState):
    """Another official saved the summary since this one started: nothing of either text is lost."""

    def __init__(self, intervention: Intervention) -> None:
        super().__init__("Someone else saved this summary while you were writing. Your text is kept below: "
                         "compare it with theirs and save again.",
                         {"summary": ["Saved meanwhile by someone else; see their text."]},
                         current_summary=intervention.summary, current_version=intervention.version,
                         written_by=intervention.written_by_name)


# --- the report row -------------------------------------------------------------------------------------

def ensure_report(meeting_id: int) -> Report:
    """The meeting's report row, created on first use (two first writers at once: one row)."""
    report = queries.report_of(meeting_id)
    if report.id is None:
        report.version = 1
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except sa.exc.IntegrityError:
            report = queries.report_of(meeting_id)
    return report


def _not_frozen(report: Report) -> None:
    if report.state is ReportState.adopted:
        raise InvalidState("The report has been adopted: it is frozen.")


def _audit(actor: Any, action: str, obj: Any, meeting_id: int, payload: dict[str, Any], *,
           chair: bool = False) -> None:
    record(actor, action, obj, payload, meeting_id=meeting_id, for_chair=chair)


# --- interventions ----------------------------------------------------------------------------------------

def capacity_of(p: Participant) -> SpeakerCapacity:
    """The capacity the report names a speaker in, from their office and group (editable)."""
    roles = p.roles()
    if OfficeRole.chair in roles:
        return SpeakerCapacity.chair
    if p.capacity is Capacity.secretariat:
        return SpeakerCapacity.secretariat
    if p.capacity is Capacity.observer:
        return SpeakerCapacity.observer
    if OfficeRole.vice_chair in roles:
        return {Group.employer: SpeakerCapacity.employer_vice_chair, Group.worker: SpeakerCapacity.worker_vice_chair
                }.get(p.group, SpeakerCapacity.government_vice_chair)
    if OfficeRole.reporter in roles:
        return SpeakerCapacity.reporter
    return {Group.employer: SpeakerCapacity.employer_member, Group.worker: SpeakerCapacity.worker_member
            }.get(p.group, SpeakerCapacity.government_member)


def parse_behalf(value: Any) -> tuple[BehalfKind | None, str | None]:
    """`employer` / `worker` / `government` (a group), a regional group's code, or a State's ISO code."""
    from forum.meetings.services import state_name

    if value in (None, ""):
        return None, None
    text = str(value).strip()
    if text.lower() in GROUP_CODES:
        return BehalfKind.group, text.lower()
    code = text.upper()
    if len(code) <= 20 and db.session.scalar(sa.select(RegionalGroup.id).where(RegionalGroup.code == code)):
        return BehalfKind.regional_group, code
    if len(code) == 2 and state_name(code) != code:
        return BehalfKind.state, code
    raise ValidationFailed("Say on whose behalf the speaker spoke.", {"on_behalf_of": [
        "Use employer, worker, government, a regional group's code (e.g. AFRICA) or a State's two-letter code."]})


def _summary(text: Any, field: str = "summary") -> str:
    text = str(text or "").strip()
    if not text:
        raise ValidationFailed("Write the summary.", {field: ["This field is required."]})
    if len(text) > SUMMARY_LIMIT:
        raise ValidationFailed("The text is too long.", {field: [f"At most {SUMMARY_LIMIT} characters."]})
    return text


def _check_item(meeting_id: int, item: ItemRef | None) -> None:
    if item is None:
        return
    if item.meeting_id != meeting_id or (item.amendment is not None and not item.amendment.is_circulated):
        # The report holds the public record only: an amendment not circulated is no item of it.
        raise ValidationFailed("Name an item of this meeting's drafts.", {"item": ["Choose a paragraph or a "
                                                                                  "circulated amendment."]})


def _check_speaker(meeting_id: int, speaker: Participant | None) -> Participant:
    if speaker is None or speaker.meeting_id != meeting_id or not speaker.active:
        raise ValidationFailed("Name the speaker.", {"speaker": ["Choose a participant of this meeting."]})
    return speaker


def _capacity(value: Any, speaker: Participant) -> SpeakerCapacity:
    if value in (None, ""):
        return capacity_of(speaker)
    try:
        return SpeakerCapacity(value)
    except ValueError as exc:
        raise ValidationFailed("Say in what capacity they spoke.", {"capacity": ["Choose a capacity."]}) from exc


def _require_writer(actor: Any, meeting_id: int) -> Report:
    if not permissions.can_write_summaries(actor, meeting_id):
        raise NotAllowed("Only the meeting secretariat writes the summaries of interventions.")
    report = queries.report_of(meeting_id)
    _not_frozen(report)
    return report


def prefill(request: SpeakerRequest) -> dict[str, Any]:
    """What the speakers list already says about a turn at the floor (issue #10)."""
    values: dict[str, Any] = {"speaker": request.participant, "capacity": capacity_of(request.participant),
                              "on_behalf_of": request.on_behalf_of or None,
                              "started_at": request.granted_at,
                              "speaking_seconds": request.spoken_seconds if request.finished_at else None,
                              "item": None}
    kind, _sep, ident = (request.item_key or "").partition(":")
    if kind in ("paragraph", "amendment") and ident.isdigit():
        from forum.errors import NotFound
        from forum.positions.items import load_item

        try:
            values["item"] = load_item(kind, int(ident))
        except NotFound:  # the item has gone since: the secretariat names it
            values["item"] = None
    return values


def add_intervention(actor: Any, sitting: Sitting, *, speaker: Participant | None, summary: str,
                     item: ItemRef | None = None, on_behalf_of: Any = None, capacity: Any = None,
                     started_at: datetime | None = None, speaking_seconds: int | None = None,
                     speaker_request: SpeakerRequest | None = None) -> Intervention:
    """Write the summary of one intervention in a plenary sitting."""
    _require_writer(actor, sitting.meeting_id)
    if speaker_request is not None:
        if speaker_request.sitting_id != sitting.id:
            raise ValidationFailed("That request for the floor is of another sitting.",
                                   {"speaker_request": ["Choose a request of this sitting."]})
        existing = db.session.scalars(sa.select(Intervention).where(
            Intervention.speaker_request_id == speaker_request.id)).first()
        if existing is not None:  # a double submission: the summary exists; edit it instead
            raise InvalidState("This turn at the floor already has its summary.", existing_id=existing.id)
    speaker = _check_speaker(sitting.meeting_id, speaker)
    text = _summary(summary)
    _check_item(sitting.meeting_id, item)
    behalf_kind, behalf = parse_behalf(on_behalf_of)
    if speaking_seconds is not None and not 0 <= int(speaking_seconds) <= 24 * 3600:
        raise ValidationFailed("Give the speaking time in seconds.", {"speaking_seconds": ["Between 0 and 86400."]})
    now = utcnow()
    intervention = Intervention(
        meeting_id=sitting.meeting_id, sitting_id=sitting.id, speaker_id=speaker.id,
        speaker_request_id=speaker_request.id if speaker_request is not None else None,
        capacity=_capacity(capacity, speaker), group=speaker.group, member_state=speaker.member_state,
        behalf_kind=behalf_kind, on_behalf_of=behalf, **(item.columns() if item else {}),
        started_at=started_at, speaking_seconds=speaking_seconds, summary=text, version=1,
        written_by_id=getattr(actor, "id", None), written_by_name=actor_name(actor), updated_at=now)
    db.session.add(intervention)
    db.session.flush()
    ensure_report(sitting.meeting_id)
    _audit(actor, "report.intervention_added", intervention, sitting.meeting_id,
           {"sitting": sitting.id, "speaker": speaker.id, "item": item.as_dict() if item else None,
            "on_behalf_of": behalf, "summary": text})
    return intervention


_KEEP: Any = object()


def update_intervention(actor: Any, intervention: Intervention, *, summary: str, version: Any,
                        item: Any = _KEEP, on_behalf_of: Any = _KEEP, capacity: Any = _KEEP) -> Intervention:
    """Save a summary over the version the writer started from; a newer one is a conflict (409)."""
    _require_writer(actor, intervention.meeting_id)
    text = _summary(summary)
    try:
        version = int(version)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("The form is out of date: reload it.", {"version": ["Missing."]}) from exc
    values: dict[str, Any] = {"summary": text, "written_by_id": getattr(actor, "id", None),
                              "written_by_name": actor_name(actor), "updated_at": utcnow(),
                              "version": Intervention.version + 1}
    if item is not _KEEP:
        _check_item(intervention.meeting_id, item)
        values.update(item.columns() if item else {"draft_id": None, "paragraph_id": None, "amendment_id": None})
    if on_behalf_of is not _KEEP:
        values["behalf_kind"], values["on_behalf_of"] = parse_behalf(on_behalf_of)
    if capacity is not _KEEP:
        values["capacity"] = _capacity(capacity, intervention.speaker)
    before = intervention.summary
    # Compare-and-set in one statement, so that two officials saving at once cannot both win.
    result = db.session.execute(sa.update(Intervention).where(Intervention.id == intervention.id,
                                                              Intervention.version == version)
                                .values(**values).execution_options(synchronize_session=False))
    db.session.refresh(intervention)
    if result.rowcount != 1:
        raise EditConflict(intervention)
    _audit(actor, "report.intervention_updated", intervention, intervention.meeting_id,
           {"version": intervention.version, "summary": text, "before": before})
    return intervention


# --- corrections (rule 34) --------------------------------------------------------------------------------

def _history(actor: Any, action: str, state: CorrectionState, note: str = "") -> dict[str, Any]:
    return {"at": utcnow().isoformat(), "by": actor_name(actor), "action": action, "state": state.value,
            "note": note}


def propose_correction(actor: Any, intervention: Intervention, text: Any) -> ReportCorrection:
    """The speaker proposes a new wording of the summary of their own intervention, until the deadline."""
    if not permissions.can_propose_correction(actor, intervention):
        raise NotAllowed("Only the speaker proposes corrections to the summary of their intervention.")
    report = queries.report_of(intervention.meeting_id)
    _not_frozen(report)
    if report.state is not ReportState.published:
        raise InvalidState("The draft report has not been published yet.")
    deadline = queries.correction_deadline(report)
    if deadline is not None and utcnow() > deadline:
        raise InvalidState("The deadline for corrections has passed.")
    wording = _summary(text, "text")
    if wording == intervention.summary:
        raise ValidationFailed("The correction repeats the summary.", {"text": ["Change the wording to correct it."]})
    proposer = permissions.participation(actor, intervention.meeting_id)
    assert proposer is not None
    same = db.session.scalars(sa.select(ReportCorrection).where(
        ReportCorrection.intervention_id == intervention.id, ReportCorrection.proposed_by_id == proposer.id,
        ReportCorrection.state == CorrectionState.proposed, ReportCorrection.text == wording)).first()
    if same is not None:  # the same proposal sent twice
        return same
    correction = ReportCorrection(intervention_id=intervention.id, proposed_by_id=proposer.id, text=wording,
                                  original=intervention.summary, state=CorrectionState.proposed,
                                  history=[_history(actor, "proposed", CorrectionState.proposed)])
    db.session.add(correction)
    db.session.flush()
    _audit(actor, "report.correction_proposed", correction, intervention.meeting_id,
           {"intervention": intervention.id, "text": wording})
    return correction


def decide_correction(actor: Any, correction: ReportCorrection, accepted: bool, note: str = "") -> ReportCorrection:
    """The secretariat accepts (the summary takes the speaker's wording) or declines; history kept."""
    intervention = correction.intervention
    if not permissions.can_decide_correction(actor, correction):
        raise NotAllowed("Only the meeting secretariat decides on corrections.")
    _not_frozen(queries.report_of(intervention.meeting_id))
    note = str(note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed("The note is too long.", {"note": [f"At most {NOTE_LIMIT} characters."]})
    wanted = CorrectionState.accepted if accepted else CorrectionState.declined
    if correction.state is not CorrectionState.proposed:
        if correction.state is wanted:  # the same decision sent twice
            return correction
        raise InvalidState("This correction has already been decided.")
    correction.state = wanted
    correction.decided_by_id = getattr(actor, "id", None)
    correction.decided_by_name = actor_name(actor)
    correction.decided_at = utcnow()
    correction.note = note
    correction.history = [*(correction.history or []), _history(actor, wanted.value, wanted, note)]
    if accepted:
        before = intervention.summary
        intervention.summary = correction.text
        intervention.version += 1
        intervention.written_by_id = getattr(actor, "id", None)
        intervention.written_by_name = actor_name(actor)
        intervention.updated_at = utcnow()
        _audit(actor, "report.intervention_corrected", intervention, intervention.meeting_id,
               {"correction": correction.id, "summary": correction.text, "before": before})
    _audit(actor, f"report.correction_{wanted.value}", correction, intervention.meeting_id,
           {"intervention": intervention.id, "note": note})
    db.session.flush()
    return correction


# --- publication and adoption -----------------------------------------------------------------------------

def publish_report(actor: Any, meeting: Meeting, *, deadline: datetime | None = None) -> Report:
    """Circulate the draft report to the participants; corrections are open until the deadline."""
    report = queries.report_of(meeting.id)
    if not permissions.can_publish_report(actor, report):
        raise NotAllowed("Only the meeting secretariat publishes the draft report.")
    _not_frozen(report)
    if report.state is ReportState.published:
        raise InvalidState("The draft report is already published.")
    programme = queries.programme_deadline(meeting.id)
    if programme is None:
        if deadline is None:
            raise ValidationFailed("Set the deadline for corrections: the programme has none.",
                                   {"deadline": ["This field is required."]})
        if deadline.tzinfo is None:
            raise ValidationFailed("Give the deadline with its time zone.", {"deadline": ["Not a valid time."]})
        if deadline <= utcnow():
            raise ValidationFailed("The deadline must be in the future.", {"deadline": ["Choose a later time."]})
    report = ensure_report(meeting.id)
    report.state = ReportState.published
    report.published_at = utcnow()
    report.published_by_id = getattr(actor, "id", None)
    if programme is None:
        report.correction_deadline = deadline
    report.version += 1
    _audit(actor, "report.published", report, meeting.id,
           {"deadline": (queries.correction_deadline(report) or utcnow()).isoformat(),
            "from_programme": programme is not None})
    return report


def adopt_report(actor: Any, meeting: Meeting, *, method: Any, sitting: Sitting | None = None,
                 note: str = "") -> Report:
    """Record the body's adoption of its report as the Chair declared it, then freeze it."""
    from forum.proceedings import report as assembly

    report = queries.report_of(meeting.id)
    if not permissions.can_adopt_report(actor, report):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, declares the report adopted.")
    if method not in METHODS:
        raise ValidationFailed("Say how the body adopted its report.", {"method": [
            "Use consensus, vote:show_of_hands, vote:record or vote:secret."]})
    note = str(note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed("The note is too long.", {"note": [f"At most {NOTE_LIMIT} characters."]})
    if sitting is not None and sitting.meeting_id != meeting.id:
        raise ValidationFailed("Name a sitting of this meeting.", {"sitting_id": ["Choose a sitting of this meeting."]})
    _not_frozen(report)
    if report.state is not ReportState.published:
        raise InvalidState("Publish the draft report to the participants before the body adopts it.")
    pending = queries.pending_corrections(meeting.id)
    if pending:
        raise InvalidState(f"Decide the {pending} pending correction(s) before the report is adopted.")
    chair = for_chair(actor, meeting.id)
    report.state = ReportState.adopted
    report.adopted_at = utcnow()
    report.adopted_by_id = getattr(actor, "id", None)
    report.adopted_by_name = actor_name(actor)
    report.adoption_method = method
    report.adoption_for_chair = chair
    report.adoption_sitting_id = sitting.id if sitting is not None else None
    report.adoption_note = note
    report.version += 1
    db.session.flush()
    report.snapshot = {language: assembly.assemble(meeting, language, report)
                       for language in assembly.languages(meeting)}
    _audit(actor, "report.adopted", report, meeting.id,
           {"method": method, "sitting": report.adoption_sitting_id, "note": note}, chair=chair)
    return report
