"""The report of the meeting (rule 34, issue #10): summaries from the speakers list, concurrent
writers, corrections until the deadline, adoption by the Chair only, the frozen report, caucus
discussions kept out, audit entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work, utcnow
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings import programme
from forum.meetings.models import Meeting
from forum.proceedings import queries, report, services
from forum.proceedings.models import (
    BehalfKind,
    CorrectionState,
    Intervention,
    ReportState,
    SpeakerCapacity,
)
from forum.proceedings.services import EditConflict
from tests import proceedings_world as pw


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return pw.build(make_user, make_meeting, make_participant)


def meeting(w):
    return db.session.get(Meeting, w.meeting.id)


def the_report(w):
    db.session.expire_all()
    return queries.report_of(w.meeting.id)


def actions(w):
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("report.%"))
                                   .order_by(AuditEntry.id)))


def words(structure):
    out = []
    for section in structure["sections"]:
        for b in section["blocks"]:
            out += [b.get("lead", ""), b.get("text", ""), *(c for row in b.get("rows", []) for c in row)]
    return "\n".join(out)


# --- writing the summaries ----------------------------------------------------------------------------

def test_rule_34_summary_prefilled_from_the_speakers_list(w):
    req = pw.request(w, "africa")
    values = services.prefill(req)
    assert values["speaker"].id == w.p["africa"].id
    assert values["capacity"] is SpeakerCapacity.government_member
    assert values["on_behalf_of"] == "AFRICA"
    assert values["item"].kind == "paragraph" and values["item"].id == pw.para(w, "1").id
    assert values["started_at"] == req.granted_at and values["speaking_seconds"] == req.spoken_seconds
    ident = pw.write(w, "africa", "Supported the paragraph on behalf of the Africa group.")
    i = pw.intervention(ident)
    assert (i.speaker_id, i.paragraph_id, i.behalf_kind, i.on_behalf_of) == (
        w.p["africa"].id, pw.para(w, "1").id, BehalfKind.regional_group, "AFRICA")
    assert i.speaker_request_id == req.id and i.version == 1 and i.written_by_name == "Secretariat Officer"
    assert report.attribution(i, report.regional_names()).startswith(
        "The Government member of South Africa, speaking on behalf of the ")
    # The Worker Vice-Chairperson is still speaking: no speaking time yet, and the list shows them unsummarised.
    assert [r.id for r in queries.unsummarised_requests(w.sitting_id)] == [w.requests["wkr_spokesperson"]]
    vice = services.prefill(pw.request(w, "wkr_spokesperson"))
    assert vice["capacity"] is SpeakerCapacity.worker_vice_chair


def test_a_turn_at_the_floor_has_one_summary(w):
    pw.write(w, "africa", "First.")
    with pytest.raises(InvalidState):
        pw.write(w, "africa", "Second.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == 1


def test_only_the_secretariat_writes_and_bad_input_changes_nothing(w):
    with pytest.raises(NotAllowed):
        pw.write(w, "africa", "By the Chair.", actor="chair")
    with pytest.raises(ValidationFailed) as bad:
        pw.write(w, "africa", "   ")
    assert "summary" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        pw.write(w, "africa", "Text", on_behalf_of="NOWHERE")
    assert "on_behalf_of" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        pw.write(w, "africa", "Text", speaker=w.p["observer"].__class__())
    assert "speaker" in bad.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == 0


@pytest.mark.postgres
def test_rule_34_two_officials_writing_at_once_never_overwrite_each_other(w, make_participant):
    colleague = make_participant(w.meeting, "none", "secretariat", name="Second Officer").user
    ident = pw.write(w, "africa", "Draft one.")
    with unit_of_work():
        services.update_intervention(db.session.merge(colleague), pw.intervention(ident), summary="Colleague's text.",
                                     version=1)
    with pytest.raises(EditConflict) as conflict, unit_of_work():
        services.update_intervention(db.session.merge(w.secretariat), pw.intervention(ident),
                                     summary="My text.", version=1)
    # The error shows the other text and its version; the stored text is the colleague's, untouched.
    assert conflict.value.status == 409 and "summary" in conflict.value.fields
    assert conflict.value.data["current_summary"] == "Colleague's text."
    assert conflict.value.data["current_version"] == 2 and conflict.value.data["written_by"] == "Second Officer"
    assert pw.intervention(ident).summary == "Colleague's text."
    with unit_of_work():
        services.update_intervention(db.session.merge(w.secretariat), pw.intervention(ident),
                                     summary="Merged text.", version=2)
    i = pw.intervention(ident)
    assert (i.summary, i.version, i.written_by_name) == ("Merged text.", 3, "Secretariat Officer")


# --- the report's structure ---------------------------------------------------------------------------

@pytest.mark.postgres
def test_rule_34_report_structure_from_the_records(w):
    from forum.positions import decisions, positions

    pw.write(w, "wkr_spokesperson", "Opened the general discussion for the Workers.", general=True)
    pw.write(w, "africa", "Supported paragraph 1.")
    with unit_of_work():
        positions.record_position(db.session.merge(w.u["wkr_spokesperson"]), pw.item(w), group="worker",
                                  stance="support", statement="Fair rules matter.")
        decisions.declare(db.session.merge(w.u["chair"]), pw.item(w), outcome="reservation", method="reservation",
                          note="The Employers' group")
    structure = report.assemble(meeting(w), "en", the_report(w))
    keys = [s["key"] for s in structure["sections"]]
    assert keys[:3] == ["opening", "officers", "general_discussion"] and keys[3] == f"draft:{w.draft_id}"
    text = words(structure)
    assert "Composition and weights" in [b.get("caption") for b in structure["sections"][0]["blocks"]]
    assert "The Chair" in text and "Chairperson" in text  # the officers
    general = words({"sections": [structure["sections"][2]]})
    assert "The Worker Vice-Chairperson" in general and "Opened the general discussion" in general
    assert "Supported paragraph 1." not in general
    item = words({"sections": [structure["sections"][3]]})
    assert "Supported paragraph 1." in item and "Fair rules matter." in item
    assert "Reservation recorded" in item and "The Employers' group" in item
    assert "The Government member of South Africa, speaking on behalf of" in item


def test_rule_34_caucus_discussions_and_polls_never_enter_the_report(w):
    from forum.discussions import services as discussions
    from forum.meetings.models import Group, Space, SpaceKind
    from forum.positions import polls

    caucus = db.session.scalars(sa.select(Space).where(Space.meeting_id == w.meeting.id,
                                                       Space.kind == SpaceKind.group,
                                                       Space.group == Group.worker)).one()
    with unit_of_work():
        discussions.start_thread(db.session.merge(w.u["worker"]), db.session.merge(caucus),
                                 title="Our line on paragraph 1", body="CAUCUS-SECRET-LINE")
        polls.open_poll(db.session.merge(w.u["wkr_secretary"]), db.session.merge(caucus), pw.item(w),
                        question="POLL-SECRET-QUESTION", minutes=None)
    pw.write(w, "africa", "Public words.")
    text = str(report.assemble(meeting(w), "en", the_report(w)))
    assert "Public words." in text
    assert "CAUCUS-SECRET-LINE" not in text and "POLL-SECRET-QUESTION" not in text


def test_composition_lists_weights_and_their_changes(w, make_participant):
    from datetime import date

    with unit_of_work():
        m = meeting(w)
        m.starts_on, m.ends_on = date(2030, 6, 1), date(2030, 6, 10)
    newcomer = make_participant(w.meeting, "employer", name="Late Employer")
    with unit_of_work():
        from forum.meetings.models import Membership, Participant

        p = db.session.get(Participant, newcomer.id)
        p.memberships[0].effective_from = date(2030, 6, 4)
        db.session.add(Membership(participant_id=p.id, kind="regular", effective_from=date(2030, 6, 4)))
    rows = report.composition_changes(meeting(w))
    assert [r["day"] for r in rows] == ["2030-06-01", "2030-06-04"]
    assert rows[1]["counts"]["employer"] == rows[0]["counts"]["employer"] + 1
    assert rows[0]["weights"] != rows[1]["weights"]


# --- publication and corrections ----------------------------------------------------------------------

def test_rule_34_publication_needs_a_deadline_from_the_programme_or_given(w):
    with pytest.raises(ValidationFailed) as bad, unit_of_work():
        services.publish_report(db.session.merge(w.secretariat), meeting(w))
    assert "deadline" in bad.value.fields and the_report(w).id is None
    with pytest.raises(NotAllowed), unit_of_work():
        services.publish_report(db.session.merge(w.u["chair"]), meeting(w), deadline=utcnow() + timedelta(days=1))
    due = utcnow() + timedelta(days=5)
    with unit_of_work():
        programme.set_deadline(db.session.merge(w.secretariat), meeting(w), kind="report_corrections",
                               title="Corrections", due_at=due.replace(tzinfo=None))
    pw.publish(w, deadline=utcnow() + timedelta(days=1))
    r = the_report(w)
    assert r.state is ReportState.published
    # The programme's deadline wins (typed in the meeting's zone), not the one given.
    assert queries.correction_deadline(r) == queries.programme_deadline(w.meeting.id).due_at
    assert queries.correction_deadline(r) - utcnow() > timedelta(days=4)
    with pytest.raises(InvalidState):
        pw.publish(w)


@pytest.mark.postgres
def test_rule_34_speaker_corrects_own_summary_secretariat_accepts_with_history(w):
    ident = pw.write(w, "africa", "Supported paragraph 1.")
    with pytest.raises(InvalidState), unit_of_work():  # not published yet
        services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident), "Better.")
    pw.publish(w)
    with pytest.raises(NotAllowed), unit_of_work():  # not the speaker
        services.propose_correction(db.session.merge(w.u["kenya"]), pw.intervention(ident), "Mine now.")
    with unit_of_work():
        c = services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident),
                                        "Strongly supported paragraph 1 for the Africa group.")
        again = services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident),
                                            "Strongly supported paragraph 1 for the Africa group.")
    assert again.id == c.id  # a double submission is harmless
    with pytest.raises(NotAllowed), unit_of_work():
        services.decide_correction(db.session.merge(w.u["chair"]), pw.correction(c.id), True)
    with unit_of_work():
        services.decide_correction(db.session.merge(w.secretariat), pw.correction(c.id), True, "Agreed.")
    corrected = pw.correction(c.id)
    assert corrected.state is CorrectionState.accepted and corrected.original == "Supported paragraph 1."
    assert [h["action"] for h in corrected.history] == ["proposed", "accepted"]
    assert corrected.history[1]["note"] == "Agreed." and corrected.decided_by_name == "Secretariat Officer"
    i = pw.intervention(ident)
    assert i.summary == "Strongly supported paragraph 1 for the Africa group." and i.version == 2
    with pytest.raises(InvalidState), unit_of_work():  # the other decision afterwards
        services.decide_correction(db.session.merge(w.secretariat), pw.correction(c.id), False)
    assert actions(w) == ["report.intervention_added", "report.published", "report.correction_proposed",
                          "report.intervention_corrected", "report.correction_accepted"]


def test_rule_34_declined_correction_keeps_the_summary(w):
    ident = pw.write(w, "africa", "Supported paragraph 1.")
    pw.publish(w)
    with unit_of_work():
        c = services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident), "Opposed it.")
        services.decide_correction(db.session.merge(w.secretariat), c, False, "Not what was said.")
    assert pw.correction(c.id).state is CorrectionState.declined
    assert pw.intervention(ident).summary == "Supported paragraph 1."


def test_rule_34_no_correction_after_the_deadline(w):
    ident = pw.write(w, "africa", "Supported paragraph 1.")
    pw.publish(w)
    with unit_of_work():
        r = queries.report_of(w.meeting.id)
        r.correction_deadline = utcnow() - timedelta(minutes=1)
    with pytest.raises(InvalidState) as late, unit_of_work():
        services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident), "Too late.")
    assert "deadline" in late.value.message


# --- adoption -----------------------------------------------------------------------------------------

def adopt(w, role="chair", method="consensus", **kw):
    with unit_of_work():
        return services.adopt_report(db.session.merge(w.u[role]), meeting(w), method=method, **kw)


@pytest.mark.postgres
def test_rule_34_adoption_is_the_chairs_declaration_never_automatic(w):
    ident = pw.write(w, "africa", "Supported paragraph 1.")
    with pytest.raises(InvalidState):
        adopt(w)  # not published
    pw.publish(w)
    with unit_of_work():
        c = services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident), "Better words.")
    with pytest.raises(InvalidState):
        adopt(w)  # a correction awaits its decision
    with unit_of_work():
        services.decide_correction(db.session.merge(w.secretariat), pw.correction(c.id), True)
    # Every correction decided, the deadline passed: still nothing is adopted by itself.
    with unit_of_work():
        queries.report_of(w.meeting.id).correction_deadline = utcnow() - timedelta(days=1)
    assert the_report(w).state is ReportState.published
    with pytest.raises(NotAllowed):
        adopt(w, "kenya")
    with pytest.raises(ValidationFailed) as bad:
        adopt(w, method="acclamation")
    assert "method" in bad.value.fields
    adopt(w, method="vote:show_of_hands", sitting=pw.sitting(w), note="Adopted at the closing sitting.")
    r = the_report(w)
    assert (r.state, r.adoption_method, r.adoption_for_chair, r.adopted_by_name) == (
        ReportState.adopted, "vote:show_of_hands", False, "The Chair")
    assert r.adoption_sitting_id == w.sitting_id
    with pytest.raises(InvalidState):
        adopt(w)


def test_rule_34_secretariat_adopts_on_the_chairs_behalf_recorded_as_such(w):
    pw.publish(w)
    adopt(w, "secretariat")
    r = the_report(w)
    assert r.adoption_for_chair is True
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report.adopted")).one()
    assert entry.for_chair is True


@pytest.mark.postgres
def test_rule_34_adopted_report_is_frozen(w):
    ident = pw.write(w, "africa", "Supported paragraph 1.")
    pw.publish(w)
    adopt(w)
    frozen = the_report(w).snapshot
    assert set(frozen) == {"en"} and "Supported paragraph 1." in words(frozen["en"])
    assert "Adoption of the report" in words(frozen["en"]) or frozen["en"]["sections"][-1]["key"] == "adoption"
    with pytest.raises(InvalidState), unit_of_work():
        services.update_intervention(db.session.merge(w.secretariat), pw.intervention(ident), summary="New.",
                                     version=1)
    with pytest.raises(InvalidState):
        pw.write(w, "wkr_spokesperson", "Late addition.")
    with pytest.raises(InvalidState), unit_of_work():
        services.propose_correction(db.session.merge(w.u["africa"]), pw.intervention(ident), "Afterwards.")
    # What the report says is the frozen text, whatever changes in the records afterwards.
    with unit_of_work():
        db.session.execute(sa.update(Intervention).values(summary="Changed behind the report's back."))
    shown = report.current(meeting(w), the_report(w), "en")
    assert "Supported paragraph 1." in words(shown) and "behind the report" not in words(shown)


def test_adopted_report_exports_docx_and_pdf(app, w):
    import io
    import zipfile

    from pypdf import PdfReader

    pw.write(w, "africa", "Supported paragraph 1 wholeheartedly.")
    pw.publish(w)
    adopt(w)
    with app.test_request_context("/"):
        r = the_report(w)
        word = report.export(meeting(w), r, "docx", "en")
        r = the_report(w)
        printed = report.export(meeting(w), r, "pdf", "en")
    assert word.filename.endswith("-adopted-en.docx") and word.mimetype == report.FORMATS["docx"]
    xml = zipfile.ZipFile(io.BytesIO(word.data)).read("word/document.xml").decode()
    assert "Supported paragraph 1 wholeheartedly." in xml and "Adoption of the report" in xml
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    assert "wholeheartedly" in text and "Report of the meeting" in text


def test_every_change_is_audited(w):
    ident = pw.write(w, "africa", "One.")
    with unit_of_work():
        services.update_intervention(db.session.merge(w.secretariat), pw.intervention(ident), summary="Two.",
                                     version=1)
    pw.publish(w)
    adopt(w)
    assert actions(w) == ["report.intervention_added", "report.intervention_updated", "report.published",
                          "report.adopted"]


def test_rule_34_votes_enter_the_report_with_their_results(make_user, make_meeting, make_participant):
    from forum.positions import decisions
    from forum.positions.items import item_of
    from tests import votes_helpers as vh
    from tests.drafting_world import para

    v = vh.build(make_user, make_meeting, make_participant)
    vote_id = vh.open_on(v, vote_type="record")
    for role, choice in (("kenya", "for"), ("germany", "against"), ("employer", "for"), ("worker", "for")):
        vh.cast(v, vote_id, role, choice)
    vh.close(v, vote_id)
    with unit_of_work():
        decisions.declare(db.session.merge(v.u["chair"]), item_of(para(v, "1")), outcome="adopted", method="vote",
                          vote=vh.vote(vote_id))
    structure = report.assemble(db.session.get(Meeting, v.meeting.id), "en", queries.report_of(v.meeting.id))
    text = words(structure)
    assert "Vote on paragraph 1" in str(structure) and "Results by group" in str(structure)
    assert "by vote (record vote)" in text and "declared by The Chair" in text
    # A record vote names its voters: Governments by their State (rule 30).
    assert "Kenya, Employer Member, Worker Member" in text and "Germany" in text


def test_rule_34_frozen_and_exported_per_language_where_translations_exist(app, w):
    from forum.drafting import drafts

    with unit_of_work():
        drafts.set_translation(db.session.merge(w.secretariat), pw.para(w, "1"), language="fr",
                               text="Une migration de main-d'oeuvre régie par des règles équitables profite à tous.")
    assert report.languages(meeting(w)) == ["en", "fr"]  # Spanish is a meeting language without a translation
    pw.write(w, "africa", "Supported paragraph 1.")
    pw.publish(w)
    adopt(w)
    frozen = the_report(w).snapshot
    assert set(frozen) == {"en", "fr"} and frozen["fr"]["language"] == "fr"
    assert "régie par des règles équitables" in str(frozen["fr"]) and "régie" not in str(frozen["en"])
    assert "governed by fair rules" in str(frozen["en"])
    with app.test_request_context("/"):
        french = report.export(meeting(w), the_report(w), "docx", "fr")
        spanish = report.export(meeting(w), the_report(w), "docx", "es")
    assert french.filename.endswith("-adopted-fr.docx")
    assert spanish.filename.endswith("-adopted-en.docx")  # no Spanish text: the original language
