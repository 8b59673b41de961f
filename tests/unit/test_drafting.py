"""Drafts and the amendment workflow (PROCEDURE.md §4–§5): every rule from 15 to 26 has a test
named after it, and every bad input of the issue is refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum import permissions, realtime
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.drafting import amendments as svc
from forum.drafting import diff, drafts, marshalling, queries
from forum.drafting.importing import ParsedDraft, ParsedParagraph
from forum.drafting.models import (
    Amendment,
    AmendmentEvent,
    AmendmentState,
    Compilation,
    Draft,
    DraftingGroup,
    Mover,
    MoverKind,
    Paragraph,
    ParagraphState,
    ParagraphText,
)
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Deadline, DeadlineKind, Meeting, Notification, RegionalGroup, Space, SpaceKind
from tests.drafting_world import EMPLOYERS, JOINT, TEXTS, WORKERS, build, draft, para, state

S = AmendmentState


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


@pytest.fixture
def emitted(monkeypatch):
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(realtime, "_emit_all", lambda events: sent.extend(events))
    return sent


def run(fn, *args, **kwargs):
    with unit_of_work():
        return fn(*args, **kwargs)


def get(a: Amendment) -> Amendment:
    return db.session.get(Amendment, a.id)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def snapshot_counts() -> dict[str, int]:
    return {m.__name__: count(m) for m in (Amendment, AmendmentEvent, AuditEntry, ParagraphText, Paragraph,
                                           Compilation, Notification)}


def file(w, role, label="2", *, mover=None, kind="modify", language="en", text=None, explanation="Because.",
         parent=None, at=None):
    mover = mover or state(w.p[role].member_state)
    if text is None and kind == "modify":
        base = parent.text if parent is not None else TEXTS.get(label, "")
        text = base.replace("should", "shall") if "should" in base else base + " Indeed."
    return run(svc.file_amendment, w.u[role], draft(w), para(w, label), mover=mover, kind=kind, language=language,
               text=text or "", explanation=explanation, parent=parent, at=at)


def circulated(w, role="kenya", label="2", **kwargs) -> Amendment:
    """Filed, submitted, validated and circulated."""
    a = file(w, role, label, **kwargs)
    run(svc.submit_amendment, w.u[role], get(a))
    run(svc.validate_amendment, w.secretariat, get(a))
    run(svc.circulate_amendments, w.secretariat, draft(w))
    return get(a)


def seconded(w, a: Amendment, role: str | None = None) -> Amendment:
    if get(a).needs_seconder:
        role = role or ("italy" if get(a).mover.states == ("DE",) else "germany")
        run(svc.second_amendment, w.u[role], get(a))
    return get(a)


def discussed(w, role="kenya", label="2", **kwargs) -> Amendment:
    a = seconded(w, circulated(w, role, label, **kwargs))
    run(svc.start_discussion, w.u["chair"], get(a))
    return get(a)


def refused(exc_type, fn, *args, **kwargs):
    """Run a refused call: the error, and nothing changed anywhere."""
    before = snapshot_counts()
    with pytest.raises(exc_type) as info:
        run(fn, *args, **kwargs)
    db.session.rollback()
    assert snapshot_counts() == before
    return info.value


# --- rule 15: the draft's structure -----------------------------------------------------------------

def test_rule_15_draft_has_symbol_language_preamble_roman_parts_numbered_paragraphs_lettered_items(w):
    d = draft(w)
    assert d.symbol.endswith("/D.1") and d.original_language == "en"
    parts = list(db.session.scalars(queries.parts_of_draft(d.id)))
    assert [(p.numeral, p.title) for p in parts] == [("I", "Guiding principles"), ("II", "Fair recruitment")]
    labels = [p.label for p in db.session.scalars(queries.paragraphs_of_draft(d.id))]
    assert labels == ["preamble", "1", "2", "3", "3(a)", "3(b)", "4"]
    texts = queries.current_texts(d.id)
    assert texts[(para(w, "3(b)").id, "en")].text == TEXTS["3(b)"]
    assert para(w, "3(a)").parent_id == para(w, "3").id


def test_rule_15_texts_exist_per_language_aligned_by_paragraph(w):
    run(drafts.set_translation, w.secretariat, para(w, "2"), language="fr",
        text="Les États Membres devraient ratifier les normes internationales du travail pertinentes.")
    texts = queries.current_texts(w.draft_id)
    assert texts[(para(w, "2").id, "fr")].version == 1
    assert (para(w, "1").id, "fr") not in texts
    err = refused(ValidationFailed, drafts.set_translation, w.secretariat, para(w, "2"), language="en", text="x y")
    assert "language" in err.fields
    refused(NotAllowed, drafts.set_translation, w.u["kenya"], para(w, "2"), language="es", text="Los Estados")


def test_rule_15_only_the_secretariat_creates_drafts_and_symbols_are_unique(w):
    meeting = db.session.get(Meeting, w.meeting.id)
    refused(NotAllowed, drafts.create_draft, w.u["chair"], meeting, title="T", symbol="X/1", original_language="en")
    err = refused(ValidationFailed, drafts.create_draft, w.secretariat, meeting, title="Again",
                  symbol=draft(w).symbol, original_language="en")
    assert "symbol" in err.fields
    err = refused(ValidationFailed, drafts.create_draft, w.secretariat, meeting, title="German", symbol="X/2",
                  original_language="de")
    assert "original_language" in err.fields


def test_a_draft_with_5000_paragraphs_is_refused_and_nothing_is_created(w):
    huge = ParsedDraft(paragraphs=[ParsedParagraph(f"Paragraph {i}.") for i in range(5000)])
    err = refused(ValidationFailed, drafts.create_draft, w.secretariat, db.session.get(Meeting, w.meeting.id),
                  title="Huge", symbol="X/HUGE", original_language="en", structure=huge)
    assert "5,000" in err.message and "1,000" in err.message


# --- rule 16: stable labels ---------------------------------------------------------------------------

def test_rule_16_labels_renumber_only_in_preparation(make_user, make_meeting, make_participant):
    w = build(make_user, make_meeting, make_participant, open_draft=False)
    run(drafts.remove_paragraph, w.secretariat, para(w, "2"))
    assert para(w, "2").id  # the former paragraph 3 is now 2 while the draft is being prepared
    assert [p.label for p in db.session.scalars(queries.paragraphs_of_draft(w.draft_id))] == [
        "preamble", "1", "2", "2(a)", "2(b)", "3"]
    run(drafts.open_draft, w.secretariat, draft(w))
    refused(InvalidState, drafts.add_paragraph, w.secretariat, draft(w), text="Too late.")
    refused(InvalidState, drafts.remove_paragraph, w.secretariat, para(w, "1"))


def test_rule_16_an_inserted_paragraph_is_5bis_and_a_deleted_one_keeps_its_number(w):
    insert = discussed(w, "kenya", "2", kind="insert_after", text="Social dialogue should shape migration policy.")
    run(svc.decide_amendment, w.u["chair"], get(insert), "adopted")
    new = para(w, "2bis")
    assert new.position == para(w, "2").position + 1 and new.position < para(w, "3").position
    assert new.part_id == para(w, "2").part_id and new.state is ParagraphState.pending
    assert get(insert).inserted_paragraph_id == new.id
    again = discussed(w, "germany", "2", kind="insert_after", text="Another new paragraph after two.")
    run(svc.decide_amendment, w.u["chair"], get(again), "adopted")
    assert para(w, "2ter").position == para(w, "2").position + 1
    deletion = discussed(w, "germany", "4", kind="delete")
    run(svc.decide_amendment, w.u["chair"], get(deletion), "adopted")
    assert para(w, "4").state is ParagraphState.deleted  # it keeps its number
    labels = [p.label for p in db.session.scalars(queries.paragraphs_of_draft(w.draft_id))]
    assert labels == ["preamble", "1", "2", "2ter", "2bis", "3", "3(a)", "3(b)", "4"]


# --- rule 17: order of examination, deferral, brackets -------------------------------------------------

def test_rule_17_paragraphs_are_deferred_or_bracketed_and_taken_up_later(w):
    run(drafts.decide_paragraph, w.u["chair"], para(w, "preamble"), "deferred")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "under_discussion")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "bracketed", note="No agreement yet.")
    assert para(w, "1").state is ParagraphState.bracketed
    run(drafts.decide_paragraph, w.u["chair"], para(w, "preamble"), "under_discussion")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "under_discussion")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "adopted")
    events = [(e.action, e.from_state, e.to_state) for e in
              db.session.scalars(queries.events_of_paragraph(para(w, "1").id))]
    assert events == [("decide", "pending", "under_discussion"), ("decide", "under_discussion", "bracketed"),
                      ("decide", "bracketed", "under_discussion"), ("decide", "under_discussion", "adopted")]
    refused(InvalidState, drafts.decide_paragraph, w.u["chair"], para(w, "2"), "adopted")  # not taken up


def test_rule_17_the_secretariat_decides_for_the_chair_and_others_may_not(w):
    run(drafts.decide_paragraph, w.secretariat, para(w, "1"), "under_discussion")
    event = db.session.scalars(queries.events_of_paragraph(para(w, "1").id)).one()
    assert event.for_chair is True
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "paragraph.decide")).one()
    assert entry.for_chair is True
    run(drafts.decide_paragraph, w.u["chair"], para(w, "2"), "under_discussion")
    assert db.session.scalars(queries.events_of_paragraph(para(w, "2").id)).one().for_chair is False
    for role in ("kenya", "emp_spokesperson", "observer"):
        refused(NotAllowed, drafts.decide_paragraph, w.u[role], para(w, "3"), "under_discussion")


def test_rule_29_reopening_an_adopted_paragraph_records_the_bodys_agreement(w):
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "under_discussion")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "adopted")
    err = refused(ValidationFailed, drafts.decide_paragraph, w.u["chair"], para(w, "1"), "under_discussion")
    assert "agreement" in err.message
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "under_discussion",
        note="The Committee agreed without objection to reopen paragraph 1.")
    last = list(db.session.scalars(queries.events_of_paragraph(para(w, "1").id)))[-1]
    assert last.action == "reopen" and "without objection" in last.note


def test_a_paragraph_with_amendments_before_the_body_cannot_be_adopted(w):
    a = circulated(w, "kenya", "2")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "2"), "under_discussion")
    err = refused(InvalidState, drafts.decide_paragraph, w.u["chair"], para(w, "2"), "adopted")
    assert "D." in err.message
    run(svc.decide_amendment, w.u["chair"], get(a), "not_seconded")
    refused(InvalidState, drafts.decide_paragraph, w.u["chair"], para(w, "2"), "adopted_as_amended")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "2"), "adopted")
    assert para(w, "2").state is ParagraphState.adopted


# --- rule 18: drafting groups -------------------------------------------------------------------------

def test_rule_18_drafting_group_is_tripartite_with_its_own_space_and_returns_a_text(w):
    members = [w.p["kenya"].id, w.p["employer"].id, w.p["worker"].id]
    err = refused(ValidationFailed, drafts.create_drafting_group, w.secretariat, draft(w), name="Group A",
                  participant_ids=[w.p["kenya"].id, w.p["employer"].id])
    assert "tripartite" in " ".join(err.fields["participant_ids"])
    refused(NotAllowed, drafts.create_drafting_group, w.u["chair"], draft(w), name="Group A", participant_ids=members)
    group = run(drafts.create_drafting_group, w.secretariat, draft(w), name="Recruitment", participant_ids=members)
    space = db.session.get(Space, group.space_id)
    assert space.kind is SpaceKind.drafting
    assert permissions.can_view_space(w.u["employer"], space)
    assert not permissions.can_view_space(w.u["emp_secretary"], space)
    assert not permissions.can_view_space(w.secretariat, space)
    run(drafts.refer_paragraphs, w.secretariat, db.session.get(DraftingGroup, group.id), [para(w, "3").id])
    assert para(w, "3").drafting_group_id == group.id
    mover = Mover(MoverKind.drafting_group, drafting_group_id=group.id)
    proposal = file(w, "worker", "3", mover=mover, text="Recruitment fees and related costs shall not be charged "
                                                         "to workers or jobseekers.")
    assert get(proposal).mover_kind is MoverKind.drafting_group
    assert get(proposal).seconded  # a group's proposal needs no seconder
    refused(NotAllowed, svc.file_amendment, w.u["germany"], draft(w), para(w, "3"), mover=mover, kind="modify",
            language="en", text="Something else entirely.", explanation="x")
    # It returns texts for the paragraphs referred to it, and for no other (in writing or orally).
    err = refused(ValidationFailed, svc.file_amendment, w.u["worker"], draft(w), para(w, "4"), mover=mover,
                  kind="delete", language="en", explanation="Not ours to rework.")
    assert "referred" in err.message and "paragraph_id" in err.fields
    refused(ValidationFailed, svc.record_oral_amendment, w.secretariat, draft(w), para(w, "2"), mover=mover,
            moved_by=w.p["worker"], kind="delete", language="en")


# --- rule 19: who may file ----------------------------------------------------------------------------

def test_rule_19_a_government_participant_files_for_their_own_state_only(w):
    a = file(w, "kenya_adviser", "2")
    assert get(a).mover.states == ("KE",) and get(a).mover_kind is MoverKind.state
    err = refused(NotAllowed, svc.file_amendment, w.u["kenya"], draft(w), para(w, "2"), mover=state("DE"),
                  kind="modify", language="en", text="Member States must ratify them.", explanation="x")
    assert "own State" in err.message
    refused(NotAllowed, svc.file_amendment, w.u["gov_observer"], draft(w), para(w, "2"), mover=state("TH"),
            kind="modify", language="en", text="Member States must ratify them.", explanation="x")


def test_rule_19_co_sponsors_and_a_regional_group_listing_states_that_do_not_support_it(w):
    co = file(w, "germany", mover=Mover(MoverKind.co_sponsored, states=("DE", "IT")))
    assert get(co).mover.states == ("DE", "IT") and get(co).seconded
    regional = file(w, "africa", mover=Mover(MoverKind.regional_group, regional_group_id=africa_id(),
                                             non_supporting=("SN",)))
    assert get(regional).non_supporting == ["SN"] and get(regional).seconded
    err = refused(ValidationFailed, svc.file_amendment, w.u["africa"], draft(w), para(w, "2"),
                  mover=Mover(MoverKind.regional_group, regional_group_id=africa_id(), non_supporting=("DE",)),
                  kind="delete", language="en", explanation="x")
    assert "non_supporting" in err.fields
    refused(NotAllowed, svc.file_amendment, w.u["senegal"], draft(w), para(w, "2"),
            mover=Mover(MoverKind.regional_group, regional_group_id=africa_id()), kind="delete", language="en",
            explanation="Only the coordinator files for the group.")


def africa_id() -> int:
    return db.session.scalars(sa.select(RegionalGroup.id).where(RegionalGroup.code == "AFRICA")).one()


def test_rule_19_employer_and_worker_groups_file_through_secretary_or_spokesperson_not_in_own_name(w):
    file(w, "emp_secretary", mover=EMPLOYERS)
    file(w, "emp_spokesperson", "1", mover=EMPLOYERS)
    file(w, "wkr_secretary", "3", mover=WORKERS)
    err = refused(NotAllowed, svc.file_amendment, w.u["employer"], draft(w), para(w, "2"), mover=EMPLOYERS,
                  kind="delete", language="en", explanation="In my own name.")
    assert "own name" in err.message
    err = refused(NotAllowed, svc.file_amendment, w.u["employer"], draft(w), para(w, "2"), mover=state("KE"),
                  kind="delete", language="en", explanation="In my own name.")
    assert "own name" in err.message
    refused(NotAllowed, svc.file_amendment, w.u["emp_secretary"], draft(w), para(w, "2"), mover=WORKERS,
            kind="delete", language="en", explanation="Not their group.")


def test_rule_19_the_two_groups_jointly(w):
    a = file(w, "wkr_secretary", mover=JOINT)
    assert {s.group.value for s in get(a).sponsors} == {"employer", "worker"}
    assert permissions.can_edit_amendment(w.u["emp_secretary"], get(a))
    assert permissions.can_view_amendment(w.u["employer"], get(a))
    assert not permissions.can_view_amendment(w.u["kenya"], get(a))


# --- rule 20: one paragraph, by editing its text, in a language it exists in ---------------------------

def test_rule_20_modify_by_editing_in_place_gives_a_word_diff_against_the_text_version(w):
    a = file(w, "kenya", "2", text="Member States shall promptly ratify the relevant international labour "
                                   "standards and conventions.")
    a = get(a)
    assert a.base_version == 1 and a.base_text == TEXTS["2"]
    assert diff.old_text(a.diff) == TEXTS["2"] and diff.new_text(a.diff) == a.text
    assert {"op": "delete", "text": "should"} in a.diff and {"op": "insert", "text": "shall promptly"} in a.diff
    delete = get(file(w, "kenya", "1", kind="delete"))
    assert delete.text == "" and delete.diff == [{"op": "delete", "text": TEXTS["1"]}]
    insert = get(file(w, "kenya", "4", kind="insert_after", text="A new paragraph."))
    assert insert.diff == [{"op": "insert", "text": "A new paragraph."}]


def test_rule_20_bad_amendments_are_refused_and_nothing_changes(w, make_user, make_meeting, make_participant):
    ke, d = w.u["kenya"], draft(w)

    def attempt(exc, label="2", **kwargs):
        values = {"mover": state("KE"), "kind": "modify", "language": "en", "text": "Member States shall ratify.",
                  "explanation": "Clearer."} | kwargs
        return refused(exc, svc.file_amendment, ke, d, para(w, label), **values)

    assert "language" in attempt(ValidationFailed, language="de").fields  # in German
    err = attempt(ValidationFailed, language="fr")  # no French text yet
    assert "no French text" in err.message and "English" in err.message
    assert "explanation" in attempt(ValidationFailed, explanation="  ").fields
    assert "identical" in attempt(ValidationFailed, text=TEXTS["2"] + "  ").fields["text"][0]
    assert "text" in attempt(ValidationFailed, kind="insert_after", text="").fields
    assert "kind" in attempt(ValidationFailed, kind="rewrite").fields
    # a paragraph of another draft
    other = build(make_user, make_meeting, make_participant)
    err = refused(ValidationFailed, svc.file_amendment, ke, d, para(other, "2"), mover=state("KE"), kind="delete",
                  language="en", explanation="x")
    assert "another draft" in err.message
    # an adopted paragraph
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "under_discussion")
    run(drafts.decide_paragraph, w.u["chair"], para(w, "1"), "adopted")
    assert "adopted" in attempt(InvalidState, label="1").message


def test_rule_20_an_amendment_in_french_is_written_on_the_french_text(w):
    run(drafts.set_translation, w.secretariat, para(w, "2"), language="fr",
        text="Les États Membres devraient ratifier les normes pertinentes.")
    a = get(file(w, "kenya", "2", language="fr", text="Les États Membres doivent ratifier les normes pertinentes."))
    assert a.language == "fr" and a.base_text.startswith("Les États")


# --- rule 21: deadlines and oral amendments -----------------------------------------------------------

def set_deadline(w, kind: DeadlineKind, due: datetime) -> None:
    with unit_of_work():
        db.session.add(Deadline(meeting_id=w.meeting.id, kind=kind, title=kind.value, due_at=due))


def test_rule_21_written_amendments_after_the_deadline_are_refused(w):
    due = datetime(2030, 6, 3, 16, 0, tzinfo=UTC)
    set_deadline(w, DeadlineKind.amendments, due)
    early = file(w, "kenya", "2", at=due - timedelta(minutes=1))
    err = refused(InvalidState, svc.file_amendment, w.u["kenya"], draft(w), para(w, "1"), mover=state("KE"),
                  kind="delete", language="en", explanation="Late.", at=due + timedelta(minutes=1))
    assert "deadline" in err.message and "18:00" in err.message  # shown in Geneva time
    refused(InvalidState, svc.submit_amendment, w.u["kenya"], get(early), at=due + timedelta(minutes=1))
    run(svc.submit_amendment, w.u["kenya"], get(early), at=due - timedelta(seconds=1))
    assert get(early).state is S.submitted


def test_rule_21_sub_amendments_have_their_own_deadline(w):
    parent = discussed(w, "kenya", "2")
    due = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)
    set_deadline(w, DeadlineKind.sub_amendments, due)
    refused(InvalidState, svc.file_amendment, w.u["germany"], draft(w), para(w, "2"), mover=state("DE"),
            kind="modify", language="en", text=get(parent).text + " Now.", explanation="x", parent=get(parent),
            at=due + timedelta(hours=1))
    sub = file(w, "germany", "2", parent=get(parent), text=get(parent).text + " Now.", at=due - timedelta(hours=1))
    assert get(sub).parent_id == parent.id


def test_rule_21_oral_amendments_are_recorded_by_the_secretariat_with_mover_and_seconder(w):
    run(drafts.decide_paragraph, w.u["chair"], para(w, "4"), "under_discussion")
    set_deadline(w, DeadlineKind.amendments, datetime(2000, 1, 1, tzinfo=UTC))  # long past: oral ones are not late
    oral = run(svc.record_oral_amendment, w.secretariat, draft(w), para(w, "4"), mover=state("KE"),
               moved_by=w.p["kenya"], seconded_by=w.p["employer"], kind="modify", language="en",
               text="Skills of migrant workers shall be recognized across borders.")
    oral = get(oral)
    assert oral.oral and oral.number == 1 and oral.state is S.under_discussion and oral.is_circulated
    assert oral.seconders[0].from_floor and oral.seconders[0].participant_id == w.p["employer"].id
    unseconded = get(run(svc.record_oral_amendment, w.secretariat, draft(w), para(w, "1"), mover=state("DE"),
                         moved_by=w.p["germany"], kind="delete", language="en"))
    assert unseconded.state is S.circulated  # waits for a seconder
    refused(NotAllowed, svc.record_oral_amendment, w.u["chair"], draft(w), para(w, "4"), mover=state("BR"),
            moved_by=w.p["chair"], kind="delete", language="en")
    err = refused(ValidationFailed, svc.record_oral_amendment, w.secretariat, draft(w), para(w, "4"), mover=EMPLOYERS,
                  moved_by=w.p["employer"], kind="delete", language="en")
    assert "moved_by" in err.fields
    # an oral sub-amendment only to the amendment under discussion
    sub = get(run(svc.record_oral_amendment, w.secretariat, draft(w), para(w, "4"), mover=WORKERS,
                  moved_by=w.p["wkr_secretary"], kind="modify", language="en", parent=oral,
                  text="Skills of all migrant workers shall be recognized across borders."))
    assert sub.parent_id == oral.id and sub.state is S.under_discussion
    refused(InvalidState, svc.record_oral_amendment, w.secretariat, draft(w), para(w, "1"), mover=WORKERS,
            moved_by=w.p["wkr_secretary"], kind="modify", language="en", parent=unseconded, text="Anything.")


# --- rule 22: seconding -------------------------------------------------------------------------------

def test_rule_22_single_state_amendment_needs_seconder(w):
    a = circulated(w, "kenya", "2")
    assert not get(a).seconded
    err = refused(InvalidState, svc.start_discussion, w.u["chair"], get(a))
    assert "seconded" in err.message
    run(svc.second_amendment, w.u["employer"], get(a))
    assert get(a).seconded
    run(svc.start_discussion, w.u["chair"], get(a))
    assert get(a).state is S.under_discussion


@pytest.mark.postgres
def test_rule_22_seconding_ones_own_amendment_or_twice_is_refused(w):
    a = circulated(w, "kenya", "2")
    assert "own State" in refused(NotAllowed, svc.second_amendment, w.u["kenya"], get(a)).message
    refused(NotAllowed, svc.second_amendment, w.u["kenya_adviser"], get(a))  # the same State
    run(svc.second_amendment, w.u["germany"], get(a))
    assert "already" in refused(InvalidState, svc.second_amendment, w.u["germany"], get(a)).message
    refused(NotAllowed, svc.second_amendment, w.u["observer"], get(a))
    refused(NotAllowed, svc.second_amendment, w.u["emp_secretary"], get(a))  # not a voting member
    refused(NotAllowed, svc.second_amendment, w.secretariat, get(a))
    run(svc.second_amendment, w.u["worker"], get(a))
    assert len(get(a).seconders) == 2


def test_rule_22_group_joint_and_co_sponsored_amendments_count_as_seconded(w):
    for role, mover in (("emp_secretary", EMPLOYERS), ("wkr_secretary", JOINT),
                        ("germany", Mover(MoverKind.co_sponsored, states=("DE", "IT")))):
        a = circulated(w, role, "2", mover=mover)
        assert get(a).seconded
        refused(InvalidState, svc.second_amendment, w.u["kenya"], get(a))
        run(svc.start_discussion, w.u["chair"], get(a))


def test_rule_22_a_seconder_from_the_floor_is_recorded_by_the_secretariat(w):
    a = circulated(w, "kenya", "2")
    run(svc.record_seconder, w.secretariat, get(a), w.p["senegal"])
    assert get(a).seconders[0].from_floor and get(a).seconders[0].member_state == "SN"
    refused(NotAllowed, svc.record_seconder, w.u["chair"], get(a), w.p["germany"])


# --- rule 23: lifecycle, visibility and who moves each step ----------------------------------------

@pytest.mark.postgres
def test_rule_23_lifecycle_from_draft_to_adoption(w):
    a = file(w, "kenya", "2")
    assert get(a).state is S.draft and get(a).number is None
    run(svc.submit_amendment, w.u["kenya"], get(a))
    assert get(a).state is S.submitted and get(a).number == 1
    run(svc.return_amendment, w.secretariat, get(a), message="Please say which standards you mean.")
    assert get(a).state is S.returned
    run(svc.edit_amendment, w.u["kenya"], get(a), text="Member States shall ratify Conventions Nos 97 and 143.",
        explanation="Names the standards.")
    run(svc.submit_amendment, w.u["kenya"], get(a))
    assert get(a).state is S.submitted and get(a).number == 1  # keeps its number
    run(svc.validate_amendment, w.secretariat, get(a))
    compilation = run(svc.circulate_amendments, w.secretariat, draft(w))
    assert get(a).state is S.circulated and get(a).compilation_id == compilation.id
    run(svc.second_amendment, w.u["germany"], get(a))
    run(svc.start_discussion, w.u["chair"], get(a))
    run(svc.decide_amendment, w.u["chair"], get(a), "adopted")
    assert get(a).state is S.adopted and get(a).decided_at is not None
    actions = [e.action for e in db.session.scalars(queries.events_of_amendment(a.id))]
    assert actions == ["create", "submit", "return", "edit", "submit", "validate", "circulate", "second", "discuss",
                       "decide"]
    assert queries.current_text(para(w, "2").id, "en").text == "Member States shall ratify Conventions Nos 97 and 143."


def test_rule_23_returned_amendment_notifies_the_movers(w):
    a = file(w, "emp_secretary", "2", mover=EMPLOYERS)
    run(svc.submit_amendment, w.u["emp_secretary"], get(a))
    refused(ValidationFailed, svc.return_amendment, w.secretariat, get(a), message=" ")
    run(svc.return_amendment, w.secretariat, get(a), message="Which paragraph?")
    notified = set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.code == svc.AMENDMENT_RETURNED)))
    assert notified == {w.u["emp_secretary"].id, w.u["emp_spokesperson"].id}


@pytest.mark.postgres
def test_rule_23_before_circulation_only_the_movers_space_and_the_secretariat_see_it(w):
    a = file(w, "emp_secretary", "2", mover=EMPLOYERS)

    def seen_by() -> set[str]:
        return {role for role, user in w.u.items() if permissions.can_view_amendment(user, get(a))}

    assert seen_by() == {"emp_secretary", "emp_spokesperson", "employer"}  # the draft: the caucus alone
    run(svc.submit_amendment, w.u["emp_secretary"], get(a))
    assert seen_by() == {"emp_secretary", "emp_spokesperson", "employer", "secretariat"}
    run(svc.validate_amendment, w.secretariat, get(a))
    assert "chair" not in seen_by() and "worker" not in seen_by()
    run(svc.circulate_amendments, w.secretariat, draft(w))
    assert seen_by() == set(w.u)
    assert not permissions.can_view_amendment(w.outsider, get(a))


def test_rule_23_a_state_amendment_is_seen_by_its_delegation_before_circulation(w):
    a = file(w, "kenya", "2")
    assert permissions.can_view_amendment(w.u["kenya_adviser"], get(a))
    assert not permissions.can_view_amendment(w.u["germany"], get(a))
    assert not permissions.can_view_amendment(w.secretariat, get(a))


def test_rule_23_only_the_secretariat_validates_returns_and_circulates(w):
    a = file(w, "kenya", "2")
    run(svc.submit_amendment, w.u["kenya"], get(a))
    for role in ("kenya", "chair", "emp_secretary"):
        refused(NotAllowed, svc.validate_amendment, w.u[role], get(a))
        refused(NotAllowed, svc.return_amendment, w.u[role], get(a), message="x")
        refused(NotAllowed, svc.circulate_amendments, w.u[role], draft(w))
    refused(InvalidState, svc.circulate_amendments, w.secretariat, draft(w))  # nothing validated yet
    run(svc.validate_amendment, w.secretariat, get(a))
    refused(InvalidState, svc.validate_amendment, w.secretariat, get(a))


def test_rule_23_only_the_chair_or_the_secretariat_for_the_chair_declares_outcomes(w):
    a = discussed(w, "kenya", "2")
    for role in ("kenya", "germany", "emp_spokesperson", "observer"):
        refused(NotAllowed, svc.decide_amendment, w.u[role], get(a), "rejected")
    run(svc.decide_amendment, w.secretariat, get(a), "rejected", note="The Committee did not support it.")
    event = list(db.session.scalars(queries.events_of_amendment(a.id)))[-1]
    assert event.for_chair is True and event.to_state == "rejected"
    assert db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "amendment.decide")).one().for_chair
    assert para(w, "2").state is ParagraphState.pending  # nothing is adopted automatically
    refused(NotAllowed, svc.decide_amendment, w.u["chair"], get(discussed(w, "germany", "1")), "withdrawn")


def test_rule_23_only_the_mover_withdraws_and_another_member_may_take_it_up(w):
    a = seconded(w, circulated(w, "kenya", "2"), "germany")
    for role in ("germany", "chair", "secretariat"):
        err = refused(NotAllowed, svc.withdraw_amendment, w.u[role], get(a))
        assert "movers" in err.message
    run(svc.withdraw_amendment, w.u["kenya_adviser"], get(a), note="Kenya withdraws it.")
    assert get(a).state is S.withdrawn
    refused(NotAllowed, svc.take_up_amendment, w.u["kenya"], get(a), mover=state("KE"))
    refused(NotAllowed, svc.take_up_amendment, w.u["employer"], get(a), mover=EMPLOYERS)
    run(svc.take_up_amendment, w.u["germany"], get(a), mover=state("DE"))
    a = get(a)
    assert a.state is S.circulated and a.mover.states == ("DE",)
    assert a.seconders == []  # Germany seconded it; it does not second its own amendment
    run(svc.second_amendment, w.u["kenya"], a)
    run(svc.start_discussion, w.u["chair"], get(a))


def test_rule_23_an_uncirculated_withdrawn_amendment_cannot_be_taken_up(w):
    a = file(w, "kenya", "2")
    run(svc.submit_amendment, w.u["kenya"], get(a))
    run(svc.withdraw_amendment, w.u["kenya"], get(a))
    refused(InvalidState, svc.take_up_amendment, w.u["germany"], get(a), mover=state("DE"))


def test_rule_23_outcomes_not_seconded_not_moved_merged_and_fell(w):
    lonely = circulated(w, "kenya", "2")
    run(svc.decide_amendment, w.u["chair"], get(lonely), "not_seconded")
    absent = circulated(w, "emp_secretary", "2", mover=EMPLOYERS, text="Member States could ratify the relevant "
                                                                        "international labour standards.")
    run(svc.decide_amendment, w.u["chair"], get(absent), "not_moved")
    one = discussed(w, "wkr_secretary", "1", mover=WORKERS)
    two = circulated(w, "emp_secretary", "1", mover=EMPLOYERS, kind="delete")
    refused(ValidationFailed, svc.decide_amendment, w.u["chair"], get(two), "merged")
    run(svc.decide_amendment, w.u["chair"], get(two), "merged", merged_into=get(one))
    assert get(two).merged_into_id == one.id
    refused(InvalidState, svc.decide_amendment, w.u["chair"], get(one), "not_moved")
    run(svc.decide_amendment, w.u["chair"], get(one), "fell", note="Overtaken by events.")
    assert [get(x).state for x in (lonely, absent, two, one)] == [S.not_seconded, S.not_moved, S.merged, S.fell]


# --- rule 24: the marshalled list ---------------------------------------------------------------------

def test_rule_24_marshalled_list_by_paragraph_then_words_subs_after_parent_same_words_grouped(w):
    late_words = file(w, "kenya", "2", text=TEXTS["2"].replace("standards", "standards and their protocols"))
    early_words = file(w, "germany", "2", text=TEXTS["2"].replace("Member States", "All member States"))
    first_paragraph = file(w, "italy", "1", kind="delete")
    same_a = file(w, "senegal", "3", text=TEXTS["3"].replace("workers", "migrant workers"))
    same_b = file(w, "emp_secretary", "3", mover=EMPLOYERS, text=TEXTS["3"].replace("workers", "jobseekers"))
    deletion = file(w, "wkr_secretary", "2", mover=WORKERS, kind="delete")
    insertion = file(w, "africa", "2", kind="insert_after", text="A new paragraph.",
                     mover=Mover(MoverKind.regional_group, regional_group_id=africa_id()))
    everything = [late_words, early_words, first_paragraph, same_a, same_b, deletion, insertion]
    for a in everything:
        run(svc.submit_amendment, w.u[role_of(w, a)], get(a))
        run(svc.validate_amendment, w.secretariat, get(a))
    run(svc.circulate_amendments, w.secretariat, draft(w))
    parent = seconded(w, get(early_words), "kenya")
    run(svc.start_discussion, w.u["chair"], get(parent))
    sub = file(w, "kenya", "2", parent=get(parent), text=get(parent).text.replace("ratify", "swiftly ratify"))
    run(svc.submit_amendment, w.u["kenya"], get(sub))
    run(svc.validate_amendment, w.secretariat, get(sub))
    run(svc.circulate_amendments, w.secretariat, draft(w))
    listed = list(db.session.scalars(queries.amendments_of_draft(w.draft_id)))
    entries = marshalling.marshalled(draft(w), listed)
    order = [e.amendment.id for e in entries]
    assert order == [first_paragraph.id, deletion.id, early_words.id, sub.id, late_words.id, insertion.id,
                     same_a.id, same_b.id]
    by_id = {e.amendment.id: e for e in entries}
    assert by_id[sub.id].depth == 1
    assert by_id[same_a.id].group == by_id[same_b.id].group is not None and by_id[same_a.id].group_size == 2
    assert by_id[late_words.id].group is None


def role_of(w, amendment) -> str:
    a = get(amendment)
    if a.mover_kind is MoverKind.state:
        return next(r for r, p in w.p.items() if p.member_state == a.mover.states[0] and p.capacity.value == "delegate"
                    and not p.roles())
    return {MoverKind.employer_group: "emp_secretary", MoverKind.worker_group: "wkr_secretary",
            MoverKind.regional_group: "africa", MoverKind.joint: "wkr_secretary",
            MoverKind.co_sponsored: "germany"}[a.mover_kind]


def test_rule_24_the_chair_reorders_within_a_paragraph_and_it_is_recorded(w):
    a = circulated(w, "kenya", "2", text=TEXTS["2"].replace("Member States", "States"))
    b = circulated(w, "germany", "2", text=TEXTS["2"].replace("standards", "norms"))
    c = circulated(w, "italy", "3", kind="delete")
    refused(NotAllowed, svc.reorder_amendment, w.u["kenya"], get(b), "up")
    refused(InvalidState, svc.reorder_amendment, w.u["chair"], get(a), "up")  # already first for paragraph 2
    run(svc.reorder_amendment, w.secretariat, get(b), "up")
    listed = list(db.session.scalars(queries.amendments_of_draft(w.draft_id)))
    assert [e.amendment.id for e in marshalling.marshalled(draft(w), listed)] == [b.id, a.id, c.id]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "amendment.reorder")).one()
    assert entry.for_chair
    late = circulated(w, "senegal", "2", kind="delete")  # a new amendment finds its place around the arrangement
    listed = list(db.session.scalars(queries.amendments_of_draft(w.draft_id)))
    assert [e.amendment.id for e in marshalling.marshalled(draft(w), listed)] == [late.id, b.id, a.id, c.id]


def test_rule_24_sub_amendments_are_decided_before_their_parent_whose_text_includes_them(w):
    parent = discussed(w, "kenya", "2", text="Member States shall ratify the relevant standards.")
    sub = discussed(w, "germany", "2", parent=get(parent),
                    text="Member States shall ratify and apply the relevant standards.")
    rival = circulated(w, "italy", "2", parent=get(parent), text="Member States shall ratify the relevant norms.")
    err = refused(InvalidState, svc.decide_amendment, w.u["chair"], get(parent), "adopted")
    assert "sub-amendments first" in err.message
    run(svc.decide_amendment, w.u["chair"], get(sub), "adopted")
    assert get(parent).text == "Member States shall ratify and apply the relevant standards."
    # the other sub-amendment (different words) is carried over onto the parent's new text
    assert get(rival).text == "Member States shall ratify and apply the relevant norms."
    run(svc.decide_amendment, w.u["chair"], get(rival), "not_seconded")
    refused(InvalidState, svc.decide_amendment, w.u["chair"], get(parent), "adopted")  # adopted as sub-amended
    run(svc.decide_amendment, w.u["chair"], get(parent), "adopted_as_sub_amended")
    assert queries.current_text(para(w, "2").id, "en").text == "Member States shall ratify and apply the relevant " \
                                                                "standards."


def test_a_sub_amendment_to_an_amendment_not_under_discussion_is_refused(w):
    uncirculated = file(w, "kenya", "2")
    refused(InvalidState, svc.file_amendment, w.u["germany"], draft(w), para(w, "2"), mover=state("DE"),
            kind="modify", language="en", text="Anything else.", explanation="x", parent=get(uncirculated))
    decided = discussed(w, "italy", "1")
    run(svc.decide_amendment, w.u["chair"], get(decided), "rejected")
    err = refused(InvalidState, svc.file_amendment, w.u["germany"], draft(w), para(w, "1"), mover=state("DE"),
                  kind="modify", language="en", text="Anything else.", explanation="x", parent=get(decided))
    assert "not under discussion" in err.message


# --- rule 25: falling ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_rule_25_adoption_flags_amendments_whose_words_were_replaced_and_nothing_falls_silently(w):
    adopted = discussed(w, "kenya", "2", text=TEXTS["2"].replace("should ratify", "shall ratify"))
    clash = circulated(w, "germany", "2", text=TEXTS["2"].replace("should ratify", "are encouraged to ratify"))
    elsewhere = circulated(w, "italy", "2", text=TEXTS["2"].replace("relevant", "fundamental"))
    run(svc.decide_amendment, w.u["chair"], get(adopted), "adopted")
    clash, elsewhere = get(clash), get(elsewhere)
    assert clash.flagged and clash.flag_reason == "words_changed" and clash.flagged_by_id == adopted.id
    assert clash.state is S.circulated  # flagged, not fallen: the Chair decides
    assert not elsewhere.flagged and elsewhere.base_version == 2
    assert elsewhere.text == "Member States shall ratify the fundamental international labour standards."
    seconded(w, clash, "senegal")
    refused(InvalidState, svc.start_discussion, w.u["chair"], get(clash))
    run(svc.decide_amendment, w.u["chair"], get(clash), "fell")
    assert get(clash).state is S.fell


def test_rule_25_the_chair_re_bases_a_flagged_amendment(w):
    adopted = discussed(w, "kenya", "2", text=TEXTS["2"].replace("should ratify", "shall ratify"))
    clash = seconded(w, circulated(w, "germany", "2", text=TEXTS["2"].replace("should", "must")), "italy")
    run(svc.decide_amendment, w.u["chair"], get(adopted), "adopted")
    assert get(clash).flagged
    refused(NotAllowed, svc.rebase_amendment, w.u["germany"], get(clash), text="x")
    current = queries.current_text(para(w, "2").id, "en").text
    refused(ValidationFailed, svc.rebase_amendment, w.u["chair"], get(clash), text=current)
    run(svc.rebase_amendment, w.u["chair"], get(clash), text=current.replace("shall", "must"),
        note="Germany agreed to re-base.")
    clash = get(clash)
    assert not clash.flagged and clash.base_version == 2 and clash.base_text == current
    run(svc.start_discussion, w.u["chair"], clash)
    run(svc.decide_amendment, w.u["chair"], get(clash), "adopted")
    assert queries.current_text(para(w, "2").id, "en").version == 3


def test_rule_25_deleting_a_paragraph_flags_its_other_amendments(w):
    deletion = discussed(w, "kenya", "3", kind="delete")
    other = circulated(w, "germany", "3")
    on_item = circulated(w, "italy", "3(a)", kind="delete")
    insert_after = circulated(w, "senegal", "3", kind="insert_after", text="A paragraph after three.")
    run(svc.decide_amendment, w.u["chair"], get(deletion), "adopted")
    assert para(w, "3").state is ParagraphState.deleted and para(w, "3(a)").state is ParagraphState.deleted
    assert get(other).flag_reason == "paragraph_deleted" and get(on_item).flagged
    assert not get(insert_after).flagged


def test_rule_25_the_same_change_adopted_twice_is_flagged_not_applied_twice(w):
    first = discussed(w, "kenya", "2")
    twin = circulated(w, "germany", "2")  # the same words, the same change
    run(svc.decide_amendment, w.u["chair"], get(first), "adopted")
    assert get(twin).flagged and get(twin).flag_reason == "change_already_made"


def test_rule_25_a_change_in_another_language_flags_amendments_written_in_it(w):
    run(drafts.set_translation, w.secretariat, para(w, "2"), language="fr",
        text="Les États Membres devraient ratifier les normes pertinentes.")
    french = circulated(w, "senegal", "2", language="fr", text="Les États Membres doivent ratifier les normes.")
    adopted = discussed(w, "kenya", "2")
    run(svc.decide_amendment, w.u["chair"], get(adopted), "adopted")
    assert get(french).flag_reason == "other_language_changed"


# --- rule 26: the text as it stands, each change traceable -------------------------------------------

def test_rule_26_the_text_shows_deletions_and_insertions_traceable_to_their_amendment(w):
    first = discussed(w, "kenya", "2", text=TEXTS["2"].replace("should", "shall"))
    run(svc.decide_amendment, w.u["chair"], get(first), "adopted")
    second = discussed(w, "emp_secretary", "2", mover=EMPLOYERS,
                       text="Member States shall ratify the relevant international labour standards promptly.")
    run(svc.decide_amendment, w.u["chair"], get(second), "adopted")
    versions = [(t.text, t.amendment_id) for t in queries.versions_of(para(w, "2").id, "en")]
    segments = diff.attributed_diff(versions)
    changes = [(s.op, s.text.strip(), s.amendment_id) for s in segments if s.op != "equal"]
    assert changes == [("delete", "should", first.id), ("insert", "shall", first.id),
                       ("insert", "promptly", second.id)]
    html = str(diff.render(get(second).diff))
    assert " <ins>promptly</ins>" in html and "<del>" not in html


# --- live events --------------------------------------------------------------------------------------

def test_events_about_uncirculated_amendments_never_reach_the_draft_room(w, emitted):
    a = file(w, "emp_secretary", "2", mover=EMPLOYERS)
    run(svc.submit_amendment, w.u["emp_secretary"], get(a))
    rooms = {room for room, _event, _data in emitted}
    assert f"draft:{w.draft_id}" not in rooms
    assert f"user:{w.u['employer'].id}" in rooms and f"user:{w.secretariat.id}" in rooms
    assert f"user:{w.u['worker'].id}" not in rooms and f"user:{w.u['chair'].id}" not in rooms
    emitted.clear()
    run(svc.validate_amendment, w.secretariat, get(a))
    run(svc.circulate_amendments, w.secretariat, draft(w))
    room, event, data = emitted[-1]
    assert room == f"draft:{w.draft_id}" and event == "amendments.circulated" and data["amendment_ids"] == [a.id]
    assert data["version"] == db.session.get(Draft, w.draft_id).version


# --- concurrency: numbers per draft ---------------------------------------------------------------------

@pytest.mark.postgres
def test_amendments_submitted_at_the_same_time_get_distinct_consecutive_numbers(app, w, backend):
    import threading

    roles = ["kenya", "germany", "italy", "senegal", "chair", "africa"]
    ids = {role: file(w, role, "2", kind="delete").id for role in roles}
    user_ids = {role: w.u[role].id for role in roles}
    db.session.rollback()
    errors: list[BaseException] = []

    def submit(role: str) -> None:
        from forum.accounts.models import User

        try:
            with app.app_context():
                with unit_of_work():
                    svc.submit_amendment(db.session.get(User, user_ids[role]), db.session.get(Amendment, ids[role]))
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=submit, args=(role,)) for role in roles]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors, errors
    db.session.rollback()
    numbers = sorted(db.session.scalars(sa.select(Amendment.number).where(Amendment.draft_id == w.draft_id)))
    assert numbers == list(range(1, len(roles) + 1))
