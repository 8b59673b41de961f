"""The secretariat's view of its meeting's audit log, with restricted spaces redacted (rule 11)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forum import permissions
from forum.audit import queries
from forum.meetings.views import load_meeting
from forum.templating import meeting_link
from forum.views_common import paginate

bp = Blueprint("audit", __name__)


@bp.route("/meetings/<int:meeting_id>/audit")
@login_required
def show_log(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not permissions.can_view_audit(current_user, meeting):
        abort(403)
    filters = {k: request.args.get(k, "").strip() for k in ("actor", "action", "object_type", "object_id")}
    page = paginate(queries.meeting_log(meeting.id, **filters))
    visible = {e.id: permissions.can_view_space_id(current_user, meeting, e.space_id) for e in page.items}
    return render_template("audit/log.html", meeting=meeting, page=page, filters=filters, visible=visible)


meeting_link("audit.show_log", _l("Audit log"), permissions.can_view_audit)
