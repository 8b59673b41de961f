"""Pages of votes and decisions: put an item to the vote, cast a ballot, close, results with their
charts, receipts; declare a decision; the attendance register and substitution notices.

Views are adapters: they load what the URL names (404 for what the user may not see), check the
permission gate (403), call one service in a unit of work and render or redirect.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from forum import permissions
from forum.drafting.drafts import amendment_label
from forum.drafting.models import PENDING, Amendment, Draft, DraftingGroup, Paragraph
from forum.errors import DomainError
from forum.extensions import db
from forum.meetings import attendance
from forum.meetings.models import Capacity, Group, Meeting, Participant, Sitting, SubstitutionNotice
from forum.meetings.services import state_name
from forum.meetings.views import load_meeting
from forum.positions import decisions, votes
from forum.positions.items import ItemRef, item_of, item_of_row
from forum.positions.vote_forms import (
    OUTCOME_LABELS,
    AttendanceForm,
    BallotForm,
    ConfirmForm,
    DecisionForm,
    OpenVoteForm,
    ReceiptForm,
    SubstitutionForm,
)
from forum.positions.vote_models import Vote, VoteType
from forum.security import no_store
from forum.templating import meeting_link
from forum.views_common import apply_errors, attempt, failure_status, gate, translated

bp = Blueprint("votes", __name__)
meeting_link("votes.list_votes", _l("Votes"), permissions.can_view_votes)
ITEM_PATH = "/meetings/<int:meeting_id>/drafts/<int:draft_id>/items/<any(paragraph, amendment):kind>/<int:item_id>"
VOTE_PATH = "/meetings/<int:meeting_id>/votes/<int:vote_id>"
BALLOT_FIELDS = {"csrf_token", "choice", "confirm"}
TYPE_LABELS = {"record": _l("Record vote"), "show_of_hands": _l("Show of hands"), "secret": _l("Secret ballot")}
GROUP_LABELS = {"government": _l("Governments"), "employer": _l("Employers"), "worker": _l("Workers")}
CHOICE_WORDS = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain")}
RESULT_WORDS = {"adopted": _l("Carried"), "rejected": _l("Not carried"), "void": _l("Void: no quorum")}
HELPERS = {"type_label": lambda t: TYPE_LABELS.get(t, t), "group_word": lambda g: GROUP_LABELS.get(g, g),
           "choice_word": lambda c: CHOICE_WORDS.get(c, c), "result_word": lambda o: RESULT_WORDS.get(o, o),
           "outcome_word": lambda o: OUTCOME_LABELS.get(o, o), "state_name": state_name}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return HELPERS


# --- loading and running -----------------------------------------------------------------------------

def _load_item(meeting_id: int, draft_id: int, kind: str, item_id: int) -> ItemRef:
    meeting = load_meeting(meeting_id)
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.meeting_id != meeting.id:
        abort(404)
    obj = db.session.get(Paragraph if kind == "paragraph" else Amendment, item_id)
    if obj is None or obj.draft_id != draft.id:
        abort(404)
    if isinstance(obj, Amendment) and not permissions.can_view_amendment(current_user, obj):
        abort(404)
    return ItemRef(kind, obj.id, draft, paragraph=obj if kind == "paragraph" else None,  # type: ignore[arg-type]
                   amendment=obj if kind == "amendment" else None)  # type: ignore[arg-type]


def _load_vote(meeting_id: int, vote_id: int) -> tuple[Meeting, Vote]:
    meeting = load_meeting(meeting_id)
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting.id or not permissions.can_view_vote(current_user, vote):
        abort(404)
    return meeting, vote


def _load_sitting(meeting: Meeting, sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.meeting_id != meeting.id:
        abort(404)
    return sitting










def item_page_url(item: ItemRef) -> str:
    if item.kind == "paragraph":
        return url_for("drafting.show_paragraph", meeting_id=item.meeting_id, draft_id=item.draft.id,
                       paragraph_id=item.id)
    return url_for("drafting.show_amendment", meeting_id=item.meeting_id, draft_id=item.draft.id, amendment_id=item.id)


def _sittings(meeting_id: int) -> list[Sitting]:
    return list(db.session.scalars(sa.select(Sitting).where(Sitting.meeting_id == meeting_id)
                                   .order_by(Sitting.starts_at.desc())))


# --- the panel on the drafting pages -------------------------------------------------------------------

@bp.app_template_global()
def votes_panel(obj: Paragraph | Amendment) -> Markup:
    """Votes and decisions on a paragraph or amendment, with the Chair's buttons (drafting pages include it)."""
    item = item_of(obj)
    if not permissions.can_view_drafts(current_user, item.draft.meeting):
        return Markup("")
    return Markup(render_template("positions/votes/_panel.html", item=item, votes=votes.votes_on(item),
                                  decisions=decisions.decisions_on(item), **HELPERS))


