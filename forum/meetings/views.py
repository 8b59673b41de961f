"""Pages of a meeting: the dashboard, creating a meeting, its overview and its spaces."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import permissions
from forum.db import unit_of_work
from forum.errors import DomainError
from forum.extensions import db
from forum.meetings import queries, services
from forum.meetings.forms import MeetingForm, MeetingSettingsForm
from forum.meetings.models import BodyType, Meeting, QuorumRule, Space, WeightingMode
from forum.views_common import apply_errors

bp = Blueprint("meetings", __name__)


def load_meeting(meeting_id: int) -> Meeting:
    """The meeting, or 404 for those who are not its participants (ids reveal nothing)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not permissions.can_view_meeting(current_user, meeting):
        abort(404)
    g.meeting = meeting
    return meeting


def meeting_today(meeting: Meeting):
    return datetime.now(ZoneInfo(meeting.timezone)).date()


@bp.route("/")
@login_required
def dashboard():
    participations = list(db.session.scalars(queries.meetings_of_user(current_user.id)))
    cards = []
    for p in participations:
        meeting = p.meeting
        spaces = [s for s in db.session.scalars(queries.spaces_of_meeting(meeting.id))
                  if permissions.is_space_member(p, s)]
        spaces.sort(key=lambda s: (queries.SPACE_ORDER[s.kind], s.name))
        today = meeting_today(meeting)
        start, end = queries.day_bounds(meeting, today)
        cards.append({
            "participant": p,
            "meeting": meeting,
            "spaces": spaces,
            "caucus": next((s for s in spaces if s.kind.value == "group"), None),
            "sittings": list(db.session.scalars(queries.sittings_between(meeting.id, start, end))),
            "deadlines": list(db.session.scalars(queries.deadlines_between(meeting.id, start, end))),
        })
    return render_template("meetings/dashboard.html", cards=cards)


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def create_meeting():
    if not permissions.can_create_meeting(current_user):
        abort(403)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                meeting = services.create_meeting(
                    current_user,
                    title=form.title.data, symbol_prefix=form.symbol_prefix.data,
                    languages=form.languages.data, timezone=form.timezone.data.strip(),
                    body_type=BodyType(form.body_type.data),
                    weighting_mode=WeightingMode(form.weighting_mode.data),
                    quorum_rule=QuorumRule(form.quorum_rule.data),
                    starts_on=form.starts_on.data, ends_on=form.ends_on.data, venue=form.venue.data or "",
                )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Meeting created. Accredit its participants next."), "success")
            return redirect(url_for("meetings.show_meeting", meeting_id=meeting.id))
    return render_template("meetings/new.html", form=form), 200 if not form.errors else 422


@bp.route("/meetings/<int:meeting_id>")
@login_required
def show_meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    me = permissions.participation(current_user, meeting)
    spaces = [s for s in db.session.scalars(queries.spaces_of_meeting(meeting.id))
              if permissions.is_space_member(me, s)]
    spaces.sort(key=lambda s: (queries.SPACE_ORDER[s.kind], s.name))
    return render_template("meetings/show.html", meeting=meeting, me=me, spaces=spaces)


@bp.route("/meetings/<int:meeting_id>/settings", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not permissions.can_manage_meeting(current_user, meeting):
        abort(403)
    form = MeetingSettingsForm(obj=meeting, data=None if request.method == "POST" else {
        **{name: services.setting(meeting, name) for name in services.SETTINGS},
        "membership_cutoff": services.membership_cutoff_of(meeting)})
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_meeting(
                    current_user, meeting, title=form.title.data, venue=form.venue.data or "",
                    starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                    settings={name: getattr(form, name).data for name in services.SETTINGS},
                    membership_cutoff=form.membership_cutoff.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("meetings.show_meeting", meeting_id=meeting.id))
    return render_template("meetings/settings.html", meeting=meeting, form=form), 422 if form.errors else 200


@bp.route("/meetings/<int:meeting_id>/spaces/<int:space_id>")
@login_required
def show_space(meeting_id: int, space_id: int):
    meeting = load_meeting(meeting_id)
    space = db.session.get(Space, space_id)
    if space is None or space.meeting_id != meeting.id or not permissions.can_view_space(current_user, space):
        abort(404)
    return render_template("meetings/space.html", meeting=meeting, space=space,
                           can_write=permissions.can_write_space(current_user, space))


import forum.meetings.participant_views  # noqa: E402,F401  (participants, import, notifications)
from forum.meetings import programme_views  # noqa: E402,F401  (the programme and bulletin pages)
