"""Documents pages: uploads through the browser's form, downloads and their headers, browsing,
withdrawal, and the bad input of the issue — each refused clearly, with nothing written."""

from __future__ import annotations

import io
import os
import re
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from forum.accounts.models import User
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.documents.models import Document, DocumentVersion
from forum.extensions import db
from forum.meetings import programme
from forum.meetings.models import Group, Meeting, Space, SpaceKind
from tests.documents_helpers import EXE, HTML, PNG, docx, stored_files


def unique_pdf(label: str = "") -> bytes:
    return b"%PDF-1.4\n" + f"% {label} {os.urandom(8).hex()}\n".encode() + b"%%EOF\n"


@pytest.fixture
def w(make_user, make_meeting, make_participant, login) -> SimpleNamespace:
    secretariat = make_user(staff=True, name="Secretariat")
    meeting = make_meeting(secretariat, symbol_prefix="TTMLM/2027")
    ns = SimpleNamespace(meeting=meeting, secretariat=secretariat, base=f"/meetings/{meeting.id}")
    ns.government = make_participant(meeting, "government", member_state="KE").user
    ns.employer = make_participant(meeting, "employer").user
    ns.worker = make_participant(meeting, "worker").user
    ns.chair = make_participant(meeting, "government", member_state="BR", roles=("chair",)).user
    ns.observer = make_participant(meeting, "none", "observer").user
    spaces = {(s.kind, s.group.value if s.group else None): s
              for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}
    ns.plenary, ns.workers = spaces[(SpaceKind.plenary, None)], spaces[(SpaceKind.group, Group.worker.value)]
    ns.clients = {}

    def client(role: str) -> Any:
        if role not in ns.clients:
            ns.clients[role] = login(getattr(ns, role))
        return ns.clients[role]

    ns.client = client
    return ns


def post_upload(client: Any, w: SimpleNamespace, *, space: Space | None = None, data: bytes | None = None,
                name: str = "report.pdf", **fields: Any) -> Any:
    form = {"space_id": str((space or w.plenary).id), "kind": "official", "symbol": "TTMLM/2027/1",
            "title": "Report for discussion", "language": "en", "agenda_item_id": "0", "description": "",
            "note": "", **fields}
    form["file"] = (io.BytesIO(unique_pdf(name) if data is None else data), name)
    return client.post(f"{w.base}/documents/new", data=form, content_type="multipart/form-data")


def document_id(response: Any) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/documents/(\d+)$", response.headers["Location"]).group(1))


def state(app: Any) -> dict[str, Any]:
    db.session.rollback()
    count = lambda m: db.session.scalar(sa.select(sa.func.count()).select_from(m))  # noqa: E731
    return {"documents": count(Document), "versions": count(DocumentVersion), "audit": count(AuditEntry),
            "files": stored_files(app)}


def caucus_document(w: SimpleNamespace) -> int:
    return document_id(post_upload(w.client("worker"), w, space=w.workers, kind="working", symbol="",
                                   title="Workers' draft statement", name="draft.pdf"))


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# --- uploading -------------------------------------------------------------------------------------

def test_the_secretariat_publishes_an_official_document(w):
    doc_id = document_id(post_upload(w.client("secretariat"), w, name="../../report.pdf"))
    page = w.client("government").get(f"{w.base}/documents/{doc_id}")
    assert page.status_code == 200
    html = text(page)
    assert "TTMLM/2027/1" in html and "Report for discussion" in html and "report.pdf" in html
    version = db.session.scalars(sa.select(DocumentVersion).where(DocumentVersion.document_id == doc_id)).one()
    assert version.filename == "report.pdf" and version.file_type == "pdf" and len(version.sha256) == 64
    assert version.sha256 in html  # each version shows its SHA-256