# --- votes ---------------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/votes")
@login_required
def list_votes(meeting_id: int):
    meeting = load_meeting(meeting_id)
    gate(permissions.can_view_votes(current_user, meeting))
    rows = [(v, item_of_row(v)) for v in votes.votes_of(meeting)]
    counts = dict(db.session.execute(sa.select(votes.VoteParticipation.vote_id, sa.func.count())
                                     .where(votes.VoteParticipation.vote_id.in_([v.id for v, _i in rows]))
                                     .group_by(votes.VoteParticipation.vote_id)).all()) if rows else {}
    sittings = _sittings(meeting_id) if permissions.can_view_attendance(current_user, meeting) else []
    return render_template("positions/votes/list.html", meeting=meeting, rows=rows, counts=counts, sittings=sittings)


@bp.route(f"{ITEM_PATH}/votes/new", methods=["GET", "POST"])
@login_required
def open_vote(meeting_id: int, draft_id: int, kind: str, item_id: int):
    item = _load_item(meeting_id, draft_id, kind, item_id)
    gate(permissions.can_open_vote(current_user, item.draft))
    form = OpenVoteForm()
    sittings = _sittings(meeting_id)
    form.sitting_id.choices = [(0, _("The sitting now live"))] + [(s.id, s.title) for s in sittings]
    failure = None
    if form.validate_on_submit():
        sitting = next((s for s in sittings if s.id == form.sitting_id.data), None)
        ok, failure = attempt(lambda: votes.open_vote(current_user, item, vote_type=form.vote_type.data,
                                                       majority=form.majority.data, sitting=sitting,
                                                       question=form.question.data or ""), form)
        if ok:
            flash(_("The vote is open."), "success")
            return redirect(url_for("votes.show_vote", meeting_id=meeting_id, vote_id=failure.id))
    return render_template("positions/votes/open.html", meeting=item.draft.meeting, item=item, form=form,
                           back=item_page_url(item), sittings=sittings,
                           for_chair=not permissions.is_chair(current_user, meeting_id)), failure_status(form, failure)  # type: ignore[arg-type]


def _vote_page(meeting: Meeting, vote: Vote, *, ballot_form: BallotForm | None = None,
               receipt_form: ReceiptForm | None = None, receipt: str | None = None,
               receipt_result: bool | None = None, status: int = 200) -> Any:
    view = votes.vote_view(vote, current_user)
    item = item_of_row(vote)
    can_cast = permissions.can_cast_ballot(current_user, vote)
    seat, why_not = None, None
    if can_cast:
        seat, _group = votes.seat_for(permissions.participation(current_user, meeting), vote)
    elif vote.is_open:
        try:
            votes.seat_for(permissions.participation(current_user, meeting), vote)
        except DomainError as exc:
            why_not = _(exc.message)
    voted = seat is not None and db.session.scalar(sa.select(sa.func.count()).select_from(votes.VoteParticipation)
                                                   .where(votes.VoteParticipation.vote_id == vote.id,
                                                          votes.VoteParticipation.voter_key == seat)) > 0
    response = render_template(
        "positions/votes/show.html", meeting=meeting, vote=vote, view=view, item=item, item_url=item_page_url(item),
        can_cast=can_cast, voted=voted, seat=seat, why_not=why_not,
        ballot_form=ballot_form or BallotForm(formdata=None), receipt_form=receipt_form or ReceiptForm(formdata=None),
        receipt=receipt, receipt_result=receipt_result, charts=charts(view),
        can_close=vote.is_open and permissions.can_close_vote(current_user, vote),
        can_declare=not vote.is_open and permissions.can_declare_decision(current_user, item.draft),
        opened_by=votes.opener_name(vote))
    return response, status, {"Cache-Control": "no-store"}


