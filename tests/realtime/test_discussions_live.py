"""Live discussions: a thread's room hears of its posts, a space's room of its thread list, each
with its own version; nothing about a restricted space reaches anyone outside it (rule 9)."""

from __future__ import annotations

import pytest

from forum.db import unit_of_work
from forum.discussions import services
from forum.discussions.models import Post, Thread
from forum.extensions import db
from tests.discussions_helpers import build, opening, reply, start


@pytest.fixture
def s(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def follow(sock, room: str) -> dict:
    ack = sock.emit("subscribe", {"room": room}, callback=True)
    assert ack["ok"], ack
    return ack["snapshot"]


def payloads(received: list[dict], name: str) -> list[dict]:
    return [event["args"][0] for event in received if event["name"] == name]


def test_a_reply_reaches_the_threads_room_and_the_spaces_room_with_versions(s, login, socket_client):
    thread = start(s, "gov", "plenary")
    sock = socket_client(login(s.users["wkr"]))
    snapshot = follow(sock, f"thread:{thread.id}")
    assert snapshot["thread_id"] == thread.id and snapshot["post_count"] == 1 and "server_time" in snapshot
    space_version = follow(sock, f"space:{s.spaces['plenary'].id}")["version"]
    sock.events()

    post = reply(s, "emp", thread, "A live reply.", opening(thread))
    received = sock.events()  # reading them empties the queue
    (created,) = payloads(received, "post.created")
    assert created == {"room": f"thread:{thread.id}", "thread_id": thread.id, "post_id": post.id, "number": 2,
                       "parent_id": opening(thread).id, "author_id": s.users["emp"].id,
                       "version": snapshot["version"] + 1}
    (activity,) = payloads(received, "thread.activity")
    assert activity["thread_id"] == thread.id and activity["version"] == space_version + 1
    assert "A live reply" not in str(created) + str(activity)  # codes and ids, never text

    with unit_of_work():
        services.hide_post(s.user("chair"), db.session.get(Post, post.id), reason="Off topic")
    (updated,) = payloads(sock.events(), "post.updated")
    assert updated["change"] == "hidden" and updated["version"] == snapshot["version"] + 2
    assert "Off topic" not in str(updated)
    assert follow(sock, f"thread:{thread.id}")["version"] == snapshot["version"] + 2


def test_a_new_thread_and_a_lock_are_announced_in_the_spaces_room(s, login, socket_client):
    sock = socket_client(login(s.users["emp"]))
    version = follow(sock, f"space:{s.spaces['employer'].id}")["version"]
    sock.events()
    thread = start(s, "emp_secretary", "employer", title="Position on skills partnerships")
    with unit_of_work():
        services.set_locked(s.user("emp_spokesperson"), db.session.get(Thread, thread.id), True)
    received = sock.events()
    (created,) = payloads(received, "thread.created")
    (locked,) = payloads(received, "thread.updated")
    assert created["thread_id"] == thread.id and created["version"] == version + 1
    assert locked["change"] == "locked" and locked["version"] == version + 2
    assert "skills" not in str(created)


@pytest.mark.postgres
@pytest.mark.parametrize("space", ["employer", "worker", "government", "officers", "kenya", "africa", "drafting"])
def test_rule_9_nothing_about_a_restricted_space_reaches_outsiders(s, backend, login, socket_client, space):
    """An outsider follows everything they may (and tries what they may not): a thread, a reply, a
    mention of them, an edit, a hiding and a lock in the restricted space reach them not at all."""
    members = {"employer": ("emp", "emp_secretary"), "worker": ("wkr", "wkr_secretary"),
               "government": ("gov", "chair"), "officers": ("chair", "secretariat"), "kenya": ("gov", "gov"),
               "africa": ("coordinator", "coordinator"), "drafting": ("emp", "wkr_secretary")}[space]
    outsider_role = "wkr" if space != "worker" else "emp"
    outsider = s.users[outsider_role]
    sock = socket_client(login(outsider))
    follow(sock, f"space:{s.spaces['plenary'].id}")
    own_caucus = "worker" if outsider_role == "wkr" else "employer"
    follow(sock, f"space:{s.spaces[own_caucus].id}")
    thread = start(s, members[0], space, title="Restricted")
    for room in (f"space:{s.spaces[space].id}", f"thread:{thread.id}"):
        for event in ("subscribe", "snapshot"):
            ack = sock.emit(event, {"room": room}, callback=True)
            assert not ack["ok"] and ack["error"]["code"] == "not_found"
    sock.events()

    post = reply(s, members[1], thread, f"Ask @[{outsider.name}] about it.")
    with unit_of_work():
        services.edit_post(s.user(members[1]), db.session.get(Post, post.id), body=f"Really, @[{outsider.name}].")
    moderator = {"employer": "emp_secretary", "worker": "wkr_secretary", "officers": "secretariat",
                 "kenya": "gov", "africa": "coordinator", "drafting": "chair"}.get(space)
    if moderator:
        with unit_of_work():
            services.hide_post(s.user(moderator), db.session.get(Post, post.id), reason="Enough")
        with unit_of_work():
            services.set_locked(s.user(moderator), db.session.get(Thread, thread.id), True)
    received = sock.events()
    assert received == [], received


def test_following_a_thread_needs_its_space_and_a_forged_room_reveals_nothing(s, login, socket_client):
    caucus = start(s, "emp", "employer")
    sock = socket_client(login(s.users["wkr"]))
    for room in (f"thread:{caucus.id}", "thread:999999", f"thread:{caucus.id}:x", "thread:abc"):
        ack = sock.emit("subscribe", {"room": room}, callback=True)
        assert ack == {"ok": False, "error": {"code": "not_found", "message": "No such room, or no access to it."}}
