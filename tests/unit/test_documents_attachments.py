"""Documents attached to discussion posts (rule 9): the author attaches what they see, from the post's
space or the plenary; a caucus document never appears outside its caucus, whatever the id."""

from __future__ import annotations

import io
import os
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from forum import permissions
from forum.accounts.models import User
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.discussions.models import Post, Thread
from forum.documents import queries, services
from forum.documents.models import Document, PostAttachment
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind


def pdf() -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n% " + os.urandom(8).hex().encode() + b"\n%%EOF\n")


@pytest.fixture
def w(make_user, make_meeting, make_participant, login) -> SimpleNamespace:
    secretariat = make_user(staff=True)
    meeting = make_meeting(secretariat, symbol_prefix="TTMLM/2027")
    ns = SimpleNamespace(meeting=meeting, secretariat=secretariat, base=f"/meetings/{meeting.id}", login=login)
    ns.worker = make_participant(meeting, "worker").user
    ns.worker2 = make_participant(meeting, "worker").user
    ns.employer = make_participant(meeting, "employer").user
    spaces = {(s.kind, s.group): s for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}
    plenary, workers = spaces[(SpaceKind.plenary, None)], spaces[(SpaceKind.group, Group.worker)]
    employers = spaces[(SpaceKind.group, Group.employer)]
    ns.plenary_id, ns.workers_id = plenary.id, workers.id

    def share(user: Any, space: Space, **fields: Any) -> int:
        with unit_of_work():
            return services.publish_document(db.session.get(User, user.id), db.session.get(Space, space.id),
                                             language="en", file=pdf(), filename="d.pdf", **fields).id

    def thread(user: Any, space: Space) -> int:
        with unit_of_work():
            t = discussions.start_thread(db.session.get(User, user.id), db.session.get(Space, space.id),
                                         title="On the report", body="Our views.")
            return db.session.scalar(sa.select(sa.func.min(Post.id)).where(Post.thread_id == t.id))

    ns.report = share(secretariat, plenary, kind="official", symbol="TTMLM/2027/1", title="Report")
    ns.caucus_doc = share(ns.worker, workers, kind="working", title="Workers' statement")
    ns.employers_doc = share(ns.employer, employers, kind="working", title="Employers' note")
    ns.caucus_post = thread(ns.worker, workers)
    ns.plenary_post = thread(ns.worker, plenary)
    ns.employers_post = thread(ns.employer, employers)
    return ns


def attach(user: Any, post_id: int, document_id: int) -> None:
    with unit_of_work():
        services.attach_document(db.session.get(User, user.id), db.session.get(Post, post_id),
                                 db.session.get(Document, document_id))


def attached(post_id: int) -> list[int]:
    db.session.rollback()
    return [d.id for d in queries.attachments_of_posts([post_id])[post_id]]


def test_the_author_attaches_a_caucus_document_in_its_caucus_and_a_plenary_document_anywhere(w):
    attach(w.worker, w.caucus_post, w.caucus_doc)
    attach(w.worker, w.caucus_post, w.report)
    attach(w.worker, w.plenary_post, w.report)
    assert attached(w.caucus_post) == [w.caucus_doc, w.report]
    assert attached(w.plenary_post) == [w.report]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "post.attach_document")).first()
    assert entry.space_id == w.workers_id


def test_rule_9_a_caucus_document_is_never_attached_in_another_space(w):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(PostAttachment))
    with pytest.raises(ValidationFailed, match="Only documents of this space or of the plenary"):
        attach(w.worker, w.plenary_post, w.caucus_doc)  # the author sees it, the plenary must not
    with pytest.raises(NotFound):
        attach(w.worker, w.caucus_post, w.employers_doc)  # another group's: as if it did not exist
    with pytest.raises(NotFound):
        attach(w.employer, w.employers_post, w.caucus_doc)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostAttachment)) == before


def test_only_the_author_attaches_and_detaches(w):
    with pytest.raises(NotAllowed):
        attach(w.worker2, w.caucus_post, w.caucus_doc)
    with pytest.raises(NotFound):
        attach(w.employer, w.caucus_post, w.report)  # not a member of the caucus: the post does not exist
    attach(w.worker, w.caucus_post, w.caucus_doc)
    with pytest.raises(ValidationFailed, match="already attached"):
        attach(w.worker, w.caucus_post, w.caucus_doc)
    with pytest.raises(NotAllowed), unit_of_work():
        services.detach_document(db.session.get(User, w.worker2.id), db.session.get(Post, w.caucus_post),
                                 db.session.get(Document, w.caucus_doc))
    with unit_of_work():
        services.detach_document(db.session.get(User, w.worker.id), db.session.get(Post, w.caucus_post),
                                 db.session.get(Document, w.caucus_doc))
    assert attached(w.caucus_post) == []


def test_a_withdrawn_document_cannot_be_attached(w):
    with unit_of_work():
        services.withdraw_document(db.session.get(User, w.worker.id), db.session.get(Document, w.caucus_doc),
                                   reason="Replaced")
    with pytest.raises(InvalidState, match="withdrawn"):
        attach(w.worker, w.caucus_post, w.caucus_doc)


