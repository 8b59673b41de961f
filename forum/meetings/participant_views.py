"""Pages of accreditation: the list of participants, the CSV import, removal, and notifications."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import SQLAlchemyError
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum import permissions
from forum.db import unit_of_work
from forum.errors import DomainError, ValidationFailed
from forum.extensions import db
from forum.meetings import accreditation, notifications, queries
from forum.meetings.models import Group, Participant
from forum.meetings.views import bp, load_meeting
from forum.security import recent_auth_required
from forum.templating import meeting_link
from forum.views_common import apply_errors, paginate


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("UTF-8, comma-separated, with the header row "
                                    "email,name,group,capacity,member_state,regional_groups,membership,roles"))
    effective_from = DateField(_l("Membership changes effective from (optional)"), validators=[Optional()],
                               description=_l("Leave empty: new participants today, changes to existing "
                                              "participants from the next day."))


class RemoveForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Say why this participant is removed.")),
                                                     Length(max=500)])


class ConfirmForm(FlaskForm):
    """A bare form: its CSRF token is the point."""


def _participant_of(meeting_id: int, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting_id:
        abort(404)
    return participant


@bp.route("/meetings/<int:meeting_id>/participants")
@login_required
def list_participants(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not permissions.can_view_participants(current_user, meeting):
        abort(403)
    group = request.args.get("group", "")
    group_filter = Group(group) if group in Group._value2member_map_ else None
    q = request.args.get("q", "").strip()[:100]
    show_removed = request.args.get("removed") == "1" and permissions.can_accredit_participants(current_user, meeting)
    if show_removed:
        stmt = queries.removed_participants_of_meeting(meeting.id)
    else:
        stmt = queries.participants_of_meeting(meeting.id, group=group_filter, q=q)
    page = paginate(stmt)
    return render_template(
        "meetings/participants.html", meeting=meeting, page=page, groups=list(Group),
        group=group_filter.value if group_filter else "", q=q, show_removed=show_removed,
        today=accreditation.meeting_today(meeting), membership_label=notifications.membership_label,
        can_accredit=permissions.can_accredit_participants(current_user, meeting),
    )


@bp.route("/meetings/<int:meeting_id>/participants/import", methods=["GET", "POST"])
@login_required
@recent_auth_required  # accrediting creates accounts; removing ends access
def import_participants(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not permissions.can_accredit_participants(current_user, meeting):
        abort(403)
    form = ImportForm()
    errors: list[tuple[int, str, str]] = []
    if form.validate_on_submit():
        # Read one byte past the limit: the service refuses the file with a clear message.
        data = form.file.data.read(int(current_app.config["IMPORT_MAX_BYTES"]) + 1)
        try:
            with unit_of_work():
                report = accreditation.import_participants(current_user, meeting, data,
                                                           effective_from=form.effective_from.data)
        except ValidationFailed as exc:
            errors = exc.data.get("errors", [])
            if not errors:
                apply_errors(form, exc)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Import done: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.",
                    created=report.created, updated=report.updated, unchanged=report.unchanged), "success")
            return render_template("meetings/participants_imported.html", meeting=meeting, report=report,
                                   field_value=notifications.value_label,
                                   field_label=notifications.field_label)
    status = 422 if (errors or form.errors or form.form_errors) else 200
    return render_template("meetings/participants_import.html", meeting=meeting, form=form, errors=errors,
                           columns=accreditation.COLUMNS), status


@bp.route("/meetings/<int:meeting_id>/participants/<int:participant_id>/remove", methods=["GET", "POST"])
@login_required
@recent_auth_required  # accrediting creates accounts; removing ends access
def remove_participant(meeting_id: int, participant_id: int):
    meeting = load_meeting(meeting_id)
    participant = _participant_of(meeting.id, participant_id)
    if not permissions.can_remove_participant(current_user, participant):
        abort(403)
    form = RemoveForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                accreditation.remove_participant(current_user, participant, form.reason.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(name)s was removed from the meeting.", name=participant.user.name), "success")
            return redirect(url_for("meetings.list_participants", meeting_id=meeting.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("meetings/participant_remove.html", meeting=meeting, participant=participant,
                           form=form, membership_label=notifications.membership_label,
                           today=accreditation.meeting_today(meeting)), status


@bp.route("/meetings/<int:meeting_id>/participants/<int:participant_id>/restore", methods=["POST"])
@login_required
def restore_participant(meeting_id: int, participant_id: int):
    meeting = load_meeting(meeting_id)
    participant = _participant_of(meeting.id, participant_id)
    if not permissions.can_restore_participant(current_user, participant):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        accreditation.restore_participant(current_user, participant)
    flash(_("%(name)s was restored to the meeting.", name=participant.user.name), "success")
    return redirect(url_for("meetings.list_participants", meeting_id=meeting.id))


@bp.route("/notifications")
@login_required
def list_notifications():
    if not permissions.can_view_notifications(current_user):
        abort(403)
    page = paginate(notifications.notifications_of_user(current_user.id))
    return render_template("meetings/notifications.html", page=page, describe=notifications.describe,
                           link=notifications.link, form=ConfirmForm(),
                           unread=notifications.unread_count(current_user.id))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_notifications_read():
    if not permissions.can_view_notifications(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        count = notifications.mark_all_read(current_user)
    flash(_("%(n)d notifications marked as read.", n=count) if count else _("Nothing new to mark as read."),
          "success")
    return redirect(url_for("meetings.list_notifications"))


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """For the navigation bar: called only where the bar shows it."""
    if not current_user.is_authenticated:
        return 0
    try:
        return notifications.unread_count(current_user.id)
    except SQLAlchemyError:  # an error page must still render when the database is the error
        return 0


meeting_link("meetings.list_participants", _l("Participants"), permissions.can_view_participants)
meeting_link("meetings.import_participants", _l("Import participants"), permissions.can_accredit_participants)
