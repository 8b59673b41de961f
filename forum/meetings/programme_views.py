"""Pages of the programme of work and the daily bulletin (PROCEDURE.md rule 13).

Every participant reads them; the meeting secretariat also gets the forms. Times are shown in
the meeting's time zone, which every page names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from forum import permissions
from forum.db import unit_of_work
from forum.errors import DomainError
from forum.extensions import db
from forum.meetings import programme, queries
from forum.meetings.models import AgendaItem, Announcement, Deadline, Meeting, Sitting, SittingState
from forum.meetings.programme_forms import (
    AgendaItemForm,
    AnnouncementForm,
    ConfirmForm,
    DeadlineForm,
    ExtendDeadlineForm,
    SittingForm,
    deadline_kind_label,
)
from forum.meetings.views import bp, load_meeting
from forum.templating import meeting_link
from forum.views_common import apply_errors

TIME_FIELDS = {
    "starts_at": _l("Starts (%(zone)s time)"),
    "ends_at": _l("Ends (%(zone)s time, optional)"),
    "due_at": _l("Due (%(zone)s time)"),
}


# --- helpers ---------------------------------------------------------------------------------------

def _manage(meeting: Meeting) -> None:
    if not permissions.can_manage_programme(current_user, meeting):
        abort(403)


def _get(model: type, obj_id: int, meeting: Meeting) -> Any:
    obj = db.session.get(model, obj_id)
    if obj is None or obj.meeting_id != meeting.id:
        abort(404)
    return obj


def _zone_labels(form: FlaskForm, meeting: Meeting) -> FlaskForm:
    """Say on each time field which clock it is read on."""
    for name, label in TIME_FIELDS.items():
        field = getattr(form, name, None)
        if field is not None:
            field.label.text = label % {"zone": meeting.timezone}
    if isinstance(form, ExtendDeadlineForm):
        form.due_at.label.text = _("New time (%(zone)s time)", zone=meeting.timezone)
    return form


def _agenda_choices(meeting: Meeting) -> list[tuple[int, str]]:
    items = db.session.scalars(queries.agenda_items(meeting.id))
    return [(0, _("No agenda item")), *((i.id, f"{i.number}. {i.title}") for i in items)]


def _sitting_form(meeting: Meeting, **kwargs: Any) -> SittingForm:
    form = SittingForm(prefix="sitting", **kwargs)
    form.agenda_item_id.choices = _agenda_choices(meeting)
    return _zone_labels(form, meeting)


def _apply(form: FlaskForm, exc: DomainError) -> None:
    """Field errors from the service, in the reader's language."""
    exc.fields = {name: [_(m) for m in messages] for name, messages in exc.fields.items()}
    exc.message = _(exc.message)
    apply_errors(form, exc)


def _attempt(form: FlaskForm, action: Callable[[], Any]) -> bool:
    """Run one service call in its own transaction; False (with the form's errors) if refused."""
    try:
        with unit_of_work():
            action()
    except DomainError as exc:
        if exc.status in (403, 404, 409):
            raise
        _apply(form, exc)
        return False
    return True


def zone_caption(meeting: Meeting, day: date) -> str:
    """"Europe/Zurich (CEST, UTC+02:00)": the zone and its offset on that day."""
    tz = programme.meeting_zone(meeting)
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=tz)
    offset = noon.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{meeting.timezone} ({noon.tzname()}, UTC{sign}{hours:02d}:{mins:02d})"


def _programme_page(meeting: Meeting, *, agenda_form: AgendaItemForm | None = None,
                    sitting_form: SittingForm | None = None, deadline_form: DeadlineForm | None = None,
                    status: int = 200):
    can_manage = permissions.can_manage_programme(current_user, meeting)
    agenda = list(db.session.scalars(queries.agenda_items(meeting.id)))
    sittings = list(db.session.scalars(queries.sittings_of_meeting(meeting.id)))
    days: dict[date, list[Sitting]] = {}
    for sitting in sittings:
        days.setdefault(programme.local_date(meeting, sitting.starts_at), []).append(sitting)
    deadlines = list(db.session.scalars(queries.deadlines_of_meeting(meeting.id)))
    forms: dict[str, Any] = {}
    if can_manage:
        forms = {
            "agenda": agenda_form or AgendaItemForm(prefix="agenda", formdata=None),
            "sitting": sitting_form or _sitting_form(meeting, formdata=None),
            "deadline": deadline_form or _zone_labels(DeadlineForm(prefix="deadline", formdata=None), meeting),
        }
    today = programme.meeting_today(meeting)
    return render_template(
        "meetings/programme.html", meeting=meeting, agenda=agenda, days=sorted(days.items()),
        deadlines=deadlines, can_manage=can_manage, forms=forms,
        zone=zone_caption(meeting, today), kind_label=deadline_kind_label, scheduled=SittingState.scheduled,
    ), status


