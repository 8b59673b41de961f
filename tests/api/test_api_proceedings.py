"""API operations on the report (listInterventions, addIntervention, proposeCorrection,
decideCorrection, publishDraftReport, adoptReport, getReport, exportReport): for each, success, bad
input (422), no token (401), not allowed (403), not visible (404) and the state conflicts (409).
Responses are checked against the OpenAPI document by the `api` client."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.proceedings import queries
from forum.proceedings.models import Intervention, ReportCorrection, ReportState
from tests import proceedings_world as pw


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return pw.build(make_user, make_meeting, make_participant)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def interventions(w) -> str:
    return f"/sittings/{w.sitting_id}/interventions"


def report_path(w, tail: str = "") -> str:
    return f"/meetings/{w.meeting.id}/report{tail}"


DEADLINE = {"deadline": "2099-01-01T12:00:00Z"}


# --- addIntervention / listInterventions ----------------------------------------------------------------

def test_add_intervention_from_the_speakers_list(api, w):
    response = api(w.secretariat).post(interventions(w), {"speaker": w.p["africa"].id, "summary": "Supported it.",
                                                          "speaker_request_id": w.requests["africa"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["on_behalf_of"] == "AFRICA" and body["item"]["label"] == "1" and body["version"] == 1
    assert body["capacity"] == "government_member" and body["started_at"] is not None
    assert body["attribution"].startswith("The Government member of South Africa, speaking on behalf of")
    # The same turn twice: 409, nothing more written.
    again = api(w.secretariat).post(interventions(w), {"speaker": w.p["africa"].id, "summary": "Again.",
                                                       "speaker_request_id": w.requests["africa"]})
    assert again.status_code == 409 and count(Intervention) == 1


def test_add_intervention_refusals(api, w):
    path = interventions(w)
    bad = api(w.secretariat).post(path, {"speaker": w.p["kenya"].id, "summary": "", "capacity": "king",
                                         "item": {"kind": "clause", "id": 1}})
    assert bad.status_code == 422 and {"summary", "capacity", "item.kind"} <= set(bad.get_json()["error"]["fields"])
    behalf = api(w.secretariat).post(path, {"speaker": w.p["kenya"].id, "summary": "x", "on_behalf_of": "MARS"})
    assert behalf.status_code == 422 and "on_behalf_of" in behalf.get_json()["error"]["fields"]
    missing = api(w.secretariat).post(path, {"speaker": w.p["kenya"].id, "summary": "x",
                                             "item": {"kind": "paragraph", "id": 99999}})
    assert missing.status_code == 422 and "item" in missing.get_json()["error"]["fields"]
    stranger = api(w.secretariat).post(path, {"speaker": 99999, "summary": "x"})
    assert stranger.status_code == 422 and "speaker" in stranger.get_json()["error"]["fields"]
    assert api(None).post(path, {"speaker": w.p["kenya"].id, "summary": "x"}).status_code == 401
    assert api(w.u["chair"]).post(path, {"speaker": w.p["kenya"].id, "summary": "x"}).status_code == 403
    assert api(w.outsider).post(path, {"speaker": w.p["kenya"].id, "summary": "x"}).status_code == 404
    assert api(w.secretariat).post("/sittings/99999/interventions",
                                   {"speaker": w.p["kenya"].id, "summary": "x"}).status_code == 404
    assert count(Intervention) == 0


def test_list_interventions_before_and_after_publication(api, w):
    pw.write(w, "africa", "Supported it.")
    listed = api(w.u["chair"]).get(interventions(w))
    assert listed.status_code == 200 and listed.get_json()["total"] == 1
    assert api(w.u["kenya"]).get(interventions(w)).status_code == 403  # not published yet
    assert api(w.outsider).get(interventions(w)).status_code == 404
    assert api(None).get(interventions(w)).status_code == 401
    assert api(w.u["chair"]).get(interventions(w), query={"per_page": 0}).status_code == 422
    pw.publish(w)
    items = api(w.u["kenya"]).get(interventions(w)).get_json()["items"]
    assert [i["summary"] for i in items] == ["Supported it."]


# --- proposeCorrection / decideCorrection ---------------------------------------------------------------

def test_rule_34_speaker_proposes_and_secretariat_accepts(api, w):
    ident = pw.write(w, "africa", "Supported it.")
    path = f"/interventions/{ident}/corrections"
    assert api(w.u["africa"]).post(path, {"text": "Strongly supported it."}).status_code == 404  # unpublished
    pw.publish(w)
    assert api(w.u["africa"]).post(path, {"text": ""}).status_code == 422
    assert api(None).post(path, {"text": "x"}).status_code == 401
    assert api(w.u["kenya"]).post(path, {"text": "x"}).status_code == 403
    assert api(w.outsider).post(path, {"text": "x"}).status_code == 404
    proposed = api(w.u["africa"]).post(path, {"text": "Strongly supported it."})
    assert proposed.status_code == 201 and proposed.get_json()["state"] == "proposed"
    correction = proposed.get_json()["id"]
    decision = f"/corrections/{correction}/decision"
    assert api(w.secretariat).post(decision, {"accepted": "perhaps"}).status_code == 422
    assert api(None).post(decision, {"accepted": True}).status_code == 401
    assert api(w.u["africa"]).post(decision, {"accepted": True}).status_code == 403
    assert api(w.u["kenya"]).post(decision, {"accepted": True}).status_code == 404
    decided = api(w.secretariat).post(decision, {"accepted": True, "note": "Agreed."})
    assert decided.status_code == 200 and decided.get_json()["state"] == "accepted"
    assert [h["action"] for h in decided.get_json()["history"]] == ["proposed", "accepted"]
    assert pw.intervention(ident).summary == "Strongly supported it."
    assert api(w.secretariat).post(decision, {"accepted": True}).status_code == 200  # the same, harmless
    assert api(w.secretariat).post(decision, {"accepted": False}).status_code == 409


def test_no_correction_after_the_deadline(api, w):
    from datetime import timedelta

    from forum.db import unit_of_work, utcnow

    ident = pw.write(w, "africa", "Supported it.")
    pw.publish(w)
    with unit_of_work():
        queries.report_of(w.meeting.id).correction_deadline = utcnow() - timedelta(hours=1)
    late = api(w.u["africa"]).post(f"/interventions/{ident}/corrections", {"text": "Late."})
    assert late.status_code == 409 and count(ReportCorrection) == 0


# --- publishDraftReport / adoptReport / getReport / exportReport ----------------------------------------

def test_publish_get_adopt_export(api, w):
    pw.write(w, "africa", "Supported it.")
    assert api(w.u["kenya"]).get(report_path(w)).status_code == 403
    assert api(w.u["chair"]).get(report_path(w)).get_json()["state"] == "draft"
    assert api(w.secretariat).post(report_path(w, "/publish"), {}).status_code == 422  # no deadline anywhere
    assert api(w.secretariat).post(report_path(w, "/publish"), {"deadline": "soon"}).status_code == 422
    assert api(None).post(report_path(w, "/publish"), DEADLINE).status_code == 401
    assert api(w.u["chair"]).post(report_path(w, "/publish"), DEADLINE).status_code == 403
    assert api(w.outsider).post(report_path(w, "/publish"), DEADLINE).status_code == 404
    published = api(w.secretariat).post(report_path(w, "/publish"), DEADLINE)
    assert published.status_code == 200 and published.get_json()["state"] == "published"
    assert published.get_json()["correction_deadline"].startswith("2099-01-01T12:00")
    assert api(w.secretariat).post(report_path(w, "/publish"), DEADLINE).status_code == 409
    got = api(w.u["kenya"]).get(report_path(w))
    assert got.status_code == 200 and "Supported it." in str(got.get_json()["report"])
    assert api(w.outsider).get(report_path(w)).status_code == 404
    assert api(None).get(report_path(w)).status_code == 401

    adopt = report_path(w, "/adopt")
    assert api(w.u["chair"]).post(adopt, {"method": "acclamation"}).status_code == 422
    assert api(w.u["chair"]).post(adopt, {"method": "consensus", "sitting_id": 99999}).status_code == 422
    assert api(None).post(adopt, {"method": "consensus"}).status_code == 401
    assert api(w.u["kenya"]).post(adopt, {"method": "consensus"}).status_code == 403
    assert api(w.outsider).post(adopt, {"method": "consensus"}).status_code == 404
    adopted = api(w.secretariat).post(adopt, {"method": "vote:record", "sitting_id": w.sitting_id})
    assert adopted.status_code == 200, adopted.get_json()
    body = adopted.get_json()
    assert body["state"] == "adopted" and body["adoption"]["for_chair"] is True
    assert body["adoption"]["method"] == "vote:record" and body["adoption"]["sitting_id"] == w.sitting_id
    assert api(w.u["chair"]).post(adopt, {"method": "consensus"}).status_code == 409
    assert queries.report_of(w.meeting.id).state is ReportState.adopted

    export = report_path(w, "/export")
    word = api(w.u["kenya"]).get(export, query={"format": "docx", "language": "en"})
    assert word.status_code == 200 and "attachment" in word.headers["Content-Disposition"]
    assert "Supported it." in zipfile.ZipFile(io.BytesIO(word.data)).read("word/document.xml").decode()
    pdf = api(w.u["kenya"]).get(export, query={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert api(w.u["kenya"]).get(export, query={"format": "odt"}).status_code == 422
    assert api(None).get(export, query={"format": "pdf"}).status_code == 401
    assert api(w.outsider).get(export, query={"format": "pdf"}).status_code == 404


def test_export_of_an_unpublished_report_is_refused_to_delegates(api, w):
    assert api(w.u["kenya"]).get(report_path(w, "/export"), query={"format": "pdf"}).status_code == 403
    assert api(w.secretariat).get(report_path(w, "/export"), query={"format": "pdf"}).status_code == 200


def test_adoption_waits_for_pending_corrections(api, w):
    ident = pw.write(w, "africa", "Supported it.")
    pw.publish(w)
    api(w.u["africa"]).post(f"/interventions/{ident}/corrections", {"text": "Other words."})
    refused = api(w.u["chair"]).post(report_path(w, "/adopt"), {"method": "consensus"})
    assert refused.status_code == 409 and "pending" in refused.get_json()["error"]["message"]
    assert queries.report_of(w.meeting.id).state is ReportState.published


def test_the_document_and_reference_page_name_the_report_operations(app, spec):
    ids = {op["operationId"] for item in spec["paths"].values() for m, op in item.items() if m != "parameters"}
    ours = {"listInterventions", "addIntervention", "proposeCorrection", "decideCorrection", "publishDraftReport",
            "adoptReport", "getReport", "exportReport"}
    assert ours <= ids
    html = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert all(f'id="op-{op}"' in html for op in ours)