@bp.route(VOTE_PATH)
@login_required
@no_store
def show_vote(meeting_id: int, vote_id: int):
    meeting, vote = _load_vote(meeting_id, vote_id)
    return _vote_page(meeting, vote)


@bp.route(f"{VOTE_PATH}/ballot", methods=["POST"])
@login_required
@no_store
def cast_ballot(meeting_id: int, vote_id: int):
    meeting, vote = _load_vote(meeting_id, vote_id)
    form = BallotForm()
    if not vote.is_open:
        form.form_errors.append(_("This vote is closed: no more ballots are accepted."))
        return _vote_page(meeting, vote, ballot_form=form, status=409)
    gate(permissions.can_cast_ballot(current_user, vote))
    extra = sorted(set(request.form) - BALLOT_FIELDS)
    if extra:
        form.form_errors.append(_("Unexpected fields: %(names)s. A ballot carries a choice only.",
                                  names=", ".join(extra)))
        return _vote_page(meeting, vote, ballot_form=form, status=422)
    if not form.validate_on_submit():
        return _vote_page(meeting, vote, ballot_form=form, status=422)
    if vote.type is VoteType.secret and not form.confirm.data:
        form.confirm.errors = [_("Confirm that you understand a secret ballot is final.")]
        return _vote_page(meeting, vote, ballot_form=form, status=422)
    ok, result = attempt(lambda: votes.cast_ballot(current_user, vote, form.choice.data), form)
    if not ok:
        return _vote_page(meeting, vote, ballot_form=form, status=result.status)
    if result["receipt"]:
        # Shown once, on this response only: the server keeps a hash that no one can link to you.
        return _vote_page(meeting, db.session.get(Vote, vote_id), receipt=result["receipt"])
    flash(_("Your vote has been changed.") if result["changed"] else _("Your vote has been recorded."), "success")
    return redirect(url_for("votes.show_vote", meeting_id=meeting_id, vote_id=vote_id))


@bp.route(f"{VOTE_PATH}/close", methods=["GET", "POST"])
@login_required
@no_store
def close_vote(meeting_id: int, vote_id: int):
    meeting, vote = _load_vote(meeting_id, vote_id)
    gate(permissions.can_close_vote(current_user, vote))
    if not vote.is_open:
        flash(_("This vote is already closed."), "error")
        return redirect(url_for("votes.show_vote", meeting_id=meeting_id, vote_id=vote_id)), 303
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _result = attempt(lambda: votes.close_vote(current_user, vote))
        if ok:
            flash(_("The vote is closed and its result published. The Chair now declares the decision."), "success")
        return redirect(url_for("votes.show_vote", meeting_id=meeting_id, vote_id=vote_id))
    return render_template("positions/votes/close.html", meeting=meeting, vote=vote, form=form, item=item_of_row(vote),
                           count=votes.ballots_cast(vote),
                           for_chair=not permissions.is_chair(current_user, meeting))


@bp.route(f"{VOTE_PATH}/receipt", methods=["POST"])
@login_required
@no_store
def check_receipt(meeting_id: int, vote_id: int):
    meeting, vote = _load_vote(meeting_id, vote_id)
    form = ReceiptForm()
    if vote.type is not VoteType.secret:
        abort(404)
    if not form.validate_on_submit():
        return _vote_page(meeting, vote, receipt_form=form, status=422)
    try:
        found = votes.check_receipt(vote, form.receipt.data)
    except DomainError as exc:
        apply_errors(form, translated(exc))
        return _vote_page(meeting, vote, receipt_form=form, status=exc.status)
    return _vote_page(meeting, vote, receipt_form=form, receipt_result=found)


# --- charts (rule 33) ------------------------------------------------------------------------------------

