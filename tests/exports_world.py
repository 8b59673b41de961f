"""A negotiated draft for the export tests: the drafting world plus people with French, Spanish and
Arabic names, a French translation with accents, two sittings, and amendments adopted (a change of
words, a new paragraph, a deletion), rejected, and one filed but never circulated."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from forum.db import unit_of_work, utcnow
from forum.drafting import amendments as svc
from forum.drafting import drafts
from forum.drafting.models import Amendment, Mover, MoverKind
from forum.extensions import db
from forum.meetings import attendance
from forum.meetings.models import Group, Sitting, SittingState, Space, SpaceKind
from forum.positions import decisions, polls, positions, votes
from forum.positions.items import item_of
from forum.positions.vote_models import Vote
from tests.drafting_world import TEXTS, build, draft, para, state

ARABIC_NAME = "أمينة الهاشمي"
FRENCH_NAME = "François Lefèvre"
SPANISH_NAME = "José Núñez Peña"
FRENCH_2 = "Les travailleurs migrants devraient bénéficier de l'égalité de traitement, sans exception."


def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with unit_of_work():
        return fn(*args, **kwargs)


def get(a: Amendment) -> Amendment:
    return db.session.get(Amendment, a.id)


def negotiated(make_user: Any, make_meeting: Any, make_participant: Any) -> SimpleNamespace:
    w = build(make_user, make_meeting, make_participant)
    w.p["amina"] = make_participant(w.meeting, "employer", name=f"Amina Al-Hashimi ({ARABIC_NAME})")
    w.p["francois"] = make_participant(w.meeting, "worker", name=FRENCH_NAME)
    w.p["spain"] = make_participant(w.meeting, "government", member_state="ES", name=SPANISH_NAME)
    for key in ("amina", "francois", "spain"):
        w.u[key] = w.p[key].user
    now = utcnow()
    with unit_of_work():
        db.session.add(Sitting(meeting_id=w.meeting.id, title="Première séance", starts_at=now - timedelta(days=2),
                               ends_at=now - timedelta(days=2) + timedelta(hours=3), state=SittingState.closed))
        live = Sitting(meeting_id=w.meeting.id, title="Segunda sesión", starts_at=now - timedelta(hours=1),
                       state=SittingState.live)
        db.session.add(live)
        db.session.flush()
        w.sitting_id = live.id
        attendance.set_attendance(w.secretariat, live, participant_ids=[
            w.p[r].id for r in ("emp_spokesperson", "employer", "worker", "amina", "francois")],
            member_states=["KE", "DE", "IT", "BR", "SN", "ZA", "ES"])
    run(drafts.set_translation, w.secretariat, para(w, "2"), language="fr", text=FRENCH_2)

    def circulate(role: str, label: str, *, kind: str = "modify", text: str = "", mover: Mover | None = None,
                  explanation: str = "Pour une meilleure cohérence.") -> Amendment:
        a = run(svc.file_amendment, w.u[role], draft(w), para(w, label), mover=mover or state(w.p[role].member_state),
                kind=kind, language="en", text=text, explanation=explanation)
        run(svc.submit_amendment, w.u[role], get(a))
        run(svc.validate_amendment, w.secretariat, get(a))
        run(svc.circulate_amendments, w.secretariat, draft(w))
        return get(a)

    chair = w.u["chair"]
    # D.1 Kenya: "should" -> "shall" in 2, seconded by Amina (Employers), adopted.
    w.a1 = circulate("kenya", "2", text=TEXTS["2"].replace("should", "shall"), explanation="Plus ferme — « shall ».")
    run(svc.record_seconder, w.secretariat, get(w.a1), w.p["amina"])
    run(svc.start_discussion, chair, get(w.a1))
    run(svc.decide_amendment, chair, get(w.a1), "adopted")
    # D.2 the Employers' group: a new paragraph after 2, adopted.
    w.a2 = circulate("emp_secretary", "2", kind="insert_after", mover=Mover(MoverKind.employer_group),
                     text="Social dialogue, including négociation collective, should shape migration policy.")
    run(svc.start_discussion, chair, get(w.a2))
    run(svc.decide_amendment, chair, get(w.a2), "adopted")
    # D.3 Germany: delete 3(b), seconded by François (Workers), adopted.
    w.a3 = circulate("germany", "3(b)", kind="delete", explanation="Redundant.")
    run(svc.record_seconder, w.secretariat, get(w.a3), w.p["francois"])
    run(svc.start_discussion, chair, get(w.a3))
    run(svc.decide_amendment, chair, get(w.a3), "adopted")
    # D.4 Spain: a text a spreadsheet would take for a formula, seconded by Italy, put to a record vote
    # and rejected: the record names every voter.
    w.a4 = circulate("spain", "4", text="=SUM(1) Skills of migrant workers should be recognized everywhere.",
                     explanation="Añadir «everywhere» — reconocimiento")
    run(svc.second_amendment, w.u["italy"], get(w.a4))
    run(svc.start_discussion, chair, get(w.a4))
    # The groups' positions and a Government's statement in the plenary; a poll in the Employers'
    # caucus, which is the caucus's alone and never exported.
    sec = w.secretariat
    run(positions.record_position, sec, item_of(get(w.a4)), group="employer", stance="oppose",
        statement=EMPLOYER_STATEMENT)
    run(positions.record_position, sec, item_of(get(w.a4)), group="worker", stance="support")
    run(positions.add_statement, sec, item_of(get(w.a4)), member_state="ES", stance="support", text=SPAIN_STATEMENT)
    with unit_of_work():
        caucus = db.session.scalars(db.select(Space).where(Space.meeting_id == w.meeting.id,
                                                           Space.kind == SpaceKind.group,
                                                           Space.group == Group.employer)).one()
        poll = polls.open_poll(db.session.merge(w.u["emp_spokesperson"]), caucus, item_of(get(w.a4)),
                               question=POLL_QUESTION)
    run(polls.answer_poll, db.session.merge(w.u["amina"]), poll, "oppose")
    w.record_vote = ballot(w, item_of(get(w.a4)), "record", {"italy": "for", "spain": "against", "kenya": "against",
                                                             "amina": "against", "francois": "against"})
    declare(w, item_of(get(w.a4)), "rejected", "vote", vote_id=w.record_vote)
    # Filed and submitted, never circulated: in no export.
    hidden = run(svc.file_amendment, w.u["kenya"], draft(w), para(w, "1"), mover=state("KE"), kind="modify",
                 language="en", text="SECRET-UNCIRCULATED labour migration text.", explanation="Not yet.")
    run(svc.submit_amendment, w.u["kenya"], get(hidden))
    w.hidden = hidden
    # Paragraph decisions: 1 adopted by secret ballot, 2 adopted as amended (drafting's own page),
    # 2bis adopted with a reservation recorded; 3, 3(a) and 4 stay pending.
    w.secret_vote = ballot(w, item_of(para(w, "1")), "secret", {"kenya": "for", "germany": "for", "amina": "for",
                                                               "francois": "for", "spain": "against"})
    declare(w, item_of(para(w, "1")), "adopted", "vote", vote_id=w.secret_vote)
    run(drafts.decide_paragraph, chair, para(w, "2"), "under_discussion")
    run(drafts.decide_paragraph, chair, para(w, "2"), "adopted_as_amended")
    declare(w, item_of(para(w, "2bis")), "reservation", "reservation", note=RESERVATION)
    return w


RESERVATION = "Reserva del Gobierno de España sobre la negociación colectiva"
EMPLOYER_STATEMENT = "Les employeurs préfèrent le texte actuel."
SPAIN_STATEMENT = "España apoya la enmienda: «reconocimiento» en todas partes."
POLL_QUESTION = "CAUCUS-ONLY poll: oppose D.4?"


def ballot(w: SimpleNamespace, item: Any, vote_type: str, choices: dict[str, str]) -> int:
    """Open a vote in the live sitting, cast the ballots, close it; the vote's id."""
    with unit_of_work():
        vote = votes.open_vote(db.session.merge(w.u["chair"]), item, vote_type=vote_type,
                               sitting=db.session.get(Sitting, w.sitting_id))
    for role, choice in choices.items():
        with unit_of_work():
            votes.cast_ballot(db.session.merge(w.u[role]), db.session.get(Vote, vote.id), choice)
    with unit_of_work():
        votes.close_vote(db.session.merge(w.u["chair"]), db.session.get(Vote, vote.id))
    return vote.id


def declare(w: SimpleNamespace, item: Any, outcome: str, method: str, *, vote_id: int | None = None,
            note: str = "") -> None:
    with unit_of_work():
        decisions.declare(db.session.merge(w.u["chair"]), item, outcome=outcome, method=method, note=note,
                          vote=db.session.get(Vote, vote_id) if vote_id else None,
                          sitting=db.session.get(Sitting, w.sitting_id))
