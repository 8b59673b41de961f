"""Pages of live sittings: the list, making a sitting live, the Chair's console, the delegates'
live view and the room projector; plus one form endpoint that runs any console command without
JavaScript (the same `services.run_command` the sockets and the API use).

The pages render the sitting's state as it stands (usable without JavaScript) and embed the same
state as JSON for static/js/console.js, live.js and projector.js, which then follow the sitting.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions
from forum.db import unit_of_work
from forum.drafting import diff
from forum.drafting import queries as drafting_queries
from forum.drafting.models import Draft
from forum.errors import DomainError
from forum.extensions import db
from forum.meetings.models import Participant, Sitting
from forum.meetings.services import state_name
from forum.meetings.views import load_meeting
from forum.security import no_store
from forum.sittings import labels, queries, services
from forum.sittings.forms import CommandForm, MakeLiveForm
from forum.templating import meeting_link

bp = Blueprint("sittings", __name__)
meeting_link("sittings.list_sittings", _l("Sittings"), permissions.can_view_meeting)

BOOL_FIELDS = {"invited", "sub_amendment"}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"render_diff": diff.render, "state_name": state_name, "item_text": queries.text_for, **labels.HELPERS}


def _load_sitting(meeting_id: int, sitting_id: int) -> Sitting:
    meeting = load_meeting(meeting_id)
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.meeting_id != meeting.id:
        abort(404)
    return sitting


def _state_json(state: dict[str, Any]) -> str:
    # Inside <script type="application/json">: "</" must not close the element.
    return json.dumps(state).replace("</", "<\\/")


def reading_language(sitting: Sitting, *, projector: bool = False) -> str:
    """The language the page shows the texts in (issue 14): the reader's interface language when the
    meeting works in it; for the room's projector the original, unless ?lang= picks another of the
    meeting's languages. The texts of every language travel with the state; the scripts pick this one."""
    from flask_babel import get_locale

    from forum.languages.services import draft_languages

    live = queries.live_of(sitting)
    draft = db.session.get(Draft, live.draft_id) if live is not None else None
    meeting = load_meeting(sitting.meeting_id)
    languages = draft_languages(draft) if draft is not None else list(meeting.language_list)
    original = languages[0] if languages else "en"
    wanted = request.args.get("lang", "") if projector else str(get_locale() or "")
    return wanted if wanted in languages else original


def _page(template: str, sitting: Sitting, *, projector: bool = False, **extra: Any) -> str:
    state = queries.state_for(current_user, sitting)
    return render_template(template, sitting=sitting, meeting=load_meeting(sitting.meeting_id), state=state,
                           state_json=_state_json(state), form=CommandForm(),
                           reading_language=reading_language(sitting, projector=projector), **extra)


@bp.get("/meetings/<int:meeting_id>/sittings")
@login_required
def list_sittings(meeting_id: int) -> str:
    meeting = load_meeting(meeting_id)
    sittings = list(db.session.scalars(queries.sittings_of_meeting(meeting.id)))
    live = {ls.sitting_id: ls for ls in db.session.scalars(
        db.select(queries.LiveSitting).where(queries.LiveSitting.sitting_id.in_([s.id for s in sittings])))}
    return render_template("sittings/list.html", meeting=meeting, sittings=sittings, live=live,
                           presides=permissions.presides(current_user, meeting.id),
                           secretariat=permissions.is_secretariat(current_user, meeting))


@bp.route("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/make-live", methods=["GET", "POST"])
@login_required
def make_live(meeting_id: int, sitting_id: int) -> Any:
    sitting = _load_sitting(meeting_id, sitting_id)
    if not permissions.can_make_sitting_live(current_user, sitting):
        abort(403)
    form = MakeLiveForm()
    drafts = [d for d in db.session.scalars(drafting_queries.drafts_of_meeting(meeting_id)) if d.open_for_amendments]
    form.draft_id.choices = [(d.id, f"{d.symbol} — {d.title}") for d in drafts]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.run_command(current_user, db.session.get(Sitting, sitting_id), "make_live",
                                     {"draft_id": form.draft_id.data})
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            flash(_("The sitting is live on the console. The Chair opens it."), "success")
            return redirect(url_for("sittings.show_console", meeting_id=meeting_id, sitting_id=sitting_id))
    return render_template("sittings/make_live.html", sitting=sitting, meeting=load_meeting(meeting_id), form=form,
                           drafts=drafts)


