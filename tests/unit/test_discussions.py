"""Discussion services: who may post where (rule 9), bad input writes nothing, revisions, soft
deletion, moderation per kind of space, mentions that never leak, unread counts, audit (rule 11)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from forum import permissions
from forum.audit.models import AuditEntry
from forum.audit.queries import redact
from forum.db import unit_of_work
from forum.discussions import queries, services
from forum.discussions.models import DISPLAY_DEPTH, Post, PostMention, PostRemoval, PostRevision, ReadMarker, Thread
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Notification, Space
from forum.meetings.notifications import MENTIONED
from tests.discussions_helpers import build, counts, opening, reply, start

# Who belongs to which space in the setting (rule 9), and who moderates it.
MEMBERS = {
    "plenary": {"gov", "gov_adviser", "chair", "coordinator", "emp", "emp_spokesperson", "emp_secretary", "wkr",
                "wkr_secretary", "observer", "secretariat"},
    "government": {"gov", "gov_adviser", "chair", "coordinator"},
    "employer": {"emp", "emp_spokesperson", "emp_secretary"},
    "worker": {"wkr", "wkr_secretary"},
    "officers": {"chair", "emp_spokesperson", "secretariat"},
    "kenya": {"gov", "gov_adviser"},
    "africa": {"gov", "gov_adviser", "coordinator"},
    "drafting": {"gov", "chair", "emp", "wkr_secretary"},  # named members only (tests/discussions_helpers.py)
}
MODERATORS = {
    "plenary": {"chair", "secretariat"},
    "government": set(),  # no group secretary or spokesperson is named for the Government group here
    "employer": {"emp_spokesperson", "emp_secretary"},
    "worker": {"wkr_secretary"},
    "officers": {"secretariat"},
    "kenya": {"gov"},  # the delegate, not the adviser
    "africa": {"coordinator"},
    "drafting": {"chair"},  # a named member who is the Chair
}
EVERYONE = sorted(MEMBERS["plenary"] | {"outsider"})


@pytest.fixture
def s(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def refused(action, error=None):
    before = counts()
    with pytest.raises(error or Exception) as info, unit_of_work():
        action()
    assert counts() == before, "a refused change wrote something"
    return info.value


# --- rule 9: a space's threads are its members' alone --------------------------------------------------

@pytest.mark.postgres
@pytest.mark.parametrize("space", sorted(MEMBERS))
def test_rule_9_only_members_of_a_space_start_threads_in_it(s, backend, space):
    for role in EVERYONE:
        if role in MEMBERS[space] and role != "observer":
            thread = start(s, role, space, title=f"{role} in {space}")
            assert thread.space_id == s.spaces[space].id
        else:
            expected = NotAllowed if role in MEMBERS[space] else NotFound
            refused(lambda role=role: services.start_thread(s.user(role), s.space(space), title="x", body="y"),
                    expected)


@pytest.mark.postgres
@pytest.mark.parametrize("space", sorted(MEMBERS))
def test_rule_9_only_members_of_a_space_read_or_reply_to_its_threads(s, backend, space):
    author = next(r for r in sorted(MEMBERS[space]) if r != "observer")
    thread = start(s, author, space)
    for role in EVERYONE:
        user = s.user(role)
        assert permissions.can_view_thread(user, db.session.get(Thread, thread.id)) is (role in MEMBERS[space])
        assert permissions.can_join_room(user, f"thread:{thread.id}") is (role in MEMBERS[space])
        if role not in MEMBERS[space]:
            refused(lambda user=user: services.reply(user, db.session.get(Thread, thread.id), body="x"), NotFound)


def test_rule_9_the_chair_sees_the_government_caucus_and_no_other(s):
    chair = s.user("chair")
    visible = permissions.visible_space_ids(chair, s.meeting)
    assert s.spaces["government"].id in visible
    assert not {s.spaces["employer"].id, s.spaces["worker"].id} & visible
    assert not {s.spaces[name].id for name in ("government", "employer", "worker", "kenya", "africa")} & \
        permissions.visible_space_ids(s.user("secretariat"), s.meeting)


def test_rule_5_observers_read_the_plenary_but_do_not_post(s):
    thread = start(s, "gov", "plenary")
    observer = s.user("observer")
    assert permissions.can_view_thread(observer, db.session.get(Thread, thread.id))
    refused(lambda: services.start_thread(observer, s.space("plenary"), title="x", body="y"), NotAllowed)
    refused(lambda: services.reply(observer, db.session.get(Thread, thread.id), body="y"), NotAllowed)


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "body", "fields"), [
    ("", "Some text", {"title"}),
    ("   ", "Some text", {"title"}),
    ("A title", "", {"body"}),
    ("A title", " \n\t ", {"body"}),
    ("", "", {"title", "body"}),
    ("x" * 201, "Some text", {"title"}),
    ("A title", "x" * 20_001, {"body"}),
    ("A title", "x" * 1_000_000, {"body"}),
])
def test_empty_or_oversized_input_is_refused_with_field_errors_and_nothing_written(s, title, body, fields):
    error = refused(lambda: services.start_thread(s.user("gov"), s.space("plenary"), title=title, body=body),
                    ValidationFailed)
    assert set(error.fields) == fields


def test_a_body_of_exactly_the_limit_is_accepted(s):
    thread = start(s, "gov", "plenary", body="x" * services.MAX_BODY)
    assert len(opening(thread).body_source) == services.MAX_BODY


def test_a_reply_to_a_post_of_another_thread_or_space_is_refused(s):
    here = start(s, "emp", "plenary", title="Here")
    there = start(s, "emp", "plenary", title="There")
    caucus = start(s, "emp", "employer", title="In the caucus")
    for foreign in (opening(there), opening(caucus)):
        error = refused(lambda foreign=foreign: services.reply(s.user("emp"), db.session.get(Thread, here.id),
                                                               body="x", parent_id=foreign.id), ValidationFailed)
        assert error.fields == {"parent_id": ["The post you are replying to is not in this discussion."]}
    error = refused(lambda: services.reply(s.user("emp"), db.session.get(Thread, here.id), body="x",
                                           parent_id=999_999), ValidationFailed)
    assert "parent_id" in error.fields


def test_a_locked_thread_takes_no_replies_except_from_its_moderators(s):
    thread = start(s, "gov", "plenary")
    with unit_of_work():
        assert services.set_locked(s.user("chair"), db.session.get(Thread, thread.id), True)
    error = refused(lambda: services.reply(s.user("wkr"), db.session.get(Thread, thread.id), body="x"), InvalidState)
    assert "locked" in error.message
    refused(lambda: services.edit_post(s.user("gov"), opening(thread), body="changed"), InvalidState)
    refused(lambda: services.delete_post(s.user("gov"), opening(thread)), InvalidState)
    assert reply(s, "chair", thread, "Closing remark by the Chair.").number == 2


def test_nobody_edits_or_deletes_someone_elses_post(s):
    thread = start(s, "wkr", "plenary")
    for role in ("gov", "chair", "secretariat", "wkr_secretary"):
        refused(lambda role=role: services.edit_post(s.user(role), opening(thread), body="changed"), NotAllowed)
        refused(lambda role=role: services.delete_post(s.user(role), opening(thread)), NotAllowed)
    refused(lambda: services.edit_post(s.user("outsider"), opening(thread), body="changed"), NotFound)


# --- nesting, revisions, deletion -----------------------------------------------------------------------

def test_replies_nest_and_deep_replies_are_flattened_under_their_ancestor(s):
    thread = start(s, "gov", "plenary")
    parent = opening(thread)
    chain = []
    for i in range(DISPLAY_DEPTH + 3):
        parent = reply(s, "emp" if i % 2 else "wkr", thread, f"Level {i + 1}", parent)
        chain.append(parent)
    later = reply(s, "gov", thread, "A later answer to the opening post", opening(thread))
    ordered = [p.number for p in db.session.scalars(queries.posts_in_order(thread.id))]
    assert ordered == [1, *(p.number for p in chain), later.number]
    assert [p.depth for p in chain] == list(range(1, DISPLAY_DEPTH + 4))
    assert [p.display_depth for p in chain] == [min(d, DISPLAY_DEPTH) for d in range(1, DISPLAY_DEPTH + 4)]


def test_every_edit_is_kept_as_a_revision_and_the_same_text_changes_nothing(s):
    thread = start(s, "emp", "employer", body="First wording.")
    post = opening(thread)
    with unit_of_work():
        services.edit_post(s.user("emp"), db.session.get(Post, post.id), body="Second wording.")
    with unit_of_work():
        services.edit_post(s.user("emp"), db.session.get(Post, post.id), body="Third wording.")
    before = counts()
    with unit_of_work():
        services.edit_post(s.user("emp"), db.session.get(Post, post.id), body="Third wording.")
    assert counts() == before
    post = db.session.get(Post, post.id)
    assert post.edit_count == 2 and post.edited_at is not None and "Third" in post.body_html
    revisions = [r.body_source for r in db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.revision))]
    assert revisions == ["First wording.", "Second wording.", "Third wording."]


def test_deleting_ones_own_post_is_soft_and_final(s):
    thread = start(s, "wkr", "worker")
    post = reply(s, "wkr_secretary", thread, "Withdrawn remark.")
    child = reply(s, "wkr", thread, "An answer to it.", post)
    with unit_of_work():
        services.delete_post(s.user("wkr_secretary"), db.session.get(Post, post.id))
    post = db.session.get(Post, post.id)
    assert post.removal is PostRemoval.deleted_by_author and post.removed_by_id == s.users["wkr_secretary"].id
    assert db.session.get(Post, child.id) is not None  # replies stay
    refused(lambda: services.edit_post(s.user("wkr_secretary"), db.session.get(Post, post.id), body="x"), InvalidState)
    refused(lambda: services.unhide_post(s.user("wkr_secretary"), db.session.get(Post, post.id)))
    refused(lambda: services.reply(s.user("wkr"), db.session.get(Thread, thread.id), body="x", parent_id=post.id),
            ValidationFailed)


# --- moderation -------------------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.parametrize("space", sorted(MODERATORS))
def test_rule_9_moderators_are_named_per_kind_of_space_and_never_outside_it(s, backend, space):
    target = s.space(space)
    for role in EVERYONE:
        assert permissions.can_moderate_space(s.user(role), target) is (role in MODERATORS[space]), role


def test_hiding_needs_a_reason_is_audited_with_its_space_and_can_be_undone(s):
    thread = start(s, "emp", "employer")
    post = reply(s, "emp", thread, "An intemperate remark.")
    refused(lambda: services.hide_post(s.user("emp_secretary"), db.session.get(Post, post.id), reason="  "),
            ValidationFailed)
    refused(lambda: services.hide_post(s.user("emp"), db.session.get(Post, post.id), reason="No"), NotAllowed)
    refused(lambda: services.hide_post(s.user("wkr_secretary"), db.session.get(Post, post.id), reason="No"), NotFound)
    with unit_of_work():
        services.hide_post(s.user("emp_secretary"), db.session.get(Post, post.id), reason="Off topic")
    post = db.session.get(Post, post.id)
    assert post.removal is PostRemoval.hidden_by_moderator and post.removal_reason == "Off topic"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "post.hide")).one()
    assert entry.space_id == s.spaces["employer"].id and "Off topic" in entry.payload
    with unit_of_work():
        services.unhide_post(s.user("emp_spokesperson"), db.session.get(Post, post.id))
    assert db.session.get(Post, post.id).removed_at is None
    shown = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "post.unhide")).one()
    assert shown.space_id == s.spaces["employer"].id and shown.actor_id == s.users["emp_spokesperson"].id


def test_pinning_and_locking_are_audited_and_bump_versions(s):
    thread = start(s, "gov", "plenary")
    thread_version = db.session.get(Thread, thread.id).version
    space_version = s.space("plenary").version
    with unit_of_work():
        assert services.set_pinned(s.user("secretariat"), db.session.get(Thread, thread.id), True)
    with unit_of_work():
        assert not services.set_pinned(s.user("secretariat"), db.session.get(Thread, thread.id), True)
    refused(lambda: services.set_locked(s.user("gov"), db.session.get(Thread, thread.id), True), NotAllowed)
    thread = db.session.get(Thread, thread.id)
    assert thread.pinned and thread.version == thread_version + 1
    assert s.space("plenary").version == space_version + 1
    with unit_of_work():
        assert services.set_locked(s.user("chair"), db.session.get(Thread, thread.id), True)
    with unit_of_work():
        assert services.set_locked(s.user("chair"), db.session.get(Thread, thread.id), False)
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("thread.%"))
                                      .order_by(AuditEntry.seq)))
    assert actions == ["thread.start", "thread.pin", "thread.lock", "thread.unlock"]
    assert db.session.get(Thread, thread.id).version == thread_version + 3


def test_rule_11_discussion_entries_name_their_space_and_are_redacted_for_others(s):
    thread = start(s, "wkr", "worker", title="Our line on recruitment fees")
    reply(s, "wkr_secretary", thread, "Agreed.")
    entries = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.in_(
        ["thread.start", "post.create"])).order_by(AuditEntry.seq)))
    assert {e.space_id for e in entries} == {s.spaces["worker"].id}
    secretariat_view = permissions.visible_space_ids(s.user("secretariat"), s.meeting)
    for entry in entries:
        row = redact(entry, secretariat_view)
        assert row.redacted and not row.payload and not row.action
    worker_view = permissions.visible_space_ids(s.user("wkr"), s.meeting)
    assert "Our line on recruitment fees" in redact(entries[0], worker_view).payload


# --- mentions --------------------------------------------------------------------------------------------

def mentions_of(role_user) -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == role_user.id, Notification.code == MENTIONED)))


def test_mentions_notify_participants_who_can_see_the_space(s):
    thread = start(s, "emp", "plenary", body="@[Grace Mensah] and @[grace mensah], what do you think?")
    (note,) = mentions_of(s.users["wkr"])
    assert note.data["thread_id"] == thread.id and note.data["author"] == "Chinedu Okafor"
    assert "what do you think" not in str(note.data)  # the text itself is never copied
    assert '<span class="mention">@Grace Mensah</span>' in opening(thread).body_html
    assert not mentions_of(s.users["emp"])  # the author is not notified of their own mention


def test_mentioning_someone_outside_the_space_notifies_nobody_and_leaks_nothing(s):
    thread = start(s, "emp", "employer", body="Ask @[Grace Mensah] nothing: @[Amani Wanjiru] neither.")
    assert not mentions_of(s.users["wkr"]) and not mentions_of(s.users["chair"])
    assert "mention" not in opening(thread).body_html  # left as typed, like an unknown name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostMention)) == 0


def test_a_drafting_groups_mentions_reach_its_named_members_only(s):
    thread = start(s, "emp", "drafting", body="@[Tomás Silva] and @[Grace Mensah], see paragraph 3.")
    assert len(mentions_of(s.users["wkr_secretary"])) == 1
    assert not mentions_of(s.users["wkr"])  # of the Workers' group, but not named to the drafting group
    assert "@[Grace Mensah]" in opening(thread).body_html and "@Grace Mensah</span>" not in opening(thread).body_html


def test_an_edit_notifies_only_the_newly_mentioned(s):
    thread = start(s, "wkr", "worker", body="Draft for @[Tomás Silva].")
    post = opening(thread)
    with unit_of_work():
        services.edit_post(s.user("wkr"), db.session.get(Post, post.id), body="Draft for @[Tomás Silva], revised.")
    assert len(mentions_of(s.users["wkr_secretary"])) == 1


# --- unread and read markers -----------------------------------------------------------------------------

def test_unread_counts_leave_out_ones_own_and_removed_posts(s):
    first = start(s, "gov", "plenary", title="First")
    second = start(s, "emp", "plenary", title="Second")
    reply(s, "wkr", first, "From the worker")
    hidden = reply(s, "emp", first, "To be hidden")
    with unit_of_work():
        services.hide_post(s.user("chair"), db.session.get(Post, hidden.id), reason="Duplicate")
    both = [first.id, second.id]
    assert queries.unread_counts(s.users["gov"].id, both) == {first.id: 1, second.id: 1}
    # Replying marks the thread read up to one's reply.
    assert queries.unread_counts(s.users["wkr"].id, both) == {second.id: 1}
    observer = s.users["observer"]
    assert queries.unread_counts(observer.id, both) == {first.id: 2, second.id: 1}
    with unit_of_work():
        services.mark_read(s.user("observer"), db.session.get(Thread, first.id), 3)
    assert queries.unread_counts(observer.id, both) == {second.id: 1}
    assert queries.unread_counts_in_space(observer.id, s.spaces["plenary"].id) == {second.id: 1}


def test_a_read_marker_never_moves_back(s):
    thread = start(s, "gov", "plenary")
    for _ in range(3):
        reply(s, "emp", thread)
    with unit_of_work():
        services.mark_read(s.user("wkr"), db.session.get(Thread, thread.id), 3)
    with unit_of_work():
        services.mark_read(s.user("wkr"), db.session.get(Thread, thread.id), 1)
    assert queries.last_read_number(s.users["wkr"].id, thread.id) == 3
    caucus = start(s, "emp", "employer")
    refused(lambda: services.mark_read(s.user("wkr"), db.session.get(Thread, caucus.id), 1), NotFound)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadMarker).where(
        ReadMarker.user_id == s.users["wkr"].id)) == 1


@pytest.mark.postgres
def test_replies_written_at_the_same_time_get_distinct_consecutive_numbers(app, s, backend):
    thread = start(s, "gov", "plenary")
    roles = ["emp", "wkr", "chair", "coordinator", "emp_secretary", "wkr_secretary"]
    user_ids = {role: s.users[role].id for role in roles}
    thread_id = thread.id
    db.session.rollback()
    errors: list[BaseException] = []

    def write(role: str) -> None:
        from forum.accounts.models import User

        try:
            with app.app_context():
                with unit_of_work():
                    services.reply(db.session.get(User, user_ids[role]), db.session.get(Thread, thread_id), body=role)
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(role,)) for role in roles]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    db.session.rollback()
    numbers = sorted(db.session.scalars(sa.select(Post.number).where(Post.thread_id == thread.id)))
    assert numbers == list(range(1, len(roles) + 2))
    assert db.session.get(Thread, thread.id).post_count == len(roles) + 1


def test_a_space_of_another_meeting_is_not_a_way_in(s, make_meeting, make_participant):
    other = make_meeting()
    make_participant(other, "worker", user=s.users["wkr"])
    other_plenary = db.session.scalars(sa.select(Space).where(Space.meeting_id == other.id,
                                                              Space.kind == s.spaces["plenary"].kind)).one()
    assert permissions.can_start_thread(s.user("wkr"), other_plenary)
    assert not permissions.can_start_thread(s.user("emp"), other_plenary)
