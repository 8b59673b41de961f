"""The report through the browser: the secretariat's summaries from the speakers list (and the
conflict page when two officials save at once), publication, a speaker's correction and the
secretariat's decision, adoption by the Chair, the downloads, and who may do what."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.proceedings import queries
from forum.proceedings.models import CorrectionState, Intervention, ReportCorrection, ReportState
from tests import proceedings_world as pw


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return pw.build(make_user, make_meeting, make_participant)


def base(w) -> str:
    return f"/meetings/{w.meeting.id}"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_rule_34_secretariat_writes_from_the_speakers_list(w, login):
    sec = login(w.secretariat)
    listing = sec.get(f"{base(w)}/sittings/{w.sitting_id}/interventions")
    assert listing.status_code == 200 and "Africa Coordinator" in listing.text and "Write the summary" in listing.text
    form = sec.get(f"{base(w)}/sittings/{w.sitting_id}/interventions/new?request_id={w.requests['africa']}")
    assert form.status_code == 200 and 'value="AFRICA"' in form.text and "Filled in from the speakers list" in form.text
    assert f'selected value="paragraph:{pw.para(w, "1").id}"' in form.text
    data = {"speaker": w.p["africa"].id, "capacity": "government_member", "on_behalf_of": "AFRICA",
            "item": f"paragraph:{pw.para(w, '1').id}", "speaking_seconds": "95",
            "summary": "Welcomed the paragraph.", "request_id": w.requests["africa"]}
    response = sec.post(f"{base(w)}/sittings/{w.sitting_id}/interventions/new", data=data)
    assert response.status_code == 302
    i = db.session.scalars(sa.select(Intervention)).one()
    assert (i.summary, i.speaking_seconds, i.speaker_request_id) == (
        "Welcomed the paragraph.", 95, w.requests["africa"])
    # A second submission of the same form creates nothing and leads to the summary.
    again = sec.post(f"{base(w)}/sittings/{w.sitting_id}/interventions/new", data=data)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/interventions/{i.id}")
    assert count(Intervention) == 1


def test_bad_input_shows_field_errors_and_changes_nothing(w, login):
    sec = login(w.secretariat)
    response = sec.post(f"{base(w)}/sittings/{w.sitting_id}/interventions/new",
                        data={"speaker": w.p["kenya"].id, "capacity": "government_member", "on_behalf_of": "MARS",
                              "item": "", "summary": "Text"})
    assert response.status_code == 422 and "regional group" in response.text
    response = sec.post(f"{base(w)}/sittings/{w.sitting_id}/interventions/new",
                        data={"speaker": w.p["kenya"].id, "capacity": "government_member", "summary": ""})
    assert response.status_code == 422 and "This field is required" in response.text
    assert count(Intervention) == 0


def test_rule_34_conflicting_save_shows_the_other_text_and_keeps_mine(w, login, make_participant):
    ident = pw.write(w, "africa", "First draft.")
    colleague = login(make_participant(w.meeting, "none", "secretariat", name="Second Officer").user)
    mine = login(w.secretariat)
    fields = {"capacity": "government_member", "on_behalf_of": "AFRICA", "item": f"paragraph:{pw.para(w, '1').id}",
              "speaker": w.p["africa"].id}
    assert colleague.post(f"{base(w)}/interventions/{ident}",
                          data={**fields, "summary": "Colleague's wording.", "version": "1"}).status_code == 302
    clash = mine.post(f"{base(w)}/interventions/{ident}", data={**fields, "summary": "My wording.", "version": "1"})
    assert clash.status_code == 409
    assert "Saved meanwhile by Second Officer" in clash.text and "Colleague&#39;s wording." in clash.text
    assert "My wording." in clash.text and 'name="version" type="hidden" value="2"' in clash.text
    assert pw.intervention(ident).summary == "Colleague's wording."
    merged = mine.post(f"{base(w)}/interventions/{ident}", data={**fields, "summary": "Merged.", "version": "2"})
    assert merged.status_code == 302 and pw.intervention(ident).summary == "Merged."


def test_rule_34_publish_correct_accept_adopt_and_download(w, login):
    ident = pw.write(w, "africa", "Welcomed the paragraph.")
    kenya, africa, sec, chair = (login(w.u[r]) for r in ("kenya", "africa", "secretariat", "chair"))
    assert "preparing the draft report" in kenya.get(f"{base(w)}/report").text
    assert "Welcomed the paragraph." not in kenya.get(f"{base(w)}/report").text
    assert kenya.get(f"{base(w)}/report/export.pdf").status_code == 403
    # Without a deadline in the programme, publication asks for one.
    refused = sec.post(f"{base(w)}/report/publish", data={"confirm": "y"})
    assert refused.status_code == 422 and queries.report_of(w.meeting.id).state is ReportState.draft
    assert kenya.post(f"{base(w)}/report/publish", data={"confirm": "y", "deadline": "2099-01-01T12:00"}
                      ).status_code == 403
    assert sec.post(f"{base(w)}/report/publish", data={"confirm": "y", "deadline": "2099-01-01T12:00"}
                    ).status_code == 302
    page = africa.get(f"{base(w)}/report")
    assert "Welcomed the paragraph." in page.text and "Propose a correction to your intervention" in page.text
    assert "Propose a correction" not in kenya.get(f"{base(w)}/report").text
    assert kenya.get(f"{base(w)}/interventions/{ident}/correction").status_code == 403
    assert africa.post(f"{base(w)}/interventions/{ident}/correction",
                       data={"text": "Warmly welcomed the paragraph."}).status_code == 302
    correction = db.session.scalars(sa.select(ReportCorrection)).one()
    assert "Warmly welcomed" in africa.get(f"{base(w)}/report/corrections").text
    assert "Warmly welcomed" not in kenya.get(f"{base(w)}/report/corrections").text
    assert africa.post(f"{base(w)}/corrections/{correction.id}/decision", data={"decision": "accept"}
                       ).status_code == 403
    assert kenya.post(f"{base(w)}/corrections/{correction.id}/decision", data={"decision": "accept"}
                      ).status_code == 404
    assert sec.post(f"{base(w)}/corrections/{correction.id}/decision",
                    data={"decision": "accept", "note": "Fine."}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ReportCorrection, correction.id).state is CorrectionState.accepted
    assert "Warmly welcomed the paragraph." in kenya.get(f"{base(w)}/report").text
    # Adoption: the Chair's declaration, confirmed; never by a delegate.
    assert kenya.get(f"{base(w)}/report/adopt").status_code == 403
    unconfirmed = chair.post(f"{base(w)}/report/adopt", data={"method": "consensus", "sitting_id": "0"})
    assert unconfirmed.status_code == 422 and queries.report_of(w.meeting.id).state is ReportState.published
    assert chair.post(f"{base(w)}/report/adopt", data={"method": "consensus", "sitting_id": w.sitting_id,
                                                       "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert queries.report_of(w.meeting.id).state is ReportState.adopted
    page = kenya.get(f"{base(w)}/report")
    assert "Adoption of the report" in page.text and "frozen" in page.text
    word = kenya.get(f"{base(w)}/report/export.docx?language=en")
    assert word.status_code == 200 and "attachment" in word.headers["Content-Disposition"]
    assert "Warmly welcomed" in zipfile.ZipFile(io.BytesIO(word.data)).read("word/document.xml").decode()
    pdf = kenya.get(f"{base(w)}/report/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert kenya.get(f"{base(w)}/report/export.odt").status_code == 404


def test_delegates_and_the_chair_do_not_write_summaries(w, login):
    for role in ("kenya", "chair"):
        client = login(w.u[role])
        assert client.get(f"{base(w)}/sittings/{w.sitting_id}/interventions").status_code == 403
        assert client.get(f"{base(w)}/sittings/{w.sitting_id}/interventions/new").status_code == 403
    assert login(w.outsider).get(f"{base(w)}/report").status_code == 404


def test_publish_needs_csrf(app, w, login):
    client = login(w.secretariat)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"{base(w)}/report/publish", data={"confirm": "y", "deadline": "2099-01-01T12:00"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (400, 422) and queries.report_of(w.meeting.id).state is ReportState.draft


def test_report_and_sitting_pages_run_a_bounded_number_of_queries(w, login, count_queries):
    from forum.db import unit_of_work
    from forum.meetings.models import Participant
    from forum.proceedings import services

    def add(n: int) -> None:
        with unit_of_work():
            sitting = pw.sitting(w)
            for k in range(n):
                role = ("kenya", "germany", "worker", "employer")[k % 4]
                services.add_intervention(db.session.merge(w.secretariat), sitting,
                                          speaker=db.session.get(Participant, w.p[role].id), summary=f"Said {k}.",
                                          item=pw.item(w) if k % 2 else None)

    sec = login(w.secretariat)
    pages = (f"{base(w)}/report", f"{base(w)}/sittings/{w.sitting_id}/interventions")
    add(2)
    few = []
    for page in pages:
        with count_queries() as counter:
            assert sec.get(page).status_code == 200
        few.append(counter.n)
    add(12)
    for page, before in zip(pages, few, strict=True):
        with count_queries() as counter:
            assert sec.get(page).status_code == 200
        assert counter.n <= before + 2 and counter.n <= 60, (page, counter.n, counter.statements)