@bp.get("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/console")
@login_required
@no_store  # the live vote: a ballot form and its count before the result is announced
def show_console(meeting_id: int, sitting_id: int) -> str:
    sitting = _load_sitting(meeting_id, sitting_id)
    if not permissions.can_preside_sitting(current_user, sitting):
        abort(403)
    live = queries.live_of(sitting)
    participants = []
    if live is not None:
        participants = list(db.session.scalars(
            db.select(Participant).where(Participant.meeting_id == meeting_id, Participant.removed_at.is_(None))
            .order_by(Participant.group, Participant.member_state, Participant.id)))
    return _page("sittings/console.html", sitting, participants=participants,
                 draft=db.session.get(Draft, live.draft_id) if live else None,
                 attendance_url=_attendance_url(meeting_id, sitting_id))


def _attendance_url(meeting_id: int, sitting_id: int) -> str | None:
    """The attendance register's page (the votes module's), when that module provides one."""
    from flask import current_app

    for rule in current_app.url_map.iter_rules():
        if "attendance" in rule.endpoint and "sitting_id" in rule.arguments and "meeting_id" in rule.arguments \
                and "GET" in (rule.methods or ()):
            return url_for(rule.endpoint, meeting_id=meeting_id, sitting_id=sitting_id)
    return None


@bp.get("/meetings/<int:meeting_id>/sittings/<int:sitting_id>")
@login_required
@no_store  # the live vote: a ballot form and its count before the result is announced
def show_sitting(meeting_id: int, sitting_id: int) -> str:
    """The delegates' live view (phone-friendly)."""
    sitting = _load_sitting(meeting_id, sitting_id)
    p = permissions.participation(current_user, meeting_id)
    regional = []
    if p is not None and p.member_state:
        from forum.meetings.models import RegionalGroup, RegionalGroupState

        regional = list(db.session.scalars(
            db.select(RegionalGroup).join(RegionalGroupState)
            .where(RegionalGroupState.member_state == p.member_state).order_by(RegionalGroup.code)))
    return _page("sittings/live.html", sitting, participant=p, regional_groups=regional)


@bp.get("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/projector")
@login_required
@no_store  # the live vote: a ballot form and its count before the result is announced
def show_projector(meeting_id: int, sitting_id: int) -> str:
    sitting = _load_sitting(meeting_id, sitting_id)
    return _page("sittings/projector.html", sitting, projector=True)


@bp.post("/meetings/<int:meeting_id>/sittings/<int:sitting_id>/commands/<name>")
@login_required
def run_command(meeting_id: int, sitting_id: int, name: str) -> Any:
    """Any command from a plain HTML form; the fields are its payload."""
    _load_sitting(meeting_id, sitting_id)
    if name not in services.COMMANDS:
        abort(404)
    payload: dict[str, Any] = {}
    for key, value in request.form.items():
        if key in ("csrf_token", "next"):
            continue
        payload[key] = (value in ("1", "true", "on", "y")) if key in BOOL_FIELDS else value
    try:
        with unit_of_work():
            services.run_command(current_user, db.session.get(Sitting, sitting_id), name, payload)
    except DomainError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message + "".join(f" {' '.join(v)}" for v in exc.fields.values()), "error")
    else:
        flash(_("Done."), "success")
    target = request.form.get("next", "")
    if target not in ("console", "live"):
        target = "console" if permissions.can_preside_sitting(current_user, db.session.get(Sitting, sitting_id)) \
            else "live"
    endpoint = "sittings.show_console" if target == "console" else "sittings.show_sitting"
    return redirect(url_for(endpoint, meeting_id=meeting_id, sitting_id=sitting_id))
