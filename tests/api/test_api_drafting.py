"""API operations on drafts and amendments: for each, success, bad input (422 with fields), no token
(401), a caller who may not (403) and one who may not even see it (404). Every response is checked
against the OpenAPI document by the `api` client."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.drafting import amendments as amend
from forum.drafting.models import Amendment, AmendmentState, Draft, ParagraphText
from forum.extensions import db
from tests import drafting_world as dw


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return dw.build(make_user, make_meeting, make_participant)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def put(client, path, body, **kw):
    return client.request("PUT", path, json_body=body, **kw)


def filed(w, who, label, *, kind="delete", text="", mover=None, submit=True, validate=False, circulate=False):
    """An amendment made through the services, for the tests of later steps."""
    with unit_of_work():
        user = db.session.merge(w.u[who])
        a = amend.file_amendment(user, dw.draft(w), dw.para(w, label), mover=mover or dw.state(w.p[who].member_state),
                                 kind=kind, language="en", text=text, explanation="Because.")
        if submit:
            amend.submit_amendment(user, a)
        if validate:
            amend.validate_amendment(db.session.merge(w.secretariat), a)
        if circulate:
            amend.circulate_amendments(db.session.merge(w.secretariat), dw.draft(w))
        return a.id


NEW_DRAFT = {
    "title": "Conclusions on platform work", "symbol": "X/D.9", "language": "en",
    "preamble": "The meeting adopts:",
    "parts": [{"title": "Principles", "paragraphs": [
        {"text": "Platform workers should enjoy decent work.", "subparagraphs": [{"text": "fair pay;"},
                                                                               {"text": "safe work."}]},
        {"text": "Governments should act."}]}],
}


# --- drafts ------------------------------------------------------------------------------------------

def test_create_draft_round_trips_the_get_draft_shape(api, w):
    path = f"/meetings/{w.meeting.id}/drafts"
    response = api(w.secretariat).post(path, NEW_DRAFT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "preparation" and body["preamble"] == "The meeting adopts:"
    [part] = body["parts"]
    assert part["number"] == "I" and part["title"] == "Principles"
    first, second = part["paragraphs"]
    assert (first["label"], second["label"]) == ("1", "2")
    assert [s["label"] for s in first["subparagraphs"]] == ["1(a)", "1(b)"]
    assert first["texts"] == {"en": "Platform workers should enjoy decent work."}
    assert [p["label"] for p in body["paragraphs"]] == ["preamble", "1", "1(a)", "1(b)", "2"]
    # What getDraft answers may be sent back as a new draft (extra keys are ignored).
    copy = {**api(w.secretariat).get(f"/drafts/{body['id']}").get_json(), "symbol": "X/D.10"}
    again = api(w.secretariat).post(path, copy).get_json()
    assert [p["current_text"] for p in again["paragraphs"]] == [p["current_text"] for p in body["paragraphs"]]
    listed = api(w.u["worker"]).get(path).get_json()
    assert {d["symbol"] for d in listed["items"]} >= {"X/D.9", "X/D.10"}


def test_create_draft_validation(api, w):
    path = f"/meetings/{w.meeting.id}/drafts"
    before = count(Draft)
    missing = api(w.secretariat).post(path, {"title": "T"})
    assert missing.status_code == 422 and {"symbol", "language"} <= set(missing.get_json()["error"]["fields"])
    taken = api(w.secretariat).post(path, {**NEW_DRAFT, "symbol": dw.draft(w).symbol})
    assert taken.status_code == 422 and "symbol" in taken.get_json()["error"]["fields"]
    empty = api(w.secretariat).post(path, {**NEW_DRAFT, "parts": [{"title": "I", "paragraphs": [{"text": ""}]}]})
    assert empty.status_code == 422 and "parts" in empty.get_json()["error"]["fields"]
    assert count(Draft) == before


def test_create_draft_refusals(api, w, make_user):
    path = f"/meetings/{w.meeting.id}/drafts"
    assert api(None).post(path, NEW_DRAFT).status_code == 401
    assert api(w.u["chair"]).post(path, NEW_DRAFT).status_code == 403
    assert api(w.outsider).post(path, NEW_DRAFT).status_code == 404
    assert api(w.outsider).get(path).status_code == 404


def test_get_draft_shows_current_texts_translations_and_amendments_in_order(api, w):
    a = filed(w, "kenya", "2", kind="modify", text="Member States should ratify all relevant standards.",
              validate=True, circulate=True)
    body = api(w.u["worker"]).get(f"/drafts/{w.draft_id}").get_json()
    assert body["preamble"].startswith("The tripartite meeting") and body["state"] == "negotiation"
    assert [p["title"] for p in body["parts"]] == ["Guiding principles", "Fair recruitment"]
    three = body["parts"][1]["paragraphs"][0]
    assert three["label"] == "3" and [s["text"] for s in three["subparagraphs"]] == [dw.TEXTS["3(a)"], dw.TEXTS["3(b)"]]
    [shown] = body["amendments"]
    assert shown["id"] == a and shown["paragraph_label"] == "2" and shown["movers"] == ["KE"]
    assert shown["state"] == "circulated" and shown["needs_seconder"] and not shown["seconded"]
    assert {"op": "delete", "text": "international labour "} in shown["diff"]
    assert api(None).get(f"/drafts/{w.draft_id}").status_code == 401
    assert api(w.outsider).get(f"/drafts/{w.draft_id}").status_code == 404
    assert api(w.u["worker"]).get("/drafts/999999").status_code == 404


def test_get_draft_leaves_out_amendments_the_caller_may_not_see(api, w):
    kenya_draft = filed(w, "kenya", "1", submit=False)
    assert kenya_draft in {a["id"] for a in api(w.u["kenya_adviser"]).get(f"/drafts/{w.draft_id}").get_json()[
        "amendments"]}
    for other in ("germany", "worker", "chair"):
        assert api(w.u[other]).get(f"/drafts/{w.draft_id}").get_json()["amendments"] == []
    assert api(w.u["germany"]).get(f"/amendments/{kenya_draft}").status_code == 404
    assert api(w.u["kenya"]).get(f"/amendments/{kenya_draft}").status_code == 200


def test_open_draft(api, make_user, make_meeting, make_participant):
    w = dw.build(make_user, make_meeting, make_participant, open_draft=False)
    assert api(w.u["chair"]).post(f"/drafts/{w.draft_id}/open").status_code == 403
    opened = api(w.secretariat).post(f"/drafts/{w.draft_id}/open")
    assert opened.status_code == 200 and opened.get_json()["state"] == "negotiation"
    assert api(w.secretariat).post(f"/drafts/{w.draft_id}/open").status_code == 409
    assert api(None).post(f"/drafts/{w.draft_id}/open").status_code == 401


def test_add_draft_translation(api, w):
    one, two = dw.para(w, "1").id, dw.para(w, "2").id
    body = {"paragraphs": [{"id": one, "text": "La migration de main-d'oeuvre bénéficie à tous."},
                           {"id": two, "text": "Les États Membres devraient ratifier les normes."}]}
    response = put(api(w.secretariat), f"/drafts/{w.draft_id}/texts/fr", body)
    assert response.status_code == 200, response.get_json()
    texts = {p["id"]: p["texts"] for p in response.get_json()["paragraphs"]}
    assert texts[one]["fr"].startswith("La migration") and texts[one]["en"] == dw.TEXTS["1"]
    # The same request again changes nothing (PUT).
    before = count(ParagraphText)
    assert put(api(w.secretariat), f"/drafts/{w.draft_id}/texts/fr", body).status_code == 200
    assert count(ParagraphText) == before


def test_add_draft_translation_validation_and_refusals(api, w, make_meeting, make_user):
    path = f"/drafts/{w.draft_id}/texts/fr"
    before = count(ParagraphText)
    original = put(api(w.secretariat), f"/drafts/{w.draft_id}/texts/en",
                   {"paragraphs": [{"id": dw.para(w, "1").id, "text": "Changed."}]})
    assert original.status_code == 422 and "language" in original.get_json()["error"]["fields"]
    foreign = put(api(w.secretariat), path, {"paragraphs": [{"id": dw.para(w, "1").id, "text": "Un."},
                                                            {"id": 999999, "text": "Deux."}]})
    assert foreign.status_code == 422 and "paragraphs.1.id" in foreign.get_json()["error"]["fields"]
    assert put(api(w.secretariat), path, {"paragraphs": []}).status_code == 422
    assert count(ParagraphText) == before  # all or nothing
    assert put(api(w.secretariat), f"/drafts/{w.draft_id}/texts/de", {"paragraphs": []}).status_code == 404
    assert put(api(None), path, {"paragraphs": []}).status_code == 401
    assert put(api(w.u["chair"]), path, {"paragraphs": []}).status_code == 403
    assert put(api(w.outsider), path, {"paragraphs": []}).status_code == 404


# --- submitAmendment --------------------------------------------------------------------------------------

def test_submit_amendment_numbers_it_and_shows_the_diff(api, w):
    path = f"/paragraphs/{dw.para(w, '2').id}/amendments"
    response = api(w.u["kenya"]).post(path, {
        "kind": "modify", "text": "Member States should promptly ratify the relevant international labour standards.",
        "explanation": "Urgency.", "language": "en", "co_sponsors": ["DE"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "submitted" and body["number"] == 1 and body["label"] == "D.1"
    assert body["movers"] == ["KE", "DE"] and body["mover_kind"] == "co_sponsored" and not body["needs_seconder"]
    assert {"op": "insert", "text": " promptly"} in body["diff"]
    group = api(w.u["emp_secretary"]).post(path, {"kind": "delete", "explanation": "Not needed.", "language": "en"})
    assert group.status_code == 201 and group.get_json()["on_behalf_of"] == "employer"
    region = api(w.u["africa"]).post(path, {"kind": "delete", "explanation": "Africa.", "language": "en",
                                            "on_behalf_of": "AFRICA", "dissenting": ["SN"]}).get_json()
    assert region["on_behalf_of"] == "AFRICA" and region["dissenting"] == ["SN"]
    kept = api(w.u["kenya"]).post(path, {"kind": "delete", "explanation": "Later.", "language": "en",
                                         "submit": False}).get_json()
    assert kept["state"] == "draft" and kept["number"] is None


def test_submit_amendment_honours_the_idempotency_key(api, w):
    path = f"/paragraphs/{dw.para(w, '1').id}/amendments"
    body = {"kind": "delete", "explanation": "Redundant.", "language": "en"}
    client = api(w.u["kenya"])
    first = client.post(path, body, headers={"Idempotency-Key": "ke-1"})
    again = client.post(path, body, headers={"Idempotency-Key": "ke-1"})
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == again.get_json()["id"]
    assert count(Amendment) == 1
    other = client.post(path, {**body, "explanation": "Other."}, headers={"Idempotency-Key": "ke-1"})
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_submit_amendment_validation(api, w):
    path = f"/paragraphs/{dw.para(w, '2').id}/amendments"
    client = api(w.u["kenya"])
    shape = client.post(path, {"kind": "rewrite", "language": "xx"})
    assert shape.status_code == 422 and {"kind", "language"} <= set(shape.get_json()["error"]["fields"])
    same = client.post(path, {"kind": "modify", "text": dw.TEXTS["2"], "explanation": "E", "language": "en"})
    assert same.status_code == 422 and "text" in same.get_json()["error"]["fields"]
    unknown = client.post(path, {"kind": "delete", "explanation": "E", "language": "en", "co_sponsors": ["ZZ"]})
    assert unknown.status_code == 422 and "co_sponsors" in unknown.get_json()["error"]["fields"]
    behalf = client.post(path, {"kind": "delete", "explanation": "E", "language": "en", "on_behalf_of": "NOWHERE"})
    assert behalf.status_code == 422 and "on_behalf_of" in behalf.get_json()["error"]["fields"]
    no_text = client.post(path, {"kind": "delete", "explanation": "", "language": "en"})
    assert no_text.status_code == 422 and "explanation" in no_text.get_json()["error"]["fields"]
    assert count(Amendment) == 0


def test_submit_amendment_refusals(api, w):
    path = f"/paragraphs/{dw.para(w, '2').id}/amendments"
    body = {"kind": "delete", "explanation": "E", "language": "en"}
    assert api(None).post(path, body).status_code == 401
    for who in ("worker", "observer", "secretariat"):  # members file through their group (rule 19)
        refused = api(w.u[who]).post(path, body)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_allowed", who
    assert api(w.outsider).post(path, body).status_code == 404
    # In another's name: Kenya does not file for the Employers.
    assert api(w.u["kenya"]).post(path, {**body, "on_behalf_of": "employer"}).status_code == 403
    assert count(Amendment) == 0


def test_rule_21_submit_amendment_after_the_deadline_is_a_conflict(api, w):
    from datetime import timedelta

    from forum.db import utcnow
    from forum.meetings.models import Deadline, DeadlineKind

    with unit_of_work():
        db.session.add(Deadline(meeting_id=w.meeting.id, kind=DeadlineKind.amendments, title="Amendments",
                             due_at=utcnow() - timedelta(hours=1)))
    late = api(w.u["kenya"]).post(f"/paragraphs/{dw.para(w, '2').id}/amendments",
                                  {"kind": "delete", "explanation": "Late.", "language": "en"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_state"
    assert count(Amendment) == 0


# --- the workflow ---------------------------------------------------------------------------------------

def test_validate_circulate_second_and_discuss(api, w):
    a = filed(w, "kenya", "2")
    assert api(w.u["kenya"]).post(f"/amendments/{a}/validate").status_code == 403
    assert api(w.u["germany"]).post(f"/amendments/{a}/validate").status_code == 404  # not circulated yet
    validated = api(w.secretariat).post(f"/amendments/{a}/validate")
    assert validated.status_code == 200 and validated.get_json()["state"] == "validated"
    assert api(w.secretariat).post(f"/amendments/{a}/validate").status_code == 409
    compilation = api(w.secretariat).post(f"/drafts/{w.draft_id}/circulate")
    assert compilation.status_code == 200 and compilation.get_json()["number"] == 1
    assert [x["id"] for x in compilation.get_json()["amendments"]] == [a]
    assert api(w.secretariat).post(f"/drafts/{w.draft_id}/circulate").status_code == 409  # none waiting
    assert api(w.u["chair"]).post(f"/drafts/{w.draft_id}/circulate").status_code == 403
    # Rule 22: not seconded yet, so not discussed.
    assert api(w.u["chair"]).post(f"/amendments/{a}/discuss").status_code == 409
    assert api(w.u["kenya_adviser"]).post(f"/amendments/{a}/second").status_code == 403  # own State
    assert api(w.u["observer"]).post(f"/amendments/{a}/second").status_code == 403
    seconded = api(w.u["germany"]).post(f"/amendments/{a}/second")
    assert seconded.status_code == 200 and seconded.get_json()["seconders"][0]["member_state"] == "DE"
    again = api(w.u["germany"]).post(f"/amendments/{a}/second")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    assert api(w.u["worker"]).post(f"/amendments/{a}/discuss").status_code == 403
    discussed = api(w.secretariat).post(f"/amendments/{a}/discuss")
    assert discussed.status_code == 200 and discussed.get_json()["state"] == "under_discussion"
    assert api(None).post(f"/amendments/{a}/second").status_code == 401


def test_return_and_resubmit(api, w):
    a = filed(w, "kenya", "2", kind="modify", text="Member States should ratify standards.")
    path = f"/amendments/{a}/return"
    empty = api(w.secretariat).post(path, {"message": ""})
    assert empty.status_code == 422 and "message" in empty.get_json()["error"]["fields"]
    assert api(w.u["kenya"]).post(path, {"message": "Why?"}).status_code == 403
    returned = api(w.secretariat).post(path, {"message": "Which standards?"})
    assert returned.status_code == 200 and returned.get_json()["state"] == "returned"
    assert api(w.secretariat).post(path, {"message": "Again?"}).status_code == 409
    assert api(w.u["germany"]).post(f"/amendments/{a}/resubmit", {}).status_code == 404
    assert api(w.u["kenya"]).post(f"/amendments/{a}/resubmit", {"text": dw.TEXTS["2"]}).status_code == 422
    resubmitted = api(w.u["kenya_adviser"]).post(f"/amendments/{a}/resubmit",
                                                 {"text": "Member States should ratify the fundamental standards."})
    assert resubmitted.status_code == 200, resubmitted.get_json()
    body = resubmitted.get_json()
    assert body["state"] == "submitted" and body["number"] == 1 and "fundamental" in body["text"]
    assert api(w.u["kenya"]).post(f"/amendments/{a}/resubmit", {}).status_code == 409
    assert api(None).post(f"/amendments/{a}/resubmit", {}).status_code == 401


def test_withdraw_and_take_up(api, w):
    a = filed(w, "kenya", "2", validate=True, circulate=True)
    assert api(w.u["germany"]).post(f"/amendments/{a}/withdraw", {}).status_code == 403
    assert api(w.u["kenya"]).post(f"/amendments/{a}/withdraw", {"note": "x" * 2001}).status_code == 422
    withdrawn = api(w.u["kenya"]).post(f"/amendments/{a}/withdraw", {"note": "We agree with the text."})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "withdrawn"
    assert api(w.u["kenya"]).post(f"/amendments/{a}/withdraw", {}).status_code == 409
    assert api(w.u["kenya"]).post(f"/amendments/{a}/take-up", {}).status_code == 403  # not its own again
    assert api(w.u["worker"]).post(f"/amendments/{a}/take-up", {}).status_code == 403
    bad = api(w.u["germany"]).post(f"/amendments/{a}/take-up", {"on_behalf_of": "NOWHERE"})
    assert bad.status_code == 422 and "on_behalf_of" in bad.get_json()["error"]["fields"]
    taken = api(w.u["germany"]).post(f"/amendments/{a}/take-up", {})
    assert taken.status_code == 200, taken.get_json()
    assert taken.get_json()["state"] == "circulated" and taken.get_json()["movers"] == ["DE"]
    assert api(w.u["italy"]).post(f"/amendments/{a}/take-up", {}).status_code == 409
    assert api(None).post(f"/amendments/{a}/take-up", {}).status_code == 401
    hidden = filed(w, "kenya", "1", submit=False)
    assert api(w.u["germany"]).post(f"/amendments/{hidden}/take-up", {}).status_code == 404


def test_reorder_amendments(api, w):
    first = filed(w, "kenya", "2", validate=True)
    second = filed(w, "germany", "2", kind="modify", text="Member States should ratify the standards.",
                   validate=True, circulate=True)
    other = filed(w, "italy", "4", validate=True, circulate=True)
    path = f"/drafts/{w.draft_id}/order"
    order = [x["id"] for x in api(w.u["chair"]).get(f"/drafts/{w.draft_id}").get_json()["amendments"]]
    assert order == [first, second, other]  # deletion first on its paragraph (rule 24)
    assert put(api(w.u["kenya"]), path, {"order": [second, first, other]}).status_code == 403
    wrong = put(api(w.u["chair"]), path, {"order": [other, first, second]})
    assert wrong.status_code == 422 and "order" in wrong.get_json()["error"]["fields"]
    assert put(api(w.u["chair"]), path, {"order": [second, first]}).status_code == 422
    moved = put(api(w.u["chair"]), path, {"order": [second, first, other]})
    assert moved.status_code == 200 and moved.get_json()["order"] == [second, first, other]
    assert [x["id"] for x in api(w.u["worker"]).get(f"/drafts/{w.draft_id}").get_json()["amendments"]] == [
        second, first, other]
    assert put(api(None), path, {"order": [first]}).status_code == 401
    assert put(api(w.outsider), path, {"order": [first]}).status_code == 404


def test_amendment_actions_on_hidden_amendments_are_404(api, w):
    employers = filed(w, "emp_secretary", "2", mover=dw.EMPLOYERS, submit=False)
    for action in ("second", "validate", "discuss"):
        assert api(w.u["worker"]).post(f"/amendments/{employers}/{action}").status_code == 404
    assert api(w.u["employer"]).get(f"/amendments/{employers}").status_code == 200
    assert api(w.secretariat).get(f"/amendments/{employers}").status_code == 404  # not yet submitted
    assert db.session.get(Amendment, employers).state is AmendmentState.draft
