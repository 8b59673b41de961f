"""The audit hash chains: appending, canonical form, tamper detection, the CLI, concurrency."""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from forum.audit import services as audit
from forum.audit.models import GENESIS, AuditChain, AuditEntry
from forum.db import unit_of_work
from forum.extensions import db


def entries(key: str) -> list[AuditEntry]:
    db.session.rollback()  # read what is committed
    return list(db.session.scalars(
        sa.select(AuditEntry).join(AuditChain, AuditEntry.chain_id == AuditChain.id)
        .where(AuditChain.key == key).order_by(AuditEntry.seq)))


def report_for(key: str, **kwargs) -> audit.ChainReport:
    return next(r for r in audit.verify_chains(**kwargs) if r.key == key)


@pytest.fixture
def meeting_chain(make_meeting, make_user):
    """A meeting whose chain has the meeting's own entries and five more."""
    actor = make_user()
    meeting = make_meeting()
    with unit_of_work():
        for n in range(5):
            audit.record(actor, "test.step", actor, {"n": n}, meeting_id=meeting.id)
    key = f"meeting:{meeting.id}"
    assert len(entries(key)) > 5
    return key


def tamper(stmt) -> None:
    with unit_of_work():
        db.session.execute(stmt)


def entry_where(key: str, seq: int):
    chain_id = sa.select(AuditChain.id).where(AuditChain.key == key).scalar_subquery()
    return sa.and_(AuditEntry.chain_id == chain_id, AuditEntry.seq == seq)


# --- appending -----------------------------------------------------------------------------------

@pytest.mark.postgres
def test_chain_appends_with_consecutive_seq_and_prev_hash_links(backend, app, meeting_chain):
    chain = entries(meeting_chain)
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert all(e.hash == audit.entry_hash(e, meeting_chain) for e in chain)
    head = db.session.scalars(sa.select(AuditChain).where(AuditChain.key == meeting_chain)).one()
    assert (head.head_seq, head.head_hash) == (chain[-1].seq, chain[-1].hash)
    assert report_for(meeting_chain).line() == f"OK {meeting_chain} {len(chain)} entries"


@pytest.mark.postgres
def test_meeting_and_global_chains_are_separate(backend, app, make_meeting, make_user):
    actor = make_user()
    first, second = make_meeting(), make_meeting()
    with unit_of_work():
        audit.record(actor, "user.login", actor)
        audit.record(actor, "test.first", None, meeting_id=first.id)
        audit.record(actor, "user.logout", actor)
    global_chain = entries("global")
    assert [(e.seq, e.action) for e in global_chain] == [(1, "user.login"), (2, "user.logout")]
    assert all(e.action != "test.first" for e in entries(f"meeting:{second.id}"))
    assert entries(f"meeting:{first.id}")[-1].action == "test.first"
    assert {r.key for r in audit.verify_chains()} >= {"global", f"meeting:{first.id}", f"meeting:{second.id}"}
    assert all(r.ok for r in audit.verify_chains())


def test_record_refuses_an_action_name_the_column_cannot_hold(app):
    with pytest.raises(ValueError), unit_of_work():
        audit.record(None, "x" * 61)
    with pytest.raises(ValueError), unit_of_work():
        audit.record(None, "")


# --- canonical form ------------------------------------------------------------------------------

def test_canonical_json_is_sorted_compact_utf8_with_utc_timestamps():
    geneva = timezone(timedelta(hours=2))
    data = {"b": 1, "a": {"z": "Genève", "y": datetime(2027, 6, 1, 10, 0, tzinfo=geneva)}}
    assert audit.canonical_json(data) == '{"a":{"y":"2027-06-01T08:00:00.000000+00:00","z":"Genève"},"b":1}'
    assert audit.canonical_json({"s": {3, 1, 2}}) == '{"s":[1,2,3]}'


def test_canonical_json_refuses_naive_datetimes_and_nan():
    with pytest.raises(ValueError):
        audit.canonical_json({"at": datetime(2027, 6, 1, 10, 0)})
    with pytest.raises(ValueError):
        audit.canonical_json({"x": float("nan")})


@pytest.mark.postgres
def test_entry_times_are_utc_and_hashed_in_utc(backend, app, make_user):
    with unit_of_work():
        audit.record(make_user(), "test.time", payload={"when": datetime(2027, 1, 1, 12, tzinfo=UTC)})
    (entry,) = entries("global")
    assert entry.created_at.utcoffset() == timedelta(0)
    assert json.loads(entry.payload) == {"when": "2027-01-01T12:00:00.000000+00:00"}
    # The hash is over the UTC spelling: the same instant in another zone hashes the same.
    shifted = entry.created_at.astimezone(timezone(timedelta(hours=-5)))
    assert audit.utc_iso(shifted) == audit.utc_iso(entry.created_at)
    entry.created_at = shifted
    assert audit.entry_hash(entry, "global") == entry.hash
    db.session.rollback()


# --- tamper detection ----------------------------------------------------------------------------

@pytest.mark.postgres
def test_tampered_payload_is_caught_at_that_entry(backend, app, meeting_chain):
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 3)).values(payload='{"n":99}'))
    report = report_for(meeting_chain)
    assert (report.broken_seq, report.reason) == (3, "its content does not match its hash")


