"""The demo's documents: a generated PDF report and DOCX note, official in the plenary, and a
working file of the Workers' group with two versions; loading again adds nothing."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.documents import demo as documents_demo
from forum.documents import queries, storage
from forum.documents.models import Document, DocumentKind, DocumentVersion
from forum.extensions import db
from forum.meetings import demo
from forum.meetings.models import Group, SpaceKind


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def load():
    with unit_of_work():
        return demo.load_demo()


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Document, DocumentVersion, AuditEntry)}


def test_the_demo_has_a_report_a_note_and_a_workers_draft_with_two_versions(app):
    meeting = load().meeting
    prefix = meeting.symbol_prefix
    docs = {d.symbol or d.title: d for d in db.session.scalars(sa.select(Document).where(
        Document.meeting_id == meeting.id))}
    report, note = docs[f"{prefix}/1"], docs[f"{prefix}/INF/1"]
    draft = docs[documents_demo.WORKING_TITLE]
    for official in (report, note):
        assert official.kind is DocumentKind.official and official.space.kind is SpaceKind.plenary
        assert official.agenda_item is not None
    assert draft.kind is DocumentKind.working and draft.space.group is Group.worker
    assert [v.number for v in queries.versions_of(draft)] == [2, 1]
    (report_file,) = queries.versions_of(report)
    (note_file,) = queries.versions_of(note)
    assert report_file.file_type == "pdf" and note_file.file_type == "docx"
    pdf_bytes = storage.open_blob(report_file.sha256).read_bytes()
    assert pdf_bytes.startswith(b"%PDF-") and pdf_bytes.rstrip().endswith(b"%%EOF")
    import docx

    opened = docx.Document(io.BytesIO(storage.open_blob(note_file.sha256).read_bytes()))
    assert opened.paragraphs[0].text == documents_demo.NOTE_TITLE


def test_loading_the_demo_again_adds_no_document(app):
    load()
    before = counts()
    load()
    assert counts() == before


def test_the_generated_report_is_the_same_on_every_run():
    assert documents_demo.background_report_pdf() == documents_demo.background_report_pdf()
