"""Documents attached while writing (rule 9): the start-thread and reply forms offer the documents of
the space and of the plenary; what is chosen is attached in the same transaction, and a refused
document (a forged id of another caucus's document) refuses the whole post, writing nothing."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.discussions.models import Post, Thread
from forum.documents import services as documents
from forum.documents.models import Document, PostAttachment
from forum.extensions import db
from tests.discussions_helpers import Setting, build, counts, opening, start


def pdf() -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n% " + os.urandom(8).hex().encode() + b"\n%%EOF\n")


@pytest.fixture
def s(make_user, make_meeting, make_participant) -> Setting:
    s = build(make_user, make_meeting, make_participant)

    def share(role: str, space: str, **fields: Any) -> int:
        with unit_of_work():
            return documents.publish_document(s.user(role), s.space(space), language="en", file=pdf(),
                                              filename="d.pdf", **fields).id

    s.docs = {  # type: ignore[attr-defined]
        "report": share("secretariat", "plenary", kind="official", symbol=f"{s.meeting.symbol_prefix}/1",
                        title="Report of the Office"),
        "workers": share("wkr", "worker", kind="working", title="Workers' position on fees"),
        "workers_2": share("wkr", "worker", kind="working", title="Workers' list of questions"),
        "employers": share("emp", "employer", kind="working", title="Employers' private note"),
    }
    return s


def text(response) -> str:
    return response.get_data(as_text=True)


def all_counts() -> dict[str, int]:
    result = counts()
    result["PostAttachment"] = db.session.scalar(sa.select(sa.func.count()).select_from(PostAttachment)) or 0
    return result


def attached_to(post: Post) -> list[int]:
    return list(db.session.scalars(sa.select(PostAttachment.document_id).where(PostAttachment.post_id == post.id)
                                   .order_by(PostAttachment.id)))


def test_the_start_form_offers_only_documents_of_the_space_and_the_plenary(s, login):
    page = text(login(s.users["wkr"]).get(f"{s.base('worker')}/threads/new"))
    assert "Attach documents (optional)" in page
    for name in ("report", "workers", "workers_2"):
        assert f'value="{s.docs[name]}"' in page
    assert "Employers&#39; private note" not in page and "Employers' private note" not in page
    assert f'value="{s.docs["employers"]}"' not in page
    plenary_page = text(login(s.users["wkr"]).get(f"{s.base('plenary')}/threads/new"))
    assert f'value="{s.docs["report"]}"' in plenary_page and f'value="{s.docs["workers"]}"' not in plenary_page


def test_a_thread_started_with_two_attachments_shows_both(s, login):
    wkr = login(s.users["wkr"])
    response = wkr.post(f"{s.base('worker')}/threads/new", data={
        "title": "Fees", "body": "See the two documents.", "attachments": [s.docs["report"], s.docs["workers"]]})
    assert response.status_code == 302
    db.session.rollback()
    thread = db.session.scalars(sa.select(Thread)).one()
    assert attached_to(opening(thread)) == [s.docs["report"], s.docs["workers"]]
    page = text(login(s.users["wkr_secretary"]).get(s.thread_url(thread, "?page=1")))
    assert "Report of the Office" in page and "Workers&#39; position on fees" in page


def test_a_thread_without_attachments_still_starts(s, login):
    response = login(s.users["wkr"]).post(f"{s.base('worker')}/threads/new", data={"title": "T", "body": "B"})
    assert response.status_code == 302
    db.session.rollback()
    assert attached_to(opening(db.session.scalars(sa.select(Thread)).one())) == []


@pytest.mark.parametrize("forged", ["employers", "missing"])
def test_rule_9_a_forged_document_id_refuses_the_whole_thread(s, login, forged):
    document_id = s.docs["employers"] if forged == "employers" else 999_999
    wkr = login(s.users["wkr"])
    before = all_counts()
    response = wkr.post(f"{s.base('worker')}/threads/new", data={
        "title": "Fees", "body": "Look.", "attachments": [s.docs["report"], document_id]})
    assert response.status_code == 422
    page = text(response)
    assert 'id="attachments-error"' in page and "No such document." in page
    assert "Employers&#39; private note" not in page
    assert all_counts() == before


def test_a_withdrawn_document_cannot_be_attached_and_nothing_is_written(s, login):
    with unit_of_work():
        documents.withdraw_document(s.user("wkr"), db.session.get(Document, s.docs["workers"]), reason="Superseded")
    wkr = login(s.users["wkr"])
    page = text(wkr.get(f"{s.base('worker')}/threads/new"))
    assert f'value="{s.docs["workers"]}"' not in page
    before = all_counts()
    response = wkr.post(f"{s.base('worker')}/threads/new", data={
        "title": "Fees", "body": "Look.", "attachments": [s.docs["workers"]]})
    assert response.status_code == 422 and "withdrawn" in text(response)
    assert all_counts() == before


def test_a_reply_carries_attachments_and_a_forged_one_refuses_it(s, login):
    thread = start(s, "wkr", "worker")
    wkr = login(s.users["wkr_secretary"])
    form = text(wkr.get(s.thread_url(thread, "/reply")))
    assert f'value="{s.docs["workers_2"]}"' in form and f'value="{s.docs["employers"]}"' not in form
    before = all_counts()
    refused = wkr.post(s.thread_url(thread, "/reply"), data={"body": "More.", "attachments": [s.docs["employers"]]})
    assert refused.status_code == 422 and 'id="attachments-error"' in text(refused)
    assert all_counts() == before
    response = wkr.post(s.thread_url(thread, "/reply"), data={"body": "More.", "attachments": [s.docs["workers_2"]]})
    assert response.status_code == 302
    db.session.rollback()
    post = db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 2)).one()
    assert attached_to(post) == [s.docs["workers_2"]]