@pytest.mark.postgres
def test_the_first_broken_entry_is_named(backend, app, meeting_chain):
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 5)).values(action="test.other"))
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 2)).values(actor_label="someone@else.org"))
    assert report_for(meeting_chain).broken_seq == 2


@pytest.mark.postgres
def test_a_rehashed_entry_breaks_the_next_link(backend, app, meeting_chain):
    """Editing an entry and fixing its own hash is caught at the following entry."""
    (entry,) = [e for e in entries(meeting_chain) if e.seq == 4]
    entry.payload = '{"n":42}'
    new_hash = audit.entry_hash(entry, meeting_chain)
    db.session.rollback()
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 4)).values(payload='{"n":42}', hash=new_hash))
    report = report_for(meeting_chain)
    assert (report.broken_seq, report.reason) == (5, "its previous hash does not match the entry before it")


@pytest.mark.postgres
def test_deleted_entry_is_caught_at_its_seq(backend, app, meeting_chain):
    tamper(sa.delete(AuditEntry).where(entry_where(meeting_chain, 3)))
    report = report_for(meeting_chain)
    assert report.broken_seq == 3
    assert "missing" in report.reason


@pytest.mark.postgres
def test_deleted_last_entry_is_caught_against_the_head(backend, app, meeting_chain):
    last = entries(meeting_chain)[-1].seq
    tamper(sa.delete(AuditEntry).where(entry_where(meeting_chain, last)))
    report = report_for(meeting_chain)
    assert report.broken_seq == last
    assert "missing" in report.reason


@pytest.mark.postgres
def test_reordered_entries_are_caught_at_the_first_moved(backend, app, meeting_chain):
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 3)).values(seq=-3))
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 4)).values(seq=3))
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, -3)).values(seq=4))
    assert report_for(meeting_chain).broken_seq == 3


@pytest.mark.postgres
def test_renamed_chain_is_caught(backend, app, meeting_chain, make_meeting):
    """An entry's hash binds it to its chain: relabelling a chain as another meeting's fails."""
    other = make_meeting()
    tamper(sa.delete(AuditChain).where(AuditChain.key == f"meeting:{other.id}"))
    tamper(sa.update(AuditChain).where(AuditChain.key == meeting_chain).values(key=f"meeting:{other.id}"))
    report = report_for(f"meeting:{other.id}")
    assert report.broken_seq == 1


@pytest.mark.postgres
def test_a_chain_rewritten_wholesale_is_caught_by_an_anchor(backend, app, meeting_chain):
    """Someone with write access recomputes every hash: only a head kept elsewhere shows it."""
    anchors = {h["key"]: (h["head_seq"], h["head_hash"]) for h in audit.chain_heads()}
    chain = entries(meeting_chain)
    chain[1].payload = '{"rewritten":true}'
    prev = chain[0].hash
    for entry in chain[1:]:
        entry.prev_hash = prev
        entry.hash = prev = audit.entry_hash(entry, meeting_chain)
    head = db.session.scalars(sa.select(AuditChain).where(AuditChain.key == meeting_chain)).one()
    head.head_hash = prev
    db.session.commit()
    assert report_for(meeting_chain).ok
    report = report_for(meeting_chain, anchors=anchors)
    assert report.broken_seq == chain[-1].seq
    assert "anchor" in report.reason


# --- the command ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_verify_audit_command_prints_each_chain_and_exits_0(backend, app, meeting_chain, make_user):
    with unit_of_work():
        audit.record(make_user(), "user.login")
    result = app.test_cli_runner().invoke(args=["forum", "verify-audit"])
    assert result.exit_code == 0, result.output
    n = len(entries(meeting_chain))
    assert f"OK {meeting_chain} {n} entries" in result.output.splitlines()
    assert "OK global 1 entries" in result.output.splitlines()


@pytest.mark.postgres
def test_verify_audit_command_names_the_broken_entry_and_exits_1(backend, app, meeting_chain):
    tamper(sa.update(AuditEntry).where(entry_where(meeting_chain, 2)).values(payload="{}"))
    result = app.test_cli_runner().invoke(args=["forum", "verify-audit"])
    assert result.exit_code == 1
    assert f"BROKEN {meeting_chain} at entry 2: its content does not match its hash" in result.output


# --- concurrency ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_concurrent_appends_keep_one_valid_chain(backend, app, make_meeting):
    """Writers in their own app contexts and transactions, on one meeting chain and on the global
    chain (created by the first of them): no duplicate seq, no lost entry, chains valid."""
    meeting = make_meeting()
    before = len(entries(f"meeting:{meeting.id}"))
    threads_n, per_thread = 6, 8
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                for i in range(per_thread):
                    with unit_of_work():  # the first of these races to create the global chain
                        audit.record(None, "test.concurrent", None, {"thread": n, "i": i})
                    with unit_of_work():
                        audit.record(None, "test.concurrent", None, {"thread": n, "i": i}, meeting_id=meeting.id)
                db.session.remove()
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    assert not errors, errors
    meeting_entries = entries(f"meeting:{meeting.id}")
    global_entries = entries("global")
    assert len(meeting_entries) == before + threads_n * per_thread
    assert len(global_entries) == threads_n * per_thread
    for chain in (meeting_entries, global_entries):
        seqs = [e.seq for e in chain]
        assert seqs == list(range(1, len(chain) + 1))
    reports = {r.key: r for r in audit.verify_chains()}
    assert reports[f"meeting:{meeting.id}"].ok and reports["global"].ok
