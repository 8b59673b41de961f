"""Pages of the report of the meeting (issue #10): the report itself, the secretariat's summaries
of a sitting's interventions (from its speakers list), publication, adoption, the speakers'
corrections and the exports.

Views are adapters: they load what the URL names (404 for what the user may not see), check the
permission gate (403), call one service in a unit of work and render or redirect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions
from forum.drafting import queries as drafting_queries
from forum.drafting.drafts import amendment_label
from forum.errors import InvalidState
from forum.extensions import db
from forum.meetings.models import Meeting, Participant, Sitting
from forum.meetings.views import load_meeting
from forum.positions.items import load_item
from forum.proceedings import queries, report, services
from forum.proceedings.forms import (
    CAPACITY_LABELS,
    AdoptForm,
    CorrectionForm,
    DecideCorrectionForm,
    InterventionForm,
    PublishForm,
)
from forum.proceedings.models import Intervention, Report, ReportCorrection, ReportState, SpeakerCapacity
from forum.sittings.models import SpeakerRequest
from forum.templating import meeting_link
from forum.views_common import attempt, failure_status, gate

bp = Blueprint("proceedings", __name__)
meeting_link("proceedings.show_report", _l("Report"), permissions.can_view_meeting)
STATE_LABELS = {"draft": _l("Draft, in preparation"), "published": _l("Draft report, published for corrections"),
                "adopted": _l("Adopted")}
CORRECTION_LABELS = {"proposed": _l("Awaiting the secretariat"), "accepted": _l("Accepted"),
                     "declined": _l("Declined")}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"state_label": lambda s: STATE_LABELS.get(s, s), "correction_label": lambda s: CORRECTION_LABELS.get(s, s),
            "capacity_label": lambda c: CAPACITY_LABELS.get(SpeakerCapacity(c), c), "minutes": report.minutes}








def _sitting(meeting: Meeting, sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.meeting_id != meeting.id:
        abort(404)
    return sitting


def _intervention(meeting: Meeting, intervention_id: int) -> Intervention:
    intervention = db.session.get(Intervention, intervention_id)
    if intervention is None or intervention.meeting_id != meeting.id:
        abort(404)
    return intervention


def _local(meeting: Meeting, value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=ZoneInfo(meeting.timezone or "UTC")) if value is not None else None


# --- the report -------------------------------------------------------------------------------------------

def _report_page(meeting: Meeting, rep: Report, *, publish_form: PublishForm | None = None, status: int = 200):
    visible = permissions.can_view_report(current_user, rep)
    codes = report.languages(meeting)
    language = request.args.get("language") if request.args.get("language") in codes else codes[0]
    structure = report.current(meeting, rep, language) if visible else None
    me = permissions.participation(current_user, meeting)
    if publish_form is None and rep.state is ReportState.draft and permissions.can_publish_report(current_user, rep):
        publish_form = PublishForm()
    writer = permissions.can_write_summaries(current_user, meeting)
    return render_template(
        "proceedings/report.html", meeting=meeting, rep=rep, structure=structure, language=language, languages=codes,
        me=me, publish_form=publish_form, writer=writer, sittings=queries.sittings_of(meeting.id) if writer else [],
        deadline=queries.correction_deadline(rep), programme_deadline=queries.programme_deadline(meeting.id),
        pending=queries.pending_corrections(meeting.id) if visible else 0,
        can_correct=rep.state is ReportState.published), status


@bp.route("/meetings/<int:meeting_id>/report")
@login_required
def show_report(meeting_id: int):
    meeting = load_meeting(meeting_id)
    return _report_page(meeting, queries.report_of(meeting.id))


@bp.route("/meetings/<int:meeting_id>/report/publish", methods=["POST"])
@login_required
def publish_report(meeting_id: int):
    meeting = load_meeting(meeting_id)
    rep = queries.report_of(meeting.id)
    gate(permissions.can_publish_report(current_user, rep))
    form = PublishForm()
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: services.publish_report(current_user, meeting,
                                                               deadline=_local(meeting, form.deadline.data)), form)
        if ok:
            flash(_("The draft report is published: speakers may propose corrections until the deadline."), "success")
            return redirect(url_for("proceedings.show_report", meeting_id=meeting.id))
    db.session.expire_all()
    return _report_page(meeting, queries.report_of(meeting.id), publish_form=form, status=failure_status(form, failure))


@bp.route("/meetings/<int:meeting_id>/report/adopt", methods=["GET", "POST"])
@login_required
def adopt_report(meeting_id: int):
    meeting = load_meeting(meeting_id)
    rep = queries.report_of(meeting.id)
    gate(permissions.can_adopt_report(current_user, rep))
    form = AdoptForm()
    sittings = queries.sittings_of(meeting.id)
    form.sitting_id.choices = [(0, _("Not in a sitting"))] + [(s.id, s.title) for s in sittings]
    failure = None
    if form.validate_on_submit():
        sitting = next((s for s in sittings if s.id == form.sitting_id.data), None)
        ok, failure = attempt(lambda: services.adopt_report(current_user, meeting, method=form.method.data,
                                                             sitting=sitting, note=form.note.data or ""), form)
        if ok:
            flash(_("The report is adopted and frozen."), "success")
            return redirect(url_for("proceedings.show_report", meeting_id=meeting.id))
    return render_template("proceedings/adopt.html", meeting=meeting, rep=rep, form=form,
                           pending=queries.pending_corrections(meeting.id),
                           for_chair=not permissions.is_chair(current_user, meeting)), failure_status(form, failure)


@bp.route("/meetings/<int:meeting_id>/report/export.<fmt>")
@login_required
def export_report(meeting_id: int, fmt: str):
    meeting = load_meeting(meeting_id)
    if fmt not in report.FORMATS:
        abort(404)
    rep = queries.report_of(meeting.id)
    gate(permissions.can_view_report(current_user, rep))
    export = report.export(meeting, rep, fmt, request.args.get("language"))
    return Response(export.data, mimetype=export.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{export.filename}"',
                             "Cache-Control": "no-store"})


# --- the secretariat's summaries --------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/interventions")
@login_required
def list_interventions(meeting_id: int, sitting_id: int):
    meeting = load_meeting(meeting_id)
    sitting = _sitting(meeting, sitting_id)
    gate(permissions.can_write_summaries(current_user, meeting))
    interventions = list(db.session.scalars(queries.interventions_of_sitting(sitting.id)))
    return render_template("proceedings/interventions.html", meeting=meeting, sitting=sitting,
                           interventions=interventions, requests=queries.unsummarised_requests(sitting.id),
                           rep=queries.report_of(meeting.id), names=report.regional_names(),
                           attribution=report.attribution)


def _choices(form: InterventionForm, meeting: Meeting) -> None:
    people = list(db.session.scalars(sa.select(Participant).where(Participant.meeting_id == meeting.id,
                                                                  Participant.removed_at.is_(None))))
    people.sort(key=lambda p: (p.user.name or "").lower())
    form.speaker.choices = [(p.id, f"{p.user.name} ({p.group.value}{', ' + p.member_state if p.member_state else ''})")
                            for p in people]
    items: list[tuple[str, str]] = [("", _("General discussion (no item)"))]
    for draft in db.session.scalars(drafting_queries.drafts_of_meeting(meeting.id)):
        for p in db.session.scalars(drafting_queries.paragraphs_of_draft(draft.id)):
            items.append((f"paragraph:{p.id}",
                          _("%(symbol)s, paragraph %(label)s", symbol=draft.symbol, label=p.label)))
        for a in db.session.scalars(drafting_queries.amendments_of_draft(draft.id)):
            if a.is_circulated:
                items.append((f"amendment:{a.id}", _("%(symbol)s, amendment %(number)s", symbol=draft.symbol,
                                                     number=amendment_label(draft, a))))
    form.item.choices = items


def _item(value: str | None) -> Any:
    if not value:
        return None
    kind, _sep, ident = value.partition(":")
    return load_item(kind, ident)


def _speaker_request(sitting: Sitting, value: Any) -> SpeakerRequest | None:
    if value in (None, ""):
        return None
    try:
        req = db.session.get(SpeakerRequest, int(value))
    except (TypeError, ValueError):
        abort(404)
    if req is None or req.sitting_id != sitting.id:
        abort(404)
    return req


@bp.route("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/interventions/new", methods=["GET", "POST"])
@login_required
def add_intervention(meeting_id: int, sitting_id: int):
    meeting = load_meeting(meeting_id)
    sitting = _sitting(meeting, sitting_id)
    gate(permissions.can_write_summaries(current_user, meeting))
    form = InterventionForm()
    _choices(form, meeting)
    req = _speaker_request(sitting, request.form.get("request_id") if request.method == "POST"
                           else request.args.get("request_id"))
    values = services.prefill(req) if req is not None else {}
    if request.method == "GET" and req is not None:
        form.speaker.data = values["speaker"].id
        form.capacity.data = values["capacity"].value
        form.on_behalf_of.data = values["on_behalf_of"] or ""
        form.item.data = f"{values['item'].kind}:{values['item'].id}" if values["item"] else ""
        form.speaking_seconds.data = values["speaking_seconds"]
        form.request_id.data = str(req.id)
    failure = None
    if form.validate_on_submit():
        def write() -> Intervention:
            return services.add_intervention(
                current_user, sitting, speaker=db.session.get(Participant, form.speaker.data),
                summary=form.summary.data, item=_item(form.item.data), on_behalf_of=form.on_behalf_of.data,
                capacity=form.capacity.data, started_at=values.get("started_at"),
                speaking_seconds=form.speaking_seconds.data, speaker_request=req)

        ok, failure = attempt(write, form)
        if ok:
            flash(_("The summary is saved."), "success")
            return redirect(url_for("proceedings.list_interventions", meeting_id=meeting.id, sitting_id=sitting.id))
        if isinstance(failure, InvalidState) and failure.data.get("existing_id"):
            flash(_("This turn at the floor already has its summary: here it is."), "error")
            return redirect(url_for("proceedings.edit_intervention", meeting_id=meeting.id,
                                    intervention_id=failure.data["existing_id"]))
    return render_template("proceedings/intervention_form.html", meeting=meeting, sitting=sitting, form=form,
                           intervention=None, req=req, started_at=values.get("started_at"),
                           conflict=None), failure_status(form, failure)


@bp.route("/meetings/<int:meeting_id>/interventions/<int:intervention_id>", methods=["GET", "POST"])
@login_required
def edit_intervention(meeting_id: int, intervention_id: int):
    meeting = load_meeting(meeting_id)
    intervention = _intervention(meeting, intervention_id)
    gate(permissions.can_write_summaries(current_user, meeting))
    form = InterventionForm(obj=None)
    _choices(form, meeting)
    if request.method == "GET":
        form.speaker.data = intervention.speaker_id
        form.capacity.data = intervention.capacity.value
        form.on_behalf_of.data = intervention.on_behalf_of or ""
        form.item.data = (f"amendment:{intervention.amendment_id}" if intervention.amendment_id else
                          f"paragraph:{intervention.paragraph_id}" if intervention.paragraph_id else "")
        form.speaking_seconds.data = intervention.speaking_seconds
        form.summary.data = intervention.summary
        form.version.data = str(intervention.version)
    # The speaker is fixed once written: the choice shown is the stored one.
    form.speaker.choices = [c for c in form.speaker.choices if c[0] == intervention.speaker_id]
    form.speaker.data = intervention.speaker_id
    failure = conflict = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: services.update_intervention(
            current_user, intervention, summary=form.summary.data, version=form.version.data,
            item=_item(form.item.data), on_behalf_of=form.on_behalf_of.data, capacity=form.capacity.data), form)
        if ok:
            flash(_("The summary is saved."), "success")
            return redirect(url_for("proceedings.list_interventions", meeting_id=meeting.id,
                                    sitting_id=intervention.sitting_id))
        if isinstance(failure, services.EditConflict):
            # Nothing lost: the writer's text stays in the form; theirs is shown; the next save is over it.
            conflict = failure.data
            form.version.data = str(failure.data["current_version"])
    return render_template("proceedings/intervention_form.html", meeting=meeting, sitting=intervention.sitting,
                           form=form, intervention=intervention, req=None, started_at=intervention.started_at,
                           conflict=conflict, corrections=queries.corrections_of(intervention.id)), \
        failure_status(form, failure)


# --- corrections ------------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/interventions/<int:intervention_id>/correction", methods=["GET", "POST"])
@login_required
def propose_correction(meeting_id: int, intervention_id: int):
    meeting = load_meeting(meeting_id)
    intervention = _intervention(meeting, intervention_id)
    rep = queries.report_of(meeting.id)
    if not permissions.can_view_report(current_user, rep):
        abort(404)
    gate(permissions.can_propose_correction(current_user, intervention))
    form = CorrectionForm()
    if request.method == "GET":
        form.text.data = intervention.summary
    failure = None
    if form.validate_on_submit():
        ok, failure = attempt(lambda: services.propose_correction(current_user, intervention, form.text.data), form)
        if ok:
            flash(_("Your correction is sent to the secretariat."), "success")
            return redirect(url_for("proceedings.list_corrections", meeting_id=meeting.id))
    return render_template("proceedings/correction_form.html", meeting=meeting, intervention=intervention, form=form,
                           rep=rep, deadline=queries.correction_deadline(rep),
                           attribution=report.attribution(intervention, report.regional_names())), \
        failure_status(form, failure)


@bp.route("/meetings/<int:meeting_id>/report/corrections")
@login_required
def list_corrections(meeting_id: int):
    meeting = load_meeting(meeting_id)
    rep = queries.report_of(meeting.id)
    me = permissions.participation(current_user, meeting)
    everyone = permissions.presides(current_user, meeting.id)
    corrections = queries.corrections_of_meeting(meeting.id, proposed_by=None if everyone else me.id)  # type: ignore[union-attr]
    deciding = permissions.is_secretariat(current_user, meeting)
    return render_template("proceedings/corrections.html", meeting=meeting, rep=rep, corrections=corrections,
                           everyone=everyone, deciding=deciding, form=DecideCorrectionForm(),
                           names=report.regional_names(), attribution=report.attribution,
                           deadline=queries.correction_deadline(rep))


@bp.route("/meetings/<int:meeting_id>/corrections/<int:correction_id>/decision", methods=["POST"])
@login_required
def decide_correction(meeting_id: int, correction_id: int):
    meeting = load_meeting(meeting_id)
    correction = db.session.get(ReportCorrection, correction_id)
    if correction is None or correction.intervention.meeting_id != meeting.id or \
            not permissions.can_view_correction(current_user, correction):
        abort(404)
    gate(permissions.can_decide_correction(current_user, correction))
    form = DecideCorrectionForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: services.decide_correction(current_user, correction,
                                                                  form.decision.data == "accept", form.note.data or ""))
        if ok:
            flash(_("The correction is accepted: the summary now reads as corrected.")
                  if form.decision.data == "accept" else _("The correction is declined."), "success")
    else:
        flash(_("Choose to accept or decline the correction."), "error")
    return redirect(url_for("proceedings.list_corrections", meeting_id=meeting.id))
