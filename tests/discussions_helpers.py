"""A meeting with someone of every kind for the discussion tests, and short ways to post in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.discussions import services
from forum.discussions.models import Post, PostRevision, Thread
from forum.extensions import db
from forum.meetings.models import Group, Notification, Space, SpaceKind


@dataclass
class Setting:
    meeting: Any
    users: dict[str, Any] = field(default_factory=dict)
    spaces: dict[str, Space] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return db.session.merge(self.users[role])

    def space(self, name: str) -> Space:
        return db.session.get(Space, self.spaces[name].id)

    def base(self, name: str) -> str:
        return f"/meetings/{self.meeting.id}/spaces/{self.spaces[name].id}"

    def thread_url(self, thread: Thread, suffix: str = "") -> str:
        return f"/meetings/{self.meeting.id}/spaces/{thread.space_id}/threads/{thread.id}{suffix}"

    def post_url(self, post: Post, suffix: str = "") -> str:
        thread = db.session.get(Thread, post.thread_id)
        return self.thread_url(thread, f"/posts/{post.id}{suffix}")


PEOPLE = {
    # role: (group, capacity, member_state, offices, regional group, name)
    "gov": ("government", "delegate", "KE", (), None, "Peter Otieno"),
    "gov_adviser": ("government", "adviser", "KE", (), None, "Achieng Odhiambo"),
    "chair": ("government", "delegate", "BR", ("chair",), None, "Amani Wanjiru"),
    "coordinator": ("government", "delegate", "ZA", ("coordinator",), "AFRICA", "Thandiwe Mokoena"),
    "emp": ("employer", "delegate", "NG", (), None, "Chinedu Okafor"),
    "emp_spokesperson": ("employer", "delegate", "SE", ("spokesperson", "vice_chair"), None, "Henrik Lindqvist"),
    "emp_secretary": ("employer", "adviser", None, ("group_secretary",), None, "Sophie Laurent"),
    "wkr": ("worker", "delegate", "GH", (), None, "Grace Mensah"),
    "wkr_secretary": ("worker", "adviser", None, ("group_secretary",), None, "Tomás Silva"),
    "observer": ("none", "observer", None, (), None, "Hana Yilmaz"),
}


def build(make_user: Any, make_meeting: Any, make_participant: Any) -> Setting:
    secretariat = make_user(staff=True, name="Ingrid Falk")
    meeting = make_meeting(secretariat)
    s = Setting(meeting)
    s.users["secretariat"] = secretariat
    for role, (group, capacity, state, offices, region, name) in PEOPLE.items():
        s.users[role] = make_participant(meeting, group, capacity, member_state=state, roles=offices,
                                         regional_group=region, name=name).user
    s.users["outsider"] = make_user(staff=True, name="Nadia Petrova")
    for space in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id)):
        if space.kind is SpaceKind.plenary:
            s.spaces["plenary"] = space
        elif space.kind is SpaceKind.group and isinstance(space.group, Group):
            s.spaces[space.group.value] = space
        elif space.kind is SpaceKind.officers:
            s.spaces["officers"] = space
        elif space.kind is SpaceKind.delegation and space.member_state == "KE":
            s.spaces["kenya"] = space
        elif space.kind is SpaceKind.regional and space.regional_group.code == "AFRICA":
            s.spaces["africa"] = space
    s.spaces["drafting"] = _drafting_group_space(s)
    return s


# A drafting group names its members (a Chair among them moderates; an adviser may sit for a group).
DRAFTING_GROUP = ("gov", "chair", "emp", "wkr_secretary")


def _drafting_group_space(s: Setting) -> Space:
    """The space of a drafting group set up by the secretariat on an empty draft, as the drafting
    module does it: its named members see and write there, nobody else (rule 9)."""
    from forum.drafting import drafts
    from forum.meetings.models import Participant

    with unit_of_work():
        meeting = db.session.merge(s.meeting)
        secretariat = db.session.merge(s.users["secretariat"])
        draft = drafts.create_draft(secretariat, meeting, title="Draft conclusions",
                                    symbol=f"{meeting.symbol_prefix}/D", original_language="en")
        members = [db.session.scalars(sa.select(Participant.id).where(
            Participant.meeting_id == meeting.id, Participant.user_id == s.users[role].id)).one()
            for role in DRAFTING_GROUP]
        group = drafts.create_drafting_group(secretariat, draft, name="Fair recruitment", participant_ids=members)
    return db.session.get(Space, group.space_id)


def start(s: Setting, role: str, space: str, title: str = "Fair recruitment", body: str = "An opening post.") -> Thread:
    with unit_of_work():
        thread = services.start_thread(s.user(role), s.space(space), title=title, body=body)
    return thread


def reply(s: Setting, role: str, thread: Thread, body: str = "A reply.", parent: Post | None = None) -> Post:
    with unit_of_work():
        post = services.reply(s.user(role), db.session.get(Thread, thread.id), body=body,
                              parent_id=parent.id if parent else None)
    return post


def opening(thread: Thread) -> Post:
    return db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1)).one()


def counts() -> dict[str, int]:
    """Rows that a refused change must leave alone."""
    db.session.rollback()
    models = (Thread, Post, PostRevision, AuditEntry, Notification)
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0 for m in models}
