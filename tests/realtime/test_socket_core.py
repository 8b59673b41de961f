"""The live channel: authentication, server-named rooms, versions, publish after commit, sign-out."""

from __future__ import annotations

import pytest

from forum import realtime
from forum.accounts.models import PasswordReset
from forum.accounts.services import create_token, reset_link
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind
from tests.conftest import PASSWORD


def caucus(meeting, group: str) -> Space:
    return db.session.scalars(db.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                     Space.group == Group(group))).one()


def plenary(meeting) -> Space:
    return db.session.scalars(db.select(Space).where(Space.meeting_id == meeting.id,
                                                     Space.kind == SpaceKind.plenary)).one()


def test_anonymous_connection_is_refused(socket_client):
    sock = socket_client()
    assert not sock.is_connected()


def test_signed_in_browser_connects_with_its_session_cookie(socket_client, make_user, login):
    sock = socket_client(login(make_user()))
    assert sock.is_connected()


def test_api_token_authenticates_a_display(socket_client, make_user):
    user = make_user()
    with unit_of_work():
        token = create_token(db.session.merge(user), "projector")
    assert socket_client(auth={"token": token}).is_connected()
    assert not socket_client(auth={"token": token + "x"}).is_connected()


def test_bearer_header_authenticates_a_script(socket_client, make_user):
    user = make_user()
    with unit_of_work():
        token = create_token(db.session.merge(user), "script")
    assert socket_client(headers={"Authorization": f"Bearer {token}"}).is_connected()


def test_revoked_token_is_refused(socket_client, make_user):
    from forum.accounts.models import ApiToken
    from forum.db import utcnow

    user = make_user()
    with unit_of_work():
        token = create_token(db.session.merge(user), "script")
    with unit_of_work():
        for row in db.session.scalars(db.select(ApiToken)):
            row.revoked_at = utcnow()
    assert not socket_client(auth={"token": token}).is_connected()


def test_rule_9_members_follow_their_own_caucus_only(socket_client, make_meeting, make_participant, login):
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    sock = socket_client(login(worker.user))
    mine = sock.emit("subscribe", {"room": f"space:{caucus(meeting, 'worker').id}"}, callback=True)
    theirs = sock.emit("subscribe", {"room": f"space:{caucus(meeting, 'employer').id}"}, callback=True)
    assert mine["ok"] is True
    assert "server_time" in mine["snapshot"] and "version" in mine["snapshot"]
    assert theirs == {"ok": False, "error": {"code": "not_found", "message": "No such room, or no access to it."}}


@pytest.mark.parametrize("room", ["user:999", "meeting:999", "space:999", "sitting:1", "nonsense", "space:abc",
                                  "space:1:extra"])
