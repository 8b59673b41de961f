"""Every access rule of the platform, as plain functions of (user, object).

Rights inside a meeting come only from the user's participation in it (PROCEDURE.md §1–§2);
the global flags allow creating meetings (`is_staff`) and managing accounts (`is_admin`), and
open no meeting space. The role × action table is in docs/permissions.md.

The functions find the participation themselves and cache it on the database session for the
duration of the transaction, so that a page asking twenty questions runs one query (offices and
memberships joined in).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import (
    Capacity,
    Group,
    Meeting,
    OfficeRole,
    Participant,
    Space,
    SpaceKind,
)

_CACHE = "forum_participation_cache"
OFFICER_ROLES = {OfficeRole.chair, OfficeRole.vice_chair, OfficeRole.reporter}


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def participation(user: Any, meeting: Meeting | int) -> Participant | None:
    """The user's active participation in the meeting, or None."""
    if not _signed_in(user):
        return None
    meeting_id = meeting if isinstance(meeting, int) else meeting.id
    cache = db.session.info.setdefault(_CACHE, {})
    key = (user.id, meeting_id)
    if key not in cache:
        # Offices and memberships joined in (a handful of rows each): one statement, not three.
        cache[key] = db.session.scalars(
            sa.select(Participant).where(
                Participant.meeting_id == meeting_id,
                Participant.user_id == user.id,
                Participant.removed_at.is_(None),
            ).options(sa.orm.joinedload(Participant.offices), sa.orm.joinedload(Participant.memberships))
        ).unique().first()
    return cache[key]


def forget_participations() -> None:
    db.session.info.pop(_CACHE, None)


# --- global --------------------------------------------------------------------------------------

def can_create_meeting(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_staff)


