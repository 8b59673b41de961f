"""Live sittings and votes in the scale-out mode, for real (issues #7 and #12): two server processes
against PostgreSQL and a PRIVATE redis-server (its own process on a free port, so a test can stop it).

A change made through one process reaches a client of the other; ballots cast through both count
once per seat; a process killed mid-vote loses no acknowledged ballot; Redis stopped for a few
seconds during a vote: ballots still commit, broadcasts resume, clients resync from a snapshot.
Waits are bounded (deadlines, never sleeps asserted on).
"""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
import socketio as socketio_client

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from tests.servers import Server, free_port
from tests.sittings_world import build

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.scale, pytest.mark.xdist_group("serial")]

# Committee mode: a Government votes by State (the Kenyan adviser casts Kenya's one ballot), Employer
# and Worker regular members individually.
VOTERS = ("kenya", "germany", "italy", "senegal", "africa", "employer", "emp_spokesperson", "worker",
          "wkr_spokesperson")


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=1).ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            if time.time() > deadline:
                pytest.fail("the private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_redis():
    r = PrivateRedis()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def w(app, backend, make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


@pytest.fixture
def servers(w, database_url, private_redis, tmp_path):
    env = {"FORUM_REDIS_URL": private_redis.url, "FORUM_REDIS_PREFIX": "scaletest:"}
    started = [Server(database_url, tmp_path, **env).start() for _ in range(2)]
    yield started
    for s in started:
        s.stop()


class Client:
    """A delegate's socket: joined to the sitting, keeping every `update` it receives."""

    def __init__(self, url: str, token: str, sitting_id: int) -> None:
        self.sitting_id = sitting_id
        self.updates: list[dict[str, Any]] = []
        self.sio = socketio_client.Client(reconnection=False)
        self.sio.on("update", self.updates.append)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        ack = self.sio.call("join", {"sitting_id": sitting_id}, timeout=10)
        assert ack["ok"], ack
        self.state = ack["state"]

    def command(self, name: str, **payload: Any) -> dict[str, Any]:
        return self.sio.call("sitting_command", {"sitting_id": self.sitting_id, "command": name, **payload},
                             timeout=15)

    def snapshot(self) -> dict[str, Any]:
        return self.sio.call("snapshot", {"sitting_id": self.sitting_id}, timeout=10)["state"]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def tokens_for(w: Any, roles: tuple[str, ...]) -> dict[str, str]:
    with unit_of_work():
        return {role: create_token(db.session.merge(w.u[role]), "scale test") for role in roles}


def wait_until(predicate, timeout: float = 15.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def tally(vote_id: int) -> tuple[int, int]:
    db.session.rollback()
    count = db.session.scalar(db.text("SELECT count(*) FROM vote_participations WHERE vote_id = :v"), {"v": vote_id})
    seats = db.session.scalar(db.text("SELECT count(DISTINCT voter_key) FROM vote_participations WHERE vote_id = :v"),
                              {"v": vote_id})
    return count, seats


def vote_state(vote_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(db.text("SELECT state FROM votes WHERE id = :v"), {"v": vote_id})


@pytest.fixture
def clients():
    opened: list[Client] = []
    yield opened
    for c in opened:
        c.close()


def connect(clients: list[Client], url: str, token: str, w: Any) -> Client:
    c = Client(url, token, w.sitting_id)
    clients.append(c)
    return c


def test_a_change_through_one_process_reaches_a_client_of_the_other(w, servers, clients):
    tokens = tokens_for(w, ("chair", "kenya"))
    chair = connect(clients, servers[0].url, tokens["chair"], w)
    kenya = connect(clients, servers[1].url, tokens["kenya"], w)
    ack = chair.command("announce", text="Resume at 15:00")
    assert ack["ok"], ack
    assert wait_until(lambda: any(u["type"] == "announcement" for u in kenya.updates))
    update = next(u for u in kenya.updates if u["type"] == "announcement")
    assert update["version"] == ack["version"] and update["data"]["text"] == "Resume at 15:00"


def test_ballots_cast_through_both_processes_count_once_per_seat(w, servers, clients):
    tokens = tokens_for(w, ("chair", *VOTERS, "kenya_adviser"))
    chair = connect(clients, servers[0].url, tokens["chair"], w)
    voters = {role: connect(clients, servers[i % 2].url, tokens[role], w) for i, role in enumerate(VOTERS)}
    # Kenya's adviser, on the other process, casts Kenya's ballot at the same moment as its delegate.
    adviser = connect(clients, servers[1].url, tokens["kenya_adviser"], w)
    opened = chair.command("open_vote", vote_type="record")
    assert opened["ok"], opened
    vote_id = opened["vote_id"]
    senders = [*voters.values(), adviser]
    with ThreadPoolExecutor(len(senders)) as pool:
        acks = list(pool.map(lambda c: c.command("cast_ballot", vote_id=vote_id, choice="for"), senders))
    kenya_acks = [acks[list(voters).index("kenya")], acks[-1]]
    assert sorted(a["ok"] for a in kenya_acks) == [False, True]  # one of the two counted, the other refused
    assert next(a for a in kenya_acks if not a["ok"])["error"]["code"] == "invalid_state"
    assert all(a["ok"] for role, a in zip(voters, acks, strict=False) if role != "kenya")
    assert tally(vote_id) == (len(VOTERS), len(VOTERS))
    # The live counts of both processes reach everyone; the highest is the real count.
    for c in (chair, voters["germany"]):
        assert wait_until(lambda c=c: max((u["data"]["ballots_cast"] for u in c.updates
                                           if u["type"] == "ballots_counted"), default=0) == len(VOTERS))


def test_killing_one_process_mid_vote_loses_no_acknowledged_ballot(w, servers, clients):
    tokens = tokens_for(w, ("chair", *VOTERS))
    chair = connect(clients, servers[1].url, tokens["chair"], w)
    on_a = {role: connect(clients, servers[0].url, tokens[role], w) for role in VOTERS}
    opened = chair.command("open_vote", vote_type="record")
    assert opened["ok"], opened
    vote_id = opened["vote_id"]
    acked: list[str] = []
    first = threading.Event()

    def cast_all() -> None:
        for role, c in on_a.items():
            try:
                ack = c.command("cast_ballot", vote_id=vote_id, choice="against")
            except Exception:  # the process died under this ballot: no ack, no promise
                return
            if ack.get("ok"):
                acked.append(role)
                first.set()

    caster = threading.Thread(target=cast_all)
    caster.start()
    assert first.wait(15)
    servers[0].kill9()
    caster.join(timeout=20)
    assert acked, "at least one ballot was acknowledged before the kill"
    db.session.rollback()
    keys = set(db.session.scalars(db.text("SELECT p.user_id FROM vote_participations v JOIN participants p "
                                          "ON p.id = v.participant_id WHERE v.vote_id = :v"), {"v": vote_id}))
    assert {w.u[role].id for role in acked} <= keys  # every acknowledged ballot is there
    assert vote_state(vote_id) == "open"
    # The voters carry on through the surviving process: each seat ends up counted exactly once.
    for role in VOTERS:
        c = connect(clients, servers[1].url, tokens[role], w)
        ack = c.command("cast_ballot", vote_id=vote_id, choice="against")
        assert ack["ok"] or (role in keys_of(w, keys) and ack["error"]["code"] == "invalid_state"), (role, ack)
    assert tally(vote_id) == (len(VOTERS), len(VOTERS))


def keys_of(w: Any, user_ids: set[int]) -> set[str]:
    return {role for role in VOTERS if w.u[role].id in user_ids}


def test_redis_stopped_during_a_vote_ballots_commit_broadcasts_resume_clients_resync(w, servers, clients,
                                                                                      private_redis):
    tokens = tokens_for(w, ("chair", *VOTERS))
    chair = connect(clients, servers[0].url, tokens["chair"], w)
    voters = {role: connect(clients, servers[i % 2].url, tokens[role], w) for i, role in enumerate(VOTERS)}
    watcher = voters["germany"]  # on the second process
    opened = chair.command("open_vote", vote_type="record")
    assert opened["ok"], opened
    vote_id = opened["vote_id"]

    private_redis.stop()
    for c in voters.values():
        ack = c.command("cast_ballot", vote_id=vote_id, choice="for")
        assert ack["ok"], ack  # committed to PostgreSQL; only the broadcast is at risk
    assert tally(vote_id) == (len(VOTERS), len(VOTERS))
    private_redis.start()

    # Broadcasts resume: an announcement through the first process reaches the second's client.
    def announced() -> bool:
        text = f"back {time.time()}"
        assert chair.command("announce", text=text)["ok"]
        return wait_until(lambda: any(u["type"] == "announcement" and u["data"]["text"] == text
                                      for u in watcher.updates), timeout=1.5)

    assert wait_until(announced, timeout=30)
    # A client that missed updates while Redis was down resyncs from a snapshot.
    state = watcher.snapshot()
    assert state["vote"]["state"] == "open" and state["vote"]["ballots_cast"] == len(VOTERS)
    assert state["version"] >= max(u["version"] for u in watcher.updates)


def test_a_ballot_shares_the_sittings_lock_and_a_change_of_the_sitting_waits_for_it(w, database_url):
    """Ballots run side by side on PostgreSQL (B2); commands that bump the version still take turns."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from forum.sittings import services
    from tests.sittings_world import run, sitting

    vote_id = run(w, "chair", "open_vote", vote_type="record")["vote_id"]
    with psycopg.connect(database_url) as other:
        # Another ballot in flight, in another process: it holds the sitting's row in share mode.
        other.execute("SELECT id FROM sittings WHERE id = %s FOR SHARE", (w.sitting_id,))
        with unit_of_work():
            db.session.execute(db.text("SET LOCAL lock_timeout = '5s'"))
            services.run_command(w.u["kenya"], sitting(w), "cast_ballot", {"vote_id": vote_id, "choice": "for"})
        with pytest.raises(OperationalError, match="lock"), unit_of_work():
            db.session.execute(db.text("SET LOCAL lock_timeout = '300ms'"))
            services.run_command(w.u["chair"], sitting(w), "announce", {"text": "waits for the ballot"})
        other.rollback()
    assert tally(vote_id) == (1, 1)
