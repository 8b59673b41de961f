"""The demo's report: interventions in its sittings, the draft report published, a correction
accepted and one awaiting the secretariat; the report covers the sittings; loading twice changes
nothing; the Chair can then adopt it and the files are made."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum.accounts.models import User
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings import demo as meeting_demo
from forum.proceedings import queries, report, services
from forum.proceedings.models import CorrectionState, Intervention, ReportCorrection, ReportState


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def account(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def test_the_demo_has_a_report_covering_its_sittings_and_loads_once(app):
    with unit_of_work():
        result = meeting_demo.load_demo()
    meeting = result.meeting
    interventions = list(db.session.scalars(sa.select(Intervention).where(Intervention.meeting_id == meeting.id)))
    assert len(interventions) >= 10
    assert len({i.sitting_id for i in interventions}) >= 4  # the sittings held so far
    assert any(i.amendment_id for i in interventions) and any(i.paragraph_id for i in interventions)
    assert any(i.on_behalf_of == "AFRICA" for i in interventions)
    rep = queries.report_of(meeting.id)
    assert rep.state is ReportState.published and queries.correction_deadline(rep) is not None
    states = sorted(c.state.value for c in db.session.scalars(sa.select(ReportCorrection)))
    assert states == ["accepted", "proposed"]
    structure = report.assemble(meeting, "en", rep)
    text = str(structure)
    assert "called for lower transfer costs" in text  # the accepted correction
    assert "Composition and weights" in text and "Election of the officers" in text
    assert any(s["key"].startswith("draft:") for s in structure["sections"])

    with unit_of_work():
        meeting_demo.load_demo()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == len(interventions)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportCorrection)) == 2

    # The workflow goes on from there: the secretariat decides the pending correction, the Chair adopts.
    with unit_of_work():
        pending = db.session.scalars(sa.select(ReportCorrection).where(
            ReportCorrection.state == CorrectionState.proposed)).one()
        services.decide_correction(account("secretariat1@demo.forum"), pending, True)
        services.adopt_report(account("chair@demo.forum"), db.session.merge(meeting), method="consensus")
    rep = queries.report_of(meeting.id)
    assert rep.state is ReportState.adopted and not rep.adoption_for_chair and rep.snapshot