def can_manage_users(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def can_verify_audit(user: Any) -> bool:
    """Verifying covers every chain (every meeting's and the global one): administrators only.

    The report holds chain keys, counts and hashes, never an entry's content.
    """
    return _signed_in(user) and bool(user.is_admin)


# --- meeting -------------------------------------------------------------------------------------

def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    return participation(user, meeting) is not None


def is_secretariat(user: Any, meeting: Meeting) -> bool:
    p = participation(user, meeting)
    return p is not None and p.capacity is Capacity.secretariat


def is_chair(user: Any, meeting: Meeting) -> bool:
    p = participation(user, meeting)
    return p is not None and OfficeRole.chair in p.roles()


def can_manage_meeting(user: Any, meeting: Meeting) -> bool:
    """Settings, accreditation, programme of work: the meeting secretariat (rule 8)."""
    return is_secretariat(user, meeting)


def can_accredit_participants(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_view_participants(user: Any, meeting: Meeting) -> bool:
    return can_view_meeting(user, meeting)


def can_remove_participant(user: Any, participant: Participant) -> bool:
    """The secretariat removes others, explicitly (rule 10); nobody removes themselves."""
    return (participant.removed_at is None and participant.user_id != getattr(user, "id", None)
            and is_secretariat(user, participant.meeting_id))  # type: ignore[arg-type]


def can_restore_participant(user: Any, participant: Participant) -> bool:
    return (participant.removed_at is not None and participant.user_id != getattr(user, "id", None)
            and is_secretariat(user, participant.meeting_id))  # type: ignore[arg-type]


def can_view_notifications(user: Any) -> bool:
    """Anyone signed in reads their own notifications."""
    return _signed_in(user)


def can_manage_programme(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_view_audit(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_view_password_resets(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


# --- spaces (rule 9) -----------------------------------------------------------------------------

def is_space_member(participant: Participant | None, space: Space) -> bool:
    """Group membership alone decides: no office or global flag opens a caucus."""
    p = participant
    if p is None or not p.active or p.meeting_id != space.meeting_id:
        return False
    kind = space.kind
    if kind is SpaceKind.plenary:
        return True
    if kind is SpaceKind.group:
        return space.group is not None and p.group is space.group and p.capacity is not Capacity.secretariat
    if kind is SpaceKind.officers:
        return p.capacity is Capacity.secretariat or bool(p.roles() & OFFICER_ROLES)
    if kind is SpaceKind.regional:
        return (p.group is Group.government and p.capacity is not Capacity.observer
                and space.regional_group is not None
                and p.member_state in space.regional_group.state_codes)
    if kind is SpaceKind.delegation:
        return (p.group is Group.government and p.capacity is not Capacity.observer
                and p.member_state is not None and p.member_state == space.member_state)
    if kind is SpaceKind.drafting:
        return any(m.participant_id == p.id for m in space.members)
    return False


def can_view_space(user: Any, space: Space) -> bool:
    return is_space_member(participation(user, space.meeting_id), space)


def can_write_space(user: Any, space: Space) -> bool:
    """Members write; observers read only (rule 5)."""
    p = participation(user, space.meeting_id)
    return is_space_member(p, space) and p is not None and p.capacity is not Capacity.observer


def can_view_space_id(user: Any, meeting: Meeting, space_id: int | None) -> bool:
    """For records that name a space (audit entries): no space means meeting-wide."""
    if space_id is None:
        return can_view_meeting(user, meeting)
    space = db.session.get(Space, space_id)
    return space is not None and space.meeting_id == meeting.id and can_view_space(user, space)


def visible_space_ids(user: Any, meeting: Meeting) -> frozenset[int]:
    """The meeting's spaces the user belongs to, in one query: records naming any other space are
    redacted for this user (rule 11), the secretariat included (it sees no caucus, rule 9)."""
    p = participation(user, meeting)
    if p is None:
        return frozenset()
    spaces = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))
    return frozenset(s.id for s in spaces if is_space_member(p, s))


# --- documents (rules 9 and 14) ------------------------------------------------------------------------
# A document lives in one space and is seen by that space's members only, all its versions with it.

def can_publish_official_document(user: Any, space: Space) -> bool:
    """Official documents (with symbols) are the secretariat's, published to the plenary."""
    return space.kind is SpaceKind.plenary and is_secretariat(user, space.meeting_id)  # type: ignore[arg-type]


def can_upload_to_space(user: Any, space: Space) -> bool:
    """Members share working files in the spaces they write in; in the plenary only the secretariat
    does, unless the meeting lets participants share there (settings["participants_share_in_plenary"])."""
    if not can_write_space(user, space):
        return False
    if space.kind is not SpaceKind.plenary or is_secretariat(user, space.meeting_id):  # type: ignore[arg-type]
        return True
    meeting = db.session.get(Meeting, space.meeting_id)
    return bool(meeting is not None and (meeting.settings or {}).get("participants_share_in_plenary"))


def can_view_withdrawn_in_space(user: Any, space: Space) -> bool:
    """Withdrawn documents stay retrievable by the secretariat; in a space the secretariat does not
    enter (a caucus, a regional or delegation room, a drafting group), by that space's members."""
    if not can_view_space(user, space):
        return False
    if space.kind in (SpaceKind.plenary, SpaceKind.officers):
        return is_secretariat(user, space.meeting_id)  # type: ignore[arg-type]
    return True


def can_view_withdrawn_document(user: Any, document: Any) -> bool:
    return can_view_withdrawn_in_space(user, document.space)


def can_view_document(user: Any, document: Any) -> bool:
    if document.withdrawn_at is not None:
        return can_view_withdrawn_document(user, document)
    return can_view_space(user, document.space)


def can_withdraw_document(user: Any, document: Any) -> bool:
    """The secretariat, or the document's owner; an official document only the secretariat."""
    if document.withdrawn_at is not None or not can_view_space(user, document.space):
        return False
    if is_secretariat(user, document.meeting_id):
        return True
    return document.kind.value == "working" and document.owner_id == getattr(user, "id", None)


def can_add_document_version(user: Any, document: Any) -> bool:
    """Whoever may share in the document's space (the service refuses official and withdrawn ones)."""
    return can_view_document(user, document) and can_upload_to_space(user, document.space)


def can_reissue_document(user: Any, document: Any) -> bool:
    return (document.kind.value == "official" and can_view_document(user, document)
            and can_publish_official_document(user, document.space))


def can_add_language_version(user: Any, document: Any) -> bool:
    if not can_view_document(user, document):
        return False
    if document.kind.value == "official":
        return can_publish_official_document(user, document.space)
    return can_upload_to_space(user, document.space)


# --- drafts and amendments (PROCEDURE.md §4–§5) -----------------------------------------------------
# Every participant reads a draft and every circulated amendment; before circulation an amendment
# is seen by its movers' space (the delegation, regional room, caucus or drafting group) and, once
# submitted, by the secretariat (rule 23). The Chair, or the secretariat on the Chair's behalf,
# declares outcomes; the software never does.

def presides(user: Any, meeting_id: int) -> bool:
    """The Chair, or the secretariat acting for the Chair (recorded as such by the services)."""
    p = participation(user, meeting_id)
    return p is not None and (p.capacity is Capacity.secretariat or OfficeRole.chair in p.roles())


def can_view_drafts(user: Any, meeting: Meeting) -> bool:
    return can_view_meeting(user, meeting)


def can_view_draft(user: Any, draft: Any) -> bool:
    return participation(user, draft.meeting_id) is not None


def can_create_draft(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_edit_draft(user: Any, draft: Any) -> bool:
    """The structure changes only in preparation: once open, labels are stable (rule 16)."""
    from forum.drafting.models import DraftState

    return draft.state is DraftState.preparation and is_secretariat(user, draft.meeting_id)


def can_open_draft(user: Any, draft: Any) -> bool:
    return can_edit_draft(user, draft)


def can_translate_draft(user: Any, draft: Any) -> bool:
    """Texts in the meeting's other languages are the secretariat's (the languages issue adds the
    translators' interface)."""
    return is_secretariat(user, draft.meeting_id)


def can_manage_drafting_groups(user: Any, draft: Any) -> bool:
    return is_secretariat(user, draft.meeting_id)


def can_change_line_numbering(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_decide_paragraph(user: Any, draft: Any) -> bool:
    return draft.open_for_amendments and presides(user, draft.meeting_id)


def can_reorder_amendments(user: Any, draft: Any) -> bool:
    """Rule 24: the Chair (or the secretariat on the Chair's behalf) may change the order."""
    return draft.open_for_amendments and presides(user, draft.meeting_id)


def can_circulate_amendments(user: Any, draft: Any) -> bool:
    return draft.open_for_amendments and is_secretariat(user, draft.meeting_id)


def can_view_validation_queue(user: Any, draft: Any) -> bool:
    return is_secretariat(user, draft.meeting_id)


def can_record_oral_amendment(user: Any, draft: Any) -> bool:
    """Rule 21: oral amendments and sub-amendments are recorded by the secretariat in the sitting."""
    return draft.open_for_amendments and is_secretariat(user, draft.meeting_id)


def acts_for_mover(p: Participant | None, mover: Any) -> bool:
    """Rule 19: who may file, edit, submit and withdraw in a mover's name.

    A Government participant (not an observer) for their State, or as one of co-sponsoring States;
    a regional group's coordinator for the group; the Employer or Worker group through its group
    secretary or spokesperson (an individual member never in their own name); either of them for
    the two groups jointly; a drafting group's named members for the group.
    """
    from forum.drafting.models import DraftingGroup, MoverKind

    if p is None or not p.active or p.capacity in (Capacity.observer, Capacity.secretariat):
        return False
    kind = mover.kind
    if kind in (MoverKind.state, MoverKind.co_sponsored):
        return p.group is Group.government and p.member_state is not None and p.member_state in mover.states
    if kind is MoverKind.regional_group:
        return p.group is Group.government and any(
            o.role is OfficeRole.coordinator and o.regional_group_id == mover.regional_group_id for o in p.offices)
    if kind in (MoverKind.employer_group, MoverKind.worker_group, MoverKind.joint):
        return p.group in mover.groups and bool(p.roles() & {OfficeRole.group_secretary, OfficeRole.spokesperson})
    if kind is MoverKind.drafting_group and mover.drafting_group_id is not None:
        group = db.session.get(DraftingGroup, mover.drafting_group_id)
        return group is not None and any(m.participant_id == p.id for m in group.space.members)
    return False


def in_movers_space(p: Participant, amendment: Any) -> bool:
    """Members of the space the movers work in: their delegation(s), regional room, caucus(es) or
    drafting group; the same rule as the spaces themselves (rule 9)."""
    from forum.drafting.models import MoverKind

    mover = amendment.mover
    kind = mover.kind
    government = p.group is Group.government and p.capacity is not Capacity.observer
    if kind in (MoverKind.state, MoverKind.co_sponsored):
        return government and p.member_state is not None and p.member_state in mover.states
    if kind is MoverKind.regional_group:
        group = amendment.regional_group
        return government and group is not None and p.member_state in group.state_codes
    if kind in (MoverKind.employer_group, MoverKind.worker_group, MoverKind.joint):
        return p.group in mover.groups and p.capacity is not Capacity.secretariat
    if kind is MoverKind.drafting_group and amendment.drafting_group is not None:
        return any(m.participant_id == p.id for m in amendment.drafting_group.space.members)
    return False


def can_file_amendment(user: Any, draft: Any, mover: Any = None) -> bool:
    """May the user file an amendment to the draft (in `mover`'s name, when given)? Rule 19."""
    if not draft.open_for_amendments:
        return False
    p = participation(user, draft.meeting_id)
    if p is None or not p.active or p.capacity in (Capacity.observer, Capacity.secretariat):
        return False
    if mover is not None:
        return acts_for_mover(p, mover)
    roles = p.roles()
    if p.group is Group.government and p.member_state:
        return True
    if p.group in (Group.employer, Group.worker) and roles & {OfficeRole.group_secretary, OfficeRole.spokesperson}:
        return True
    from forum.drafting.models import DraftingGroup
    from forum.meetings.models import SpaceMember

    return db.session.scalar(
        sa.select(sa.func.count()).select_from(DraftingGroup)
        .join(SpaceMember, SpaceMember.space_id == DraftingGroup.space_id)
        .where(DraftingGroup.draft_id == draft.id, SpaceMember.participant_id == p.id)) > 0


def can_view_amendment(user: Any, amendment: Any) -> bool:
    """Rule 23: circulated amendments are the meeting's; before, the movers' space's and (once
    submitted) the secretariat's. An unsubmitted draft is its space's alone."""
    return may_view_amendment(participation(user, amendment.draft.meeting_id), amendment)


def may_view_amendment(p: Participant | None, amendment: Any) -> bool:
    """can_view_amendment for a participant: also asks whether a whole space may see it (a thread's subject)."""
    from forum.drafting.models import AmendmentState

    if p is None or p.meeting_id != amendment.draft.meeting_id:
        return False
    if amendment.is_circulated:
        return True
    if p.capacity is Capacity.secretariat:
        return amendment.state is not AmendmentState.draft
    return in_movers_space(p, amendment)


def can_edit_amendment(user: Any, amendment: Any) -> bool:
    """The movers change their text while it is a draft or returned for clarification."""
    from forum.drafting.models import AmendmentState

    return (amendment.state in (AmendmentState.draft, AmendmentState.returned) and not amendment.oral
            and acts_for_mover(participation(user, amendment.draft.meeting_id), amendment.mover))


def can_submit_amendment(user: Any, amendment: Any) -> bool:
    return can_edit_amendment(user, amendment)


def can_discard_amendment(user: Any, amendment: Any) -> bool:
    """An unsubmitted draft may be thrown away by those who may file it; nothing else is deleted."""
    from forum.drafting.models import AmendmentState

    return amendment.state is AmendmentState.draft and can_edit_amendment(user, amendment)


def can_withdraw_amendment(user: Any, amendment: Any) -> bool:
    """Rule 23: only the mover withdraws (not the secretariat, not the Chair)."""
    from forum.drafting.models import LIVE

    return (amendment.state in LIVE
            and acts_for_mover(participation(user, amendment.draft.meeting_id), amendment.mover))


def can_take_up_amendment(user: Any, amendment: Any) -> bool:
    """Rule 23: a withdrawn amendment that was circulated may be taken up by another eligible member."""
    from forum.drafting.models import PARAGRAPH_SETTLED, AmendmentState

    if amendment.state is not AmendmentState.withdrawn or not amendment.is_circulated:
        return False
    p = participation(user, amendment.draft.meeting_id)
    return (not acts_for_mover(p, amendment.mover) and can_file_amendment(user, amendment.draft)
            and amendment.paragraph.state not in PARAGRAPH_SETTLED)


def is_voting_member(p: Participant | None, meeting: Meeting) -> bool:
    """Rule 3 (committee mode) as seconding needs it: a member State through any of its Government
    participants (not observers), an Employer or Worker regular member."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if p is None or not p.active or p.capacity in (Capacity.observer, Capacity.secretariat):
        return False
    if p.group is Group.government:
        return p.member_state is not None
    if p.group in (Group.employer, Group.worker):
        from forum.meetings.models import MembershipKind

        return p.membership_on(datetime.now(ZoneInfo(meeting.timezone)).date()) is MembershipKind.regular
    return False


def seconder_key(p: Participant) -> str:
    """A State seconds once whoever of its delegation does it; an Employer or Worker member once."""
    return f"state:{p.member_state}" if p.group is Group.government else f"participant:{p.id}"


def may_second(p: Participant | None, amendment: Any) -> bool:
    """Rule 22: another voting member, not the mover, not twice."""
    from forum.drafting.models import PENDING

    if amendment.state not in PENDING or not amendment.needs_seconder or p is None:
        return False
    if not is_voting_member(p, amendment.draft.meeting):
        return False
    if p.group is Group.government and p.member_state in amendment.mover.states:
        return False  # seconding one's own amendment
    return seconder_key(p) not in {s.key for s in amendment.seconders}


def can_second_amendment(user: Any, amendment: Any) -> bool:
    return may_second(participation(user, amendment.draft.meeting_id), amendment)


def can_record_seconder(user: Any, amendment: Any) -> bool:
    """A seconder from the floor is recorded by the secretariat (rule 22)."""
    from forum.drafting.models import PENDING

    return (amendment.state in PENDING and amendment.needs_seconder
            and is_secretariat(user, amendment.draft.meeting_id))


def can_validate_amendment(user: Any, amendment: Any) -> bool:
    from forum.drafting.models import AmendmentState

    return amendment.state is AmendmentState.submitted and is_secretariat(user, amendment.draft.meeting_id)


def can_return_amendment(user: Any, amendment: Any) -> bool:
    return can_validate_amendment(user, amendment)


def can_declare_outcome(user: Any, amendment: Any) -> bool:
    """Rule 23: the Chair, or the secretariat on the Chair's behalf, once the amendment is public."""
    from forum.drafting.models import PENDING

    return amendment.state in PENDING and presides(user, amendment.draft.meeting_id)


def can_view_space_amendments(user: Any, space: Space) -> bool:
    """"Our amendments": the members of a caucus, regional room, delegation room or drafting group."""
    return space.kind in (SpaceKind.group, SpaceKind.regional, SpaceKind.delegation, SpaceKind.drafting) \
        and can_view_space(user, space)


def can_attach_document(user: Any, post: Any, document: Any) -> bool:
    """A post's author attaches documents they see, of the post's own space or of the plenary (which
    every participant reads): a caucus document is never attached outside its caucus."""
    from forum.discussions.models import Thread

    if document.withdrawn_at is not None or not can_view_document(user, document) or not can_edit_post(user, post):
        return False
    thread = db.session.get(Thread, post.thread_id)
    if thread is None or thread.meeting_id != document.meeting_id:
        return False
    return document.space_id == thread.space_id or document.space.kind is SpaceKind.plenary


def can_detach_document(user: Any, post: Any) -> bool:
    """Attachments are part of the post: its author removes them."""
    return can_edit_post(user, post)


# --- discussions (threads and posts in a space) ---------------------------------------------------------
# Threads and posts are read and written by the space's members alone (rule 9); moderation is a
# right inside a space, never a way into one.

def can_moderate_space(user: Any, space: Space) -> bool:
    """Pin and lock threads, hide posts. The plenary: the Chair or the secretariat; a caucus: that
    group's secretary or spokesperson; a regional room: its coordinator; the officers' room: the
    secretariat; a delegation room: the State's delegates (not its advisers); a drafting group: its
    named members who are the Chair or of the secretariat. Always a member of the space first."""
    p = participation(user, space.meeting_id)
    if p is None or not is_space_member(p, space):
        return False
    roles = p.roles()
    kind = space.kind
    if kind is SpaceKind.plenary or kind is SpaceKind.drafting:
        return p.capacity is Capacity.secretariat or OfficeRole.chair in roles
    if kind is SpaceKind.group:
        return bool(roles & {OfficeRole.group_secretary, OfficeRole.spokesperson})
    if kind is SpaceKind.regional:
        return any(o.role is OfficeRole.coordinator and o.regional_group_id == space.regional_group_id
                   for o in p.offices)
    if kind is SpaceKind.officers:
        return p.capacity is Capacity.secretariat
    if kind is SpaceKind.delegation:
        return p.capacity is Capacity.delegate
    return False


def _thread_of(post: Any) -> Any:
    from forum.discussions.models import Thread

    return db.session.get(Thread, post.thread_id)


def can_view_thread(user: Any, thread: Any) -> bool:
    return can_view_space(user, thread.space)


def can_start_thread(user: Any, space: Space) -> bool:
    return can_write_space(user, space)


def can_reply_to_thread(user: Any, thread: Any) -> bool:
    """The space's writers; a locked thread takes replies from its moderators only."""
    return can_write_space(user, thread.space) and (not thread.locked or can_moderate_space(user, thread.space))


def can_edit_post(user: Any, post: Any) -> bool:
    """Authors change their own posts (edit or delete) while they may still reply in the thread."""
    if not _signed_in(user) or post.author_id != user.id or post.removed_at is not None:
        return False
    return can_reply_to_thread(user, _thread_of(post))


def can_delete_post(user: Any, post: Any) -> bool:
    return can_edit_post(user, post)


def can_hide_post(user: Any, post: Any) -> bool:
    return post.removed_at is None and can_moderate_space(user, _thread_of(post).space)


def can_unhide_post(user: Any, post: Any) -> bool:
    return (post.removal is not None and post.removal.value == "hidden_by_moderator"
            and can_moderate_space(user, _thread_of(post).space))


def can_view_post_history(user: Any, post: Any) -> bool:
    """Every version of a post is seen by whoever sees the post; a removed post's, by moderators."""
    space = _thread_of(post).space
    if post.removed_at is not None:
        return can_moderate_space(user, space)
    return can_view_space(user, space)


def can_pin_thread(user: Any, thread: Any) -> bool:
    return can_moderate_space(user, thread.space)


def can_lock_thread(user: Any, thread: Any) -> bool:
    return can_moderate_space(user, thread.space)


def can_search_discussions(user: Any, meeting: Meeting) -> bool:
    """Any participant searches; the results are limited, in SQL, to visible_space_ids()."""
    return can_view_meeting(user, meeting)


# --- real-time rooms -------------------------------------------------------------------------------

def can_join_room(user: Any, room_name: str) -> bool:
    """Rooms are named by the server; a client may only ask to follow one it may see."""
    if not _signed_in(user):
        return False
    kind, _, rest = room_name.partition(":")
    ident, _, suffix = rest.partition(":")
    if not ident.isdigit():
        return False
    ident_int = int(ident)
    if kind == "user":
        return ident_int == user.id and not suffix
    if kind == "meeting" and not suffix:
        meeting = db.session.get(Meeting, ident_int)
        return meeting is not None and can_view_meeting(user, meeting)
    if kind == "space" and not suffix:
        space = db.session.get(Space, ident_int)
        return space is not None and can_view_space(user, space)
    if kind == "draft" and not suffix:
        from forum.drafting.models import Draft

        draft = db.session.get(Draft, ident_int)
        return draft is not None and can_view_draft(user, draft)
    if kind == "thread" and not suffix:
        from forum.discussions.models import Thread

        thread = db.session.get(Thread, ident_int)
        return thread is not None and can_view_thread(user, thread)
    if kind == "sitting" and suffix in ("", "officers"):
        from forum.meetings.models import Sitting

        sitting = db.session.get(Sitting, ident_int)
        if sitting is None:
            return False
        return can_view_officers_room(user, sitting) if suffix else can_view_sitting(user, sitting)
    return False


# --- positions ---
# Rule 27: the Employers' and Workers' positions are stated by their spokesperson or group
# secretary, a regional group's by its coordinator; the secretariat may take note of any of them in
# the sitting. Rule 28: a Government statement is recorded by that State's own participants, by a
# coordinator for a member State of its regional group, or by the secretariat. Internal polls belong
# to their space (rule 9): the secretariat, administrators and the Chair see none they are not in.

GROUP_OFFICES = {OfficeRole.spokesperson, OfficeRole.group_secretary}


def position_holders(p: Participant | None) -> set[str]:
    """The position holders a participant speaks for: `employer`, `worker` or regional group codes."""
    if p is None or not p.active or p.capacity in (Capacity.observer, Capacity.secretariat):
        return set()
    holders: set[str] = set()
    if p.group in (Group.employer, Group.worker) and p.roles() & GROUP_OFFICES:
        holders.add(p.group.value)
    if p.group is Group.government:
        holders.update(o.regional_group.code for o in p.offices
                       if o.role is OfficeRole.coordinator and o.regional_group is not None)
    return holders


def _item_is_public(item: Any) -> bool:
    """Positions are taken on the text and on circulated amendments: what the whole body has before it."""
    return item.amendment is None or item.amendment.is_circulated


def can_view_positions(user: Any, draft: Any) -> bool:
    return can_view_draft(user, draft)


def can_view_board(user: Any, draft: Any) -> bool:
    return can_view_draft(user, draft)


def can_record_position(user: Any, item: Any, holder: str | None = None) -> bool:
    """For `holder`, or (without one) for any holder: the form is shown to those who may use it."""
    if not item.draft.open_for_amendments or not _item_is_public(item):
        return False
    p = participation(user, item.meeting_id)
    if p is None:
        return False
    if p.capacity is Capacity.secretariat:
        return True
    holders = position_holders(p)
    return bool(holders) if holder is None else holder in holders


def statement_scope(p: Participant | None) -> dict[str, set[str | None]]:
    """State code -> the regional groups (codes; None: in its own name) a participant may state for.

    The secretariat's scope is every State and is not listed here (see can_add_statement).
    """
    scope: dict[str, set[str | None]] = {}
    if p is None or not p.active or p.capacity in (Capacity.observer, Capacity.secretariat):
        return scope
    if p.group is not Group.government:
        return scope
    from forum.meetings.models import RegionalGroup

    if p.member_state:
        own = scope.setdefault(p.member_state, {None})
        own.update(g.code for g in db.session.scalars(sa.select(RegionalGroup)) if p.member_state in g.state_codes)
    for o in p.offices:
        if o.role is OfficeRole.coordinator and o.regional_group is not None:
            for code in o.regional_group.state_codes:
                scope.setdefault(code, set()).add(o.regional_group.code)
    return scope


def can_add_statement(user: Any, item: Any, member_state: str | None = None,
                      regional_group: str | None = None) -> bool:
    """For a State (and on behalf of a regional group), or (without a State) for any: rule 28."""
    if not item.draft.open_for_amendments or not _item_is_public(item):
        return False
    p = participation(user, item.meeting_id)
    if p is None:
        return False
    if p.capacity is Capacity.secretariat:
        return True
    scope = statement_scope(p)
    if member_state is None:
        return bool(scope)
    if member_state not in scope:
        return False
    return regional_group in scope[member_state]


def poll_officer(p: Participant | None, space: Space) -> bool:
    """A caucus's spokesperson or secretary, a regional room's coordinator: they open and close polls."""
    if p is None or not is_space_member(p, space) or p.capacity is Capacity.observer:
        return False
    if space.kind is SpaceKind.group:
        return bool(p.roles() & GROUP_OFFICES)
    if space.kind is SpaceKind.regional:
        return any(o.role is OfficeRole.coordinator and o.regional_group_id == space.regional_group_id
                   for o in p.offices)
    return False


def can_view_polls(user: Any, space: Space) -> bool:
    return space.kind in (SpaceKind.group, SpaceKind.regional) and can_view_space(user, space)


def can_open_poll(user: Any, space: Space) -> bool:
    return space.kind in (SpaceKind.group, SpaceKind.regional) and \
        poll_officer(participation(user, space.meeting_id), space)


def can_view_poll(user: Any, poll: Any) -> bool:
    space = db.session.get(Space, poll.space_id)
    return space is not None and can_view_polls(user, space)


def can_answer_poll(user: Any, poll: Any) -> bool:
    """Members who write in the space (observers read only), while the poll is open."""
    space = db.session.get(Space, poll.space_id)
    return space is not None and poll.is_open() and can_view_polls(user, space) and can_write_space(user, space)


def can_close_poll(user: Any, poll: Any) -> bool:
    space = db.session.get(Space, poll.space_id)
    return space is not None and poll.is_open() and can_open_poll(user, space)



# --- votes ---
# Rules 29–33: the Chair (or the secretariat on the Chair's behalf) opens and closes votes and
# declares decisions; who may cast a ballot is rule 3 (forum.positions.votes.seat_for); every
# participant sees votes and results; the secretariat keeps the attendance register and the
# substitution notices.

def can_view_votes(user: Any, meeting: Meeting) -> bool:
    return can_view_meeting(user, meeting)


def can_view_vote(user: Any, vote: Any) -> bool:
    return participation(user, vote.meeting_id) is not None


def can_open_vote(user: Any, draft: Any) -> bool:
    return draft.open_for_amendments and presides(user, draft.meeting_id)


def can_close_vote(user: Any, vote: Any) -> bool:
    """The Chair or the secretariat; the service refuses a vote that is already closed (409)."""
    return presides(user, vote.meeting_id)


def can_cast_ballot(user: Any, vote: Any) -> bool:
    """Rule 3, as stored with the vote when it opened (forum.positions.votes.seat_for)."""
    from forum.errors import DomainError
    from forum.positions.votes import seat_for

    if not vote.is_open:
        return False
    try:
        seat_for(participation(user, vote.meeting_id), vote)
    except DomainError:
        return False
    return True


def can_declare_decision(user: Any, draft: Any) -> bool:
    """Rule 29: the Chair declares; the secretariat may do so on the Chair's behalf (recorded)."""
    return draft.open_for_amendments and presides(user, draft.meeting_id)


def can_keep_attendance(user: Any, meeting: Meeting | int) -> bool:
    return is_secretariat(user, meeting)  # type: ignore[arg-type]


def can_view_attendance(user: Any, meeting: Meeting | int) -> bool:
    """The register is read by those who run the sitting: the secretariat and the Chair."""
    meeting_id = meeting if isinstance(meeting, int) else meeting.id
    return presides(user, meeting_id)


def can_record_substitution(user: Any, meeting: Meeting | int) -> bool:
    return is_secretariat(user, meeting)  # type: ignore[arg-type]



# --- sittings ---
# Live sittings (issue #7): every participant follows a sitting; the Chair, or the secretariat on
# the Chair's behalf, conducts it; the officers' room (and the Chair's script) is the Chair's, the
# Vice-Chairpersons', the Reporter's and the secretariat's alone.

def can_view_sitting(user: Any, sitting: Any) -> bool:
    return participation(user, sitting.meeting_id) is not None


def can_make_sitting_live(user: Any, sitting: Any) -> bool:
    """The secretariat links a scheduled sitting of the programme to a draft."""
    from forum.meetings.models import SittingState

    return sitting.state is SittingState.scheduled and is_secretariat(user, sitting.meeting_id)


def can_preside_sitting(user: Any, sitting: Any) -> bool:
    """Open, suspend, close, the floor, items, votes, outcomes: the Chair or the secretariat for the Chair."""
    return presides(user, sitting.meeting_id)


def is_sitting_officer(p: Participant | None) -> bool:
    return p is not None and (p.capacity is Capacity.secretariat or bool(p.roles() & OFFICER_ROLES))


def can_view_officers_room(user: Any, sitting: Any) -> bool:
    """The officers' channel and the Chair's script: Chair, Vice-Chairpersons, Reporter, secretariat."""
    return is_sitting_officer(participation(user, sitting.meeting_id))


def can_post_to_officers_room(user: Any, sitting: Any) -> bool:
    from forum.meetings.models import SittingState

    return sitting.state is not SittingState.closed and can_view_officers_room(user, sitting)


def can_edit_script(user: Any, sitting: Any) -> bool:
    """The secretariat prepares the Chair's script."""
    return is_secretariat(user, sitting.meeting_id)


def can_request_floor(user: Any, sitting: Any, observers_invited: bool = False) -> bool:
    """A participant asks for the floor for themself (before or during the sitting); the secretariat
    does not; an observer only once the Chair has invited observers (rule 5)."""
    from forum.meetings.models import SittingState

    p = participation(user, sitting.meeting_id)
    if p is None or sitting.state is SittingState.closed or p.capacity is Capacity.secretariat:
        return False
    if p.capacity is Capacity.observer:
        return observers_invited
    return p.group is not Group.none


def can_register_speaker(user: Any, sitting: Any) -> bool:
    """The secretariat (or the Chair) puts a delegate on the list who signalled from the floor."""
    return presides(user, sitting.meeting_id)



# --- exports ---


# --- proceedings ---
# The report of the meeting (rule 34, issue #10): the secretariat writes the summaries and
# publishes the draft report; everyone in the meeting reads it once published (before that, those
# who run the meeting: the secretariat and the Chair); a speaker proposes corrections to the
# summaries of their own interventions only; the secretariat accepts or declines them; the Chair,
# or the secretariat on the Chair's behalf (recorded as such), declares the report adopted.

def can_view_report(user: Any, report: Any) -> bool:
    from forum.proceedings.models import ReportState

    if participation(user, report.meeting_id) is None:
        return False
    return report.state is not ReportState.draft or presides(user, report.meeting_id)


def can_write_summaries(user: Any, meeting: Meeting | int) -> bool:
    return is_secretariat(user, meeting)  # type: ignore[arg-type]


def can_publish_report(user: Any, report: Any) -> bool:
    return is_secretariat(user, report.meeting_id)


def can_adopt_report(user: Any, report: Any) -> bool:
    """The body adopts its report; the Chair declares it (or the secretariat for the Chair)."""
    return presides(user, report.meeting_id)


def can_propose_correction(user: Any, intervention: Any) -> bool:
    """The speaker alone, on the summary of their own intervention."""
    p = participation(user, intervention.meeting_id)
    return p is not None and p.id == intervention.speaker_id


def can_view_correction(user: Any, correction: Any) -> bool:
    p = participation(user, correction.intervention.meeting_id)
    return p is not None and (p.id == correction.proposed_by_id or presides(user, p.meeting_id))


def can_decide_correction(user: Any, correction: Any) -> bool:
    return is_secretariat(user, correction.intervention.meeting_id)


# Rule 35: the secretariat exports the text and the record. Exports hold the public record alone
# (circulated amendments, positions and statements of the plenary, decisions, votes without secret
# ballots' voters), so nobody sees more in a file than on the pages.

def can_export_meeting(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_export_draft(user: Any, draft: Any) -> bool:
    return is_secretariat(user, draft.meeting_id)


# --- languages ---
# The secretariat gives the draft and each amendment their texts in the meeting's other languages;
# everyone who sees the draft sees the three side by side (issue 14, rules 15, 20, 23).

def can_translate_amendment(user: Any, amendment: Any) -> bool:
    """The secretariat translates what it can see: a submitted amendment onwards (rule 23)."""
    from forum.drafting.models import AmendmentState

    return amendment.state is not AmendmentState.draft and is_secretariat(user, amendment.draft.meeting_id)


@sa.event.listens_for(sa.orm.Session, "after_commit")
@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_on_transaction_end(session: sa.orm.Session) -> None:
    session.info.pop(_CACHE, None)