def test_a_member_shares_a_working_file_in_the_caucus_and_adds_versions(w):
    doc_id = caucus_document(w)
    response = w.client("worker").post(f"{w.base}/documents/{doc_id}/versions/new", data={
        "file": (io.BytesIO(b"# Statement\n\nRevised text.\n"), "statement.md"), "note": "Revised"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = text(w.client("worker").get(f"{w.base}/documents/{doc_id}"))
    assert "Revised" in html and "statement.md" in html and "draft.pdf" in html  # both versions listed
    versions = db.session.scalars(sa.select(DocumentVersion).where(DocumentVersion.document_id == doc_id)
                                  .order_by(DocumentVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    for v in versions:  # each shows its uploader, size and SHA-256 (and its time, in the same row)
        row = html[html.index(f"<td>{v.number}"):]
        row = row[: row.index("</tr>")]
        assert db.session.get(User, v.uploaded_by_id).name in row and f"{v.size} bytes" in row and v.sha256 in row
    assert w.client("worker").get(f"{w.base}/documents/{doc_id}/versions/1").status_code == 200
    assert w.client("worker").get(f"{w.base}/documents/{doc_id}/versions/2").status_code == 200


def test_the_upload_form_sent_twice_shares_once(app, w):
    data = unique_pdf("double click")
    first = document_id(post_upload(w.client("worker"), w, space=w.workers, kind="working", symbol="", data=data))
    before = state(app)
    again = post_upload(w.client("worker"), w, space=w.workers, kind="working", symbol="", data=data)
    assert document_id(again) == first  # the second answer leads to the first document
    assert state(app) == before


def test_a_delegate_cannot_publish_official_documents(w):
    page = w.client("worker").get(f"{w.base}/documents/new")
    assert page.status_code == 200 and "Official document" not in text(page)
    assert w.client("observer").get(f"{w.base}/documents/new").status_code == 403  # nowhere to share


BAD_UPLOADS = [
    ("empty file", {"data": b""}, "The file is empty"),
    ("executable renamed .pdf", {"data": EXE, "name": "report.pdf"}, "This file is a program"),
    ("HTML renamed .pdf", {"data": HTML, "name": "report.pdf"}, "Web pages (HTML) and SVG images cannot be shared"),
    ("unknown language", {"language": "de"}, "Choose English, French, Spanish or another language."),
    ("symbol outside the pattern", {"symbol": "GB.316/POL/1"}, "must begin with this meeting&#39;s prefix"),
    ("no file", {"data": None}, "Choose a file."),
]


@pytest.mark.parametrize(("case", "fields", "message"), BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS])
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_written(app, w, case, fields, message):
    client = w.client("secretariat")
    before = state(app)
    if case == "no file":
        response = client.post(f"{w.base}/documents/new", data={
            "space_id": str(w.plenary.id), "kind": "official", "symbol": "TTMLM/2027/1", "title": "x",
            "language": "en", "agenda_item_id": "0"}, content_type="multipart/form-data")
    else:
        response = post_upload(client, w, **fields)
    assert response.status_code == 422
    assert message in text(response)
    assert state(app) == before


def test_official_documents_go_to_the_plenary_only(app, w):
    officers = db.session.scalars(sa.select(Space).where(Space.meeting_id == w.meeting.id,
                                                         Space.kind == SpaceKind.officers)).one()
    client = w.client("secretariat")
    before = state(app)
    response = post_upload(client, w, space=officers)
    assert response.status_code == 422 and "Official documents are published in the plenary." in text(response)
    assert state(app) == before
    assert document_id(post_upload(client, w, space=officers, kind="working", symbol=""))


def test_a_duplicate_symbol_is_refused(app, w):
    document_id(post_upload(w.client("secretariat"), w))
    before = state(app)
    response = post_upload(w.client("secretariat"), w, title="Another text")
    assert response.status_code == 422 and "TTMLM/2027/1 is already used" in text(response)
    assert state(app) == before


def test_a_request_over_the_limit_gets_the_413_page(app, w, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    client = w.client("secretariat")
    before = state(app)
    response = post_upload(client, w, data=unique_pdf() + b"0" * (128 * 1024))
    assert response.status_code == 413
    assert "larger than this site accepts" in text(response)
    assert state(app) == before


def test_a_file_over_the_upload_limit_is_refused_with_413(app, w, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    client = w.client("secretariat")
    before = state(app)
    response = post_upload(client, w, data=unique_pdf() + b"0" * (1024 * 1024))
    assert response.status_code == 413
    assert "larger than 1 MB" in text(response)
    assert state(app) == before


def test_the_request_limit_follows_the_upload_limit():
    from forum.config import Config, from_environment

    assert Config.MAX_CONTENT_LENGTH == Config.MAX_UPLOAD_MB * 1024 * 1024 == 50 * 1024 * 1024
    assert from_environment({"FORUM_MAX_UPLOAD_MB": "80"})["MAX_CONTENT_LENGTH"] == 80 * 1024 * 1024
    assert from_environment({"FORUM_MAX_UPLOAD_MB": "80", "FORUM_MAX_CONTENT_LENGTH": "1000"})[
        "MAX_CONTENT_LENGTH"] == 1000


def test_a_new_version_of_an_official_document_is_refused_saying_to_reissue(app, w):
    doc_id = document_id(post_upload(w.client("secretariat"), w))
    before = state(app)
    page = w.client("secretariat").get(f"{w.base}/documents/{doc_id}/versions/new")
    assert page.status_code == 409 and "Reissue it as a revision, corrigendum or addendum" in text(page)
    response = w.client("secretariat").post(f"{w.base}/documents/{doc_id}/versions/new", data={
        "file": (io.BytesIO(unique_pdf()), "v2.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 409 and "never replaced" in text(response)
    assert state(app) == before


def test_a_version_upload_to_a_withdrawn_document_is_refused(app, w):
    doc_id = caucus_document(w)
    assert w.client("worker").post(f"{w.base}/documents/{doc_id}/withdraw",
                                   data={"reason": "Replaced by a new statement"}).status_code == 302
    before = state(app)
    response = w.client("worker").post(f"{w.base}/documents/{doc_id}/versions/new", data={
        "file": (io.BytesIO(unique_pdf()), "v2.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 409 and "has been withdrawn" in text(response)
    assert state(app) == before


def test_reissue_and_language_version_through_the_forms(w):
    client = w.client("secretariat")
    original = document_id(post_upload(client, w))
    page = client.get(f"{w.base}/documents/{original}/reissue")
    assert page.status_code == 200 and "TTMLM/2027/1(Rev.N)" in text(page)
    response = client.post(f"{w.base}/documents/{original}/reissue", data={
        "reissue_kind": "corrigendum", "language": "en", "title": "Report for discussion",
        "file": (io.BytesIO(unique_pdf()), "corr.pdf")}, content_type="multipart/form-data")
    corr = document_id(response)
    assert db.session.get(Document, corr).symbol == "TTMLM/2027/1(Corr.)"
    response = client.post(f"{w.base}/documents/{original}/languages/new", data={
        "language": "fr", "title": "Rapport pour la discussion", "file": (io.BytesIO(unique_pdf()), "fr.pdf")},
        content_type="multipart/form-data")
    french = document_id(response)
    html = text(w.client("government").get(f"{w.base}/documents/{french}"))
    assert "TTMLM/2027/1(Corr.)" in html and "English" in html and "Rapport pour la discussion" in html
    assert w.client("government").get(f"{w.base}/documents/{original}/reissue").status_code == 403


# --- downloads -----------------------------------------------------------------------------------------

def upload_file(w: SimpleNamespace, data: bytes, name: str) -> int:
    return document_id(post_upload(w.client("worker"), w, space=w.workers, kind="working", symbol="",
                                   title=name, data=data, name=name))


def test_a_pdf_opens_in_the_browser_with_safe_headers(w):
    doc_id = document_id(post_upload(w.client("secretariat"), w, name="Rapport préliminaire.pdf"))
    response = w.client("government").get(f"{w.base}/documents/{doc_id}/versions/1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''Rapport%20pr%C3%A9liminaire.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    download = w.client("government").get(f"{w.base}/documents/{doc_id}/download?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == response.data


@pytest.mark.parametrize(("data", "name", "mimetype", "disposition"), [
    (docx(), "note.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
    (b"Statement of the group\n", "statement.txt", "text/plain", "inline"),
    (b"# Points\n", "points.md", "text/markdown", "inline"),
    (b"a,b\n1,2\n", "table.csv", "text/csv", "attachment"),
    (PNG, "chart.png", "image/png", "inline"),
])
def test_downloads_carry_the_detected_type(w, data, name, mimetype, disposition):
    doc_id = upload_file(w, data + (b"" if name.endswith((".docx", ".png")) else os.urandom(4).hex().encode()),
                         name)
    response = w.client("worker").get(f"{w.base}/documents/{doc_id}/download")
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith(disposition)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if disposition == "inline":
        assert "sandbox" in response.headers["Content-Security-Policy"]


def test_text_and_markdown_show_on_the_page_escaped(w):
    doc_id = upload_file(w, b"# Points\n\nHello <b onclick=\"steal()\">bold</b> "
                            b"[link](javascript:alert(1)) " + os.urandom(4).hex().encode() + b"\n", "points.md")
    html = text(w.client("worker").get(f"{w.base}/documents/{doc_id}"))
    assert "<h1>Points</h1>" in html
    assert "&lt;b onclick" in html and "<b onclick" not in html
    assert 'href="javascript:' not in html
    doc_id = upload_file(w, b"1 < 2 & <i>plain</i> " + os.urandom(4).hex().encode(), "notes.txt")
    html = text(w.client("worker").get(f"{w.base}/documents/{doc_id}"))
    assert "1 &lt; 2 &amp; &lt;i&gt;plain&lt;/i&gt;" in html


# --- nobody reaches another group's caucus document, whatever the id ------------------------------------

DOCUMENT_ROUTES = ["", "/row", "/download", "/versions/1", "/versions/new", "/languages/new", "/reissue",
                   "/withdraw"]


@pytest.mark.parametrize("role", ["employer", "government", "chair", "observer", "secretariat"])
def test_id_guessing_another_groups_caucus_document_gives_404_on_every_route(app, w, role):
    doc_id = caucus_document(w)
    client = w.client(role)
    before = state(app)
    for suffix in DOCUMENT_ROUTES:
        assert client.get(f"{w.base}/documents/{doc_id}{suffix}").status_code == 404, suffix
    for suffix in ("/versions/new", "/languages/new", "/reissue", "/withdraw"):
        response = client.post(f"{w.base}/documents/{doc_id}{suffix}", data={
            "file": (io.BytesIO(unique_pdf()), "x.pdf"), "reason": "x", "language": "fr", "title": "x",
            "reissue_kind": "revision"}, content_type="multipart/form-data")
        assert response.status_code == 404, suffix
    listing = text(client.get(f"{w.base}/documents?q=statement"))
    assert "Workers&#39; draft statement" not in listing and "Workers' draft statement" not in listing
    assert state(app) == before


def test_a_document_is_not_reached_through_another_meeting(w, make_meeting, make_participant):
    doc_id = document_id(post_upload(w.client("secretariat"), w))
    other = make_meeting(w.secretariat)
    make_participant(other, "government", user=w.government)
    for suffix in DOCUMENT_ROUTES[:4]:
        assert w.client("government").get(f"/meetings/{other.id}/documents/{doc_id}{suffix}").status_code == 404


def test_a_version_number_that_does_not_exist_is_404(w):
    doc_id = caucus_document(w)
    assert w.client("worker").get(f"{w.base}/documents/{doc_id}/versions/2").status_code == 404


# --- browsing ------------------------------------------------------------------------------------------

def test_browse_filter_search_sort_and_paginate(app, w, monkeypatch):
    with unit_of_work():
        item = programme.add_agenda_item(db.session.get(type(w.secretariat), w.secretariat.id),
                                         db.session.get(Meeting, w.meeting.id), number="2", title="Fair recruitment")
    sec = w.client("secretariat")
    report = document_id(post_upload(sec, w, title="Background report", agenda_item_id=str(item.id)))
    document_id(post_upload(sec, w, symbol="TTMLM/2027/INF/1", title="Information note"))
    document_id(post_upload(sec, w, language="fr", title="Rapport de fond"))
    caucus_document(w)
    gov = w.client("government")
    listing = text(gov.get(f"{w.base}/documents"))
    assert "Background report" in listing and "Information note" in listing
    assert "Rapport de fond" not in listing  # the French version sits in the report's row
    assert f'/documents/{report}"' in listing and "FR</a>" in listing
    assert "draft statement" not in listing and "2 documents" in listing
    assert "Information note" not in text(gov.get(f"{w.base}/documents?agenda_item={item.id}"))
    assert "Rapport de fond" in text(gov.get(f"{w.base}/documents?language=fr"))
    assert "Background report" not in text(gov.get(f"{w.base}/documents?language=fr"))
    assert "Information note" in text(gov.get(f"{w.base}/documents?q=inf/1"))
    assert "Background report" in text(gov.get(f"{w.base}/documents?q=fond"))
    assert "No document matches" in text(gov.get(f"{w.base}/documents?kind=working"))
    worker_view = text(w.client("worker").get(f"{w.base}/documents?space={w.workers.id}"))
    assert "draft statement" in worker_view and "Background report" not in worker_view
    by_symbol = text(gov.get(f"{w.base}/documents?sort=symbol"))
    assert by_symbol.index("TTMLM/2027/1<") < by_symbol.index("TTMLM/2027/INF/1")
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    first, second = gov.get(f"{w.base}/documents?sort=title"), gov.get(f"{w.base}/documents?sort=title&page=2")
    assert "Background report" in text(first) and "Information note" in text(second)
    assert "Page 1 of 2" in text(first)
    by_item = text(gov.get(f"{w.base}/documents/by-agenda-item"))
    assert by_item.index("Fair recruitment") < by_item.index("Background report") < by_item.index(
        "Not related to an agenda item") < by_item.index("Information note")


def test_the_list_page_runs_a_bounded_number_of_queries(w, count_queries):
    sec = w.client("secretariat")
    for n in range(2):
        document_id(post_upload(sec, w, symbol=f"TTMLM/2027/{n + 1}", title=f"Doc {n}"))
    gov = w.client("government")
    gov.get(f"{w.base}/documents")
    with count_queries() as few:
        assert gov.get(f"{w.base}/documents").status_code == 200
    for n in range(2, 12):
        document_id(post_upload(sec, w, symbol=f"TTMLM/2027/{n + 1}", title=f"Doc {n}"))
        post_upload(sec, w, symbol=f"TTMLM/2027/{n + 1}", title=f"Doc {n} fr", language="fr")
    with count_queries() as many:
        assert gov.get(f"{w.base}/documents").status_code == 200
    assert many.n == few.n, many.statements


def test_the_space_page_lists_its_documents_and_offers_upload_to_those_who_may(w):
    document_id(post_upload(w.client("secretariat"), w))
    caucus_document(w)
    plenary = text(w.client("government").get(f"{w.base}/spaces/{w.plenary.id}"))
    assert "Report for discussion" in plenary and "Share a document here" not in plenary
    assert "Share a document here" in text(w.client("secretariat").get(f"{w.base}/spaces/{w.plenary.id}"))
    caucus = text(w.client("worker").get(f"{w.base}/spaces/{w.workers.id}"))
    assert "draft statement" in caucus and "Share a document here" in caucus and "Report for discussion" not in caucus
    assert 'data-rooms="space:' in caucus and "js/documents.js" in caucus


# --- withdrawal -----------------------------------------------------------------------------------------

def test_withdraw_with_confirmation_then_only_the_secretariat_retrieves(app, w):
    doc_id = document_id(post_upload(w.client("secretariat"), w))
    sec, gov = w.client("secretariat"), w.client("government")
    assert gov.get(f"{w.base}/documents/{doc_id}/withdraw").status_code == 403
    confirm = sec.get(f"{w.base}/documents/{doc_id}/withdraw")
    assert confirm.status_code == 200 and "disappears from every list" in text(confirm)
    before = state(app)
    refused = sec.post(f"{w.base}/documents/{doc_id}/withdraw", data={"reason": ""})
    assert refused.status_code == 422 and "Say why" in text(refused)
    assert state(app) == before
    assert sec.post(f"{w.base}/documents/{doc_id}/withdraw", data={"reason": "Issued in error"}).status_code == 302
    assert "Report for discussion" not in text(gov.get(f"{w.base}/documents"))
    assert "Report for discussion" not in text(sec.get(f"{w.base}/documents"))
    assert gov.get(f"{w.base}/documents/{doc_id}").status_code == 404
    assert gov.get(f"{w.base}/documents/{doc_id}/versions/1").status_code == 404
    assert sec.get(f"{w.base}/documents/{doc_id}/versions/1").status_code == 200
    kept = text(sec.get(f"{w.base}/documents/withdrawn"))
    assert "Report for discussion" in kept and "Issued in error" in kept
    assert "Report for discussion" not in text(gov.get(f"{w.base}/documents/withdrawn"))
    assert sec.get(f"{w.base}/documents/{doc_id}/withdraw").status_code == 409
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "document.withdraw")).one()
    assert entry.object_id == str(doc_id)


def test_a_withdrawn_caucus_document_stays_retrievable_by_its_group(w, make_participant):
    doc_id = caucus_document(w)
    assert w.client("worker").post(f"{w.base}/documents/{doc_id}/withdraw",
                                   data={"reason": "Superseded"}).status_code == 302
    other_worker = make_participant(w.meeting, "worker").user
    w.other_worker = other_worker
    client = w.client("other_worker")
    assert client.get(f"{w.base}/documents/{doc_id}/versions/1").status_code == 200
    assert "Workers&#39; draft statement" in text(client.get(f"{w.base}/documents/withdrawn"))
    assert w.client("secretariat").get(f"{w.base}/documents/{doc_id}/versions/1").status_code == 404


# --- CSRF ----------------------------------------------------------------------------------------------

def test_an_upload_without_csrf_token_is_refused(session_app, w):
    from forum import create_app
    from tests.conftest import PASSWORD

    app = create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(client.get("/login"))).group(1)
    assert client.post("/login", data={"email": w.secretariat.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      text(client.get(f"{w.base}/documents/new"))).group(1)  # signing in starts a new session
    before = state(session_app)
    form = {"space_id": str(w.plenary.id), "kind": "official", "symbol": "TTMLM/2027/1", "title": "x",
            "language": "en", "agenda_item_id": "0"}
    response = client.post(f"{w.base}/documents/new", data={**form, "file": (io.BytesIO(unique_pdf()), "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "The form has expired" in text(response)
    assert state(session_app) == before
    response = client.post(f"{w.base}/documents/new", data={
        **form, "csrf_token": token, "file": (io.BytesIO(unique_pdf()), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302


def _draft(w: SimpleNamespace) -> int:
    from forum.drafting.drafts import create_draft

    with unit_of_work():
        return create_draft(db.session.get(User, w.secretariat.id), db.session.get(Meeting, w.meeting.id),
                            title="Draft conclusions", symbol="TTMLM/2027/4", original_language="en").id


def test_a_document_names_the_draft_it_relates_to(w):
    draft_id = _draft(w)
    doc_id = document_id(post_upload(w.client("secretariat"), w, draft_id=str(draft_id)))
    assert db.session.get(Document, doc_id).draft_id == draft_id
    html = text(w.client("worker").get(f"{w.base}/documents/{doc_id}"))
    assert f"/drafts/{draft_id}" in html and "Draft conclusions" in html


def test_a_draft_of_another_meeting_is_refused_and_nothing_written(app, w, make_meeting):
    from forum.drafting.drafts import create_draft

    other_staff = w.secretariat  # the same staff member runs another meeting
    other = make_meeting(other_staff, symbol_prefix="OTHER/2027")
    with unit_of_work():
        foreign = create_draft(db.session.get(User, other_staff.id), db.session.get(Meeting, other.id),
                               title="Elsewhere", symbol="OTHER/2027/1", original_language="en").id
    client = w.client("secretariat")  # signing in is itself recorded: count after it
    before = state(app)
    response = post_upload(client, w, draft_id=str(foreign))
    assert response.status_code == 422  # not offered by the form
    from forum.documents import services
    from forum.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused, unit_of_work():  # nor accepted by the service
        services.publish_document(db.session.get(User, w.secretariat.id), db.session.get(Space, w.plenary.id),
                                  kind="official", symbol="TTMLM/2027/9", title="Note", language="en",
                                  file=io.BytesIO(unique_pdf("x")), filename="n.pdf", draft_id=foreign)
    assert refused.value.fields["draft_id"] == ["Choose a draft of this meeting."]
    assert state(app) == before
