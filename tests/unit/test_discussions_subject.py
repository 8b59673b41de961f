"""A thread's subject: a draft paragraph or an amendment (discussions × drafting, rule 23 for amendments)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.discussions import services
from forum.discussions.models import Post, Thread
from forum.drafting import amendments as svc
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind
from tests.drafting_world import WORKERS, build, draft, para, state


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def run(fn, *args, **kwargs):
    with unit_of_work():
        return fn(*args, **kwargs)


def space(w, kind: SpaceKind, group: Group | None = None) -> Space:
    stmt = sa.select(Space).where(Space.meeting_id == w.meeting.id, Space.kind == kind)
    if group is not None:
        stmt = stmt.where(Space.group == group)
    return db.session.scalars(stmt).first()


def filed(w, role: str, mover, label: str = "2"):
    return run(svc.file_amendment, w.u[role], draft(w), para(w, label), mover=mover, kind="delete", language="en",
               text="", explanation="Because.")


def circulate(w, role: str, a):
    from forum.drafting.models import Amendment

    run(svc.submit_amendment, w.u[role], db.session.get(Amendment, a.id))
    run(svc.validate_amendment, w.secretariat, db.session.get(Amendment, a.id))
    run(svc.circulate_amendments, w.secretariat, draft(w))
    return db.session.get(Amendment, a.id)


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Thread, Post, AuditEntry))


def refused(fn, *args, **kwargs) -> ValidationFailed:
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        run(fn, *args, **kwargs)
    db.session.rollback()
    assert counts() == before
    return info.value


def start(w, role: str, sp: Space, **subject) -> Thread:
    return run(services.start_thread, w.u[role], db.session.get(Space, sp.id), title="On it", body="Let us talk.",
               **subject)


@pytest.mark.postgres
def test_thread_about_a_paragraph_is_linked_and_audited(w):
    plenary = space(w, SpaceKind.plenary)
    thread = start(w, "kenya", plenary, paragraph_id=para(w, "2").id)
    thread = db.session.get(Thread, thread.id)
    assert thread.paragraph_id == para(w, "2").id and thread.amendment_id is None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "thread.start")).one()
    assert json.loads(entry.payload)["paragraph_id"] == para(w, "2").id


@pytest.mark.postgres
def test_thread_about_a_circulated_amendment_in_the_plenary(w):
    a = circulate(w, "kenya", filed(w, "kenya", state("KE")))
    thread = start(w, "germany", space(w, SpaceKind.plenary), amendment_id=a.id)
    assert db.session.get(Thread, thread.id).amendment_id == a.id


@pytest.mark.postgres
def test_rule_23_uncirculated_amendment_not_linked_in_the_plenary(w):
    a = filed(w, "wkr_secretary", WORKERS)
    exc = refused(services.start_thread, w.u["wkr_secretary"], space(w, SpaceKind.plenary), title="T", body="B",
                  amendment_id=a.id)
    assert "circulated" in exc.fields["amendment_id"][0]
    # ... but in the movers' own caucus it may be talked of.
    thread = start(w, "worker", space(w, SpaceKind.group, Group.worker), amendment_id=a.id)
    assert db.session.get(Thread, thread.id).amendment_id == a.id


@pytest.mark.postgres
def test_amendment_the_author_cannot_see_is_refused(w):
    a = filed(w, "wkr_secretary", WORKERS)
    exc = refused(services.start_thread, w.u["employer"], space(w, SpaceKind.plenary), title="T", body="B",
                  amendment_id=a.id)
    assert "amendment_id" in exc.fields


@pytest.mark.postgres
def test_subject_of_another_meeting_or_forged_is_refused(w, make_user, make_meeting, make_participant):
    other = build(make_user, make_meeting, make_participant)
    a = circulate(other, "kenya", filed(other, "kenya", state("KE")))
    plenary = space(w, SpaceKind.plenary)
    assert "amendment_id" in refused(services.start_thread, w.u["kenya"], plenary, title="T", body="B",
                                     amendment_id=a.id).fields
    assert "paragraph_id" in refused(services.start_thread, w.u["kenya"], plenary, title="T", body="B",
                                     paragraph_id=para(other, "2").id).fields
    assert "paragraph_id" in refused(services.start_thread, w.u["kenya"], plenary, title="T", body="B",
                                     paragraph_id=10**9).fields
    assert "amendment_id" in refused(services.start_thread, w.u["kenya"], plenary, title="T", body="B",
                                     amendment_id=10**9).fields
    assert "amendment_id" in refused(services.start_thread, w.u["kenya"], plenary, title="T", body="B",
                                     paragraph_id=para(w, "2").id, amendment_id=a.id).fields


# --- pages -----------------------------------------------------------------------------------------

def amendment_url(w, a) -> str:
    return f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{a.id}"


def test_thread_page_shows_its_subject_to_who_may_see_it(w, login):
    a = circulate(w, "kenya", filed(w, "kenya", state("KE")))
    plenary = space(w, SpaceKind.plenary)
    thread = start(w, "kenya", plenary, amendment_id=a.id)
    page = login(w.u["germany"]).get(f"/meetings/{w.meeting.id}/spaces/{plenary.id}/threads/{thread.id}?page=1")
    assert page.status_code == 200
    assert "About: amendment D." in page.text and amendment_url(w, a) in page.text
    about_para = start(w, "kenya", plenary, paragraph_id=para(w, "2").id)
    page = login(w.u["germany"]).get(f"/meetings/{w.meeting.id}/spaces/{plenary.id}/threads/{about_para.id}?page=1")
    assert "About: Paragraph 2" in page.text


def test_amendment_page_lists_only_threads_the_reader_may_see(w, login):
    a = circulate(w, "wkr_secretary", filed(w, "wkr_secretary", WORKERS))
    caucus = start(w, "worker", space(w, SpaceKind.group, Group.worker), amendment_id=a.id)
    caucus_title = "Workers only"
    run(lambda: setattr(db.session.get(Thread, caucus.id), "title", caucus_title))
    public = start(w, "kenya", space(w, SpaceKind.plenary), amendment_id=a.id)
    worker_page = login(w.u["worker"]).get(amendment_url(w, a)).text
    employer_page = login(w.u["employer"]).get(amendment_url(w, a)).text
    assert caucus_title in worker_page and f"/threads/{public.id}" in worker_page
    assert caucus_title not in employer_page and f"/threads/{caucus.id}" not in employer_page
    assert f"/threads/{public.id}" in employer_page
    assert f"amendment={a.id}" in employer_page  # "start a discussion of it" names the subject


def test_paragraph_page_lists_threads_and_offers_to_start_one(w, login):
    plenary = space(w, SpaceKind.plenary)
    thread = start(w, "kenya", plenary, paragraph_id=para(w, "2").id)
    page = login(w.u["employer"]).get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/paragraphs/{para(w, '2').id}")
    assert page.status_code == 200
    assert f"/threads/{thread.id}" in page.text and f"paragraph={para(w, '2').id}" in page.text


def test_start_form_carries_the_subject_and_refuses_a_forged_one(w, login):
    plenary = space(w, SpaceKind.plenary)
    client = login(w.u["kenya"])
    url = f"/meetings/{w.meeting.id}/spaces/{plenary.id}/threads/new"
    form = client.get(f"{url}?paragraph={para(w, '2').id}")
    assert form.status_code == 200 and "About: Paragraph 2" in form.text
    before = counts()
    bad = client.post(url, data={"title": "T", "body": "B", "amendment_id": "999999"})
    assert bad.status_code in (400, 422) and "not one of this meeting" in bad.text
    assert counts() == before
    ok = client.post(url, data={"title": "T", "body": "B", "paragraph_id": str(para(w, "2").id)})
    assert ok.status_code == 302
    assert db.session.scalars(sa.select(Thread).where(Thread.title == "T")).one().paragraph_id == para(w, "2").id