def test_unknown_or_forbidden_rooms_answer_alike(socket_client, make_user, login, room):
    sock = socket_client(login(make_user()))
    ack = sock.emit("subscribe", {"room": room}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"


def test_malformed_subscribe_is_refused(socket_client, make_user, login):
    sock = socket_client(login(make_user()))
    assert sock.emit("subscribe", "space:1", callback=True)["ok"] is False
    assert sock.emit("subscribe", {"room": 5}, callback=True)["ok"] is False


def test_secretariat_cannot_follow_a_caucus(socket_client, make_user, make_meeting, login):
    staff = make_user(staff=True)
    meeting = make_meeting(staff)
    sock = socket_client(login(staff))
    assert sock.emit("subscribe", {"room": f"space:{caucus(meeting, 'government').id}"}, callback=True)["ok"] is False
    assert sock.emit("subscribe", {"room": f"space:{plenary(meeting).id}"}, callback=True)["ok"] is True


def test_events_are_published_after_commit_with_the_new_version(socket_client, make_meeting, make_participant,
                                                                 login):
    meeting = make_meeting()
    p = make_participant(meeting, "employer")
    space = caucus(meeting, "employer")
    sock = socket_client(login(p.user))
    sock.emit("subscribe", {"room": f"space:{space.id}"}, callback=True)
    sock.events()
    with unit_of_work():
        s = db.session.get(Space, space.id)
        version = realtime.bump_version(s)
        realtime.publish(f"space:{s.id}", "space.changed", {"room": f"space:{s.id}"}, version=version)
        assert sock.events("space.changed") == []  # nothing before the commit
    received = sock.events("space.changed")
    assert len(received) == 1 and received[0]["args"][0]["version"] == version


def test_rolled_back_changes_publish_nothing(socket_client, make_meeting, make_participant, login):
    meeting = make_meeting()
    p = make_participant(meeting, "employer")
    space = caucus(meeting, "employer")
    sock = socket_client(login(p.user))
    sock.emit("subscribe", {"room": f"space:{space.id}"}, callback=True)
    sock.events()
    with pytest.raises(RuntimeError), unit_of_work():
        realtime.publish(f"space:{space.id}", "space.changed", {"room": f"space:{space.id}"}, version=99)
        raise RuntimeError("the write failed")
    with unit_of_work():
        pass  # a later successful transaction must not flush the discarded event
    assert sock.events("space.changed") == []
    assert db.session.get(Space, space.id).version == 1


def test_other_groups_do_not_receive_a_caucus_event(socket_client, make_meeting, make_participant, login):
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    employer = make_participant(meeting, "employer")
    wsock = socket_client(login(worker.user))
    esock = socket_client(login(employer.user))
    room = f"space:{caucus(meeting, 'worker').id}"
    wsock.emit("subscribe", {"room": room}, callback=True)
    esock.emit("subscribe", {"room": room}, callback=True)
    wsock.events(), esock.events()
    with unit_of_work():
        realtime.publish(room, "space.changed", {"room": room}, version=2)
    assert len(wsock.events("space.changed")) == 1
    assert esock.events("space.changed") == []


def test_snapshot_on_request_after_a_gap(socket_client, make_meeting, make_participant, login):
    meeting = make_meeting()
    p = make_participant(meeting, "government")
    sock = socket_client(login(p.user))
    ack = sock.emit("snapshot", {"room": f"space:{plenary(meeting).id}"}, callback=True)
    assert ack["ok"] and ack["snapshot"]["room"] == f"space:{plenary(meeting).id}"


def test_presence_shows_who_of_the_group_is_online(socket_client, make_meeting, make_participant, login):
    meeting = make_meeting()
    a = make_participant(meeting, "worker", name="Amina Worker")
    b = make_participant(meeting, "worker", name="Bruno Worker")
    room = f"space:{caucus(meeting, 'worker').id}"
    sock_a = socket_client(login(a.user))
    sock_a.emit("subscribe", {"room": room}, callback=True)
    sock_a.events()
    sock_b = socket_client(login(b.user))
    ack = sock_b.emit("subscribe", {"room": room}, callback=True)
    assert {u["name"] for u in ack["snapshot"]["online"]} == {"Amina Worker", "Bruno Worker"}
    changed = sock_a.events("presence.changed")
    assert changed and {u["name"] for u in changed[-1]["args"][0]["online"]} == {"Amina Worker", "Bruno Worker"}
    sock_b.disconnect()
    changed = sock_a.events("presence.changed")
    assert [u["name"] for u in changed[-1]["args"][0]["online"]] == ["Amina Worker"]


def test_sign_out_disconnects_the_users_sockets(socket_client, make_user, login):
    user = make_user()
    http = login(user)
    sock = socket_client(http)
    other_device = socket_client(login(user))
    assert sock.is_connected() and other_device.is_connected()
    http.post("/logout")
    assert not sock.is_connected()
    assert not other_device.is_connected()


def test_password_change_disconnects_the_users_sockets(socket_client, make_user, login):
    user = make_user()
    http = login(user)
    elsewhere = socket_client(login(user))
    http.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "another long password",
                                "pw-confirm": "another long password"})
    assert not elsewhere.is_connected()


def test_a_forgotten_password_reset_ends_every_session_and_socket(app, socket_client, make_user, login):
    """Whoever had the old password (a stolen laptop) is out once the owner resets it."""
    user = make_user()
    stolen = login(user)
    sock = socket_client(stolen)
    app.test_client().post("/password/forgot", data={"email": user.email})
    reset = db.session.scalars(db.select(PasswordReset).where(PasswordReset.user_id == user.id)).one()
    token = reset_link(reset).rsplit("/", 1)[1]
    done = app.test_client().post(f"/password/reset/{token}", data={"password": "a brand new password",
                                                                     "confirm": "a brand new password"})
    assert done.status_code == 302
    assert not sock.is_connected()
    assert stolen.get("/").status_code == 302


def test_a_revoked_session_loses_its_rights_on_the_next_command(socket_client, make_user, login, app):
    """Even if a disconnect were missed (another process), every command re-reads the session."""
    from forum.accounts.models import User

    user = make_user()
    sock = socket_client(login(user))
    with unit_of_work():
        db.session.get(User, user.id).session_generation += 1  # as another process would
    ack = sock.emit("subscribe", {"room": f"user:{user.id}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"


def test_removed_participant_cannot_follow_the_meeting(socket_client, make_meeting, make_participant, login):
    from forum.db import utcnow
    from forum.meetings.models import Participant

    meeting = make_meeting()
    p = make_participant(meeting, "worker")
    sock = socket_client(login(p.user))
    room = f"space:{plenary(meeting).id}"
    assert sock.emit("subscribe", {"room": room}, callback=True)["ok"]
    with unit_of_work():
        db.session.get(Participant, p.id).removed_at = utcnow()
    assert sock.emit("subscribe", {"room": room}, callback=True)["ok"] is False
