"""The demo's draft: loaded from its Word file, about fifteen paragraphs in three parts, a dozen
amendments from the three groups in many states, and loading twice changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.drafting import demo, importing, queries
from forum.drafting.models import Amendment, AmendmentState, Draft, DraftState, MoverKind, Paragraph, ParagraphState
from forum.extensions import db
from forum.meetings import demo as meeting_demo

S = AmendmentState


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def load():
    with unit_of_work():
        return meeting_demo.load_demo()


def test_the_demo_word_file_is_the_demo_text():
    parsed = importing.parse_docx(demo.DOCX_PATH.read_bytes())
    rebuilt = importing.parse_docx(demo.demo_docx())
    assert parsed.to_dict() == rebuilt.to_dict() and parsed.warnings == []
    assert parsed.title == demo.TITLE and parsed.preamble == demo.PREAMBLE
    assert [p.title for p in parsed.parts] == [title for title, _ in demo.PARTS]
    assert [p.text for p in parsed.all_paragraphs()] == [t for _, ps in demo.PARTS for t, _ in ps]


def test_demo_draft_has_fifteen_paragraphs_in_three_parts_and_a_dozen_amendments(app):
    meeting = load().meeting
    draft = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == meeting.id)).one()
    assert draft.state is DraftState.negotiation and draft.symbol == f"{meeting.symbol_prefix}/D.1"
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    numbered = [p for p in paragraphs if p.kind.value == "paragraph"]
    assert len(numbered) == 15 and len(list(db.session.scalars(queries.parts_of_draft(draft.id)))) == 3
    amendments = list(db.session.scalars(sa.select(Amendment).where(Amendment.draft_id == draft.id)))
    assert len(amendments) >= 12
    states = Counter(a.state for a in amendments)
    assert {S.draft, S.submitted, S.returned, S.circulated, S.under_discussion, S.adopted, S.fell,
            S.not_seconded} <= set(states)
    kinds = {a.mover_kind for a in amendments}
    assert {MoverKind.state, MoverKind.co_sponsored, MoverKind.regional_group, MoverKind.employer_group,
            MoverKind.worker_group, MoverKind.joint} <= kinds
    assert any(a.parent_id for a in amendments) and any(a.oral for a in amendments)
    assert any(e.action == "amendment.take_up" for e in db.session.scalars(sa.select(AuditEntry)))
    fallen = [a for a in amendments if a.state is S.fell]
    assert fallen and all(a.flag_reason == "words_changed" for a in fallen)  # flagged, then declared (rule 25)
    settled = {p.label: p.state for p in paragraphs if p.state is not ParagraphState.pending}
    assert settled["3"] is ParagraphState.adopted_as_amended and settled["preamble"] is ParagraphState.deferred
    three = db.session.scalars(sa.select(Paragraph).where(Paragraph.draft_id == draft.id, Paragraph.label == "3")).one()
    assert "below 3 per cent" in queries.current_text(three.id, "en").text


def test_demo_draft_loads_once(app):
    load()

    def counts() -> dict[str, int]:
        return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
                for m in (Draft, Paragraph, Amendment, AuditEntry)}

    before = counts()
    load()
    assert counts() == before
