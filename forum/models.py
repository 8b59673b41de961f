"""Imports every model so that metadata (and Alembic) know them all."""

from forum.accounts.models import ApiToken, PasswordReset, User
from forum.audit.models import AuditChain, AuditEntry
from forum.meetings.models import (
    AgendaItem,
    Announcement,
    Deadline,
    Meeting,
    Membership,
    Notification,
    Office,
    Participant,
    RegionalGroup,
    RegionalGroupState,
    Sitting,
    Space,
    SpaceMember,
)

__all__ = [
    "AgendaItem", "Announcement", "ApiToken", "AuditChain", "AuditEntry", "Deadline", "Meeting",
    "Membership", "Notification", "Office", "Participant", "PasswordReset", "RegionalGroup",
    "RegionalGroupState", "Sitting", "Space", "SpaceMember", "User",
]
