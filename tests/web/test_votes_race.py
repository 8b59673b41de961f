"""Twenty ballots of one seat racing against a real server process: exactly one is counted, the
others are a clear conflict (409); on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import sqlalchemy as sa

from forum.extensions import db
from forum.positions.vote_models import GroupChoice, RecordChoice, SecretChoice, VoteParticipation
from tests import votes_helpers as vh
from tests.conftest import PASSWORD
from tests.servers import serve

pytestmark = pytest.mark.postgres
RACERS = 20



@pytest.fixture
def server(app, backend, database_url, tmp_path):
    # Scripted requests post no CSRF token; the server listens on loopback only.
    with serve(database_url, tmp_path, FORUM_ENV="development", FORUM_WTF_CSRF_ENABLED="false") as url:
        yield url


def signed_in(url: str, user) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{url}/login", data={"email": user.email, "password": PASSWORD}, timeout=10,
                            allow_redirects=False)
    assert response.status_code in (302, 303), response.text[:500]
    return session


def race(url: str, sessions: list[requests.Session], path: str, data: dict[str, str]) -> list[int]:
    barrier = threading.Barrier(len(sessions))
    statuses: list[int] = []
    lock = threading.Lock()

    def one(session: requests.Session) -> None:
        barrier.wait()
        response = session.post(f"{url}{path}", data=data, timeout=60, allow_redirects=False)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=one, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.parametrize("vote_type", ["record", "show_of_hands", "secret"])
def test_twenty_racing_ballots_of_one_seat_count_once(server, make_user, make_meeting, make_participant, vote_type):
    w = vh.build(make_user, make_meeting, make_participant)
    vote_id = vh.open_on(w, vote_type=vote_type)
    # Kenya's delegate and adviser hold the same seat (one ballot per State): ten sessions each.
    delegate, adviser = signed_in(server, w.u["kenya"]), signed_in(server, w.u["kenya_adviser"])
    sessions = [delegate if i % 2 else adviser for i in range(RACERS)]
    data = {"choice": "for", "confirm": "y"}
    statuses = race(server, sessions, f"/meetings/{w.meeting.id}/votes/{vote_id}/ballot", data)
    ok = 200 if vote_type == "secret" else 302  # a secret ballot answers with its receipt
    assert sorted(statuses) == [ok] + [409] * (RACERS - 1), statuses
    db.session.rollback()  # end the test's read snapshot: see what the server committed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoteParticipation)) == 1
    model = {"record": RecordChoice, "show_of_hands": GroupChoice, "secret": SecretChoice}[vote_type]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 1


def test_closing_while_ballots_race_counts_every_accepted_ballot(server, make_user, make_meeting, make_participant):
    """Ballots racing the close: each one is either accepted and counted, or refused as closed;
    the recount matches and no participation exists without its ballot in the result."""
    from forum.db import unit_of_work
    from forum.meetings import attendance
    from forum.positions import votes

    w = vh.build(make_user, make_meeting, make_participant)
    members = [make_participant(w.meeting, "employer", name=f"Employer {i}") for i in range(RACERS)]
    with unit_of_work():
        attendance.set_attendance(w.secretariat, vh.sitting(w), participant_ids=[m.id for m in members],
                                  member_states=["KE", "DE", "IT", "BR", "SN", "ZA"])
    vote_id = vh.open_on(w)
    sessions = [signed_in(server, m.user) for m in members]
    chair = signed_in(server, w.u["chair"])
    base = f"{server}/meetings/{w.meeting.id}/votes/{vote_id}"  # threads have no app context
    barrier = threading.Barrier(len(sessions) + 1)
    statuses: list[int] = []
    closed: list[int] = []
    lock = threading.Lock()

    def ballot(session: requests.Session) -> None:
        barrier.wait()
        response = session.post(f"{base}/ballot", data={"choice": "for"}, timeout=60, allow_redirects=False)
        with lock:
            statuses.append(response.status_code)

    def close() -> None:
        barrier.wait()
        time.sleep(0.01)  # let some ballots start first; the outcome does not depend on it
        response = chair.post(f"{base}/close", timeout=60, allow_redirects=False)
        closed.append(response.status_code)

    threads = [threading.Thread(target=ballot, args=(s,)) for s in sessions] + [threading.Thread(target=close)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert closed == [302] and set(statuses) <= {302, 409}, (closed, statuses)
    db.session.rollback()
    vote = vh.vote(vote_id)
    assert not vote.is_open
    matches, _again, differences = votes.recount(vote)
    assert matches, differences
    assert vote.results["ballots_cast"] == statuses.count(302)
