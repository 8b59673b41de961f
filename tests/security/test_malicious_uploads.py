"""The malicious upload set (OWASP File Upload cheat sheet), through the real upload form.

Each refused file leaves no row, no audit entry and no file; each accepted one is served with
its detected type, `nosniff`, and a sandbox for what opens in the browser.
"""

from __future__ import annotations

import io
import os
import zipfile
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.audit.models import AuditEntry
from forum.documents.models import Document, DocumentVersion
from forum.extensions import db
from tests.conftest import IsolatingClient
from tests.documents_helpers import EXE, HTML, PNG, SVG, stored_files
from tests.security.conftest import caucus


def zip_bomb(expanded_mb: int, main: str = "word/document.xml") -> bytes:
    """A real bomb: a DOCX whose main part inflates to `expanded_mb` MB of zeros (about 1000:1)."""
    types = (b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/'
             b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        with z.open(main, "w", force_zip64=True) as part:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(expanded_mb):
                part.write(chunk)
    return out.getvalue()


def many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        for n in range(count):
            z.writestr(f"Pictures/{n}.xml", b"<x/>")
    return out.getvalue()


def pdf(label: str = "") -> bytes:
    return b"%PDF-1.4\n% " + f"{label} {os.urandom(8).hex()}".encode() + b"\n%%EOF\n"


@pytest.fixture
def w(session_app, make_user, make_meeting, make_participant):
    """Tight archive limits, so that the bombs stay small and fast to build."""
    app = create_app({**session_app.config, "ZIP_MAX_ENTRIES": 200, "ZIP_MAX_EXPANDED_MB": 8})
    app.test_client_class = IsolatingClient
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    client = app.test_client()
    assert client.post("/login", data={"email": worker.user.email, "password": "correct horse battery"}
                       ).status_code == 302
    return SimpleNamespace(app=app, meeting=meeting, client=client, space=caucus(meeting, "worker"))


def upload(w, data: bytes, name: str, title: str = "Shared file"):
    return w.client.post(f"/meetings/{w.meeting.id}/documents/new", data={
        "space_id": str(w.space.id), "kind": "working", "symbol": "", "title": title, "language": "en",
        "agenda_item_id": "0", "description": "", "note": "", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def nothing_written(w) -> dict:
    db.session.rollback()
    count = lambda m: db.session.scalar(sa.select(sa.func.count()).select_from(m))  # noqa: E731
    return {"documents": count(Document), "versions": count(DocumentVersion), "audit": count(AuditEntry),
            "files": stored_files(w.app)}


REFUSED = [
    ("double extension hiding a program", EXE, "minutes.pdf.exe", 422, "This file is a program"),
    ("program behind a document extension", EXE, "minutes.docx", 422, "This file is a program"),
    ("null byte in the name hiding a program", EXE, "minutes.pdf\x00.exe", 422, "This file is a program"),
    ("HTML with script", HTML, "page.html", 422, "Web pages (HTML) and SVG images cannot be shared"),
    ("HTML spoofed as an image", HTML, "photo.png", 422, "Web pages (HTML) and SVG images cannot be shared"),
    ("SVG with script", SVG, "logo.svg", 422, "Web pages (HTML) and SVG images cannot be shared"),
    ("SVG spoofed as text", SVG, "notes.txt", 422, "Web pages (HTML) and SVG images cannot be shared"),
    ("script after a long harmless start", b"Minutes\n" * 20000 + b"<script>alert(1)</script>", "minutes.txt",
     422, "Web pages (HTML) and SVG images cannot be shared"),
    ("zip bomb as DOCX", None, "annex.docx", 422, "would expand to far more than its size"),
    ("zip with too many entries as ODT", None, "annex.odt", 422, "would expand to far more than its size"),
]


@pytest.mark.parametrize(("case", "data", "name", "status", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_malicious_upload_is_refused_and_nothing_is_kept(w, case, data, name, status, message):
    if case == "zip bomb as DOCX":
        data = zip_bomb(9)
    elif case == "zip with too many entries as ODT":
        data = many_entries(250)
    before = nothing_written(w)
    response = upload(w, data, name)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert nothing_written(w) == before


def test_oversized_upload_is_refused_with_413_and_nothing_is_kept(session_app, w):
    small = create_app({**session_app.config, "MAX_UPLOAD_MB": 1, "MAX_CONTENT_LENGTH": 1024 * 1024})
    small.test_client_class = IsolatingClient
    client = small.test_client()
    client.set_cookie(*next((c.key, c.value) for c in w.client._cookies.values() if c.key == "session"),
                      domain="forum.test")
    before = nothing_written(w)
    response = client.post(f"/meetings/{w.meeting.id}/documents/new", data={
        "space_id": str(w.space.id), "kind": "working", "title": "Big", "language": "en", "agenda_item_id": "0",
        "file": (io.BytesIO(pdf() + b"0" * (2 * 1024 * 1024)), "big.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert nothing_written(w) == before


def test_a_bomb_under_the_upload_limit_is_refused_before_anything_inflates_it(w, monkeypatch):
    """The check reads the archive's directory only: no entry is decompressed."""
    bomb = zip_bomb(9)
    inflated: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        inflated.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    response = upload(w, bomb, "annex.docx")
    assert response.status_code == 422
    assert inflated == []


def test_the_default_limits_refuse_a_real_gigabyte_bomb(app, tmp_path):
    """With the shipped settings: 10 000 entries and 300 MB expanded at most."""
    from forum.security import UnsafeArchive, check_zip

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb(310, main="xl/workbook.xml"))
    assert path.stat().st_size < 1024 * 1024  # under a megabyte on the wire
    with pytest.raises(UnsafeArchive):
        check_zip(path)
    path.write_bytes(many_entries(10_001))
    with pytest.raises(UnsafeArchive):
        check_zip(path)


def test_a_zip_bomb_as_a_draft_to_import_is_refused_before_word_parses_it(app, monkeypatch):
    import docx

    from forum.drafting import importing
    from forum.errors import ValidationFailed

    parsed: list[bool] = []
    monkeypatch.setattr(docx, "Document", lambda *a, **k: parsed.append(True))
    with pytest.raises(ValidationFailed, match="expands to far more than a draft"):
        importing.parse_docx(zip_bomb(importing.MAX_EXPANDED_BYTES // (1024 * 1024) + 1))
    assert parsed == []


POLYGLOTS = [
    ("PDF that is also a web page", pdf("polyglot") + HTML, "report.html", "application/pdf"),
    ("PNG with a web page appended", PNG + HTML, "photo.png", "image/png"),
]


@pytest.mark.parametrize(("case", "data", "name", "mime"), POLYGLOTS, ids=[c[0] for c in POLYGLOTS])
def test_a_polyglot_is_served_as_its_detected_type_never_as_a_page(w, case, data, name, mime):
    response = upload(w, data, name)
    assert response.status_code == 302
    doc_id = int(response.headers["Location"].rsplit("/", 1)[1])
    download = w.client.get(f"/meetings/{w.meeting.id}/documents/{doc_id}/versions/1")
    assert download.mimetype == mime
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # The page's own policy, or a sandbox for what the browser shows itself (not PDFs: the viewer refuses one).
    csp = download.headers["Content-Security-Policy"]
    assert "sandbox" in csp or "script-src 'self'" in csp
    version = db.session.scalars(sa.select(DocumentVersion).where(DocumentVersion.document_id == doc_id)).one()
    assert not version.filename.endswith(".html")  # the name follows the content, not the claim


def test_null_bytes_and_folders_in_a_file_name_are_dropped(w):
    response = upload(w, pdf("named"), "../../etc/cron.d/evil\x00.pdf")
    assert response.status_code == 302
    doc_id = int(response.headers["Location"].rsplit("/", 1)[1])
    version = db.session.scalars(sa.select(DocumentVersion).where(DocumentVersion.document_id == doc_id)).one()
    assert "/" not in version.filename and "\x00" not in version.filename and ".." not in version.filename
    assert version.filename.endswith(".pdf")
