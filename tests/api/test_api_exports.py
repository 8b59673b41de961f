"""API operation exportDraft: the secretariat's files in every format, bad parameters (422), no token
(401), others (403 for participants, 404 for outsiders). Responses are checked against the OpenAPI
document by the `api` client (file responses: their declared content types)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from forum.db import unit_of_work
from forum.drafting import amendments as amend
from forum.extensions import db
from forum.positions import decisions
from forum.positions.items import item_of
from tests import drafting_world as dw


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    w = dw.build(make_user, make_meeting, make_participant)
    with unit_of_work():  # an amendment adopted, so that the marked text differs from the final one
        user = db.session.merge(w.u["kenya"])
        a = amend.file_amendment(user, dw.draft(w), dw.para(w, "2"), mover=dw.state("KE"), kind="modify",
                                 language="en", text="Member States should promptly ratify the relevant standards.",
                                 explanation="Urgency.")
        amend.submit_amendment(user, a)
        amend.validate_amendment(db.session.merge(w.secretariat), a)
        amend.circulate_amendments(db.session.merge(w.secretariat), dw.draft(w))
        amend.second_amendment(db.session.merge(w.u["germany"]), a)
        decisions.declare(db.session.merge(w.u["chair"]), item_of(a), outcome="adopted", method="consensus")
    return w


def export(api, w, who="secretariat", **query):
    return api(w.u[who] if who != "secretariat" else w.secretariat).get(f"/drafts/{w.draft_id}/export", query=query)


def docx_text(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()


def test_export_draft_as_docx_final_and_marked(api, w):
    final = export(api, w, format="docx")
    assert final.status_code == 200, final.data[:300]
    assert final.mimetype.endswith("wordprocessingml.document") and "attachment" in final.headers["Content-Disposition"]
    text = docx_text(final.data)
    assert "promptly" in text and "<w:ins " not in text
    marked = export(api, w, format="docx", marked=1)
    assert marked.status_code == 200 and "<w:ins " in docx_text(marked.data)  # Word's tracked changes


def test_export_draft_in_the_other_formats(api, w):
    pdf = export(api, w, format="pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    data = export(api, w, format="json")
    assert data.status_code == 200 and json.loads(data.data)["draft"]["symbol"] == dw.draft(w).symbol
    assert export(api, w, format="csv").data.decode("utf-8-sig").count("\n") > 5
    assert b"akomaNtoso" in export(api, w, format="akn").data
    assert b"promptly" in export(api, w, format="md").data
    compilation = export(api, w, format="md", kind="compilation")
    assert compilation.status_code == 200 and b"D.1" in compilation.data


def test_export_draft_refusals(api, w):
    assert export(api, w, format="odt").status_code == 422
    assert export(api, w).status_code == 422  # no format
    mismatch = export(api, w, format="csv", kind="compilation")
    assert mismatch.status_code == 422 and "kind" in mismatch.get_json()["error"]["fields"]
    assert export(api, w, format="docx", marked=2).status_code == 422
    assert api(None).get(f"/drafts/{w.draft_id}/export", query={"format": "docx"}).status_code == 401
    assert export(api, w, "chair", format="docx").status_code == 403  # rule 35: the secretariat's
    assert export(api, w, "worker", format="pdf").status_code == 403
    assert api(w.outsider).get(f"/drafts/{w.draft_id}/export", query={"format": "docx"}).status_code == 404
