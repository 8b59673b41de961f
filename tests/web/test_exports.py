"""Exports through the browser: the secretariat's pages and every download, who may not, the print
view, the language of the text, and the meeting's navigation."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from forum.exports import service
from tests.exports_world import ARABIC_NAME, FRENCH_2, negotiated


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return negotiated(make_user, make_meeting, make_participant)


def base(w) -> str:
    return f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/exports"


def test_rule_35_secretariat_exports_every_document_in_every_format(w, login):
    client = login(w.secretariat)
    page = client.get(base(w))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "after sitting 2" in html and "pending" in html
    links = sorted(set(re.findall(r'href="([^"]*/exports/[a-z]+\.[a-z]+[^"]*)"', html)))
    expected = {f"{kind}.{fmt}" for kind, fmt in service.all_exports()}
    found = {re.search(r"/exports/([a-z]+\.[a-z]+)", link).group(1) for link in links}
    assert found == expected
    for kind, fmt in service.all_exports():
        response = client.get(f"{base(w)}/{kind}.{fmt}", query_string={"file": 1})
        assert response.status_code == 200, (kind, fmt)
        assert response.mimetype == service.MIMETYPES[fmt].split(";")[0], (kind, fmt)
        assert response.headers["Content-Disposition"].startswith("attachment; filename="), (kind, fmt)
        assert response.data, (kind, fmt)
    final = client.get(f"{base(w)}/final.docx")
    with zipfile.ZipFile(io.BytesIO(final.data)) as archive:
        assert "word/numbering.xml" in archive.namelist()
    data = json.loads(client.get(f"{base(w)}/draft.json").data)
    assert data["last_sitting"] == 2 and [a["number"] for a in data["amendments"]] == ["D.1", "D.2", "D.3", "D.4"]


def test_print_view_is_a_page_with_a_print_stylesheet(w, login):
    client = login(w.secretariat)
    page = client.get(f"{base(w)}/compilation.html")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "css/exports.css" in html and 'class="skip-link"' in html  # a page of the site (base.html)
    assert "<ins" in html and "<del" in html and ARABIC_NAME in html
    assert "<script>" not in html
    standalone = client.get(f"{base(w)}/compilation.html", query_string={"file": 1}).get_data(as_text=True)
    assert "<style>" in standalone and "@media print" in standalone and "site-header" not in standalone.split(
        "</style>")[1]


def test_language_of_the_text_is_chosen_on_the_page(w, login):
    client = login(w.secretariat)
    page = client.get(base(w), query_string={"lang": "fr"}).get_data(as_text=True)
    assert "final.md?lang=fr" in page
    text = client.get(f"{base(w)}/final.md", query_string={"lang": "fr"}).get_data(as_text=True)
    assert FRENCH_2 in text
    assert client.get(f"{base(w)}/final.md", query_string={"lang": "xx"}).status_code == 200  # falls back


@pytest.mark.parametrize("role", ["kenya", "chair", "employer", "observer"])
def test_participants_other_than_the_secretariat_may_not_export(w, login, role):
    client = login(w.u[role])
    assert client.get(base(w)).status_code == 403
    assert client.get(f"{base(w)}/final.pdf").status_code == 403
    assert client.get(f"/meetings/{w.meeting.id}/exports").status_code == 403
    assert "/exports" not in client.get(f"/meetings/{w.meeting.id}/drafts").get_data(as_text=True)


def test_outsiders_and_unknown_exports_are_not_found(w, login):
    assert login(w.outsider).get(base(w)).status_code == 404
    client = login(w.secretariat)
    assert client.get(f"{base(w)}/status.pdf").status_code == 404
    assert client.get(f"{base(w)}/final.exe").status_code == 404
    assert client.get(f"/meetings/{w.meeting.id}/drafts/999999/exports").status_code == 404


def test_meeting_navigation_links_the_exports_for_the_secretariat(w, login):
    client = login(w.secretariat)
    page = client.get(f"/meetings/{w.meeting.id}/drafts").get_data(as_text=True)
    assert f"/meetings/{w.meeting.id}/exports" in page
    listing = client.get(f"/meetings/{w.meeting.id}/exports").get_data(as_text=True)
    assert base(w) in listing


def test_drafting_compilation_word_file_comes_from_the_same_writer(w, login):
    """One Word generator: a circulated compilation's .docx (drafting's page) is written by the
    exports' writer — same bytes twice, fixed zip dates, struck and underlined changes."""
    from lxml import etree

    from forum.exports.docx import ZIP_DATE

    client = login(w.u["observer"])
    url = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/compilations/1.docx"
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first.data == second.data
    with zipfile.ZipFile(io.BytesIO(first.data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {ZIP_DATE}
        body = etree.fromstring(archive.read("word/document.xml"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    struck = "".join(body.xpath("//w:r[w:rPr/w:strike]/w:t/text()", namespaces=ns))
    underlined = "".join(body.xpath("//w:r[w:rPr/w:u]/w:t/text()", namespaces=ns))
    assert "should" in struck and "shall" in underlined
    assert "D.1 — Paragraph 2" in "".join(body.xpath("//w:t/text()", namespaces=ns))
