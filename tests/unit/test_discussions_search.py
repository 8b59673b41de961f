"""Search over the posts a reader may see, on SQLite FTS5 and PostgreSQL full-text search alike.

The permission filter is in the SQL: a restricted post never appears, is never counted, and does
not push visible posts out of the first page. Snippets are escaped before they are highlighted.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import permissions
from forum.db import unit_of_work
from forum.discussions import search, services
from forum.discussions.models import Post
from forum.extensions import db
from tests.discussions_helpers import build, opening, reply, start

pytestmark = pytest.mark.postgres


@pytest.fixture
def s(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def find(s, role: str, query: str, **kwargs):
    db.session.rollback()
    user = s.user(role)
    return search.search_posts(s.meeting.id, permissions.visible_space_ids(user, s.meeting), query, **kwargs)


def test_search_finds_words_and_prefixes_with_highlighted_snippets(s, backend):
    start(s, "gov", "plenary", title="Skills recognition", body="Mutual recognition of qualifications for migrant "
                                                                 "workers would help circular migration.")
    hits, total = find(s, "wkr", "migra")
    assert total == 1
    assert "<mark>migrant</mark>" in hits[0].snippet and "<mark>migration</mark>" in hits[0].snippet
    assert hits[0].thread_title == "Skills recognition" and hits[0].author == "Peter Otieno"
    assert find(s, "wkr", "skills recognition")[1] == 1  # the title is searched with the opening post
    assert find(s, "wkr", "recognition nonexistentword")[1] == 0  # every word must occur
    assert find(s, "wkr", "  ;;; ")[1] == 0


def test_rule_9_a_restricted_post_never_appears_in_an_outsiders_results(s, backend):
    start(s, "emp", "employer", title="Fallback position", body="Our fallback on recruitment fees: confidential.")
    start(s, "wkr", "worker", title="Worker line", body="Recruitment fees must never be charged to workers.")
    start(s, "coordinator", "africa", body="The Africa group on recruitment fees.")
    start(s, "gov", "kenya", body="Kenya's delegation on recruitment fees.")
    start(s, "chair", "officers", body="Officers on recruitment fees.")
    start(s, "gov", "plenary", body="Plenary: recruitment fees.")
    start(s, "chair", "drafting", body="The drafting group on recruitment fees.")
    expected = {
        "emp": {"employer", "plenary", "drafting"}, "wkr": {"worker", "plenary"},
        "secretariat": {"officers", "plenary"}, "chair": {"officers", "plenary", "drafting"},
        "observer": {"plenary"}, "gov": {"kenya", "africa", "plenary", "drafting"},
        "coordinator": {"africa", "plenary"}, "wkr_secretary": {"worker", "plenary", "drafting"},
    }
    names = {space.id: name for name, space in s.spaces.items()}
    for role, spaces in expected.items():
        hits, total = find(s, role, "recruitment fees")
        assert {names[h.space_id] for h in hits} == spaces, role
        assert total == len(spaces)
    assert find(s, "wkr", "confidential") == ([], 0)
    assert search.search_posts(s.meeting.id, frozenset(), "recruitment") == ([], 0)  # the outsider's set


def test_the_permission_filter_runs_before_the_limit(s, backend):
    thread = start(s, "emp", "employer", body="Decent work in supply chains.")
    for i in range(25):
        reply(s, "emp", thread, f"Decent work, point {i}.")
    start(s, "wkr", "plenary", title="Open", body="Decent work for all migrant workers.")
    hits, total = find(s, "wkr", "decent work", per_page=5)
    assert total == 1 and len(hits) == 1 and hits[0].space_id == s.spaces["plenary"].id
    hits, total = find(s, "emp", "decent work", per_page=5, page=2)
    assert total == 27 and len(hits) == 5


def test_snippets_are_escaped_before_highlighting(s, backend):
    start(s, "gov", "plenary", title="Markup", body='`<script>alert("x")</script>` and <b>bold</b> remittances')
    (hit,), _total = find(s, "wkr", "remittances")
    assert "<script" not in hit.snippet and "<b>" not in hit.snippet
    assert "&#34;x&#34;" in hit.snippet and "<mark>remittances</mark>" in hit.snippet
    if backend == "sqlite":  # PostgreSQL's headline drops what looks like a tag; FTS5 keeps it, escaped
        assert "&lt;script&gt;" in hit.snippet


def test_removed_posts_leave_the_index_and_edits_are_reindexed(s, backend):
    thread = start(s, "gov", "plenary", body="Ethical recruitment matters.")
    post = reply(s, "emp", thread, "Bilateral labour agreements.")
    assert find(s, "wkr", "bilateral")[1] == 1
    with unit_of_work():
        services.hide_post(s.user("chair"), db.session.get(Post, post.id), reason="Off topic")
    assert find(s, "wkr", "bilateral")[1] == 0
    with unit_of_work():
        services.unhide_post(s.user("chair"), db.session.get(Post, post.id))
    assert find(s, "wkr", "bilateral")[1] == 1
    with unit_of_work():
        services.edit_post(s.user("gov"), opening(thread), body="Fair recruitment matters.")
    assert find(s, "wkr", "ethical")[1] == 0 and find(s, "wkr", "fair")[1] == 1
    with unit_of_work():
        services.delete_post(s.user("emp"), db.session.get(Post, post.id))
    assert find(s, "wkr", "bilateral")[1] == 0


def test_the_search_index_objects_exist_for_the_engine(app, backend):
    with db.engine.connect() as conn:
        if backend == "sqlite":
            names = set(conn.scalars(sa.text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")))
            # A later migration that rebuilt `posts` (batch mode) would drop the triggers: this says so.
            assert {search.FTS_TABLE, *search.SQLITE_TRIGGERS} <= names
        else:
            names = set(conn.scalars(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'posts'")))
            assert search.PG_INDEX in names


def test_search_objects_stay_out_of_the_models_comparison():
    assert not search.include_name("posts_fts_data", "table", {})
    assert search.include_name("posts", "table", {})
    assert not search.include_object(None, search.PG_INDEX, "index", True, None)
    assert search.include_object(None, "ix_posts_author_id", "index", True, None)
