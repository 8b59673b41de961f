"""Attacks on the live channel through the app: stale rights, floods, too many connections.

(The handshake's Origin and the message size are checked by Engine.IO before Flask sees anything,
which Flask-SocketIO's test client skips: those are in test_socket_handshake.py, against a real server.)
"""

from __future__ import annotations

from forum import create_app, realtime
from forum.db import unit_of_work, utcnow
from forum.extensions import db
from forum.meetings.models import Office, OfficeRole, Participant
from tests.security.conftest import caucus, plenary


def _events(sock, name):
    return [e["args"][0] for e in sock.events(name)]


def test_logout_leaves_no_socket_that_still_receives_caucus_events(socket_client, make_meeting, make_participant,
                                                                  login):
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    http = login(worker.user)
    sock = socket_client(http)
    room = f"space:{caucus(meeting, 'worker').id}"
    assert sock.emit("subscribe", {"room": room}, callback=True)["ok"]
    http.post("/logout")
    assert not sock.is_connected()
    with unit_of_work():
        realtime.publish(room, "space.changed", {"room": room}, version=7)
    assert _events(sock, "space.changed") == []


def test_removed_participant_stops_receiving_the_caucus_at_once(socket_client, make_meeting, make_participant,
                                                                login):
    """Role revocation: the removal evicts the socket from the rooms, before its next command."""
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    colleague = make_participant(meeting, "worker")
    sock = socket_client(login(worker.user))
    stays = socket_client(login(colleague.user))
    room = f"space:{caucus(meeting, 'worker').id}"
    for s in (sock, stays):
        assert s.emit("subscribe", {"room": room}, callback=True)["ok"]
        s.events()
    with unit_of_work():
        db.session.get(Participant, worker.id).removed_at = utcnow()
    assert {"room": room} in _events(sock, "room.revoked")
    with unit_of_work():
        realtime.publish(room, "space.changed", {"room": room, "secret": "caucus line"}, version=8)
    assert _events(sock, "space.changed") == []
    assert len(_events(stays, "space.changed")) == 1  # the others are not affected
    assert sock.emit("subscribe", {"room": room}, callback=True)["ok"] is False
    assert sock.emit("snapshot", {"room": f"space:{plenary(meeting).id}"}, callback=True)["ok"] is False


def test_moved_to_another_group_loses_the_old_caucus(socket_client, make_meeting, make_participant, login):
    from forum.meetings.models import Group

    meeting = make_meeting()
    p = make_participant(meeting, "worker")
    sock = socket_client(login(p.user))
    workers = f"space:{caucus(meeting, 'worker').id}"
    plenary_room = f"space:{plenary(meeting).id}"
    assert sock.emit("subscribe", {"room": workers}, callback=True)["ok"]
    assert sock.emit("subscribe", {"room": plenary_room}, callback=True)["ok"]
    sock.events()
    with unit_of_work():
        db.session.get(Participant, p.id).group = Group.employer
    revoked = [e["room"] for e in _events(sock, "room.revoked")]
    assert revoked == [workers]  # the plenary stays
    with unit_of_work():
        realtime.publish(workers, "space.changed", {"room": workers}, version=3)
        realtime.publish(plenary_room, "space.changed", {"room": plenary_room}, version=3)
    assert [e["room"] for e in _events(sock, "space.changed")] == [plenary_room]


def test_chair_office_revoked_loses_the_officers_room(socket_client, make_meeting, make_participant, login):
    """An office taken away: whatever room it opened closes for the socket (checked room by room)."""
    meeting = make_meeting()
    chair = make_participant(meeting, "government", roles=("chair",))
    sock = socket_client(login(chair.user))
    room = f"space:{caucus(meeting, 'government').id}"
    assert sock.emit("subscribe", {"room": room}, callback=True)["ok"]
    sock.events()
    with unit_of_work():
        for office in db.session.scalars(db.select(Office).where(Office.participant_id == chair.id,
                                                                 Office.role == OfficeRole.chair)):
            db.session.delete(office)
    # Still a Government delegate: the Government caucus stays open, nothing is revoked wrongly.
    assert _events(sock, "room.revoked") == []
    assert sock.emit("snapshot", {"room": room}, callback=True)["ok"] is True


def test_socket_flood_is_throttled_per_user(app, socket_client, make_meeting, make_participant, login):
    meeting = make_meeting()
    p = make_participant(meeting, "worker")
    http = login(p.user)
    first, second = socket_client(http), socket_client(login(p.user))
    room = f"space:{plenary(meeting).id}"
    limit = int(app.config["SOCKET_RATE_LIMIT"].split()[0])
    acks = [(first if i % 2 else second).emit("snapshot", {"room": room}, callback=True) for i in range(limit + 10)]
    ok = [a for a in acks if a["ok"]]
    throttled = [a for a in acks if not a["ok"]]
    # One budget per user across both sockets: a second tab does not double it.
    assert len(ok) == limit
    assert throttled and all(a["error"]["code"] == "throttled" and a["error"]["retry_after"] >= 1
                             for a in throttled)
    # Another user is not affected by the flood.
    other = socket_client(login(make_participant(meeting, "employer").user))
    assert other.emit("snapshot", {"room": room}, callback=True)["ok"] is True


def test_too_many_sockets_for_one_user_are_refused(session_app, make_user, login):
    from forum.extensions import socketio
    from tests.conftest import IsolatingClient, outside_app_context

    capped = create_app({**session_app.config, "SOCKET_MAX_CONNECTIONS_PER_USER": 3})
    capped.test_client_class = IsolatingClient
    user = make_user()
    http = login(user, capped.test_client())

    with outside_app_context():
        socks = [socketio.test_client(capped, flask_test_client=http) for _ in range(4)]
    try:
        assert [s.is_connected() for s in socks] == [True, True, True, False]
        with outside_app_context():
            socks[0].disconnect()
            again = socketio.test_client(capped, flask_test_client=http)
        assert again.is_connected()  # a closed tab frees its place
        socks.append(again)
        other_http = login(make_user(), capped.test_client())
        with outside_app_context():
            someone_else = socketio.test_client(capped, flask_test_client=other_http)
        assert someone_else.is_connected()
        socks.append(someone_else)
    finally:
        with outside_app_context():
            for s in socks:
                if s.is_connected():
                    s.disconnect()
