"""The demo meeting's discussions: a plenary thread per theme, a caucus thread per group, each
written by members of its space; loading twice changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum import permissions
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.discussions.demo import THREADS
from forum.discussions.models import Post, Thread
from forum.extensions import db
from forum.meetings import demo
from forum.meetings.models import Group, Notification, Participant, Space, SpaceKind


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def load():
    with unit_of_work():
        return demo.load_demo()


def totals() -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
            for m in (Thread, Post, AuditEntry, Notification)}


def test_demo_discussions_cover_the_plenary_themes_and_each_caucus(app):
    meeting = load().meeting
    threads = list(db.session.scalars(sa.select(Thread).where(Thread.meeting_id == meeting.id)))
    by_kind: dict[tuple[SpaceKind, Group | None], list[Thread]] = {}
    for thread in threads:
        by_kind.setdefault((thread.space.kind, thread.space.group), []).append(thread)
    plenary = by_kind[(SpaceKind.plenary, None)]
    assert len(plenary) >= 4
    titles = " ".join(t.title for t in plenary).lower()
    for theme in ("contribution of migration", "mainstreaming", "irregular migration", "partnerships"):
        assert theme in titles
    for group in (Group.government, Group.employer, Group.worker):
        assert len(by_kind[(SpaceKind.group, group)]) == 1
    assert any(t.pinned for t in plenary)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(Post.depth > 0)) >= 3  # nested


def test_demo_posts_are_written_by_members_of_their_space(app):
    meeting = load().meeting
    participants = {p.user_id: p for p in db.session.scalars(
        sa.select(Participant).where(Participant.meeting_id == meeting.id))}
    rows = db.session.execute(sa.select(Post.author_id, Space).join(Thread, Thread.id == Post.thread_id)
                              .join(Space, Space.id == Thread.space_id)).all()
    assert len(rows) == sum(1 + len(t.replies) for t in THREADS)
    for author_id, space in rows:
        assert permissions.is_space_member(participants[author_id], space), (author_id, space.name)
    # The Worker spokesperson is mentioned in the Workers' caucus, and notified.
    mentioned = db.session.scalars(sa.select(Notification).where(Notification.code == "discussion.mention")).all()
    assert {n.user_id for n in mentioned} >= {p.user_id for p in participants.values()
                                              if p.user.email == "wkr.spokesperson@demo.forum"}


def test_demo_discussions_load_once(app):
    load()
    before = totals()
    load()
    assert totals() == before
