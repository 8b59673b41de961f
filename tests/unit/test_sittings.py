"""Live sittings: the lifecycle, the current item, "any objection?", oral amendments, the script and
the officers' room (issue #7; PROCEDURE.md rules 5, 8, 21 and 29). Everything through
`services.run_command`, the one path the sockets, the pages and the API share."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.drafting.models import Amendment, AmendmentState, ParagraphState
from forum.errors import InvalidState, Malformed, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Sitting, SittingState
from forum.sittings import queries, services
from forum.sittings.models import LiveSitting
from tests.drafting_world import para
from tests.sittings_world import build, run, sitting


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def test_the_secretariat_makes_a_scheduled_sitting_live_on_a_draft(make_user, make_meeting, make_participant):
    w = build(make_user, make_meeting, make_participant, live=False, opened=False)
    with pytest.raises(NotAllowed):
        run(w, "chair", "make_live", draft_id=w.draft_id)
    run(w, "secretariat", "make_live", draft_id=w.draft_id)
    live = queries.live_of(w.sitting_id)
    assert live.draft_id == w.draft_id and live.paragraph_id == para(w, "preamble").id
    assert sitting(w).state is SittingState.scheduled  # the Chair opens it
    run(w, "secretariat", "make_live", draft_id=w.draft_id)  # a double submission changes nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveSitting)) == 1


def test_make_live_refuses_a_draft_of_another_meeting_with_a_field_error(make_user, make_meeting, make_participant):
    w = build(make_user, make_meeting, make_participant, live=False, opened=False)
    with pytest.raises(ValidationFailed) as err:
        run(w, "secretariat", "make_live", draft_id=w.draft_id + 999)
    assert "draft_id" in err.value.fields
    assert queries.live_of(w.sitting_id) is None


def test_the_chair_opens_suspends_resumes_and_closes(w):
    assert sitting(w).state is SittingState.live
    run(w, "chair", "suspend")
    assert sitting(w).state is SittingState.suspended
    with pytest.raises(InvalidState):
        run(w, "chair", "grant_floor")  # nothing runs while suspended
    run(w, "chair", "resume")
    run(w, "chair", "close")
    assert sitting(w).state is SittingState.closed
    with pytest.raises(InvalidState):
        run(w, "chair", "open")
    assert run(w, "chair", "close") == {"state": "closed"}  # a second click is harmless


def test_rule_8_the_secretariat_acts_for_the_chair_and_is_recorded_so(w):
    run(w, "secretariat", "suspend")
    run(w, "chair", "resume")
    entries = {e.action: e for e in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action.in_(["sitting.suspend", "sitting.resume"])))}
    assert entries["sitting.suspend"].for_chair is True
    assert entries["sitting.suspend"].actor_id == w.u["secretariat"].id
    assert entries["sitting.resume"].for_chair is False


@pytest.mark.parametrize("name,payload", [
    ("open", {}), ("suspend", {}), ("close", {}), ("next_item", {}), ("grant_floor", {}),
    ("announce", {"text": "Coffee"}), ("call_objections", {}), ("start_timer", {"seconds": 60}),
    ("set_item", {"kind": "paragraph", "id": 1}), ("invite_observers", {"invited": True}),
    ("declare_outcome", {"outcome": "adopted"}), ("presence", {}),
])
def test_a_delegate_sending_chair_commands_is_refused_and_nothing_changes(w, name, payload):
    before = sitting(w).version
    with pytest.raises(NotAllowed):
        run(w, "kenya", name, **payload)
    assert sitting(w).version == before


def test_someone_outside_the_meeting_is_told_the_sitting_does_not_exist(w):
    w.u["outsider"] = w.outsider
    with pytest.raises(NotFound):
        run(w, "outsider", "request_floor")


@pytest.mark.parametrize("payload,field", [
    ({"kind": "chapter", "id": 1}, "kind"), ({"kind": "paragraph", "id": "x"}, "id"),
    ({"kind": "paragraph"}, "id"), ({"kind": "paragraph", "id": [1]}, "id"),
])
def test_malformed_item_payloads_answer_field_errors(w, payload, field):
    with pytest.raises(ValidationFailed) as err:
        run(w, "chair", "set_item", **payload)
    assert field in err.value.fields


def test_unknown_commands_and_non_object_payloads_are_refused(w):
    from forum.db import unit_of_work
    from forum.sittings import services

    with pytest.raises(ValidationFailed) as err:
        run(w, "chair", "adopt_everything")
    assert "command" in err.value.fields
    with pytest.raises(Malformed), unit_of_work():
        services.run_command(w.u["chair"], sitting(w), "announce", ["text"])
    with pytest.raises(ValidationFailed) as err:
        run(w, "chair", "start_timer", seconds=5)
    assert "seconds" in err.value.fields


def test_rule_24_next_previous_and_any_item_follow_the_agenda_in_the_marshalled_order(w):
    from forum.db import unit_of_work
    from forum.drafting import amendments as svc
    from tests.drafting_world import EMPLOYERS, WORKERS, draft

    with unit_of_work():
        late = svc.file_amendment(w.u["wkr_secretary"], draft(w), para(w, "1"), mover=WORKERS, kind="modify",
                                  language="en", text=para_text(w, "1") + " Always.", explanation="Later words.")
        early = svc.file_amendment(w.u["emp_secretary"], draft(w), para(w, "1"), mover=EMPLOYERS, kind="modify",
                                   language="en", text="Fair " + para_text(w, "1")[0].lower() + para_text(w, "1")[1:],
                                   explanation="Earlier words.")
        for a, filer in ((late, "wkr_secretary"), (early, "emp_secretary")):
            svc.submit_amendment(w.u[filer], a)
            svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    agenda = queries.agenda(draft(w))
    labels = [(i["kind"], i["label"]) for i in agenda][:5]
    assert labels[:2] == [("paragraph", "preamble"), ("paragraph", "1")]
    # Rule 24: the amendment on the earlier words first, whatever its number.
    assert [i["id"] for i in agenda if i["kind"] == "amendment"] == [early.id, late.id]
    run(w, "chair", "next_item")
    assert queries.live_of(w.sitting_id).paragraph_id == para(w, "1").id
    run(w, "chair", "next_item")
    assert queries.live_of(w.sitting_id).amendment_id == early.id
    run(w, "chair", "previous_item")
    assert queries.live_of(w.sitting_id).amendment_id is None
    run(w, "chair", "set_item", kind="amendment", id=late.id)
    state = queries.state_for(w.u["kenya"], sitting(w))
    assert state["item"]["label"] == f"D.{late.number}"
    assert {"op": "insert", "text": " Always."} in state["item"]["runs"]


def para_text(w, label):
    from forum.drafting import queries as dq

    return dq.current_text(para(w, label).id, "en").text


def test_rule_29_any_objection_is_recorded_on_the_item_and_adopts_nothing(w):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    run(w, "chair", "call_objections")
    live = queries.live_of(w.sitting_id)
    assert live.objections_item == f"paragraph:{para(w, '2').id}" and live.objections_called_at is not None
    assert para(w, "2").state is ParagraphState.pending  # silence decides nothing
    ack = run(w, "germany", "request_floor", kind="objection")
    state = queries.state_for(w.u["chair"], sitting(w))
    (first,) = [s for s in state["speakers"]["waiting"] if s["id"] == ack["request_id"]]
    assert first["kind"] == "objection" and first["position"] == 1
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "sitting.call_objections")).one()
    assert entry.payload and f"paragraph:{para(w, '2').id}" in entry.payload


@pytest.mark.postgres
def test_rule_29_the_chair_declares_the_outcome_and_it_is_recorded_for_the_chair(w):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    run(w, "secretariat", "take_up")
    assert para(w, "2").state is ParagraphState.under_discussion
    run(w, "secretariat", "declare_outcome", outcome="adopted", method="consensus")
    assert para(w, "2").state is ParagraphState.adopted
    from forum.positions.vote_models import Decision

    decision = db.session.scalars(sa.select(Decision)).one()
    assert decision.for_chair is True and decision.sitting_id == w.sitting_id and decision.method == "consensus"
    state = queries.state_for(w.u["kenya"], sitting(w))
    assert state["item"]["state"] == "adopted"


@pytest.mark.postgres
def test_rule_21_an_oral_amendment_typed_on_screen_is_recorded_with_mover_and_seconder(w):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    text = para_text(w, "2").replace("relevant", "fundamental")
    with pytest.raises(NotAllowed):
        run(w, "chair", "type_oral_amendment", text=text)  # the secretariat records (rule 21)
    run(w, "secretariat", "type_oral_amendment", text=text[:40])
    run(w, "secretariat", "type_oral_amendment", text=text)
    oral = queries.state_for(w.u["kenya"], sitting(w))["oral"]
    assert {"op": "delete", "text": "relevant"} in oral["runs"]
    assert {"op": "insert", "text": "fundamental"} in oral["runs"]
    result = run(w, "secretariat", "record_oral_amendment", moved_by=w.p["kenya"].id, seconded_by=w.p["germany"].id)
    amendment = db.session.get(Amendment, result["amendment_id"])
    assert amendment.oral and amendment.text == text and amendment.state is AmendmentState.under_discussion
    assert [s.member_state for s in amendment.seconders] == ["DE"]
    live = queries.live_of(w.sitting_id)
    assert live.amendment_id == amendment.id and live.oral_draft is None


def test_an_oral_sub_amendment_amends_the_amendment_before_the_sitting(w):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    text = para_text(w, "2").replace("relevant", "fundamental")
    first = run(w, "secretariat", "record_oral_amendment", moved_by=w.p["kenya"].id,
                seconded_by=w.p["germany"].id, text=text)
    sub_text = text.replace("ratify", "ratify and apply")
    result = run(w, "secretariat", "record_oral_amendment", sub_amendment=True, moved_by=w.p["emp_secretary"].id,
                 text=sub_text)
    sub = db.session.get(Amendment, result["amendment_id"])
    assert sub.parent_id == first["amendment_id"] and sub.text == sub_text


def test_a_bad_mover_for_an_oral_amendment_changes_nothing(w):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    with pytest.raises(ValidationFailed) as err:
        run(w, "secretariat", "record_oral_amendment", moved_by=w.p["observer"].id, text="Anything.")
    assert "mover" in err.value.fields or "moved_by" in err.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == 0


def test_the_chairs_script_is_for_officers_and_the_secretariat_only(w):
    with pytest.raises(NotAllowed):
        run(w, "chair", "set_script", text="Ask the Employers first.")
    run(w, "secretariat", "set_script", text="Ask the Employers first.")
    for role in ("chair", "secretariat", "reporter", "wkr_spokesperson"):
        assert queries.state_for(w.u[role], sitting(w))["officers"]["script"] == "Ask the Employers first."
    for role in ("kenya", "worker", "observer"):
        assert "officers" not in queries.state_for(w.u[role], sitting(w))
    # Prepared ahead for another item; shown when the Chair takes it up.
    run(w, "secretariat", "set_script", item=f"paragraph:{para(w, '4').id}", text="Paragraph 4: ask the Workers.")
    assert queries.state_for(w.u["chair"], sitting(w))["officers"]["script"] == "Ask the Employers first."
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "4").id)
    assert queries.state_for(w.u["chair"], sitting(w))["officers"]["script"] == "Paragraph 4: ask the Workers."
    with pytest.raises(ValidationFailed):
        run(w, "secretariat", "set_script", item="paragraph:999999", text="Nowhere.")


def test_the_officers_room_is_for_chair_vice_chairs_reporter_and_secretariat(w):
    for role in ("chair", "secretariat", "reporter", "wkr_spokesperson", "emp_spokesperson"):
        run(w, role, "officers_message", body=f"From {role}")
    for role in ("kenya", "worker", "employer", "observer", "africa"):
        with pytest.raises(NotAllowed):
            run(w, role, "officers_message", body="Let me in")
    messages = queries.state_for(w.u["reporter"], sitting(w))["officers"]["messages"]
    assert [m["body"] for m in messages][-1] == "From emp_spokesperson" and len(messages) == 5
    with pytest.raises(ValidationFailed):
        run(w, "chair", "officers_message", body="x" * 501)
    # Rule 11: the audit entries about the officers' room belong to that space (redacted elsewhere).
    from forum.meetings.models import Space, SpaceKind

    officers = db.session.scalars(sa.select(Space.id).where(Space.meeting_id == w.meeting.id,
                                                            Space.kind == SpaceKind.officers)).one()
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "sitting.officers_message")).all()
    assert len(entries) == 5 and {e.space_id for e in entries} == {officers}
    assert all("From" not in e.payload for e in entries)  # the message itself is not copied into the log


def test_the_announcement_line_is_shown_to_everyone(w):
    run(w, "secretariat", "announce", text="  The sitting resumes at 15:00.  ")
    assert queries.state_for(w.u["observer"], sitting(w))["announcement"] == "The sitting resumes at 15:00."


@pytest.mark.postgres
def test_the_state_survives_in_the_database_alone(w):
    """Nothing is kept in memory: a fresh session (as after a restart) reads the same state."""
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "3").id)
    run(w, "kenya", "request_floor")
    run(w, "chair", "grant_floor")
    run(w, "secretariat", "announce", text="Back at 3")
    before = queries.state_for(w.u["chair"], sitting(w))
    db.session.remove()
    after = queries.state_for(w.u["chair"], sitting(w))
    for key in ("version", "state", "item", "speakers", "timer", "announcement"):
        assert after[key] == before[key], key


def test_docs_realtime_lists_every_command_and_update_type():
    """docs/realtime.md is the reference for clients: a command or update type missing there fails."""
    import re
    from pathlib import Path

    from forum.sittings import services

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "realtime.md").read_text()
    missing = [name for name in services.COMMANDS if f"`{name}`" not in doc]
    assert not missing, missing
    sent = set()
    for path in (root / "forum").rglob("*.py"):
        sent |= set(re.findall(r'(?:_update|_officers_update|publish_sitting_update)\(\s*sitting, "([a-z_]+)"',
                               path.read_text()))
    assert {"item_changed", "speakers_changed", "text_changed", "announcement"} <= sent
    undocumented = sorted(t for t in sent if f"`{t}`" not in doc)
    assert not undocumented, undocumented


def test_a_delegates_snapshot_runs_a_bounded_number_of_queries(w, count_queries):
    """Every delegate joining asks for one: it must not grow with the list of speakers."""
    for role in ("kenya", "germany", "italy", "senegal", "worker", "employer", "wkr_spokesperson"):
        run(w, role, "request_floor")
    run(w, "chair", "grant_floor")
    db.session.remove()
    user = db.session.merge(w.u["worker"])
    sitting_row = sitting(w)
    with count_queries() as counter:
        state = queries.state_for(user, sitting_row)
    assert len(state["speakers"]["waiting"]) == 6
    assert counter.n <= 15, counter.statements  # the item's texts in every meeting language add two reads
    # The next delegate of that version reads the versions, their participation and the vote only.
    other = db.session.merge(w.u["kenya"])
    with count_queries() as counter:
        assert queries.state_for(other, sitting_row)["speakers"] == state["speakers"]
    assert counter.n <= 4, counter.statements


# --- the shared part of the snapshot (kept per version; docs/realtime.md) -----------------------------

def shared_entry(w):
    cache = queries.shared_snapshots()
    key = queries.shared_key(w.sitting_id)
    return cache, cache._entries.get(key)


def test_members_with_different_rights_get_their_own_part_on_one_shared_part(w):
    queries.shared_snapshots().clear()
    run(w, "secretariat", "set_script", text="Ask the Employers first.")
    run(w, "chair", "officers_message", body="Keep the Workers' reply short.")
    kenya = queries.state_for(w.u["kenya"], sitting(w))
    cache, entry = shared_entry(w)
    builds = cache.builds
    chair = queries.state_for(w.u["chair"], sitting(w))
    observer = queries.state_for(w.u["observer"], sitting(w))
    assert cache.builds == builds  # the Chair and the observer were served the delegate's shared part
    assert kenya["item"] is chair["item"] is observer["item"] is entry["item"]
    # Nothing of a user, an officer or the Chair is in the shared part.
    assert not {"you", "vote", "officers", "chair", "agenda", "server_time"} & set(entry)
    assert "Ask the Employers" not in repr(entry) and "Workers' reply" not in repr(entry)
    assert chair["officers"]["script"] == "Ask the Employers first."
    assert chair["officers"]["messages"][-1]["body"] == "Keep the Workers' reply short."
    assert "speaking_times" in chair["chair"] and chair["agenda"]
    assert not {"officers", "chair", "agenda"} & set(kenya) and not {"officers", "chair", "agenda"} & set(observer)
    assert chair["you"]["presides"] and chair["you"]["participant_id"] == w.p["chair"].id
    assert not kenya["you"]["presides"] and kenya["you"]["participant_id"] == w.p["kenya"].id
    assert kenya["you"]["may_request_floor"] and not observer["you"]["may_request_floor"]  # rule 5
    kenya["extra"] = 1  # callers may add keys (the API adds the register): not to the shared part
    assert "extra" not in queries.state_for(w.u["germany"], sitting(w))


def test_a_version_bump_refreshes_the_shared_part(w):
    first = queries.state_for(w.u["kenya"], sitting(w))
    run(w, "chair", "announce", text="Back at three.")
    second = queries.state_for(w.u["kenya"], sitting(w))
    assert second["announcement"] == "Back at three." and second["version"] == first["version"] + 1
    # A change outside the sitting bumps the draft's version: the item's texts follow.
    from forum.drafting import drafts

    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    queries.state_for(w.u["kenya"], sitting(w))
    with unit_of_work():
        drafts.set_translation(w.secretariat, para(w, "2"), language="fr", text="Les États Membres ratifient.")
    texts = queries.state_for(w.u["kenya"], sitting(w))["item"]["texts"]
    assert texts["fr"] == {"language": "fr", "text": "Les États Membres ratifient.",
                           "runs": [{"op": "equal", "text": "Les États Membres ratifient."}]}


def test_a_snapshot_inside_a_write_is_not_kept(w):
    """What a transaction reads of its own changes may never commit: it must not be served later."""
    queries.state_for(w.u["kenya"], sitting(w))
    with pytest.raises(RuntimeError), unit_of_work():
        services.run_command(w.u["chair"], sitting(w), "announce", {"text": "Never said."})
        assert queries.state_for(w.u["kenya"], sitting(w))["announcement"] == "Never said."
        raise RuntimeError("rolled back")
    assert queries.state_for(w.u["kenya"], sitting(w))["announcement"] == ""
    run(w, "chair", "announce", text="Said.")  # the same version number the rolled-back change had
    assert queries.state_for(w.u["kenya"], sitting(w))["announcement"] == "Said."


@pytest.mark.postgres
def test_what_is_kept_for_a_version_is_read_after_that_version(w, app):
    """On PostgreSQL a transaction sees each commit as it happens: objects it loaded earlier must not
    end up, stale, in the entry kept under the newer version that it reads next."""
    import threading

    from forum.accounts.models import User

    row, live = sitting(w), queries.live_of(w.sitting_id)  # loaded and held, as a handler holds them
    before = queries.state_for(w.u["kenya"], row)
    chair_id = w.u["chair"].id

    def another_process():
        with app.app_context(), unit_of_work():
            services.run_command(db.session.get(User, chair_id), db.session.get(Sitting, w.sitting_id),
                                 "announce", {"text": "Fresh."})

    thread = threading.Thread(target=another_process)
    thread.start()
    thread.join(30)
    during = queries.state_for(w.u["kenya"], row)  # same transaction
    assert (during["version"], during["announcement"]) in {(before["version"], ""), (before["version"] + 1, "Fresh.")}
    db.session.rollback()
    after = queries.state_for(w.u["germany"], sitting(w))
    assert (after["version"], after["announcement"]) == (before["version"] + 1, "Fresh.")
    assert live.sitting_id == w.sitting_id


def test_many_readers_of_one_version_build_the_shared_part_once():
    import threading

    cache = queries.SharedSnapshots(2)
    key = queries.SharedKey(1, None, 1, 1, None, None)
    started, release, built = threading.Event(), threading.Event(), []

    def build():
        started.set()
        release.wait(5)
        built.append(1)
        return {"version": 1}

    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(key, build))) for _ in range(8)]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert len(built) == 1 and len(got) == 8 and all(g is got[0] for g in got)
    for n in (2, 3):  # bounded: the least recently used goes
        cache.get(key._replace(version=n), lambda n=n: {"version": n})
    assert len(cache._entries) == 2 and key not in cache._entries


@pytest.mark.postgres
def test_commands_on_one_sitting_take_turns_so_versions_never_repeat(w, backend, count_queries):
    with count_queries() as counter:
        run(w, "chair", "announce", text="One")
    locked = any("FOR UPDATE" in statement for statement in counter.statements)
    assert locked is (backend == "postgres")  # SQLite's writers take the database lock up front
    before = sitting(w).version
    run(w, "chair", "announce", text="Two")
    assert sitting(w).version == before + 1
