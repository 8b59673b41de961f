"""Full-text search over the posts a reader may see: SQLite FTS5 or PostgreSQL full-text search.

The permission filter is part of the SQL (the thread's space must be one of
`permissions.visible_space_ids`), so ranking, LIMIT and the count only ever see visible posts.
Removed posts are never found. Snippets come back from the engine with control-character markers
around the matches; the text is HTML-escaped first and only then are the markers turned into
`<mark>`, so a post cannot smuggle markup into a results page.

The index objects live outside the models (migration 0004 creates them for the dialect at hand):
- SQLite: the FTS5 table `posts_fts` (rowid = post id) kept in sync by triggers on `posts`;
- PostgreSQL: the GIN expression index `ix_posts_search_fts` on `to_tsvector('simple', search_text)`.
`include_name` / `include_object` keep them out of the models-vs-migrations comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape

from forum.extensions import db

FTS_TABLE = "posts_fts"
PG_INDEX = "ix_posts_search_fts"
SQLITE_TRIGGERS = ("posts_fts_insert", "posts_fts_update", "posts_fts_delete")
MAX_QUERY = 200
MAX_TERMS = 12
START, STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic: leave the FTS5 table and its shadow tables out of autogenerate and checks."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic: leave the search index objects out of autogenerate and checks."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)


@dataclass(frozen=True)
class Hit:
    post_id: int
    number: int
    thread_id: int
    thread_title: str
    space_id: int
    space_name: str
    author: str
    created_at: datetime
    snippet: Markup


def terms(query: str) -> list[str]:
    """The words of a query: all must occur (each as a word prefix); punctuation is ignored."""
    return _WORD.findall((query or "")[:MAX_QUERY].casefold())[:MAX_TERMS]


def highlight(snippet: str) -> Markup:
    """Escape, then mark: the engine's markers are control characters no post contains."""
    safe = str(escape(snippet))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))


def _sqlite(words: list[str]) -> tuple[str, str, dict[str, Any]]:
    match = " ".join(f'"{w}"*' for w in words)
    where = (f"{FTS_TABLE} MATCH :match AND t.meeting_id = :meeting_id AND t.space_id IN :space_ids "
             "AND p.removed_at IS NULL")
    base = f"FROM {FTS_TABLE} JOIN posts p ON p.id = {FTS_TABLE}.rowid JOIN threads t ON t.id = p.thread_id"
    page = (f"SELECT p.id AS id, snippet({FTS_TABLE}, 0, :start, :stop, '…', 24) AS snippet {base} "
            f"WHERE {where} ORDER BY bm25({FTS_TABLE}), p.id DESC LIMIT :limit OFFSET :offset")
    count = f"SELECT count(*) {base} WHERE {where}"
    return page, count, {"match": match}


def _postgresql(words: list[str]) -> tuple[str, str, dict[str, Any]]:
    tsquery = " & ".join(f"{w}:*" for w in words)
    vector = "to_tsvector('simple', p.search_text)"  # the indexed expression, spelled alike
    where = (f"{vector} @@ to_tsquery('simple', :tsquery) AND t.meeting_id = :meeting_id "
             "AND t.space_id IN :space_ids AND p.removed_at IS NULL")
    base = "FROM posts p JOIN threads t ON t.id = p.thread_id"
    ranked = (f"SELECT p.id AS id, p.search_text AS search_text, "
              f"ts_rank({vector}, to_tsquery('simple', :tsquery)) AS rank {base} WHERE {where} "
              "ORDER BY rank DESC, p.id DESC LIMIT :limit OFFSET :offset")
    page = (f"SELECT r.id AS id, ts_headline('simple', r.search_text, to_tsquery('simple', :tsquery), :options) "
            f"AS snippet FROM ({ranked}) r ORDER BY r.rank DESC, r.id DESC")
    count = f"SELECT count(*) {base} WHERE {where}"
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
    return page, count, {"tsquery": tsquery, "options": options}


def search_posts(meeting_id: int, space_ids: frozenset[int] | set[int], query: str, *, page: int = 1,
                 per_page: int = 20) -> tuple[list[Hit], int]:
    """The visible posts matching `query`, best first, and how many there are in all."""
    words = terms(query)
    if not words or not space_ids:
        return [], 0
    dialect = db.engine.dialect.name
    page_sql, count_sql, params = _postgresql(words) if dialect == "postgresql" else _sqlite(words)
    params.update(meeting_id=meeting_id, space_ids=sorted(space_ids), limit=per_page,
                  offset=(page - 1) * per_page, start=START, stop=STOP)
    expanding = sa.bindparam("space_ids", expanding=True)
    total = db.session.scalar(sa.text(count_sql).bindparams(expanding), params) or 0
    if not total:
        return [], 0
    rows = db.session.execute(sa.text(page_sql).bindparams(expanding), params).all()
    return _hits([(row.id, row.snippet) for row in rows]), total


def _hits(found: list[tuple[int, str]]) -> list[Hit]:
    """The details of the found posts, in one query, in the engine's order."""
    from forum.accounts.models import User
    from forum.discussions.models import Post, Thread
    from forum.meetings.models import Space

    if not found:
        return []
    ids = [post_id for post_id, _snippet in found]
    rows = db.session.execute(
        sa.select(Post.id, Post.number, Post.created_at, Thread.id, Thread.title, Space.id, Space.name, User.name)
        .join(Thread, Thread.id == Post.thread_id).join(Space, Space.id == Thread.space_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.id.in_(ids))
    ).all()
    details = {row[0]: row for row in rows}
    hits = []
    for post_id, snippet in found:
        row = details.get(post_id)
        if row is None:
            continue
        _id, number, created_at, thread_id, title, space_id, space_name, author = row
        hits.append(Hit(post_id=post_id, number=number, thread_id=thread_id, thread_title=title, space_id=space_id,
                        space_name=space_name, author=author or "", created_at=created_at,
                        snippet=highlight(snippet or "")))
    return hits
