"""API operations on documents (listDocuments, uploadDocument, getDocument, uploadDocumentVersion,
reissueDocument, downloadDocumentVersion): for each, success, bad input, no token, another group's
caucus (404) and a participant who may not (403). Responses are checked against the OpenAPI document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.documents.models import Document, DocumentVersion
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind


class Scene:
    def __init__(self, make_user, make_meeting, make_participant):
        self.secretariat = make_user(staff=True)
        self.meeting = make_meeting(self.secretariat)
        self.worker = make_participant(self.meeting, "worker").user
        self.employer = make_participant(self.meeting, "employer").user
        self.observer = make_participant(self.meeting, "none", "observer").user
        self.outsider = make_user()
        spaces = {(s.kind, s.group): s for s in db.session.scalars(
            sa.select(Space).where(Space.meeting_id == self.meeting.id))}
        self.plenary = spaces[(SpaceKind.plenary, None)]
        self.worker_caucus = spaces[(SpaceKind.group, Group.worker)]
        self.employer_caucus = spaces[(SpaceKind.group, Group.employer)]
        self.prefix = self.meeting.symbol_prefix


@pytest.fixture
def s(make_user, make_meeting, make_participant):
    return Scene(make_user, make_meeting, make_participant)


def docs(s):
    return f"/meetings/{s.meeting.id}/documents"


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def official(api, s, symbol="1", title="Report for discussion"):
    response = api(s.secretariat).upload(docs(s), {"file": b"The report.", "title": title, "kind": "official",
                                                   "symbol": f"{s.prefix}/{symbol}", "language": "en"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def working(api, s, who=None, space="caucus"):
    response = api(who or s.worker).upload(docs(s), {"file": b"Our notes.", "title": "Caucus notes",
                                                     "space": space})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- uploadDocument ------------------------------------------------------------------------------------

def test_upload_an_official_document_and_a_working_file(api, s):
    report = official(api, s)
    assert report["kind"] == "official" and report["symbol"] == f"{s.prefix}/1" and report["space"] == s.plenary.id
    [version] = report["versions"]
    assert version["number"] == 1 and version["file_type"] == "txt" and version["filename"] == "file.txt"
    notes = working(api, s)
    assert notes["kind"] == "working" and notes["symbol"] is None and notes["space"] == s.worker_caucus.id
    assert notes["owner"] == s.worker.name
    french = api(s.secretariat).upload(docs(s), {"file": b"Le rapport.", "title": "Rapport", "kind": "official",
                                                 "symbol": f"{s.prefix}/1", "language": "fr"}).get_json()
    assert french["variant_of"] == report["id"]
    assert {d["language"] for d in api(s.worker).get(f"/documents/{report['id']}").get_json()["languages"]} == {
        "en", "fr"}


def test_upload_document_validation(api, s):
    before = count(Document)
    no_file = api(s.secretariat).upload(docs(s), {"title": "Report"})
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["fields"]
    no_title = api(s.secretariat).upload(docs(s), {"file": b"x", "title": " "})
    assert no_title.status_code == 422 and "title" in no_title.get_json()["error"]["fields"]
    bad_symbol = api(s.secretariat).upload(docs(s), {"file": b"x", "title": "T", "kind": "official",
                                                     "symbol": "OTHER/1"})
    assert bad_symbol.status_code == 422 and "symbol" in bad_symbol.get_json()["error"]["fields"]
    markup = api(s.secretariat).upload(docs(s), {"file": b"<script>alert(1)</script>", "title": "T"})
    assert markup.status_code == 422 and "file" in markup.get_json()["error"]["fields"]
    shape = api(s.secretariat).upload(docs(s), {"file": b"x", "title": "T", "kind": "secret", "language": "de"})
    assert shape.status_code == 422 and {"kind", "language"} <= set(shape.get_json()["error"]["fields"])
    assert count(Document) == before


def test_upload_document_refusals(api, s):
    before = count(Document)
    fields = {"file": b"x", "title": "T"}
    assert api(None).upload(docs(s), fields).status_code == 401
    assert api(s.outsider).upload(docs(s), fields).status_code == 404
    assert api(s.observer).upload(docs(s), fields).status_code == 403  # observers share nothing
    hidden = api(s.worker).upload(docs(s), {**fields, "space": str(s.employer_caucus.id)})
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"
    # The plenary is the secretariat's unless the meeting lets participants share there.
    assert api(s.worker).upload(docs(s), {**fields, "space": "plenary"}).status_code == 403
    assert api(s.worker).upload(docs(s), {**fields, "space": "caucus", "kind": "official",
                                          "symbol": f"{s.prefix}/9"}).status_code == 403
    assert count(Document) == before


# --- listDocuments and getDocument --------------------------------------------------------------------

def test_list_documents_shows_the_spaces_the_caller_belongs_to(api, s):
    report, notes = official(api, s), working(api, s)
    employers = working(api, s, s.employer)
    mine = {d["id"] for d in api(s.worker).get(docs(s)).get_json()["items"]}
    assert mine == {report["id"], notes["id"]}
    assert {d["id"] for d in api(s.employer).get(docs(s)).get_json()["items"]} == {report["id"], employers["id"]}
    only_official = api(s.worker).get(docs(s), query={"kind": "official"}).get_json()
    assert [d["id"] for d in only_official["items"]] == [report["id"]] and only_official["total"] == 1
    found = api(s.worker).get(docs(s), query={"q": "caucus"}).get_json()["items"]
    assert [d["id"] for d in found] == [notes["id"]]
    assert api(s.worker).get(docs(s), query={"per_page": 1}).get_json()["next"]


def test_list_documents_refusals(api, s):
    assert api(s.worker).get(docs(s), query={"kind": "secret"}).status_code == 422
    assert api(None).get(docs(s)).status_code == 401
    assert api(s.outsider).get(docs(s)).status_code == 404
    assert api(s.worker).get(docs(s), query={"space": str(s.employer_caucus.id)}).status_code == 404


def test_get_document(api, s):
    notes = working(api, s)
    body = api(s.worker).get(f"/documents/{notes['id']}").get_json()
    assert body["title"] == "Caucus notes" and body["versions"][0]["url"].endswith(
        f"/api/v1/documents/{notes['id']}/versions/1/file")
    assert api(None).get(f"/documents/{notes['id']}").status_code == 401
    assert api(s.employer).get(f"/documents/{notes['id']}").status_code == 404
    assert api(s.secretariat).get(f"/documents/{notes['id']}").status_code == 404  # a caucus is its group's
    assert api(s.worker).get("/documents/999999").status_code == 404


# --- uploadDocumentVersion ---------------------------------------------------------------------------

def test_upload_document_version(api, s):
    notes = working(api, s)
    path = f"/documents/{notes['id']}/versions"
    response = api(s.worker).upload(path, {"file": b"Our notes, revised.", "note": "After the caucus"})
    assert response.status_code == 201, response.get_json()
    versions = response.get_json()["versions"]
    assert [v["number"] for v in versions] == [2, 1] and versions[0]["note"] == "After the caucus"
    same = api(s.worker).upload(path, {"file": b"Our notes, revised."})
    assert same.status_code == 422 and "file" in same.get_json()["error"]["fields"]
    assert api(s.worker).upload(path, {"note": "no file"}).status_code == 422
    assert api(s.worker).upload(path, {"file": b"x", "note": "n" * 301}).status_code == 422
    assert count(DocumentVersion) == 2


def test_upload_document_version_refusals(api, s):
    notes, report = working(api, s), official(api, s)
    assert api(None).upload(f"/documents/{notes['id']}/versions", {"file": b"y"}).status_code == 401
    assert api(s.employer).upload(f"/documents/{notes['id']}/versions", {"file": b"y"}).status_code == 404
    assert api(s.worker).upload(f"/documents/{report['id']}/versions", {"file": b"y"}).status_code == 403
    replaced = api(s.secretariat).upload(f"/documents/{report['id']}/versions", {"file": b"y"})
    assert replaced.status_code == 409 and replaced.get_json()["error"]["code"] == "invalid_state"  # rule 14
    assert count(DocumentVersion) == 2


# --- reissueDocument -------------------------------------------------------------------------------------

def test_rule_14_reissue_document_gives_the_next_symbol_and_keeps_the_original(api, s):
    report = official(api, s)
    path = f"/documents/{report['id']}/reissues"
    rev = api(s.secretariat).upload(path, {"file": b"The report, revised.", "reissue": "rev"})
    assert rev.status_code == 201, rev.get_json()
    assert rev.get_json()["symbol"] == f"{s.prefix}/1(Rev.1)" and rev.get_json()["reissue_of"] == report["id"]
    assert rev.get_json()["title"] == report["title"] and rev.get_json()["reissue_kind"] == "revision"
    corr = api(s.secretariat).upload(path, {"file": b"A correction.", "reissue": "corr", "title": "Corrigendum"})
    assert corr.get_json()["symbol"] == f"{s.prefix}/1(Corr.)"
    add = api(s.secretariat).upload(path, {"file": b"More.", "reissue": "add", "title": "Addendum"})
    assert add.get_json()["symbol"] == f"{s.prefix}/1/Add.1"
    original = api(s.worker).get(f"/documents/{report['id']}").get_json()
    assert original["current_version"] == 1 and len(original["reissues"]) == 3


def test_reissue_document_validation_and_refusals(api, s):
    report, notes = official(api, s), working(api, s)
    path = f"/documents/{report['id']}/reissues"
    before = count(Document)
    bad = api(s.secretariat).upload(path, {"file": b"x", "reissue": "again"})
    assert bad.status_code == 422 and "reissue" in bad.get_json()["error"]["fields"]
    assert api(s.secretariat).upload(path, {"reissue": "rev"}).status_code == 422  # no file
    assert api(None).upload(path, {"file": b"x", "reissue": "rev"}).status_code == 401
    assert api(s.worker).upload(path, {"file": b"x", "reissue": "rev"}).status_code == 403
    # Working files are never reissued; another group's are not even seen.
    assert api(s.worker).upload(f"/documents/{notes['id']}/reissues", {"file": b"x", "reissue": "rev"}
                                ).status_code == 403
    assert api(s.employer).upload(f"/documents/{notes['id']}/reissues", {"file": b"x", "reissue": "rev"}
                                  ).status_code == 404
    assert count(Document) == before


# --- downloadDocumentVersion ------------------------------------------------------------------------------

def test_download_document_version(api, s):
    notes = working(api, s)
    api(s.worker).upload(f"/documents/{notes['id']}/versions", {"file": b"Second version."})
    first = api(s.worker).get(f"/documents/{notes['id']}/versions/1/file")
    assert first.status_code == 200 and first.data == b"Our notes." and first.mimetype == "text/plain"
    assert first.headers["X-Content-Type-Options"] == "nosniff" and "attachment" in first.headers[
        "Content-Disposition"]
    assert api(s.worker).get(f"/documents/{notes['id']}/versions/2/file").data == b"Second version."
    assert api(s.worker).get(f"/documents/{notes['id']}/versions/3/file").status_code == 404
    assert api(None).get(f"/documents/{notes['id']}/versions/1/file").status_code == 401
    assert api(s.employer).get(f"/documents/{notes['id']}/versions/1/file").status_code == 404