def _to_programme(meeting: Meeting, anchor: str):
    return redirect(url_for("meetings.show_programme", meeting_id=meeting.id, _anchor=anchor))


def _confirm_page(meeting: Meeting, *, title: str, question: str, details: list[str], action: str,
                  cancel: str, button: str):
    return render_template("meetings/confirm.html", meeting=meeting, title=title, question=question,
                           details=details, action=action, cancel=cancel, button=button, form=ConfirmForm())


def _edit_page(meeting: Meeting, form: FlaskForm, *, title: str, action: str, button: str, status: int = 200,
               intro: str = ""):
    return render_template("meetings/programme_edit.html", meeting=meeting, form=form, title=title,
                           action=action, button=button, intro=intro,
                           cancel=url_for("meetings.show_programme", meeting_id=meeting.id)), status


# --- programme -------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/programme")
@login_required
def show_programme(meeting_id: int):
    return _programme_page(load_meeting(meeting_id))


@bp.route("/meetings/<int:meeting_id>/programme/agenda", methods=["POST"])
@login_required
def add_agenda_item(meeting_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    form = AgendaItemForm(prefix="agenda")
    if form.validate_on_submit() and _attempt(form, lambda: programme.add_agenda_item(
            current_user, meeting, number=form.number.data, title=form.title.data, position=form.position.data)):
        flash(_("Agenda item added."), "success")
        return _to_programme(meeting, "agenda")
    return _programme_page(meeting, agenda_form=form, status=422)


@bp.route("/meetings/<int:meeting_id>/programme/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_agenda_item(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    item = _get(AgendaItem, item_id, meeting)
    form = AgendaItemForm(obj=item)
    if form.validate_on_submit() and _attempt(form, lambda: programme.edit_agenda_item(
            current_user, item, number=form.number.data, title=form.title.data, position=form.position.data)):
        flash(_("Agenda item saved."), "success")
        return _to_programme(meeting, "agenda")
    return _edit_page(meeting, form, title=_("Edit agenda item %(number)s", number=item.number),
                      action=url_for("meetings.edit_agenda_item", meeting_id=meeting.id, item_id=item.id),
                      button=_("Save"), status=422 if form.errors else 200)


@bp.route("/meetings/<int:meeting_id>/programme/agenda/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete_agenda_item(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    item = _get(AgendaItem, item_id, meeting)
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            programme.delete_agenda_item(current_user, item)
        flash(_("Agenda item deleted."), "success")
        return _to_programme(meeting, "agenda")
    return _confirm_page(
        meeting, title=_("Delete agenda item"),
        question=_("Delete agenda item %(number)s, “%(title)s”?", number=item.number, title=item.title),
        details=[_("Sittings set for this item stay on the programme, without an agenda item.")],
        action=url_for("meetings.delete_agenda_item", meeting_id=meeting.id, item_id=item.id),
        cancel=url_for("meetings.show_programme", meeting_id=meeting.id), button=_("Delete the item"))


@bp.route("/meetings/<int:meeting_id>/programme/sittings", methods=["POST"])
@login_required
def schedule_sitting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    form = _sitting_form(meeting)
    if form.validate_on_submit() and _attempt(form, lambda: programme.schedule_sitting(
            current_user, meeting, title=form.title.data, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
            room=form.room.data or "", agenda_item_id=form.agenda_item_id.data or None)):
        flash(_("Sitting scheduled."), "success")
        return _to_programme(meeting, "sittings")
    return _programme_page(meeting, sitting_form=form, status=422)


@bp.route("/meetings/<int:meeting_id>/programme/sittings/<int:sitting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_sitting(meeting_id: int, sitting_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    sitting = _get(Sitting, sitting_id, meeting)
    data = {"title": sitting.title, "room": sitting.room, "agenda_item_id": sitting.agenda_item_id or 0,
            "starts_at": programme.to_local_naive(meeting, sitting.starts_at),
            "ends_at": programme.to_local_naive(meeting, sitting.ends_at)}
    form = _sitting_form(meeting, data=data)
    if form.validate_on_submit() and _attempt(form, lambda: programme.edit_sitting(
            current_user, sitting, title=form.title.data, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
            room=form.room.data or "", agenda_item_id=form.agenda_item_id.data or None)):
        flash(_("Sitting saved."), "success")
        return _to_programme(meeting, "sittings")
    return _edit_page(meeting, form, title=_("Edit sitting: %(title)s", title=sitting.title),
                      action=url_for("meetings.edit_sitting", meeting_id=meeting.id, sitting_id=sitting.id),
                      button=_("Save"), status=422 if form.errors else 200)


@bp.route("/meetings/<int:meeting_id>/programme/sittings/<int:sitting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_sitting(meeting_id: int, sitting_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    sitting = _get(Sitting, sitting_id, meeting)
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            programme.cancel_sitting(current_user, sitting)
        flash(_("Sitting cancelled."), "success")
        return _to_programme(meeting, "sittings")
    when = programme.to_local_naive(meeting, sitting.starts_at)
    return _confirm_page(
        meeting, title=_("Cancel sitting"),
        question=_("Cancel “%(title)s”, set for %(when)s (%(zone)s time)?", title=sitting.title,
                   when=when.strftime("%Y-%m-%d %H:%M") if when else "", zone=meeting.timezone),
        details=[_("The sitting is taken off the programme; the audit log keeps a record of it.")],
        action=url_for("meetings.cancel_sitting", meeting_id=meeting.id, sitting_id=sitting.id),
        cancel=url_for("meetings.show_programme", meeting_id=meeting.id), button=_("Cancel the sitting"))


@bp.route("/meetings/<int:meeting_id>/programme/deadlines", methods=["POST"])
@login_required
def set_deadline(meeting_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    form = _zone_labels(DeadlineForm(prefix="deadline"), meeting)
    if form.validate_on_submit() and _attempt(form, lambda: programme.set_deadline(
            current_user, meeting, kind=form.kind.data, title=form.title.data, due_at=form.due_at.data)):
        flash(_("Deadline set."), "success")
        return _to_programme(meeting, "deadlines")
    return _programme_page(meeting, deadline_form=form, status=422)


@bp.route("/meetings/<int:meeting_id>/programme/deadlines/<int:deadline_id>/edit", methods=["GET", "POST"])
@login_required
def edit_deadline(meeting_id: int, deadline_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    deadline = _get(Deadline, deadline_id, meeting)
    data = {"kind": deadline.kind.value, "title": deadline.title,
            "due_at": programme.to_local_naive(meeting, deadline.due_at)}
    form = _zone_labels(DeadlineForm(data=data), meeting)
    if form.validate_on_submit() and _attempt(form, lambda: programme.edit_deadline(
            current_user, deadline, kind=form.kind.data, title=form.title.data, due_at=form.due_at.data)):
        flash(_("Deadline saved."), "success")
        return _to_programme(meeting, "deadlines")
    intro = (_("This deadline has been extended: to move it again, record an extension.")
             if deadline.original_due_at else "")
    return _edit_page(meeting, form, title=_("Edit deadline: %(title)s", title=deadline.title),
                      action=url_for("meetings.edit_deadline", meeting_id=meeting.id, deadline_id=deadline.id),
                      button=_("Save"), status=422 if form.errors else 200, intro=intro)


@bp.route("/meetings/<int:meeting_id>/programme/deadlines/<int:deadline_id>/extend", methods=["GET", "POST"])
@login_required
def extend_deadline(meeting_id: int, deadline_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    deadline = _get(Deadline, deadline_id, meeting)
    form = _zone_labels(ExtendDeadlineForm(data={"due_at": programme.to_local_naive(meeting, deadline.due_at)}),
                        meeting)
    if form.validate_on_submit() and _attempt(form, lambda: programme.extend_deadline(
            current_user, deadline, due_at=form.due_at.data, note=form.note.data or "",
            granted_by_chair=form.granted_by_chair.data)):
        flash(_("Deadline extended; the original time is kept on the programme."), "success")
        return _to_programme(meeting, "deadlines")
    current = programme.to_local_naive(meeting, deadline.due_at)
    return _edit_page(
        meeting, form, title=_("Extend deadline: %(title)s", title=deadline.title),
        action=url_for("meetings.extend_deadline", meeting_id=meeting.id, deadline_id=deadline.id),
        button=_("Extend the deadline"), status=422 if form.errors else 200,
        intro=_("Now due %(when)s (%(zone)s time).", when=current.strftime("%Y-%m-%d %H:%M") if current else "",
                zone=meeting.timezone))


@bp.route("/meetings/<int:meeting_id>/programme/deadlines/<int:deadline_id>/delete", methods=["GET", "POST"])
@login_required
def delete_deadline(meeting_id: int, deadline_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    deadline = _get(Deadline, deadline_id, meeting)
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            programme.delete_deadline(current_user, deadline)
        flash(_("Deadline deleted."), "success")
        return _to_programme(meeting, "deadlines")
    return _confirm_page(
        meeting, title=_("Delete deadline"), question=_("Delete the deadline “%(title)s”?", title=deadline.title),
        details=[_("The audit log keeps a record of it.")],
        action=url_for("meetings.delete_deadline", meeting_id=meeting.id, deadline_id=deadline.id),
        cancel=url_for("meetings.show_programme", meeting_id=meeting.id), button=_("Delete the deadline"))


# --- bulletin --------------------------------------------------------------------------------------

def _parse_day(day: str | None, meeting: Meeting) -> date:
    if day is None:
        return programme.meeting_today(meeting)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if len(day) != 10 or not 2000 <= parsed.year <= 2100:
        abort(404)
    return parsed


def _bulletin_page(meeting: Meeting, day: date, form: AnnouncementForm | None = None, status: int = 200):
    start, end = queries.day_bounds(meeting, day)
    can_manage = permissions.can_manage_programme(current_user, meeting)
    day_number = None
    if meeting.starts_on and meeting.starts_on <= day <= (meeting.ends_on or meeting.starts_on):
        day_number = (day - meeting.starts_on).days + 1
    return render_template(
        "meetings/bulletin.html", meeting=meeting, day=day, day_number=day_number,
        sittings=list(db.session.scalars(queries.sittings_between(meeting.id, start, end))),
        deadlines=list(db.session.scalars(queries.deadlines_between(meeting.id, start, end))),
        coming=list(db.session.scalars(queries.deadlines_from(meeting.id, end))),
        announcements=list(db.session.scalars(queries.announcements_on(meeting.id, day))),
        prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
        today=programme.meeting_today(meeting), zone=zone_caption(meeting, day),
        kind_label=deadline_kind_label, can_manage=can_manage,
        form=(form or AnnouncementForm(formdata=None)) if can_manage else None,
    ), status


@bp.route("/meetings/<int:meeting_id>/bulletin")
@bp.route("/meetings/<int:meeting_id>/bulletin/<day>")
@login_required
def show_bulletin(meeting_id: int, day: str | None = None):
    meeting = load_meeting(meeting_id)
    return _bulletin_page(meeting, _parse_day(day, meeting))


@bp.route("/meetings/<int:meeting_id>/bulletin/<day>/announcements", methods=["POST"])
@login_required
def post_announcement(meeting_id: int, day: str):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    when = _parse_day(day, meeting)
    form = AnnouncementForm()
    if form.validate_on_submit() and _attempt(form, lambda: programme.post_announcement(
            current_user, meeting, day=when, body=form.body.data)):
        flash(_("Announcement posted."), "success")
        return redirect(url_for("meetings.show_bulletin", meeting_id=meeting.id, day=when.isoformat(),
                                _anchor="announcements"))
    return _bulletin_page(meeting, when, form, status=422)


@bp.route("/meetings/<int:meeting_id>/announcements/<int:announcement_id>/delete", methods=["GET", "POST"])
@login_required
def delete_announcement(meeting_id: int, announcement_id: int):
    meeting = load_meeting(meeting_id)
    _manage(meeting)
    announcement = _get(Announcement, announcement_id, meeting)
    back = url_for("meetings.show_bulletin", meeting_id=meeting.id, day=announcement.day.isoformat())
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            programme.delete_announcement(current_user, announcement)
        flash(_("Announcement deleted."), "success")
        return redirect(back)
    return _confirm_page(
        meeting, title=_("Delete announcement"), question=_("Delete this announcement?"),
        details=[announcement.body],
        action=url_for("meetings.delete_announcement", meeting_id=meeting.id, announcement_id=announcement.id),
        cancel=back, button=_("Delete the announcement"))


meeting_link("meetings.show_programme", _l("Programme"), permissions.can_view_meeting)
meeting_link("meetings.show_bulletin", _l("Bulletin"), permissions.can_view_meeting)
meeting_link("meetings.edit_meeting", _l("Meeting settings"), permissions.can_manage_meeting)
