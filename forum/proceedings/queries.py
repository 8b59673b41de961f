"""Reads of the report: the report row, its deadline, interventions and corrections, and what the
secretariat has still to summarise from the speakers list."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import Deadline, DeadlineKind, Sitting
from forum.proceedings.models import CorrectionState, Intervention, Report, ReportCorrection, ReportState
from forum.sittings.models import RequestState, SpeakerKind, SpeakerRequest

WRITABLE_REQUESTS = (RequestState.speaking, RequestState.done)


def report_of(meeting_id: int) -> Report:
    """The meeting's report; a draft not yet stored when nothing has been done with it."""
    report = db.session.scalars(sa.select(Report).where(Report.meeting_id == meeting_id)).first()
    return report if report is not None else Report(meeting_id=meeting_id, state=ReportState.draft, version=0)


def programme_deadline(meeting_id: int) -> Deadline | None:
    return db.session.scalars(sa.select(Deadline).where(
        Deadline.meeting_id == meeting_id, Deadline.kind == DeadlineKind.report_corrections)
        .order_by(Deadline.due_at.desc())).first()


def correction_deadline(report: Report) -> datetime | None:
    """The programme's deadline for corrections when it has one (rule 34), else the report's own."""
    deadline = programme_deadline(report.meeting_id)
    return deadline.due_at if deadline is not None else report.correction_deadline


def sittings_of(meeting_id: int) -> list[Sitting]:
    return list(db.session.scalars(sa.select(Sitting).where(Sitting.meeting_id == meeting_id)
                                   .order_by(Sitting.starts_at, Sitting.id)))


def interventions_of_sitting(sitting_id: int) -> sa.Select:
    return (sa.select(Intervention).where(Intervention.sitting_id == sitting_id)
            .order_by(sa.func.coalesce(Intervention.started_at, Intervention.created_at), Intervention.id))


def interventions_of_meeting(meeting_id: int) -> list[Intervention]:
    return list(db.session.scalars(
        sa.select(Intervention).join(Sitting, Sitting.id == Intervention.sitting_id)
        .where(Intervention.meeting_id == meeting_id)
        .order_by(Sitting.starts_at, Sitting.id, sa.func.coalesce(Intervention.started_at, Intervention.created_at),
                  Intervention.id)))


def unsummarised_requests(sitting_id: int) -> list[SpeakerRequest]:
    """Turns at the floor of the sitting (given or finished) that have no summary yet, in order."""
    written = sa.select(Intervention.speaker_request_id).where(Intervention.speaker_request_id.is_not(None))
    return list(db.session.scalars(
        sa.select(SpeakerRequest).where(SpeakerRequest.sitting_id == sitting_id,
                                        SpeakerRequest.state.in_(WRITABLE_REQUESTS),
                                        SpeakerRequest.kind != SpeakerKind.point_of_order,
                                        SpeakerRequest.id.not_in(written))
        .order_by(SpeakerRequest.granted_at, SpeakerRequest.id)))


def corrections_of_meeting(meeting_id: int, *, proposed_by: int | None = None) -> list[ReportCorrection]:
    stmt = (sa.select(ReportCorrection).join(Intervention, Intervention.id == ReportCorrection.intervention_id)
            .where(Intervention.meeting_id == meeting_id).order_by(ReportCorrection.created_at, ReportCorrection.id))
    if proposed_by is not None:
        stmt = stmt.where(ReportCorrection.proposed_by_id == proposed_by)
    return list(db.session.scalars(stmt))


def pending_corrections(meeting_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ReportCorrection)
        .join(Intervention, Intervention.id == ReportCorrection.intervention_id)
        .where(Intervention.meeting_id == meeting_id, ReportCorrection.state == CorrectionState.proposed)) or 0


def corrections_of(intervention_id: int) -> list[ReportCorrection]:
    return list(db.session.scalars(sa.select(ReportCorrection).where(
        ReportCorrection.intervention_id == intervention_id).order_by(ReportCorrection.id)))
