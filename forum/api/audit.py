"""API operations on the audit log: a meeting's entries (redacted as on the secretariat's page) and
the verification of every chain."""

from __future__ import annotations

import json
from typing import Any

from forum import permissions
from forum.api.core import ApiBlueprint, actor, allowed_if, paginate
from forum.api.meetings import current_meeting, in_meeting
from forum.api.schemas import AuditEntryPageSchema, AuditQuerySchema, AuditVerificationSchema
from forum.audit import queries
from forum.audit.queries import LogFilters, LogRow
from forum.audit.services import verify_chains

blp = ApiBlueprint("api_audit", __name__, tag="Audit",
                   description="The audit log: append-only hash chains, one per meeting and one global.")


def entry_out(row: LogRow) -> dict[str, Any]:
    if row.redacted:
        hidden = dict.fromkeys(("actor", "actor_name", "for_chair", "action", "object_type", "object_id",
                                "space_id", "payload"))
        return {"seq": row.seq, "created_at": row.created_at, "redacted": True, **hidden}
    return {"seq": row.seq, "created_at": row.created_at, "redacted": False, "actor": row.actor,
            "actor_name": row.actor_name, "for_chair": row.for_chair, "action": row.action,
            "object_type": row.object_type, "object_id": row.object_id, "space_id": row.space_id,
            "payload": json.loads(row.payload) if row.payload else {}}


@blp.route("/meetings/<id:meeting_id>/audit", methods=["GET"])
@blp.operation("listAuditEntries", 403, 404, 422)
@in_meeting(permissions.can_view_audit, "Only the meeting secretariat reads the audit log.")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntryPageSchema)
def list_audit_entries(args: dict[str, Any], meeting_id: int):
    """The meeting's audit log, newest first (the secretariat)

    Entries about a restricted space the caller is not a member of (a caucus, a regional or
    delegation room: the secretariat belongs to none) keep only their sequence number and time
    (rule 11). The actor, action and object filters test only what the caller can see: while one
    is set, redacted entries are left out altogether.
    """
    user, meeting = actor(), current_meeting()
    visible = permissions.visible_space_ids(user, meeting)
    filters = LogFilters(
        actor=(args.get("actor") or "").strip(), action=(args.get("action") or "").strip(),
        object_type=(args.get("object_type") or "").strip(), object_id=(args.get("object_id") or "").strip(),
        date_from=args.get("date_from"), date_to=args.get("date_to"), timezone=meeting.timezone,
    )
    return paginate(queries.meeting_log(meeting.id, visible, filters), args,
                    lambda entries: [entry_out(row) for row in queries.log_rows(entries, visible)])


@blp.route("/audit/verify", methods=["GET"])
@blp.operation("verifyAudit", 403)
@allowed_if(permissions.can_verify_audit, "Only an administrator verifies the audit chains.")
@blp.response(200, AuditVerificationSchema)
def verify_audit():
    """Recompute every audit chain (administrators)

    Names the first broken entry of each chain. It covers every meeting's chain and the global
    one, hence administrators only; the report gives chain keys, counts and hashes, no content.
    """
    reports = verify_chains()
    return {"ok": all(r.ok for r in reports), "chains": [
        {"key": r.key, "ok": r.ok, "entries": r.entries, "head_seq": r.head_seq, "head_hash": r.head_hash,
         "broken_seq": r.broken_seq, "reason": r.reason} for r in reports]}