@pytest.mark.postgres
def test_can_attach_document_rule(app, backend, w):
    post = db.session.get(Post, w.plenary_post)
    worker = db.session.get(User, w.worker.id)
    assert permissions.can_attach_document(worker, post, db.session.get(Document, w.report))
    assert not permissions.can_attach_document(worker, post, db.session.get(Document, w.caucus_doc))
    assert not permissions.can_attach_document(db.session.get(User, w.employer.id), post,
                                               db.session.get(Document, w.report))  # not the author


# --- pages ------------------------------------------------------------------------------------------

def test_attachment_pages_and_id_guessing(w):
    worker, worker2, employer = w.login(w.worker), w.login(w.worker2), w.login(w.employer)
    url = f"{w.base}/posts/{w.caucus_post}/attachments"
    page = worker.get(url)
    assert page.status_code == 200 and "Workers&#39; statement" in page.get_data(as_text=True)
    assert "Employers&#39; note" not in page.get_data(as_text=True)  # not offered: not the worker's
    assert worker.post(url, data={"document_id": str(w.caucus_doc)}).status_code == 302
    shown = worker2.get(url).get_data(as_text=True)
    assert "Workers&#39; statement" in shown and "Attach a document" not in shown
    assert worker2.post(url, data={"document_id": str(w.report)}).status_code == 403
    # Another group: the post, its attachments and the attached document do not exist.
    assert employer.get(url).status_code == 404
    assert employer.post(url, data={"document_id": str(w.caucus_doc)}).status_code == 404
    assert employer.get(f"{url}/{w.caucus_doc}/detach").status_code == 404
    # The employers' author guessing the workers' document id for their own post: 404, nothing attached.
    own = f"{w.base}/posts/{w.employers_post}/attachments"
    assert employer.post(own, data={"document_id": str(w.caucus_doc)}).status_code == 404
    assert attached(w.employers_post) == []
    # The workers' document shows where it is attached, for those who see the post.
    detail = worker2.get(f"{w.base}/documents/{w.caucus_doc}").get_data(as_text=True)
    assert "Attached in discussions" in detail and "On the report" in detail
    # Attaching a caucus document to a plenary post: a clear refusal, nothing attached.
    refused = worker.post(f"{w.base}/posts/{w.plenary_post}/attachments", data={"document_id": str(w.caucus_doc)})
    assert refused.status_code == 422 and "Only documents of this space or of the plenary" in refused.get_data(
        as_text=True)
    assert attached(w.plenary_post) == []
    confirm = worker.get(f"{url}/{w.caucus_doc}/detach")
    assert confirm.status_code == 200
    assert worker.post(f"{url}/{w.caucus_doc}/detach").status_code == 302
    assert attached(w.caucus_post) == []


def test_the_thread_page_partial_costs_the_same_for_one_post_or_many(app, w, count_queries):
    from flask import render_template_string
    from flask_login import login_user

    from forum.meetings.models import Meeting

    attach(w.worker, w.caucus_post, w.caucus_doc)
    with unit_of_work():
        thread_id = db.session.get(Post, w.caucus_post).thread_id
        for n in range(5):
            reply = discussions.reply(db.session.get(User, w.worker.id), db.session.get(Thread, thread_id),
                                      body=f"Reply {n}")
            services.attach_document(db.session.get(User, w.worker.id), reply, db.session.get(Document, w.report))
    template = '{% for p in posts %}{% include "documents/_post_attachments.html" %}{% endfor %}'
    worker_id, meeting_id = w.worker.id, w.meeting.id

    def render(posts_n: int) -> tuple[int, str]:
        with app.app_context(), app.test_request_context():  # a fresh `g` and session, as a request has
            login_user(db.session.get(User, worker_id))
            posts = list(db.session.scalars(sa.select(Post).where(Post.thread_id == thread_id)
                                            .order_by(Post.id).limit(posts_n)))
            meeting = db.session.get(Meeting, meeting_id)
            with count_queries() as counter:
                html = render_template_string(template, posts=posts, meeting=meeting)
        return counter.n, html

    one, html_one = render(1)
    many, html_many = render(6)
    assert "Workers&#39; statement" in html_one
    assert html_many.count("/documents/") == 2 * 6  # a link and a download for each
    assert many == one


def test_the_thread_page_shows_each_posts_attachments(w):
    attach(w.worker, w.caucus_post, w.caucus_doc)
    thread_id = db.session.get(Post, w.caucus_post).thread_id
    page = w.login(w.worker2).get(f"{w.base}/spaces/{w.workers_id}/threads/{thread_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/documents/{w.caucus_doc}" in html and "Workers&#39; statement" in html
    assert "Attach a document" not in html  # worker2 is not the author
    own = w.login(w.worker).get(f"{w.base}/spaces/{w.workers_id}/threads/{thread_id}").get_data(as_text=True)
    assert "Attach a document" in own
