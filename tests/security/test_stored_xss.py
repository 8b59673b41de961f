"""Stored XSS: script planted in posts, thread titles, amendment texts, names and file names.

Every page and every live fragment that shows them is parsed as a browser would: no element may
carry an event handler, a `javascript:` address or an inline script that came from the payload;
the payload must show as text. Live payloads carry codes and ids; where a name travels in one
(presence), the page writes it with textContent (checked in the script itself).
"""

from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.discussions.models import Post, Thread
from forum.drafting import amendments as amending
from forum.drafting.models import Amendment
from forum.extensions import db
from tests import drafting_world as dw
from tests.conftest import ROOT
from tests.security.conftest import caucus

MARK = "xss4711"
PAYLOADS = [
    f'<script>alert("{MARK}")</script>',
    f'<img src=x onerror=alert("{MARK}")>',
    f'"><svg onload=alert("{MARK}")>',
    f"javascript:alert('{MARK}')",
    f'<a href="javascript:alert(\'{MARK}\')">click {MARK}</a>',
    f"<iframe srcdoc='<script>alert({MARK})</script>'></iframe>",
]
EVIL = " ".join(PAYLOADS)


class _Scanner(HTMLParser):
    """What a browser would run: handlers, script URLs and inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and MARK in (value or ""):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "srcdoc") and value and (
                    value.strip().lower().startswith("javascript:") or (MARK in value and name == "srcdoc")):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        if tag in ("svg", "iframe", "img") and any(MARK in (v or "") for _, v in attrs):
            self.found.append(f"<{tag}> from the payload")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and MARK in data:
            self.found.append("inline script from the payload")


def assert_inert(html: str, where: str) -> None:
    scanner = _Scanner()
    scanner.feed(html)
    assert scanner.found == [], f"{where}: {scanner.found}"
    assert MARK in html, f"{where}: the planted text is not shown at all (the test would prove nothing)"


@pytest.fixture
def w(make_user, make_meeting, make_participant, login):
    world = dw.build(make_user, make_meeting, make_participant)
    world.login = login
    return world


def test_stored_xss_through_posts_and_thread_titles(w):
    worker = w.u["worker"]
    with unit_of_work():
        space = caucus(w.meeting, "worker")
        thread = discussions.start_thread(db.session.merge(worker), space, title=f"Title {EVIL}"[:200],
                                          body=f"Body {EVIL}\n\n[link {MARK}](javascript:alert(1))")
        discussions.reply(db.session.merge(worker), thread, body=f"Reply {EVIL}")
    client = w.login(worker)
    thread = db.session.scalars(sa.select(Thread).where(Thread.id == thread.id)).one()
    base = f"/meetings/{w.meeting.id}/spaces/{thread.space_id}"
    pages = [f"{base}", f"{base}/threads/{thread.id}", f"/meetings/{w.meeting.id}/search?q={MARK}"]
    for url in pages:
        response = client.get(url)
        if response.status_code == 404 and "search" in url:
            continue
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), url)
    for post in db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id)):
        fragment = client.get(f"{base}/threads/{thread.id}/posts/{post.id}/fragment")
        assert fragment.status_code == 200
        assert_inert(fragment.get_json()["html"], f"live fragment of post {post.number}")


def test_stored_xss_through_amendment_texts_and_explanations(w):
    with unit_of_work():
        amendment = amending.file_amendment(db.session.merge(w.u["wkr_secretary"]), dw.draft(w), dw.para(w, "2"),
                                            mover=dw.WORKERS, kind="modify", language="en",
                                            text=f"Member States should {EVIL}", explanation=f"Because {EVIL}")
        amending.submit_amendment(db.session.merge(w.u["wkr_secretary"]), amendment)
    amendment = db.session.get(Amendment, amendment.id)
    for role in ("wkr_secretary", "worker", "secretariat"):
        client = w.login(w.u[role])
        for url in (f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{amendment.id}",
                    f"/meetings/{w.meeting.id}/drafts/{w.draft_id}"):
            response = client.get(url)
            if response.status_code == 200 and MARK in response.get_data(as_text=True):
                assert_inert(response.get_data(as_text=True), f"{url} as {role}")
    page = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{amendment.id}"
    response = w.login(w.u["wkr_secretary"]).get(page)
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True), "the amendment page")


def test_stored_xss_through_names_in_pages_and_presence(w, make_participant, socket_client):
    evil = make_participant(w.meeting, "worker", name=f"Mallory {PAYLOADS[1]}"[:200])
    with unit_of_work():
        discussions.start_thread(db.session.merge(evil.user), caucus(w.meeting, "worker"), title="Hello",
                                 body="Hello all")
    secretariat = w.login(w.u["secretariat"])
    for url in (f"/meetings/{w.meeting.id}/participants",):
        response = secretariat.get(url)
        assert response.status_code == 200
        assert_inert(response.get_data(as_text=True), url)
    worker = w.login(w.u["worker"])
    response = worker.get(f"/meetings/{w.meeting.id}/spaces/{caucus(w.meeting, 'worker').id}")
    assert_inert(response.get_data(as_text=True), "the caucus page")
    # Live: the name travels as JSON data, never as markup the page would parse.
    sock = socket_client(w.login(evil.user))
    ack = sock.emit("subscribe", {"room": f"space:{caucus(w.meeting, 'worker').id}"}, callback=True)
    names = [u["name"] for u in ack["snapshot"]["online"]]
    assert any(MARK in n for n in names)
    assert all(isinstance(n, str) for n in names)


def test_live_scripts_write_names_as_text_not_markup():
    """Where a live payload's text reaches the page, the scripts use textContent, never innerHTML."""
    for path in (ROOT / "static" / "js").glob("*.js"):
        source = path.read_text()
        if "online" in source or ".name" in source:
            for line in source.splitlines():
                if "innerHTML" in line:
                    # innerHTML is used only to parse server-rendered (escaped) fragments.
                    assert "html" in line.lower().split("innerhtml", 1)[1], f"{path.name}: {line.strip()}"


def test_stored_xss_through_file_names_and_titles(w):
    client = w.login(w.u["worker"])
    space = caucus(w.meeting, "worker")
    name = f'<img src=x onerror=alert("{MARK}")>.pdf'
    pdf = b"%PDF-1.4\n% " + os.urandom(8).hex().encode() + b"\n%%EOF\n"
    response = client.post(f"/meetings/{w.meeting.id}/documents/new", data={
        "space_id": str(space.id), "kind": "working", "symbol": "", "title": f"Notes {PAYLOADS[0]}",
        "language": "en", "agenda_item_id": "0", "description": f"About {PAYLOADS[2]}", "note": "",
        "file": (io.BytesIO(pdf), name)}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    doc_url = response.headers["Location"]
    doc_id = int(Path(doc_url).name)
    for url in (doc_url, f"/meetings/{w.meeting.id}/documents", f"/meetings/{w.meeting.id}/spaces/{space.id}",
                f"/meetings/{w.meeting.id}/documents/{doc_id}/row"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert_inert(page.get_data(as_text=True), url)
    download = client.get(f"/meetings/{w.meeting.id}/documents/{doc_id}/versions/1")
    disposition = download.headers["Content-Disposition"]
    assert "<" not in disposition and '"' not in disposition.split("filename=", 1)[-1].strip('"')