BAR_WIDTH = 240


def charts(view: dict[str, Any]) -> list[dict[str, Any]]:
    """One small bar chart per group (or the totals of a secret vote): bars with words and numbers,
    drawn by the server as SVG; lengths follow the weighted votes within the chart."""
    if view.get("totals") is None:
        return []
    sets: list[tuple[str, dict[str, dict[str, int]]]] = []
    if "by_group" in view:
        for group in ("government", "employer", "worker"):
            raw = view["by_group"].get(group, {})
            weighted = view.get("by_group_weighted", {}).get(group, {})
            sets.append((group, {c: {"raw": raw.get(c, 0), "weighted": weighted.get(c, 0)}
                                 for c in ("for", "against", "abstain")}))
    sets.append(("total", view["totals"]))
    out = []
    for name, numbers in sets:
        top = max((n["weighted"] for n in numbers.values()), default=0) or 1
        bars = [{"choice": c, "raw": numbers[c]["raw"], "weighted": numbers[c]["weighted"],
                 "width": round(BAR_WIDTH * numbers[c]["weighted"] / top), "y": 8 + i * 28}
                for i, c in enumerate(("for", "against", "abstain"))]
        out.append({"name": name, "bars": bars})
    return out


# --- decisions (rule 29) -------------------------------------------------------------------------------

@bp.route(f"{ITEM_PATH}/decision", methods=["GET", "POST"])
@login_required
def declare_decision(meeting_id: int, draft_id: int, kind: str, item_id: int):
    item = _load_item(meeting_id, draft_id, kind, item_id)
    gate(permissions.can_declare_decision(current_user, item.draft))
    form = DecisionForm()
    allowed = decisions.PARAGRAPH_OUTCOMES if kind == "paragraph" else decisions.AMENDMENT_OUTCOMES
    form.outcome.choices = [(o, OUTCOME_LABELS[o]) for o in allowed if o != "withdrawn"]
    closed = [v for v in votes.votes_on(item) if not v.is_open]
    form.vote_id.choices = [(0, _("Latest closed vote"))] + [
        (v.id, f"#{v.id} {TYPE_LABELS[v.type.value]}: {RESULT_WORDS.get((v.results or {}).get('outcome'), '')}")
        for v in closed]
    groups = list(db.session.scalars(sa.select(DraftingGroup).where(DraftingGroup.draft_id == item.draft.id)))
    form.drafting_group.choices = [(0, "—")] + [(g.id, g.name) for g in groups]
    others = []
    if item.amendment is not None:
        others = list(db.session.scalars(sa.select(Amendment).where(
            Amendment.paragraph_id == item.amendment.paragraph_id, Amendment.id != item.id,
            Amendment.state.in_(PENDING))))
    form.merged_into.choices = [(0, "—")] + [(a.id, amendment_label(item.draft, a)) for a in others]
    failure = None
    if form.validate_on_submit():
        vote = next((v for v in closed if v.id == form.vote_id.data), None)
        group = next((g for g in groups if g.id == form.drafting_group.data), None)
        merged = next((a for a in others if a.id == form.merged_into.data), None)
        ok, failure = attempt(lambda: decisions.declare(
            current_user, item, outcome=form.outcome.data, method=form.method.data, vote=vote,
            note=form.note.data or "", drafting_group=group, merged_into=merged), form)
        if ok:
            flash(_("Decision recorded: %(outcome)s.", outcome=OUTCOME_LABELS[form.outcome.data]), "success")
            return redirect(item_page_url(item))
    return render_template("positions/votes/decide.html", meeting=item.draft.meeting, item=item, form=form,
                           back=item_page_url(item), history=decisions.decisions_on(item),
                           for_chair=not permissions.is_chair(current_user, meeting_id)), failure_status(form, failure)  # type: ignore[arg-type]


# --- attendance register and substitution notices (rules 3 and 32) ---------------------------------------

def _voting_people(meeting: Meeting) -> list[Participant]:
    return list(db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.removed_at.is_(None),
        Participant.capacity.notin_([Capacity.secretariat])).order_by(Participant.group, Participant.member_state,
                                                                      Participant.id)))


