"""Imports every model so that metadata (and Alembic) know them all."""

from forum.accounts.models import ApiToken, PasswordReset, User
from forum.api.models import IdempotencyKey
from forum.audit.models import AuditChain, AuditEntry
from forum.discussions.models import Post, PostMention, PostRevision, ReadMarker, Thread
from forum.documents.models import Document, DocumentVersion, PostAttachment
from forum.drafting.models import (
    Amendment,
    AmendmentEvent,
    AmendmentSeconder,
    AmendmentSponsor,
    Compilation,
    Draft,
    DraftingGroup,
    Paragraph,
    ParagraphEvent,
    ParagraphText,
    Part,
)
from forum.meetings.models import (
    AgendaItem,
    Announcement,
    AttendanceEntry,
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
    SubstitutionNotice,
)
from forum.positions.models import Poll, PollAnswer, Position, PositionChange, Statement
from forum.positions.vote_models import Decision, GroupChoice, RecordChoice, SecretChoice, Vote, VoteParticipation
from forum.proceedings.models import Intervention, Report, ReportCorrection
from forum.sittings.models import LiveSitting, OfficerMessage, ScriptNote, SpeakerRequest

__all__ = [
    "AgendaItem", "Amendment", "AmendmentEvent", "AmendmentSeconder", "AmendmentSponsor", "Announcement", "ApiToken",
    "AuditChain", "AuditEntry", "Compilation", "Deadline", "Document", "DocumentVersion", "Draft", "DraftingGroup",
    "IdempotencyKey", "Meeting", "Membership", "Notification", "Office", "Paragraph", "ParagraphEvent",
    "ParagraphText", "Part", "Participant", "PasswordReset", "Post", "PostAttachment", "PostMention", "PostRevision",
    "ReadMarker", "RegionalGroup", "RegionalGroupState", "Sitting", "Space", "SpaceMember", "Thread", "User",
    "AttendanceEntry", "Decision", "GroupChoice", "RecordChoice", "SecretChoice", "SubstitutionNotice", "Vote",
    "VoteParticipation",
    "Poll", "PollAnswer", "Position", "PositionChange", "Statement",
    "LiveSitting", "OfficerMessage", "ScriptNote", "SpeakerRequest",
    "Intervention", "Report", "ReportCorrection",
]
