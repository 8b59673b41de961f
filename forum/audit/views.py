"""The secretariat's view of its meeting's audit log and its CSV export, with restricted spaces
redacted (PROCEDURE.md rule 11; the redaction and filter rule are in audit.queries)."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Select
from sqlalchemy.orm import Session

from forum import permissions
from forum.audit import queries
from forum.audit.forms import AuditFilterForm
from forum.audit.services import utc_iso
from forum.extensions import db
from forum.meetings.models import Meeting
from forum.meetings.views import load_meeting
from forum.templating import meeting_link
from forum.views_common import paginate

bp = Blueprint("audit", __name__)

CSV_COLUMNS = ("seq", "time_utc", "redacted", "actor", "actor_name", "for_chair", "action",
               "object_type", "object_id", "space_id", "payload")


def _load(meeting_id: int) -> tuple[Meeting, AuditFilterForm, frozenset[int]]:
    """404 for non-participants, 403 for participants who are not the secretariat."""
    meeting = load_meeting(meeting_id)
    if not permissions.can_view_audit(current_user, meeting):
        abort(403)
    form = AuditFilterForm(formdata=request.args)
    form.validate()
    return meeting, form, permissions.visible_space_ids(current_user, meeting)


@bp.route("/meetings/<int:meeting_id>/audit")
@login_required
def show_log(meeting_id: int):
    meeting, form, visible = _load(meeting_id)
    filters = form.filters(meeting.timezone)
    page = paginate(queries.meeting_log(meeting.id, visible, filters))
    # The template gets redacted rows only, never the entries themselves.
    page = dataclasses.replace(page, items=queries.log_rows(page.items, visible))
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/log.html", meeting=meeting, page=page, form=form,
                           filtered=filters.tests_hidden_fields, export_args=export_args,
                           vocabulary=queries.visible_vocabulary(meeting.id, visible))


def _csv_cell(value: object) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/meetings/<int:meeting_id>/audit.csv")
@login_required
def export_log(meeting_id: int):
    meeting, form, visible = _load(meeting_id)
    if form.errors:
        abort(400)
    stmt = queries.meeting_log(meeting.id, visible, form.filters(meeting.timezone))
    engine = db.engine

    def generate() -> Iterator[str]:
        # The response streams after the request has ended, so it reads with a session of its own;
        # the rights were checked above and `visible` is fixed: nothing here needs the request.
        with Session(engine) as session:
            yield from _csv_lines(stmt, visible, session)

    filename = f"audit-meeting-{meeting.id}.csv"
    return Response(generate(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv_lines(stmt: Select, visible: frozenset[int], session: Session) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")  # spreadsheets then read the file as UTF-8
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(queries.iter_log_rows(stmt, visible, session), 1):
        writer.writerow([_csv_cell(v) for v in (
            row.seq, utc_iso(row.created_at), "yes" if row.redacted else "",
            row.actor, row.actor_name, "yes" if row.for_chair else "", row.action, row.object_type,
            row.object_id, row.space_id, row.payload)])
        if n % 500 == 0:
            yield flush()
    yield flush()


meeting_link("audit.show_log", _l("Audit log"), permissions.can_view_audit)