def _person_label(p: Participant) -> str:
    parts = [p.user.name or p.user.email]
    if p.member_state:
        parts.append(state_name(p.member_state))
    parts.append(str(p.group.value))
    parts.append(str(p.capacity.value))
    return " — ".join(parts)


@bp.route("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/attendance", methods=["GET", "POST"])
@login_required
def show_attendance(meeting_id: int, sitting_id: int):
    meeting = load_meeting(meeting_id)
    sitting = _load_sitting(meeting, sitting_id)
    gate(permissions.can_view_attendance(current_user, meeting))
    people = _voting_people(meeting)
    states = sorted({p.member_state for p in people if p.group is Group.government and p.member_state
                     and p.capacity is not Capacity.observer})
    form = AttendanceForm()
    form.member_states.choices = [(s, state_name(s)) for s in states]
    form.participant_ids.choices = [(p.id, _person_label(p)) for p in people]
    can_keep = permissions.can_keep_attendance(current_user, meeting)
    failure = None
    if request.method == "POST":
        gate(can_keep)
        if form.validate_on_submit():
            ok, failure = attempt(lambda: attendance.set_attendance(
                current_user, sitting, participant_ids=form.participant_ids.data or [],
                member_states=form.member_states.data or []), form)
            if ok:
                flash(_("The attendance register is saved."), "success")
                return redirect(url_for("votes.show_attendance", meeting_id=meeting_id, sitting_id=sitting_id))
    else:
        now = attendance.present(sitting)
        form.member_states.data = now["member_states"]
        form.participant_ids.data = now["participants"]
    return render_template("positions/votes/attendance.html", meeting=meeting, sitting=sitting, form=form,
                           can_keep=can_keep, present=attendance.present(sitting)), failure_status(form, failure)


@bp.route("/meetings/<int:meeting_id>/substitutions", methods=["GET", "POST"])
@login_required
def list_substitutions(meeting_id: int):
    meeting = load_meeting(meeting_id)
    gate(permissions.can_record_substitution(current_user, meeting))
    people = [p for p in _voting_people(meeting) if p.group is not Group.none and p.capacity is not Capacity.observer]
    form = SubstitutionForm()
    form.substitute_id.choices = [(p.id, _person_label(p)) for p in people]
    form.replaces_id.choices = [(p.id, _person_label(p)) for p in people]
    sittings = _sittings(meeting_id)
    form.sitting_id.choices = [(0, "—")] + [(s.id, s.title) for s in sittings]
    failure = None
    if form.validate_on_submit():
        by_id = {p.id: p for p in people}
        sitting = next((s for s in sittings if s.id == form.sitting_id.data), None)
        substitute, replaces = by_id.get(form.substitute_id.data), by_id.get(form.replaces_id.data)
        if substitute is None or replaces is None:
            abort(404)
        ok, failure = attempt(lambda: attendance.record_substitution(
            current_user, meeting, substitute=substitute, replaces=replaces, day=form.day.data, sitting=sitting,
            note=form.note.data or ""), form)
        if ok:
            flash(_("The substitution notice is recorded."), "success")
            return redirect(url_for("votes.list_substitutions", meeting_id=meeting_id))
    return render_template("positions/votes/substitutions.html", meeting=meeting, form=form,
                           notices=attendance.notices_for(meeting), label=_person_label,
                           revoke_form=ConfirmForm(formdata=None)), failure_status(form, failure)


@bp.route("/meetings/<int:meeting_id>/substitutions/<int:notice_id>/revoke", methods=["POST"])
@login_required
def revoke_substitution(meeting_id: int, notice_id: int):
    meeting = load_meeting(meeting_id)
    gate(permissions.can_record_substitution(current_user, meeting))
    notice = db.session.get(SubstitutionNotice, notice_id)
    if notice is None or notice.meeting_id != meeting.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        ok, _result = attempt(lambda: attendance.revoke_substitution(current_user, notice))
        if ok:
            flash(_("The notice is revoked."), "success")
    return redirect(url_for("votes.list_substitutions", meeting_id=meeting_id))
