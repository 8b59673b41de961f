"""Discussion pages: forms with clear errors, forged ids answered 404, read-only and locked threads,
moderation, unread counts and the jump to the first unread post, pagination, search, and a
bounded number of SQL statements for a thread of 2,000 posts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work, utcnow
from forum.discussions.models import Post, PostRevision, Thread, sort_key_for
from forum.extensions import db
from tests.discussions_helpers import build, counts, opening, reply, start


@pytest.fixture
def s(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


@pytest.fixture
def as_(s, login):
    clients: dict[str, object] = {}

    def client(role: str):
        if role not in clients:
            clients[role] = login(s.users[role])
        return clients[role]

    return client


def text(response) -> str:
    return response.get_data(as_text=True)


# --- starting a thread -----------------------------------------------------------------------------------

def test_a_member_starts_a_thread_from_the_space_page(s, as_):
    page = text(as_("wkr").get(s.base("worker")))
    assert "Start a thread" in page and "No discussion has been started here yet." in page
    response = as_("wkr").post(f"{s.base('worker')}/threads/new", data={
        "title": "Our line on recruitment fees", "body": "Workers must **never** pay recruitment fees."})
    assert response.status_code == 302
    thread = db.session.scalars(sa.select(Thread)).one()
    assert response.headers["Location"].endswith(s.thread_url(thread))
    shown = text(as_("wkr_secretary").get(s.base("worker")))
    assert "Our line on recruitment fees" in shown
    page = text(as_("wkr_secretary").get(s.thread_url(thread)))
    assert "<strong>never</strong>" in page and "Only the members of this space" in page


def test_observers_read_the_plenary_without_a_start_button_or_reply_form(s, as_):
    thread = start(s, "gov", "plenary", title="Opening statements")
    space_page = text(as_("observer").get(s.base("plenary")))
    assert "Opening statements" in space_page and "Start a thread" not in space_page
    page = text(as_("observer").get(s.thread_url(thread)))
    assert "You can read this space but not write in it." in page and 'name="body"' not in page
    assert as_("observer").get(f"{s.base('plenary')}/threads/new").status_code == 403
    before = counts()
    assert as_("observer").post(s.thread_url(thread, "/reply"), data={"body": "x"}).status_code == 403
    assert counts() == before


@pytest.mark.parametrize(("data", "messages"), [
    ({"title": "", "body": "Text"}, ["This field is required."]),
    ({"title": "A title", "body": "   "}, ["This field is required."]),
    ({"title": "A title", "body": "x" * 25_000}, ["Field cannot be longer than 20000 characters."]),
])
def test_bad_thread_forms_get_field_errors_and_write_nothing(s, as_, data, messages):
    emp = as_("emp")
    before = counts()
    response = emp.post(f"{s.base('employer')}/threads/new", data=data)
    assert response.status_code == 422
    page = text(response)
    for message in messages:
        assert message in page
    assert 'aria-invalid="true"' in page
    assert counts() == before


def test_a_one_megabyte_body_is_refused_with_a_clear_message(s, as_):
    thread = start(s, "emp", "plenary")
    as_("emp")
    before = counts()
    for url in (f"{s.base('plenary')}/threads/new", s.thread_url(thread, "/reply")):
        response = as_("emp").post(url, data={"title": "Big", "body": "x" * 1_000_000})
        assert response.status_code == 413
        assert "at most 20,000 characters" in text(response) and "Nothing was saved" in text(response)
    assert counts() == before


def test_script_and_iframe_injections_are_shown_as_text(s, as_):
    body = '<script>alert("x")</script> <iframe src="https://evil.example"></iframe> [x](javascript:alert(1))'
    as_("gov").post(f"{s.base('plenary')}/threads/new", data={"title": "<b>Title</b>", "body": body})
    thread = db.session.scalars(sa.select(Thread)).one()
    page = text(as_("emp").get(s.thread_url(thread)))
    assert "<script>alert" not in page and "<iframe" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;Title&lt;/b&gt;" in page


# --- forged ids and other groups' spaces -----------------------------------------------------------------

def test_forged_ids_answer_404_and_write_nothing(s, as_, make_meeting, make_participant):
    plenary = start(s, "emp", "plenary", title="Plenary thread")
    caucus = start(s, "emp", "employer", title="Employers only")
    worker = start(s, "wkr", "worker", title="Workers only")
    other = make_meeting()
    make_participant(other, "employer", user=s.users["emp"])
    emp = as_("emp")
    before = counts()
    # A thread named under a space it is not in, a post under a thread it is not in, a space of
    # another meeting, and another group's caucus reached by forging the form's address.
    assert emp.get(f"{s.base('employer')}/threads/{plenary.id}").status_code == 404
    assert emp.post(f"{s.base('employer')}/threads/{plenary.id}/reply", data={"body": "x"}).status_code == 404
    assert emp.get(s.thread_url(plenary, f"/posts/{opening(caucus).id}")).status_code == 404
    assert emp.get(s.thread_url(plenary, f"/posts/{opening(caucus).id}/fragment")).status_code == 404
    assert emp.get(f"/meetings/{other.id}/spaces/{s.spaces['plenary'].id}/threads/{plenary.id}").status_code == 404
    assert emp.post(f"{s.base('worker')}/threads/new", data={"title": "x", "body": "y"}).status_code == 404
    assert emp.post(s.thread_url(worker, "/reply"), data={"body": "y"}).status_code == 404
    assert emp.get(s.thread_url(worker)).status_code == 404
    assert emp.post(s.post_url(opening(worker), "/edit"), data={"body": "y"}).status_code == 404
    assert counts() == before


def test_a_reply_to_a_post_of_another_thread_gets_a_clear_error(s, as_):
    here = start(s, "emp", "plenary", title="Here")
    there = start(s, "emp", "employer", title="There")
    as_("emp")
    before = counts()
    response = as_("emp").post(s.thread_url(here, "/reply"), data={"body": "x", "parent_id": opening(there).id})
    assert response.status_code == 422
    assert "The post you are replying to is not in this discussion." in text(response)
    assert counts() == before
    assert as_("emp").get(s.thread_url(here, f"/reply?to={opening(there).id}")).status_code == 404


def test_editing_someone_elses_post_is_forbidden(s, as_):
    thread = start(s, "wkr", "plenary", body="Mine.")
    as_("emp")
    before = counts()
    url = s.post_url(opening(thread), "/edit")
    assert as_("emp").get(url).status_code == 403
    assert as_("emp").post(url, data={"body": "Not yours."}).status_code == 403
    assert as_("emp").post(s.post_url(opening(thread), "/delete")).status_code == 403
    assert counts() == before
    assert "Not yours" not in text(as_("wkr").get(s.thread_url(thread)))


def test_a_locked_thread_refuses_replies_with_a_clear_error(s, as_):
    thread = start(s, "gov", "plenary")
    response = as_("chair").post(s.thread_url(thread, "/lock"), data={"value": "1"})
    assert response.status_code == 302
    as_("emp")
    before = counts()
    refused = as_("emp").post(s.thread_url(thread, "/reply"), data={"body": "Too late."})
    assert refused.status_code == 409 and "locked" in text(refused)
    assert counts() == before
    page = text(as_("emp").get(s.thread_url(thread)))
    assert "This discussion is locked: it takes no more replies." in page and 'name="body"' not in page
    assert as_("emp").post(s.thread_url(thread, "/lock"), data={"value": "0"}).status_code == 403


# --- replying, quoting, editing, deleting, hiding -------------------------------------------------------

def test_reply_quote_edit_history_and_delete(s, as_):
    thread = start(s, "gov", "plenary", body="Line one.\n\nLine two.")
    first = opening(thread)
    quoted = text(as_("emp").get(s.thread_url(thread, f"/reply?to={first.id}&quote=1")))
    assert "&gt; **Peter Otieno:**" in quoted and "&gt; Line two." in quoted
    response = as_("emp").post(s.thread_url(thread, "/reply"), data={"body": "I agree.", "parent_id": first.id})
    post = db.session.scalars(sa.select(Post).where(Post.number == 2)).one()
    assert post.parent_id == first.id and response.headers["Location"].endswith(s.post_url(post))
    assert as_("emp").post(s.post_url(post, "/edit"), data={"body": "I fully agree."}).status_code == 302
    page = text(as_("gov").get(s.thread_url(thread, "?page=1")))
    assert "I fully agree." in page and ">edited<" in page
    history = text(as_("gov").get(s.post_url(post, "/history")))
    assert "I agree." in history and "I fully agree." in history and "As first written" in history
    assert as_("emp").get(s.post_url(post, "/delete")).status_code == 200
    assert as_("emp").post(s.post_url(post, "/delete")).status_code == 302
    page = text(as_("gov").get(s.thread_url(thread, "?page=1")))
    assert "Deleted by author." in page and "I fully agree." not in page
    assert as_("gov").get(s.post_url(post, "/history")).status_code == 403  # not a moderator
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostRevision)) == 3


def test_a_moderator_hides_a_post_with_a_reason_and_others_cannot(s, as_):
    thread = start(s, "emp", "employer")
    post = reply(s, "emp", thread, "Something out of place.")
    assert as_("emp").get(s.post_url(post, "/hide")).status_code == 403
    assert as_("emp_secretary").post(s.post_url(post, "/hide"), data={"reason": ""}).status_code == 422
    response = as_("emp_secretary").post(s.post_url(post, "/hide"), data={"reason": "Not for this thread"})
    assert response.status_code == 302
    page = text(as_("emp").get(s.thread_url(thread)))
    assert "Hidden by moderator: Not for this thread" in page and "Something out of place." not in page
    moderator_page = text(as_("emp_spokesperson").get(s.thread_url(thread)))
    assert "Show again" in moderator_page
    assert as_("emp_spokesperson").post(s.post_url(post, "/unhide")).status_code == 302
    assert "Something out of place." in text(as_("emp").get(s.thread_url(thread)))


def test_pinned_threads_come_first_in_the_list(s, as_):
    old = start(s, "gov", "plenary", title="Housekeeping")
    start(s, "gov", "plenary", title="Newer discussion")
    as_("secretariat").post(s.thread_url(old, "/pin"), data={"value": "1"})
    page = text(as_("emp").get(f"{s.base('plenary')}/threads"))
    assert page.index("Housekeeping") < page.index("Newer discussion") and "Pinned" in page
    assert as_("secretariat").post(s.thread_url(old, "/pin"), data={"value": "maybe"}).status_code == 400


def test_csrf_protects_the_discussion_forms(session_app, s):
    from forum import create_app
    from tests.conftest import PASSWORD

    thread = start(s, "gov", "plenary")
    app = create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    client = app.test_client()

    def token(url: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]

    client.post("/login", data={"email": s.users["emp"].email, "password": PASSWORD, "csrf_token": token("/login")})
    before = counts()
    assert client.post(s.thread_url(thread, "/reply"), data={"body": "No token."}).status_code == 400
    assert counts() == before
    url = s.thread_url(thread, "/reply")
    assert client.post(url, data={"body": "With a token.", "csrf_token": token(url)}).status_code == 302


# --- unread, jumping, pagination, live fragments ------------------------------------------------------------

def test_unread_counts_show_on_the_space_page_and_opening_jumps_to_the_first_unread(s, as_):
    thread = start(s, "gov", "plenary", title="Circular migration")
    page = text(as_("wkr").get(s.base("plenary")))
    assert f'data-unread-for="{thread.id}"><span class="unread-count">1</span>' in page
    as_("wkr").get(s.thread_url(thread))  # read
    first_new = reply(s, "emp", thread, "First new reply.")
    reply(s, "chair", thread, "Second new reply.")
    counts_json = as_("wkr").get(f"{s.base('plenary')}/threads/unread").get_json()
    assert counts_json["threads"] == {str(thread.id): 2}
    response = as_("wkr").get(s.thread_url(thread))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(s.thread_url(thread, f"?page=1#post-{first_new.id}"))
    page = text(as_("wkr").get(s.thread_url(thread, "?page=1")))
    assert page.count('class="badge new"') == 2
    assert as_("wkr").get(f"{s.base('plenary')}/threads/unread").get_json()["threads"] == {}
    assert "unread-count\">0<" in text(as_("wkr").get(s.base("plenary")))


def test_long_threads_are_paged_and_a_post_link_finds_its_page(app, s, as_):
    app.config["PAGE_SIZE"] = 10
    try:
        thread = start(s, "gov", "plenary")
        for i in range(24):
            last = reply(s, "emp" if i % 2 else "wkr", thread, f"Reply {i}")
        assert as_("chair").get(s.thread_url(thread, "?page=3")).status_code == 200
        assert as_("chair").get(s.thread_url(thread, "?page=4")).status_code == 404
        response = as_("chair").get(s.post_url(last))
        assert response.headers["Location"].endswith(f"?page=3#post-{last.id}")
        page = text(as_("chair").get(s.thread_url(thread, "?page=2")))
        assert 'rel="next"' in page and 'rel="prev"' in page and "Reply 9" in page
    finally:
        app.config["PAGE_SIZE"] = 50


def test_long_thread_lists_are_paged_and_the_space_page_links_to_them(app, s, as_):
    app.config["PAGE_SIZE"] = 5
    try:
        for i in range(12):
            start(s, "gov", "plenary", title=f"Agenda theme {i:02d}")
        base = f"{s.base('plenary')}/threads"
        pages = [text(as_("wkr").get(f"{base}?page={n}")) for n in (1, 2, 3)]
        shown = [re.findall(r"Agenda theme (\d\d)", page) for page in pages]
        assert [len(found) for found in shown] == [5, 5, 2]
        assert sorted(n for found in shown for n in found) == [f"{i:02d}" for i in range(12)]  # each once
        assert shown[0][0] == "11" and 'rel="next"' in pages[0] and 'rel="prev"' in pages[2]
        assert as_("wkr").get(f"{base}?page=4").status_code == 404
        space_page = text(as_("wkr").get(s.base("plenary")))
        assert len(re.findall(r"Agenda theme \d\d", space_page)) == 10 and "All 12 discussions" in space_page
    finally:
        app.config["PAGE_SIZE"] = 50


def test_the_live_fragment_renders_one_post_for_members_only(s, as_):
    thread = start(s, "wkr", "worker")
    post = reply(s, "wkr_secretary", thread, "Fresh **news**.", opening(thread))
    data = as_("wkr").get(s.post_url(post, "/fragment")).get_json()
    assert data["post_id"] == post.id and data["page"] == 1 and data["sort_key"] == post.sort_key
    assert "<strong>news</strong>" in data["html"] and f'id="post-{post.id}"' in data["html"]
    assert as_("emp").get(s.post_url(post, "/fragment")).status_code == 404
    assert as_("wkr").get(f"{s.base('worker')}/threads/unread").get_json()["threads"] == {}


def test_deep_replies_show_who_they_answer(s, as_):
    thread = start(s, "gov", "plenary")
    parent = opening(thread)
    for role in ("emp", "wkr", "chair", "emp", "wkr"):
        parent = reply(s, role, thread, f"By {role}", parent)
    page = text(as_("observer").get(s.thread_url(thread)))
    assert page.count('class="post depth-3') == 3
    assert page.count("replying to") == 2  # the two replies flattened under their ancestor
    assert "replying to\n      <a href=\"#post-" in page


def test_a_mention_notification_links_to_the_post(s, as_):
    assert "unread</span>)" not in text(as_("wkr").get(s.base("plenary")))
    start(s, "emp", "plenary", body="What does @[Grace Mensah] think?")
    bell = text(as_("wkr").get(s.base("plenary")))  # the count in the header of every page
    assert '<span class="badge">(1<span class="visually-hidden"> unread</span>)</span>' in bell
    page = text(as_("wkr").get("/notifications"))
    assert "Chinedu Okafor mentioned you in the discussion “Fair recruitment”." in page
    link = re.search(r'<a href="([^"]+)">Chinedu Okafor mentioned you', page)[1]
    assert as_("wkr").get(link).status_code == 302


# --- search ---------------------------------------------------------------------------------------------

def test_the_search_page_shows_only_visible_posts_with_escaped_snippets(s, as_):
    start(s, "emp", "employer", body="Secret: labour market tests.")
    start(s, "gov", "plenary", title="Tests", body="Labour market tests & <em>needs</em>.")
    page = text(as_("wkr").get(f"/meetings/{s.meeting.id}/search?q=labour+market"))
    assert "1 post found." in page and "Secret" not in page
    assert "<mark>Labour</mark>" in page and "&amp;" in page and "<em>needs" not in page
    assert "Type at least one word" in text(as_("wkr").get(f"/meetings/{s.meeting.id}/search?q=%21%21"))
    assert as_("outsider").get(f"/meetings/{s.meeting.id}/search?q=labour").status_code == 404


# --- the query bound ---------------------------------------------------------------------------------------

def _thread_with_posts(s, n: int) -> Thread:
    """A thread of `n` posts by several authors, nested as a binary tree (deep, so some are flattened)."""
    thread = start(s, "gov", "plenary", title=f"A long debate of {n} posts")
    authors = [s.users[r].id for r in ("gov", "emp", "wkr", "chair", "coordinator", "emp_secretary")]
    first = opening(thread)
    rows: dict[int, Post] = {1: first}
    now = utcnow()
    with unit_of_work():
        for number in range(2, n + 1):
            parent = rows[number // 2]
            post = Post(thread_id=thread.id, parent_id=parent.id, number=number, depth=parent.depth + 1,
                        sort_key=sort_key_for(number, parent), author_id=authors[number % len(authors)],
                        body_source=f"Post {number}", body_html=f"<p>Post {number}</p>", search_text=f"Post {number}",
                        created_at=now + timedelta(seconds=number))
            db.session.add(post)
            db.session.flush()
            rows[number] = post
        db.session.get(Thread, thread.id).post_count = n
    return thread


def test_a_thread_of_2000_posts_renders_with_a_bounded_number_of_statements(s, as_, count_queries):
    """B8 (docs/benchmarks.md): a page of a thread of any length costs the same few statements (at
    most 10); the first sight of a page also moves the reader's marker, in a small write of its own."""
    small = _thread_with_posts(s, 60)
    big = _thread_with_posts(s, 2000)
    small_page, big_page = s.thread_url(small, "?page=2"), s.thread_url(big, "?page=30")  # outside the counts
    for role in ("observer", "gov"):
        reader = as_(role)
        reader.get(s.thread_url(small, "?page=1"))  # settle the reader's first-visit work
        reader.get(s.thread_url(big, "?page=1"))
        with count_queries() as few:
            assert reader.get(small_page).status_code == 200
        with count_queries() as many:
            response = reader.get(big_page)
        assert response.status_code == 200 and text(response).count('class="post depth-') == 50
        assert many.n == few.n, many.statements
        assert many.n <= 14, many.statements  # the page (<= 10), then the marker's write transaction
        with count_queries() as again:  # read already: the page alone
            assert reader.get(big_page).status_code == 200
        assert again.n <= 10, again.statements
        assert not any(st.lstrip().upper().startswith(("INSERT", "UPDATE")) for st in again.statements)
