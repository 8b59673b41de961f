"""API operations on discussions (listThreads, createThread, getThread, createPost): for each,
success, bad input, no token, another group's caucus (404) and an observer who may not write (403).
Every response is checked against the OpenAPI document by the `api` client."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.discussions.models import Post, Thread
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind


class Scene:
    """A meeting with a worker, an employer, an observer, an outsider, and a thread in each caucus."""

    def __init__(self, make_user, make_meeting, make_participant):
        self.secretariat = make_user(staff=True)
        self.meeting = make_meeting(self.secretariat, title="Platform work")
        self.worker = make_participant(self.meeting, "worker").user
        self.worker2 = make_participant(self.meeting, "worker").user
        self.employer = make_participant(self.meeting, "employer").user
        self.observer = make_participant(self.meeting, "none", "observer").user
        self.outsider = make_user()
        spaces = {(s.kind, s.group): s for s in db.session.scalars(
            sa.select(Space).where(Space.meeting_id == self.meeting.id))}
        self.plenary = spaces[(SpaceKind.plenary, None)]
        self.worker_caucus = spaces[(SpaceKind.group, Group.worker)]
        self.employer_caucus = spaces[(SpaceKind.group, Group.employer)]
        self.worker_thread = self.start(self.worker, self.worker_caucus, "Our position on paragraph 3")
        self.employer_thread = self.start(self.employer, self.employer_caucus, "Employers only")
        self.plenary_thread = self.start(self.employer, self.plenary, "Opening remarks")

    def start(self, user, space, title):
        with unit_of_work():
            thread = discussions.start_thread(db.session.merge(user), db.session.merge(space), title=title,
                                              body="First **post**.")
            return thread.id


@pytest.fixture
def s(make_user, make_meeting, make_participant):
    return Scene(make_user, make_meeting, make_participant)


def threads(s):
    return f"/meetings/{s.meeting.id}/threads"


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- listThreads ---------------------------------------------------------------------------------------

def test_list_threads_shows_the_spaces_the_caller_sees(api, s):
    body = api(s.worker).get(threads(s)).get_json()
    assert {t["id"] for t in body["items"]} == {s.worker_thread, s.plenary_thread} and body["total"] == 2
    assert s.employer_thread not in {t["id"] for t in api(s.observer).get(threads(s)).get_json()["items"]}
    caucus = api(s.worker).get(threads(s), query={"space": "caucus"}).get_json()
    assert [t["id"] for t in caucus["items"]] == [s.worker_thread]
    assert caucus["items"][0]["space"] == s.worker_caucus.id and caucus["items"][0]["space_kind"] == "group"
    by_id = api(s.worker).get(threads(s), query={"space": str(s.plenary.id)}).get_json()
    assert [t["id"] for t in by_id["items"]] == [s.plenary_thread]
    paged = api(s.worker).get(threads(s), query={"per_page": 1}).get_json()
    assert len(paged["items"]) == 1 and paged["next"] and paged["total"] == 2


def test_list_threads_refusals(api, s):
    assert api(s.worker).get(threads(s), query={"space": "lobby"}).status_code == 422
    assert api(s.worker).get(threads(s), query={"per_page": 0}).status_code == 422
    assert api(None).get(threads(s)).status_code == 401
    # Another group's caucus, by id: unknown as far as the caller can tell.
    hidden = api(s.worker).get(threads(s), query={"space": str(s.employer_caucus.id)})
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"
    assert api(s.outsider).get(threads(s)).status_code == 404
    # Observers belong to no group: they have no caucus to name.
    no_caucus = api(s.observer).get(threads(s), query={"space": "caucus"})
    assert no_caucus.status_code == 422 and "space" in no_caucus.get_json()["error"]["fields"]


# --- createThread ---------------------------------------------------------------------------------------

def test_create_thread_in_the_callers_caucus(api, s):
    response = api(s.worker).post(threads(s), {"space": "caucus", "title": "Strike  fund", "body": "We *agree*."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Strike fund" and body["space"] == s.worker_caucus.id
    [post] = body["posts"]
    assert post["body"] == "We *agree*." and "<em>agree</em>" in post["html"] and post["parent_id"] is None
    assert post["author"] == s.worker.name
    thread = db.session.get(Thread, body["id"])
    assert thread.space_id == s.worker_caucus.id and thread.author_id == s.worker.id
    plenary = api(s.worker).post(threads(s), {"space": "plenary", "title": "To all", "body": "Hello."}).get_json()
    assert plenary["space"] == s.plenary.id


def test_create_thread_validation_uses_the_services_messages_and_writes_nothing(api, s):
    before = count(Thread)
    response = api(s.worker).post(threads(s), {"space": "caucus", "title": " ", "body": ""})
    assert response.status_code == 422
    assert {"title", "body"} <= set(response.get_json()["error"]["fields"])
    assert api(s.worker).post(threads(s), {"title": "T", "body": "B"}).status_code == 422  # no space
    long_title = api(s.worker).post(threads(s), {"space": "caucus", "title": "x" * 201, "body": "B"})
    assert long_title.status_code == 422 and "title" in long_title.get_json()["error"]["fields"]
    assert count(Thread) == before


def test_create_thread_refusals(api, s):
    before = count(Thread)
    new = {"title": "T", "body": "B"}
    assert api(None).post(threads(s), {"space": "plenary", **new}).status_code == 401
    hidden = api(s.worker).post(threads(s), {"space": str(s.employer_caucus.id), **new})
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"
    assert api(s.outsider).post(threads(s), {"space": "plenary", **new}).status_code == 404
    forbidden = api(s.observer).post(threads(s), {"space": "plenary", **new})
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "not_allowed"
    assert count(Thread) == before


# --- getThread ------------------------------------------------------------------------------------------

def test_get_thread_gives_source_and_sanitised_html(api, s):
    with unit_of_work():
        discussions.reply(db.session.merge(s.worker2), db.session.get(Thread, s.worker_thread),
                          body="<script>alert(1)</script> **yes**")
    body = api(s.worker).get(f"/threads/{s.worker_thread}").get_json()
    assert body["title"] == "Our position on paragraph 3" and body["space"] == s.worker_caucus.id
    first, second = body["posts"]
    assert first["body"] == "First **post**." and "<strong>post</strong>" in first["html"]
    assert second["body"].startswith("<script>") and "<script" not in second["html"]
    assert second["author"] == s.worker2.name
    with unit_of_work():
        discussions.delete_post(db.session.merge(s.worker2), db.session.get(Post, second["id"]))
    gone = api(s.worker).get(f"/threads/{s.worker_thread}").get_json()["posts"][1]
    assert (gone["body"], gone["html"], gone["removed"]) == ("", "", "deleted_by_author")


def test_get_thread_refusals(api, s):
    assert api(None).get(f"/threads/{s.worker_thread}").status_code == 401
    assert api(s.employer).get(f"/threads/{s.worker_thread}").status_code == 404
    assert api(s.observer).get(f"/threads/{s.worker_thread}").status_code == 404
    assert api(s.outsider).get(f"/threads/{s.plenary_thread}").status_code == 404
    assert api(s.worker).get("/threads/999999").status_code == 404
    assert api(s.observer).get(f"/threads/{s.plenary_thread}").status_code == 200


# --- createPost -----------------------------------------------------------------------------------------

def test_create_post_replies_to_the_thread_and_to_a_post(api, s):
    path = f"/threads/{s.worker_thread}/posts"
    response = api(s.worker2).post(path, {"body": "Agreed."})
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["parent_id"] is None and reply["author"] == s.worker2.name and reply["number"] == 2
    nested = api(s.worker).post(path, {"body": "Thanks.", "parent_id": reply["id"]}).get_json()
    assert nested["parent_id"] == reply["id"]
    assert db.session.get(Post, nested["id"]).thread_id == s.worker_thread
    assert [p["id"] for p in api(s.worker).get(f"/threads/{s.worker_thread}").get_json()["posts"]][1:] == [
        reply["id"], nested["id"]]


def test_create_post_validation(api, s):
    path = f"/threads/{s.worker_thread}/posts"
    before = count(Post)
    empty = api(s.worker).post(path, {"body": "   "})
    assert empty.status_code == 422 and "body" in empty.get_json()["error"]["fields"]
    elsewhere = db.session.scalars(sa.select(Post.id).where(Post.thread_id == s.plenary_thread)).one()
    foreign = api(s.worker).post(path, {"body": "Hi", "parent_id": elsewhere})
    assert foreign.status_code == 422 and "parent_id" in foreign.get_json()["error"]["fields"]
    assert api(s.worker).post(path, {"body": "Hi", "parent_id": 0}).status_code == 422
    assert count(Post) == before


def test_create_post_refusals(api, s):
    before = count(Post)
    assert api(None).post(f"/threads/{s.worker_thread}/posts", {"body": "Hi"}).status_code == 401
    assert api(s.employer).post(f"/threads/{s.worker_thread}/posts", {"body": "Hi"}).status_code == 404
    forbidden = api(s.observer).post(f"/threads/{s.plenary_thread}/posts", {"body": "Hi"})
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "not_allowed"
    assert count(Post) == before


def test_a_locked_thread_takes_no_replies(api, s):
    with unit_of_work():
        discussions.set_locked(db.session.merge(s.secretariat), db.session.get(Thread, s.plenary_thread), True)
    response = api(s.worker).post(f"/threads/{s.plenary_thread}/posts", {"body": "Late."})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_state"
    # Its moderators still may, as on the page.
    assert api(s.secretariat).post(f"/threads/{s.plenary_thread}/posts", {"body": "Closing."}).status_code == 201
