"""Reads of the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from forum.audit.models import AuditChain, AuditEntry


def meeting_log(meeting_id: int, *, actor: str = "", action: str = "", object_type: str = "",
                object_id: str = "") -> sa.Select:
    stmt = (
        sa.select(AuditEntry)
        .join(AuditChain, AuditEntry.chain_id == AuditChain.id)
        .where(AuditChain.key == f"meeting:{meeting_id}")
        .order_by(AuditEntry.seq.desc())
    )
    if actor:
        stmt = stmt.where(AuditEntry.actor_label.contains(actor.lower()))
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    return stmt
