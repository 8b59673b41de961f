"""The access matrix: every endpoint and socket event, for every kind of user.

A new endpoint or socket event without a row here fails `test_every_endpoint_has_a_row`.
Outcomes: OK (the permission gate lets the user through: any status but 401/403/404 and no
redirect to the sign-in page), FORBIDDEN (403: visible, not allowed), HIDDEN (404: unknown or not
visible, so ids reveal nothing), LOGIN (anonymous users are sent to sign in).
The table in docs/permissions.md says the same in words; keep them together.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from forum.db import unit_of_work
from forum.discussions.models import Post
from forum.extensions import db, socketio
from forum.meetings.models import Group, Space, SpaceKind

OK, FORBIDDEN, HIDDEN, LOGIN = "ok", "forbidden", "hidden", "login"
ROLES = ("anonymous", "government", "employer", "worker", "chair", "observer", "secretariat", "staff", "admin")


def everyone_in_meeting(anonymous: str = LOGIN, outsiders: str = HIDDEN) -> dict[str, str]:
    """All participants may; non-participants (staff, admin) get 404."""
    return {"anonymous": anonymous, "government": OK, "employer": OK, "worker": OK, "chair": OK, "observer": OK,
            "secretariat": OK, "staff": outsiders, "admin": outsiders}


def secretariat_only() -> dict[str, str]:
    return {"anonymous": LOGIN, "government": FORBIDDEN, "employer": FORBIDDEN, "worker": FORBIDDEN,
            "chair": FORBIDDEN, "observer": FORBIDDEN, "secretariat": OK, "staff": HIDDEN, "admin": HIDDEN}


def signed_in(anonymous: str = LOGIN) -> dict[str, str]:
    return {role: (anonymous if role == "anonymous" else OK) for role in ROLES}


def only(allowed: set[str], others: str = FORBIDDEN) -> dict[str, str]:
    return {role: (LOGIN if role == "anonymous" else OK if role in allowed else others) for role in ROLES}


@dataclass
class Row:
    url: Callable[[Any], str]
    expect: dict[str, str]
    method: str = "GET"
    data: Callable[[Any], Any] = field(default=lambda w: {})
    # API rows authenticate with each user's bearer token (anonymous: none, so 401 = LOGIN) and send
    # `data` as the body: a dict as JSON, a string as `content_type`.
    api: bool = False
    content_type: str = "application/json"


def caucus_of(world: Any, group: str) -> Space:
    return world.spaces[(SpaceKind.group, group)]


# endpoint -> rows (an endpoint may need several, e.g. one per kind of space)
MATRIX: dict[str, list[Row]] = {
    "static": [Row(lambda w: "/static/css/forum.css", {r: OK for r in ROLES})],
    "accounts.login": [Row(lambda w: "/login", {r: OK for r in ROLES})],
    "accounts.logout": [Row(lambda w: "/logout", signed_in(), "POST")],
    "accounts.show_account": [Row(lambda w: "/account", signed_in())],
    "accounts.set_language": [Row(lambda w: "/account/language", {r: OK for r in ROLES}, "POST",
                                  lambda w: {"lang-locale": "fr"})],
    "accounts.forgot_password": [Row(lambda w: "/password/forgot", {r: OK for r in ROLES})],
    "accounts.reset_password": [Row(lambda w: "/password/reset/not-a-token", {r: OK for r in ROLES})],
    "accounts.list_password_resets": [Row(lambda w: f"/meetings/{w.meeting.id}/password-resets",
                                          secretariat_only())],
    "accounts.create_token": [Row(lambda w: "/account/tokens", signed_in(), "POST", lambda w: {"token-name": "x"})],
    # A token is its owner's alone: everyone else is told it does not exist.
    "accounts.revoke_token": [Row(lambda w: f"/account/tokens/{w.token_id}/revoke",
                                  {**only({"government"}, HIDDEN)})],
    "accounts.list_users": [Row(lambda w: "/admin/users", only({"admin"}))],
    "accounts.update_user": [Row(lambda w: f"/admin/users/{w.users['government'].id}", only({"admin"}), "POST",
                                 lambda w: {"active": "y"})],
    "accounts.unlock_user": [Row(lambda w: f"/admin/users/{w.users['government'].id}/unlock", only({"admin"}),
                                 "POST")],
    "accounts.reauthenticate": [Row(lambda w: "/login/confirm", signed_in())],
    "meetings.dashboard": [Row(lambda w: "/", signed_in())],
    "meetings.create_meeting": [Row(lambda w: "/meetings/new", only({"staff", "secretariat"}))],
    "meetings.edit_meeting": [Row(lambda w: f"/meetings/{w.meeting.id}/settings", secretariat_only())],
    "meetings.show_meeting": [Row(lambda w: f"/meetings/{w.meeting.id}", everyone_in_meeting())],
    "meetings.show_space": [
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{w.spaces[(SpaceKind.plenary, None)].id}",
            everyone_in_meeting()),
        # Rule 9: a caucus is seen by its group alone; the Chair (a Government delegate) sees the
        # Government caucus only; the secretariat and administrators see none.
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{caucus_of(w, 'government').id}",
            {**only({"government", "chair"}, HIDDEN)}),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{caucus_of(w, 'employer').id}", only({"employer"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{caucus_of(w, 'worker').id}", only({"worker"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{w.spaces[(SpaceKind.officers, None)].id}",
            only({"chair", "secretariat"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{w.spaces[(SpaceKind.delegation, 'KE')].id}",
            only({"government"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{w.spaces[(SpaceKind.regional, 'AFRICA')].id}",
            only({"government"}, HIDDEN)),
    ],
    "audit.show_log": [Row(lambda w: f"/meetings/{w.meeting.id}/audit", secretariat_only())],
    # Accreditation (rules 1-4, 10): participants see the list; only the secretariat changes it.
    "meetings.list_participants": [Row(lambda w: f"/meetings/{w.meeting.id}/participants", everyone_in_meeting())],
    "meetings.import_participants": [
        Row(lambda w: f"/meetings/{w.meeting.id}/participants/import", secretariat_only()),
        Row(lambda w: f"/meetings/{w.meeting.id}/participants/import", secretariat_only(), "POST"),
    ],
    "meetings.remove_participant": [
        Row(lambda w: f"/meetings/{w.meeting.id}/participants/{w.participants['worker'].id}/remove",
            secretariat_only()),
        # Without a reason nothing is removed: the row checks the gate, not the removal.
        Row(lambda w: f"/meetings/{w.meeting.id}/participants/{w.participants['worker'].id}/remove",
            secretariat_only(), "POST"),
    ],
    "meetings.restore_participant": [
        Row(lambda w: f"/meetings/{w.meeting.id}/participants/{w.removed.id}/restore", secretariat_only(), "POST"),
    ],
    "meetings.list_notifications": [Row(lambda w: "/notifications", signed_in())],
    "meetings.mark_notifications_read": [Row(lambda w: "/notifications/read", signed_in(), "POST")],
    "audit.export_log": [Row(lambda w: f"/meetings/{w.meeting.id}/audit.csv", secretariat_only())],
}


# --- the programme of work and the daily bulletin (rule 13) -----------------------------------------

def programme_of(w: Any) -> Any:
    """Ids of an agenda item, a sitting, a deadline and an announcement of the world's meeting."""
    if not hasattr(w, "programme"):
        from datetime import date, datetime
        from types import SimpleNamespace

        from forum.db import unit_of_work
        from forum.meetings import programme
        from forum.meetings.models import Meeting

        actor = w.users["secretariat"]
        with unit_of_work():
            meeting = db.session.get(Meeting, w.meeting.id)
            item = programme.add_agenda_item(actor, meeting, number="1", title="Opening")
            sitting = programme.schedule_sitting(actor, meeting, title="First sitting",
                                                 starts_at=datetime(2030, 6, 3, 10, 0))
            deadline = programme.set_deadline(actor, meeting, kind="amendments", title="Amendments",
                                              due_at=datetime(2030, 6, 3, 18, 0))
            note = programme.post_announcement(actor, meeting, day=date(2030, 6, 3), body="Welcome")
            w.programme = SimpleNamespace(item=item.id, sitting=sitting.id, deadline=deadline.id,
                                          announcement=note.id)
    return w.programme


def programme_rows(path: Callable[[Any], str]) -> list[Row]:
    """A secretariat-only page with a form: its GET (the form or the confirmation), then its POST."""
    return [Row(path, secretariat_only()), Row(path, secretariat_only(), "POST")]


MATRIX.update({
    "meetings.show_programme": [Row(lambda w: f"/meetings/{w.meeting.id}/programme", everyone_in_meeting())],
    "meetings.show_bulletin": [
        Row(lambda w: f"/meetings/{w.meeting.id}/bulletin", everyone_in_meeting()),
        Row(lambda w: f"/meetings/{w.meeting.id}/bulletin/2030-06-03", everyone_in_meeting()),
    ],
    "meetings.add_agenda_item": [Row(lambda w: f"/meetings/{w.meeting.id}/programme/agenda",
                                     secretariat_only(), "POST")],
    "meetings.schedule_sitting": [Row(lambda w: f"/meetings/{w.meeting.id}/programme/sittings",
                                      secretariat_only(), "POST")],
    "meetings.set_deadline": [Row(lambda w: f"/meetings/{w.meeting.id}/programme/deadlines",
                                  secretariat_only(), "POST")],
    "meetings.post_announcement": [Row(lambda w: f"/meetings/{w.meeting.id}/bulletin/2030-06-03/announcements",
                                       secretariat_only(), "POST")],
    "meetings.edit_agenda_item": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/agenda/{programme_of(w).item}/edit"),
    "meetings.delete_agenda_item": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/agenda/{programme_of(w).item}/delete"),
    "meetings.edit_sitting": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/sittings/{programme_of(w).sitting}/edit"),
    "meetings.cancel_sitting": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/sittings/{programme_of(w).sitting}/cancel"),
    "meetings.edit_deadline": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/deadlines/{programme_of(w).deadline}/edit"),
    "meetings.extend_deadline": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/deadlines/{programme_of(w).deadline}/extend"),
    "meetings.delete_deadline": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/programme/deadlines/{programme_of(w).deadline}/delete"),
    "meetings.delete_announcement": programme_rows(
        lambda w: f"/meetings/{w.meeting.id}/announcements/{programme_of(w).announcement}/delete"),
})

# --- documents (rules 9 and 14): a document and all its versions belong to its space's members ----------

def documents_of(w: Any) -> Any:
    """Ids of a plenary official document, a Workers' caucus working file, and one withdrawn of each."""
    if not hasattr(w, "documents"):
        import io
        import os
        from types import SimpleNamespace

        from forum.documents import services as documents

        def share(role: str, space: Space, **fields: Any) -> int:
            content = io.BytesIO(b"%PDF-1.4\n% " + os.urandom(8).hex().encode() + b"\n%%EOF\n")
            with unit_of_work():
                return documents.publish_document(db.session.merge(w.users[role]), db.session.merge(space),
                                                  language="en", file=content, filename="d.pdf", **fields).id

        def withdraw(role: str, doc_id: int) -> None:
            from forum.documents.models import Document

            with unit_of_work():
                documents.withdraw_document(db.session.merge(w.users[role]), db.session.get(Document, doc_id),
                                            reason="For the access matrix")

        plenary, workers = w.spaces[(SpaceKind.plenary, None)], caucus_of(w, "worker")
        w.documents = SimpleNamespace(
            plenary=share("secretariat", plenary, kind="official", symbol=f"{w.meeting.symbol_prefix}/1",
                          title="Report"),
            caucus=share("worker", workers, kind="working", title="Workers' draft"),
            plenary_withdrawn=share("secretariat", plenary, kind="official", symbol=f"{w.meeting.symbol_prefix}/2",
                                    title="Withdrawn report"),
            caucus_withdrawn=share("worker", workers, kind="working", title="Withdrawn draft"),
        )
        withdraw("secretariat", w.documents.plenary_withdrawn)
        withdraw("worker", w.documents.caucus_withdrawn)
    return w.documents


def document_rows(suffix: str, expectations: dict[str, dict[str, str]], methods: tuple[str, ...] = ("GET",)
                  ) -> list[Row]:
    """One row per document of documents_of() named in `expectations` (and per method)."""
    return [Row(lambda w, which=which: f"/meetings/{w.meeting.id}/documents/{getattr(documents_of(w), which)}"
                + suffix, expect, method)
            for which, expect in expectations.items() for method in methods]


WORKERS_ONLY = only({"worker"}, HIDDEN)
NOBODY = {role: LOGIN if role == "anonymous" else HIDDEN for role in ROLES}
# Where a user may share: any space they write in (the plenary: the secretariat); an observer writes nowhere.
SHARERS = {**only({"government", "employer", "worker", "chair", "secretariat"}), "staff": HIDDEN, "admin": HIDDEN}
READ = {"plenary": everyone_in_meeting(), "caucus": WORKERS_ONLY,
        # Withdrawn: the secretariat keeps the plenary's; a caucus keeps its own.
        "plenary_withdrawn": only({"secretariat"}, HIDDEN), "caucus_withdrawn": WORKERS_ONLY}

MATRIX.update({
    "documents.list_documents": [Row(lambda w: f"/meetings/{w.meeting.id}/documents?q=draft", everyone_in_meeting())],
    "documents.documents_by_agenda_item": [Row(lambda w: f"/meetings/{w.meeting.id}/documents/by-agenda-item",
                                               everyone_in_meeting())],
    # Filtered, not refused: each lists the withdrawn documents they may still retrieve.
    "documents.list_withdrawn_documents": [Row(lambda w: f"/meetings/{w.meeting.id}/documents/withdrawn",
                                               everyone_in_meeting())],
    # An empty form: sharers get 422 (through the gate) and nothing is written.
    "documents.upload_document": [Row(lambda w: f"/meetings/{w.meeting.id}/documents/new", SHARERS, method)
                                  for method in ("GET", "POST")],
    "documents.show_document": document_rows("", READ),
    "documents.download_document": document_rows("/download", READ),
    "documents.download_version": document_rows("/versions/1", READ),
    # The live list fetches rows of documents in lists only: a withdrawn one is nobody's row.
    "documents.show_document_row": document_rows("/row", {"plenary": everyone_in_meeting(), "caucus": WORKERS_ONLY,
                                                          "plenary_withdrawn": NOBODY, "caucus_withdrawn": NOBODY}),
    # The secretariat gets 409 on the official document (reissue it instead), through the gate.
    "documents.add_document_version": document_rows(
        "/versions/new", {"plenary": secretariat_only(), "caucus": WORKERS_ONLY}, ("GET", "POST")),
    "documents.add_language_version": document_rows(
        "/languages/new", {"plenary": secretariat_only(), "caucus": WORKERS_ONLY}, ("GET", "POST")),
    # Only official documents are reissued: the workers see their working file, but may not.
    "documents.reissue_document": document_rows(
        "/reissue", {"plenary": secretariat_only(), "caucus": {**NOBODY, "worker": FORBIDDEN}}, ("GET", "POST")),
    # Without a reason nothing is withdrawn: the rows check the gate, not the withdrawal.
    "documents.withdraw_document": document_rows(
        "/withdraw", {"plenary": secretariat_only(), "caucus": WORKERS_ONLY}, ("GET", "POST")),
})

# --- the JSON API (/api/v1): the same rules, with bearer tokens ------------------------------------

def api_row(path: Callable[[Any], str], expect: dict[str, str], method: str = "GET",
            data: Callable[[Any], Any] = lambda w: {}, content_type: str = "application/json") -> Row:
    return Row(lambda w: "/api/v1" + path(w), expect, method, data, api=True, content_type=content_type)


def api_token(w: Any, role: str) -> str:
    """A token of the role's user, created on first use."""
    tokens = w.__dict__.setdefault("api_tokens", {})
    if role not in tokens:
        from forum.accounts.services import create_token

        with unit_of_work():
            tokens[role] = create_token(db.session.merge(w.users[role]), "access matrix")
    return tokens[role]


MATRIX.update({
    # The OpenAPI document and its reference page describe the API to anyone.
    "api-docs.openapi_json": [Row(lambda w: "/api/v1/openapi.json", {r: OK for r in ROLES})],
    "api_reference.show_reference": [Row(lambda w: "/api/v1/docs", {r: OK for r in ROLES})],
    "api_meetings.list_meetings": [api_row(lambda w: "/meetings", signed_in())],
    # An empty body: staff get 422 (through the gate), others 403.
    "api_meetings.create_meeting": [api_row(lambda w: "/meetings", only({"staff", "secretariat"}), "POST")],
    "api_meetings.get_meeting": [api_row(lambda w: f"/meetings/{w.meeting.id}", everyone_in_meeting())],
    "api_meetings.list_participants": [
        api_row(lambda w: f"/meetings/{w.meeting.id}/participants", everyone_in_meeting()),
        api_row(lambda w: f"/meetings/{w.meeting.id}/participants?removed=true", secretariat_only()),
    ],
    # A file with a wrong header: the secretariat gets 422 and nothing changes.
    "api_meetings.import_participants": [
        api_row(lambda w: f"/meetings/{w.meeting.id}/participants/import", secretariat_only(), "POST",
                lambda w: "email\n", "text/csv"),
    ],
    "api_meetings.remove_participant": [
        api_row(lambda w: f"/meetings/{w.meeting.id}/participants/{w.participants['worker'].id}?reason=Left",
                secretariat_only(), "DELETE"),
    ],
    # Spaces are filtered, not refused: each participant lists those they belong to.
    "api_meetings.list_spaces": [api_row(lambda w: f"/meetings/{w.meeting.id}/spaces", everyone_in_meeting())],
    "api_meetings.list_sittings": [api_row(lambda w: f"/meetings/{w.meeting.id}/sittings", everyone_in_meeting())],
    "api_audit.list_audit_entries": [api_row(lambda w: f"/meetings/{w.meeting.id}/audit", secretariat_only())],
    # Verifying covers every meeting's chain: administrators only.
    "api_audit.verify_audit": [api_row(lambda w: "/audit/verify", only({"admin"}))],
    "api_tokens.list_tokens": [api_row(lambda w: "/me/tokens", signed_in())],
    "api_tokens.create_token": [api_row(lambda w: "/me/tokens", signed_in(), "POST", lambda w: {"name": "script"})],
    # A token is its owner's alone: everyone else is told it does not exist.
    "api_tokens.revoke_token": [api_row(lambda w: f"/me/tokens/{w.token_id}", only({"government"}, HIDDEN),
                                        "DELETE")],
})


# --- discussions (rule 9): threads and posts belong to their space's members alone ---------------------
# For each kind of space: how to find it, which role writes its thread, its members, its moderators.
DISCUSSION_SPACES: dict[str, tuple[Callable[[Any], Space], str, set[str], set[str]]] = {
    "plenary": (lambda w: w.spaces[(SpaceKind.plenary, None)], "government",
                {"government", "employer", "worker", "chair", "observer", "secretariat"}, {"chair", "secretariat"}),
    "government caucus": (lambda w: caucus_of(w, "government"), "government", {"government", "chair"}, set()),
    "employer caucus": (lambda w: caucus_of(w, "employer"), "employer", {"employer"}, set()),
    "worker caucus": (lambda w: caucus_of(w, "worker"), "worker", {"worker"}, set()),
    "officers": (lambda w: w.spaces[(SpaceKind.officers, None)], "chair", {"chair", "secretariat"}, {"secretariat"}),
    "delegation": (lambda w: w.spaces[(SpaceKind.delegation, "KE")], "government", {"government"}, {"government"}),
    "regional": (lambda w: w.spaces[(SpaceKind.regional, "AFRICA")], "government", {"government"}, set()),
    # Named members alone: not the Chair (of the Government group, not named) nor the secretariat.
    "drafting group": (lambda w: discussion_drafting_group(w), "employer", {"government", "employer", "worker"},
                       set()),
}


def discussion_drafting_group(w: Any) -> Space:
    """The space of a drafting group of the world's Government, Employer and Worker delegates, on
    an empty draft of its own (lighter than drafting_of)."""
    if not hasattr(w, "discussion_drafting_space"):
        from forum.db import unit_of_work
        from forum.drafting import drafts

        with unit_of_work():
            secretariat = db.session.merge(w.users["secretariat"])
            draft = drafts.create_draft(secretariat, db.session.merge(w.meeting), title="For a drafting group",
                                        symbol="M/DG", original_language="en")
            group = drafts.create_drafting_group(secretariat, draft, name="Wording", participant_ids=[
                w.participants[role].id for role in ("government", "employer", "worker")])
        w.discussion_drafting_space = group.space_id
    return db.session.get(Space, w.discussion_drafting_space)


def discussions_of(w: Any) -> dict[str, tuple[int, int, int]]:
    """(space id, thread id, opening post id) per kind of space, written by a member on first use."""
    if not hasattr(w, "threads"):
        from forum.db import unit_of_work
        from forum.discussions import services as discussions

        w.threads = {}
        for name, (space_of, author, _members, _moderators) in DISCUSSION_SPACES.items():
            with unit_of_work():
                space = db.session.merge(space_of(w))
                thread = discussions.start_thread(db.session.merge(w.users[author]), space, title=f"On the {name}",
                                                  body="An opening post.")
                w.threads[name] = (space.id, thread.id, db.session.scalar(
                    db.select(db.func.min(Post.id)).where(Post.thread_id == thread.id)))
    return w.threads


def in_space(members: set[str], allowed: set[str]) -> dict[str, str]:
    """Members without the right: 403; everyone else outside the space: 404 (ids reveal nothing)."""
    return {role: LOGIN if role == "anonymous" else OK if role in allowed else FORBIDDEN if role in members
            else HIDDEN for role in ROLES}


def discussion_rows(suffix: str, rights: str, methods: tuple[str, ...] = ("GET",), level: str = "post") -> list[Row]:
    """One row per kind of space (and method). `rights`: view | write | own | moderate."""
    rows = []
    for name, (_space_of, author, members, moderators) in DISCUSSION_SPACES.items():
        allowed = {"view": members, "write": members - {"observer"}, "own": {author}, "moderate": moderators}[rights]

        def url(w: Any, name: str = name) -> str:
            space_id, thread_id, post_id = discussions_of(w)[name]
            path = f"/meetings/{w.meeting.id}/spaces/{space_id}"
            if level in ("thread", "post"):
                path += f"/threads/{thread_id}"
            if level == "post":
                path += f"/posts/{post_id}"
            return path + suffix

        rows.extend(Row(url, in_space(members, allowed), method) for method in methods)
    return rows


MATRIX.update({
    "discussions.list_threads": discussion_rows("/threads", "view", level="space"),
    "discussions.unread_counts": discussion_rows("/threads/unread", "view", level="space"),
    # Empty forms: writers get 422 (through the gate) and nothing is written.
    "discussions.start_thread": discussion_rows("/threads/new", "write", ("GET", "POST"), level="space"),
    "discussions.show_thread": discussion_rows("", "view", level="thread"),
    "discussions.reply_to_thread": discussion_rows("/reply", "write", ("GET", "POST"), level="thread"),
    "discussions.go_to_post": discussion_rows("", "view"),
    "discussions.show_post_fragment": discussion_rows("/fragment", "view"),
    "discussions.show_post_history": discussion_rows("/history", "view"),
    "discussions.edit_post": discussion_rows("/edit", "own", ("GET", "POST")),
    "discussions.delete_post": discussion_rows("/delete", "own", ("GET", "POST")),
    "discussions.hide_post": discussion_rows("/hide", "moderate", ("GET", "POST")),
    # The post is not hidden: a moderator gets 409 (through the gate).
    "discussions.unhide_post": discussion_rows("/unhide", "moderate", ("POST",)),
    # Without a value a moderator gets 400 (through the gate) and nothing changes.
    "discussions.pin_thread": discussion_rows("/pin", "moderate", ("POST",), level="thread"),
    "discussions.lock_thread": discussion_rows("/lock", "moderate", ("POST",), level="thread"),
    # Any participant searches; results are limited to their spaces (tests/unit/test_discussions_search.py).
    "discussions.search_posts": [Row(lambda w: f"/meetings/{w.meeting.id}/search?q=opening", everyone_in_meeting())],
})


def api_discussion_rows(rights: str, level: str) -> list[Row]:
    """The discussions API, one row per kind of space: `level` space (createThread with that space's
    id and an empty title: writers get 422 through the gate, nothing is written), thread (getThread)
    or post (createPost with an empty body: writers get 422)."""
    rows = []
    for name, (_space_of, _author, members, _moderators) in DISCUSSION_SPACES.items():
        allowed = members - {"observer"} if rights == "write" else members

        def path(w: Any, name: str = name) -> str:
            _space_id, thread_id, _post_id = discussions_of(w)[name]
            return {"space": f"/meetings/{w.meeting.id}/threads", "thread": f"/threads/{thread_id}",
                    "post": f"/threads/{thread_id}/posts"}[level]

        def data(w: Any, name: str = name) -> dict[str, Any]:
            return {"space": str(discussions_of(w)[name][0]), "title": ""} if level == "space" else {}

        rows.append(api_row(path, in_space(members, allowed), "GET" if level == "thread" else "POST", data))
    return rows


MATRIX.update({
    # Filtered, not refused: each lists the threads of the spaces they belong to; a space named in
    # ?space= that the caller does not see is 404, like the pages.
    "api_discussions.list_threads": [api_row(lambda w: f"/meetings/{w.meeting.id}/threads", everyone_in_meeting())] + [
        api_row(lambda w, name=name: f"/meetings/{w.meeting.id}/threads?space={discussions_of(w)[name][0]}",
                in_space(members, members))
        for name, (_space_of, _author, members, _moderators) in DISCUSSION_SPACES.items()],
    "api_discussions.create_thread": api_discussion_rows("write", "space"),
    "api_discussions.get_thread": api_discussion_rows("view", "thread"),
    "api_discussions.create_post": api_discussion_rows("write", "post"),
})

# Documents attached to posts: the post's readers see them, its author attaches and removes them.
def attachments_of(w: Any) -> dict[str, int]:
    """Opening-post ids of the plenary and the Workers' caucus threads, each with a document attached."""
    if not hasattr(w, "attachments"):
        from forum.discussions.models import Post
        from forum.documents import services as documents
        from forum.documents.models import Document

        w.attachments = {}
        for name, author, doc_id in (("plenary", "government", documents_of(w).plenary),
                                     ("worker caucus", "worker", documents_of(w).caucus)):
            post_id = discussions_of(w)[name][2]
            with unit_of_work():
                documents.attach_document(db.session.merge(w.users[author]), db.session.get(Post, post_id),
                                          db.session.get(Document, doc_id))
            w.attachments[name] = post_id
    return w.attachments


def attachment_rows(suffix: str, rights: str, methods: tuple[str, ...] = ("GET",)) -> list[Row]:
    """Per kind of discussion space: a post's attachments follow the post (view) or its author (own)."""
    rows = []
    for name, (_space_of, author, members, _moderators) in DISCUSSION_SPACES.items():
        allowed = members if rights == "view" else {author}
        rows.extend(Row(lambda w, name=name: f"/meetings/{w.meeting.id}/posts/{discussions_of(w)[name][2]}"
                        f"/attachments{suffix}", in_space(members, allowed), method) for method in methods)
    return rows


MATRIX.update({
    "documents.show_post_attachments": attachment_rows("", "view"),
    # An empty form: the author gets 422 (through the gate) and nothing is attached.
    "documents.attach_document": attachment_rows("", "own", ("POST",)),
    # The author's POST removes the attachment; everyone else is stopped before (403 or 404).
    "documents.detach_document": [
        Row(lambda w, name=name, doc=doc: f"/meetings/{w.meeting.id}/posts/{attachments_of(w)[name]}/attachments/"
            f"{getattr(documents_of(w), doc)}/detach", in_space(DISCUSSION_SPACES[name][2],
                                                                 {DISCUSSION_SPACES[name][1]}), method)
        for name, doc in (("plenary", "plenary"), ("worker caucus", "caucus")) for method in ("GET", "POST")
    ],
})


# --- drafting (rules 15-26): drafts are every participant's; an amendment before circulation is its
# movers' space's (and, once submitted, the secretariat's); the Chair or the secretariat decides ----------

def drafting_of(w: Any) -> Any:
    """A draft in preparation, a draft open for amendments with amendments in several states, a
    compilation and a drafting group; an Employers' group secretary files the caucus's draft."""
    if not hasattr(w, "drafting"):
        from types import SimpleNamespace

        from forum.accounts.models import User
        from forum.drafting import amendments as amend
        from forum.drafting import drafts
        from forum.drafting.importing import ParsedDraft, ParsedParagraph, ParsedPart
        from forum.drafting.models import Mover, MoverKind, Paragraph
        from forum.meetings.models import Capacity, Meeting, Office, OfficeRole, Participant

        def structure() -> ParsedDraft:
            return ParsedDraft(preamble="The meeting concludes:", parts=[ParsedPart("Principles", [
                ParsedParagraph("Labour migration should be fair.", ["An item."]),
                ParsedParagraph("Governments should act.")])])

        def label(draft_id: int, text: str) -> Paragraph:
            return db.session.scalars(db.select(Paragraph).where(Paragraph.draft_id == draft_id,
                                                                 Paragraph.label == text)).one()

        secretariat = w.users["secretariat"]
        government = w.users["government"]
        kenya = Mover(MoverKind.state, states=("KE",))
        with unit_of_work():
            meeting = db.session.get(Meeting, w.meeting.id)
            user = User(email="emp.secretary@matrix.test", name="Employer Secretary", password_hash="-",
                        session_generation=1)
            db.session.add(user)
            db.session.flush()
            secretary = Participant(meeting_id=meeting.id, user_id=user.id, group=Group.employer,
                                    capacity=Capacity.adviser)
            db.session.add(secretary)
            db.session.flush()
            db.session.add(Office(meeting_id=meeting.id, participant_id=secretary.id, role=OfficeRole.group_secretary))
            worker_user = User(email="worker.member@matrix.test", name="Worker Member", password_hash="-",
                               session_generation=1)
            db.session.add(worker_user)
            db.session.flush()
            worker = Participant(meeting_id=meeting.id, user_id=worker_user.id, group=Group.worker,
                                 capacity=Capacity.delegate)
            db.session.add(worker)
            db.session.flush()
            prep = drafts.create_draft(secretariat, meeting, title="In preparation", symbol="M/PREP",
                                       original_language="en", structure=structure())
            draft = drafts.create_draft(secretariat, meeting, title="Open", symbol="M/OPEN", original_language="en",
                                        structure=structure())
            drafts.open_draft(secretariat, draft)
        with unit_of_work():
            circulated = amend.file_amendment(government, draft, label(draft.id, "2"), mover=kenya, kind="delete",
                                              language="en", explanation="Circulated.")
            withdrawn = amend.file_amendment(government, draft, label(draft.id, "1"), mover=kenya, kind="delete",
                                             language="en", explanation="Withdrawn.")
            for a in (circulated, withdrawn):
                amend.submit_amendment(government, a)
                amend.validate_amendment(secretariat, a)
            amend.circulate_amendments(secretariat, draft)
            amend.withdraw_amendment(government, withdrawn)
        with unit_of_work():
            submitted = amend.file_amendment(government, draft, label(draft.id, "1(a)"), mover=kenya, kind="delete",
                                             language="en", explanation="Submitted.")
            amend.submit_amendment(government, submitted)
            ke_draft = amend.file_amendment(government, draft, label(draft.id, "preamble"), mover=kenya,
                                            kind="delete", language="en", explanation="Kenya's draft.")
            employer_draft = amend.file_amendment(db.session.get(User, user.id), draft, label(draft.id, "2"),
                                                  mover=Mover(MoverKind.employer_group), kind="delete",
                                                  language="en", explanation="Employers' draft.")
            # Its Employer and Worker members are not the world's: those two file nothing (rule 19).
            group = drafts.create_drafting_group(secretariat, draft, name="Recruitment", participant_ids=[
                w.participants["government"].id, secretary.id, worker.id])
        w.drafting = SimpleNamespace(
            draft=draft.id, prep=prep.id, prep_part=db.session.scalars(
                db.select(Paragraph.part_id).where(Paragraph.draft_id == prep.id, Paragraph.label == "1")).one(),
            prep_paragraph=label(prep.id, "2").id, paragraph=label(draft.id, "2").id, circulated=circulated.id,
            withdrawn=withdrawn.id, submitted=submitted.id, ke_draft=ke_draft.id, employer_draft=employer_draft.id,
            group=group.id, group_space=group.space_id)
    return w.drafting


def in_meeting_only(ok: set[str], forbidden: set[str] | None = None) -> dict[str, str]:
    """OK for `ok`, 403 for participants who see the object but may not act, 404 for the rest."""
    forbidden = forbidden or set()
    return {r: LOGIN if r == "anonymous" else OK if r in ok else FORBIDDEN if r in forbidden else HIDDEN
            for r in ROLES}


PARTICIPANTS = {"government", "employer", "worker", "chair", "observer", "secretariat"}


def presiding() -> dict[str, str]:
    """The Chair, or the secretariat on the Chair's behalf."""
    return in_meeting_only({"chair", "secretariat"}, PARTICIPANTS)


def _d(w: Any) -> str:
    return f"/meetings/{w.meeting.id}/drafts/{drafting_of(w).draft}"


def _prep(w: Any) -> str:
    return f"/meetings/{w.meeting.id}/drafts/{drafting_of(w).prep}"


def _amendment(w: Any, which: str) -> str:
    return f"{_d(w)}/amendments/{getattr(drafting_of(w), which)}"


def both(path: Callable[[Any], str], expect: dict[str, str]) -> list[Row]:
    return [Row(path, expect), Row(path, expect, "POST")]


FILERS = in_meeting_only({"government", "chair"}, PARTICIPANTS)
SECONDERS = in_meeting_only({"employer", "worker", "chair"}, PARTICIPANTS)

MATRIX.update({
    "drafting.list_drafts": [Row(lambda w: f"/meetings/{w.meeting.id}/drafts", everyone_in_meeting())],
    "drafting.set_line_numbers": [Row(lambda w: f"/meetings/{w.meeting.id}/drafts/line-numbers", secretariat_only(),
                                      "POST")],
    "drafting.create_draft": both(lambda w: f"/meetings/{w.meeting.id}/drafts/new", secretariat_only()),
    "drafting.import_draft": both(lambda w: f"/meetings/{w.meeting.id}/drafts/import", secretariat_only()),
    "drafting.show_draft": [Row(_d, everyone_in_meeting()), Row(_prep, everyone_in_meeting())],
    # The structure changes only in preparation: once open, nobody edits it (rule 16).
    "drafting.edit_draft": [*both(lambda w: f"{_prep(w)}/edit", secretariat_only()),
                            Row(lambda w: f"{_d(w)}/edit", in_meeting_only(set(), PARTICIPANTS))],
    "drafting.open_draft": both(lambda w: f"{_prep(w)}/open", secretariat_only()),
    "drafting.add_part": [Row(lambda w: f"{_prep(w)}/parts", secretariat_only(), "POST")],
    "drafting.edit_part": both(lambda w: f"{_prep(w)}/parts/{drafting_of(w).prep_part}/edit", secretariat_only()),
    "drafting.remove_part": both(lambda w: f"{_prep(w)}/parts/{drafting_of(w).prep_part}/remove", secretariat_only()),
    "drafting.add_paragraph": [Row(lambda w: f"{_prep(w)}/paragraphs", secretariat_only(), "POST")],
    "drafting.edit_paragraph": both(lambda w: f"{_prep(w)}/paragraphs/{drafting_of(w).prep_paragraph}/edit",
                                    secretariat_only()),
    "drafting.remove_paragraph": both(lambda w: f"{_prep(w)}/paragraphs/{drafting_of(w).prep_paragraph}/remove",
                                      secretariat_only()),
    "drafting.show_paragraph": [Row(lambda w: f"{_d(w)}/paragraphs/{drafting_of(w).paragraph}",
                                    everyone_in_meeting())],
    "drafting.translate_paragraph": both(lambda w: f"{_d(w)}/paragraphs/{drafting_of(w).paragraph}/translate",
                                         secretariat_only()),
    "drafting.decide_paragraph": both(lambda w: f"{_d(w)}/paragraphs/{drafting_of(w).paragraph}/decide",
                                      presiding()),
    "drafting.list_amendments": [Row(lambda w: f"{_d(w)}/amendments", everyone_in_meeting())],
    # Rule 19: Government participants for their State; an Employer or Worker member (without the
    # group's secretary or spokesperson office), an observer or the secretariat files nothing.
    "drafting.file_amendment": both(lambda w: f"{_d(w)}/amendments/new", FILERS),
    # Rule 23: before circulation an amendment is its movers' space's (and, submitted, the secretariat's).
    "drafting.show_amendment": [
        Row(lambda w: _amendment(w, "circulated"), everyone_in_meeting()),
        Row(lambda w: _amendment(w, "employer_draft"), only({"employer"}, HIDDEN)),
        Row(lambda w: _amendment(w, "ke_draft"), only({"government"}, HIDDEN)),
        Row(lambda w: _amendment(w, "submitted"), only({"government", "secretariat"}, HIDDEN)),
    ],
    "drafting.edit_amendment": both(lambda w: f"{_amendment(w, 'ke_draft')}/edit", only({"government"}, HIDDEN)),
    # Once Kenya has submitted it, the secretariat sees it (403 rather than 404).
    "drafting.submit_amendment": [Row(lambda w: f"{_amendment(w, 'ke_draft')}/submit",
                                      in_meeting_only({"government"}, {"secretariat"}), "POST")],
    "drafting.discard_amendment": both(lambda w: f"{_amendment(w, 'ke_draft')}/discard",
                                       only({"government"}, HIDDEN)),
    # Rule 22: another voting member seconds; not Kenya's own delegation, not an observer or the secretariat.
    "drafting.second_amendment": [Row(lambda w: f"{_amendment(w, 'circulated')}/second", SECONDERS, "POST")],
    "drafting.record_seconder": [Row(lambda w: f"{_amendment(w, 'circulated')}/seconders", secretariat_only(),
                                     "POST")],
    # Rule 23: only the mover withdraws; another eligible member takes a withdrawn amendment up.
    "drafting.withdraw_amendment": both(lambda w: f"{_amendment(w, 'circulated')}/withdraw",
                                        in_meeting_only({"government"}, PARTICIPANTS)),
    "drafting.take_up_amendment": [Row(lambda w: f"{_amendment(w, 'withdrawn')}/take-up",
                                       in_meeting_only({"chair"}, PARTICIPANTS))],
    "drafting.validate_amendment": [Row(lambda w: f"{_amendment(w, 'submitted')}/validate",
                                        in_meeting_only({"secretariat"}, {"government"}), "POST")],
    "drafting.return_amendment": both(lambda w: f"{_amendment(w, 'submitted')}/return",
                                      in_meeting_only({"secretariat"}, {"government"})),
    "drafting.start_discussion": [Row(lambda w: f"{_amendment(w, 'circulated')}/discuss", presiding(), "POST")],
    "drafting.decide_amendment": both(lambda w: f"{_amendment(w, 'circulated')}/decide", presiding()),
    "drafting.rebase_amendment": both(lambda w: f"{_amendment(w, 'circulated')}/rebase", presiding()),
    "drafting.reorder_amendment": [Row(lambda w: f"{_amendment(w, 'circulated')}/move", presiding(), "POST",
                                       lambda w: {"direction": "up"})],
    "drafting.show_validation_queue": [Row(lambda w: f"{_d(w)}/validation", secretariat_only())],
    "drafting.circulate_amendments": both(lambda w: f"{_d(w)}/circulate", secretariat_only()),
    "drafting.show_compilation": [Row(lambda w: f"{_d(w)}/compilations/1", everyone_in_meeting())],
    "drafting.export_compilation": [Row(lambda w: f"{_d(w)}/compilations/1.docx", everyone_in_meeting())],
    "drafting.record_oral_amendment": both(lambda w: f"{_d(w)}/oral", secretariat_only()),
    "drafting.list_drafting_groups": [Row(lambda w: f"{_d(w)}/drafting-groups", everyone_in_meeting())],
    "drafting.create_drafting_group": both(lambda w: f"{_d(w)}/drafting-groups/new", secretariat_only()),
    "drafting.refer_paragraphs": [Row(lambda w: f"{_d(w)}/drafting-groups/{drafting_of(w).group}/refer",
                                      secretariat_only(), "POST")],
    # "Our amendments" of a space: its members alone (a caucus by its own rule: only that group).
    "drafting.list_space_amendments": [
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{caucus_of(w, 'employer').id}/amendments",
            only({"employer"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{caucus_of(w, 'worker').id}/amendments",
            only({"worker"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{w.spaces[(SpaceKind.delegation, 'KE')].id}/amendments",
            only({"government"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{drafting_of(w).group_space}/amendments",
            only({"government"}, HIDDEN)),
        Row(lambda w: f"/meetings/{w.meeting.id}/spaces/{w.spaces[(SpaceKind.plenary, None)].id}/amendments",
            in_meeting_only(set(), PARTICIPANTS)),
    ],
})

# Socket events. `subscribe` and `snapshot` are checked room by room below (SOCKET_ROOMS);
# `connect` refuses anonymous users; `unsubscribe` and `disconnect` need no right.
SOCKET_EVENTS = {"connect", "disconnect", "subscribe", "unsubscribe", "snapshot"}

MEMBERS = {"government", "employer", "worker", "chair", "observer", "secretariat"}
SOCKET_ROOMS: dict[str, tuple[Callable[[Any], str], set[str]]] = {
    "meeting": (lambda w: f"meeting:{w.meeting.id}", MEMBERS),
    "plenary": (lambda w: f"space:{w.spaces[(SpaceKind.plenary, None)].id}", MEMBERS),
    "government caucus": (lambda w: f"space:{caucus_of(w, 'government').id}", {"government", "chair"}),
    "employer caucus": (lambda w: f"space:{caucus_of(w, 'employer').id}", {"employer"}),
    "worker caucus": (lambda w: f"space:{caucus_of(w, 'worker').id}", {"worker"}),
    "officers": (lambda w: f"space:{w.spaces[(SpaceKind.officers, None)].id}", {"chair", "secretariat"}),
    "delegation": (lambda w: f"space:{w.spaces[(SpaceKind.delegation, 'KE')].id}", {"government"}),
    "regional": (lambda w: f"space:{w.spaces[(SpaceKind.regional, 'AFRICA')].id}", {"government"}),
    "another user's room": (lambda w: f"user:{w.users['admin'].id}", {"admin"}),
}
SOCKET_ROOMS.update({
    f"thread in the {name}": (lambda w, name=name: f"thread:{discussions_of(w)[name][1]}", members)
    for name, (_space_of, _author, members, _moderators) in DISCUSSION_SPACES.items()
})


SOCKET_ROOMS["draft"] = (lambda w: f"draft:{drafting_of(w).draft}", MEMBERS)

# --- access rows: positions ---
# Rules 27-28: every participant reads positions, statements and the status board; a group's
# officers (here: nobody of the World but the secretariat, taking note) record positions; States
# (the Kenyan delegate, the Chair for Brazil) and the secretariat record statements. Internal polls
# are their caucus's alone (rule 9): everyone else is told they do not exist.

def positions_of(w: Any) -> Any:
    """A Workers' caucus poll, opened by a Workers' group secretary who is not one of the World's users."""
    if not hasattr(w, "positions"):
        from types import SimpleNamespace

        from forum.accounts.models import User
        from forum.drafting.models import Paragraph
        from forum.meetings.models import Capacity, Office, OfficeRole, Participant
        from forum.positions import polls
        from forum.positions.items import load_item

        ids = drafting_of(w)
        with unit_of_work():
            user = User(email="wkr.secretary@matrix.test", name="Worker Secretary", password_hash="-",
                        session_generation=1)
            db.session.add(user)
            db.session.flush()
            secretary = Participant(meeting_id=w.meeting.id, user_id=user.id, group=Group.worker,
                                    capacity=Capacity.adviser)
            db.session.add(secretary)
            db.session.flush()
            db.session.add(Office(meeting_id=w.meeting.id, participant_id=secretary.id,
                                  role=OfficeRole.group_secretary))
        with unit_of_work():
            poll = polls.open_poll(db.session.get(User, user.id), db.session.merge(caucus_of(w, "worker")),
                                   load_item("paragraph", ids.paragraph), question="Support?")
        first = db.session.scalars(db.select(Paragraph.id).where(Paragraph.draft_id == ids.draft)
                                   .order_by(Paragraph.position)).first()
        w.positions = SimpleNamespace(poll=poll.id, paragraph=first)
    return w.positions


def _item(w: Any, kind: str, which: str) -> str:
    ident = getattr(drafting_of(w), which)
    return f"{_d(w)}/items/{kind}/{ident}"


def _polls(w: Any, space: Space) -> str:
    return f"/meetings/{w.meeting.id}/spaces/{space.id}/polls"


def _poll(w: Any) -> str:
    return f"{_polls(w, caucus_of(w, 'worker'))}/{positions_of(w).poll}"


POLL_MEMBERS = only({"worker"}, HIDDEN)
POLL_OFFICERS = {**POLL_MEMBERS, "worker": FORBIDDEN}  # the World's Worker member is no officer
NOBODY_SEES = {role: LOGIN if role == "anonymous" else HIDDEN for role in ROLES}

MATRIX.update({
    "positions.show_board": [Row(lambda w: f"{_d(w)}/board", everyone_in_meeting())],
    "positions.show_item": [
        Row(lambda w: f"{_item(w, 'paragraph', 'paragraph')}/positions", everyone_in_meeting()),
        Row(lambda w: f"{_item(w, 'amendment', 'circulated')}/positions", everyone_in_meeting()),
        # Kenya's unsubmitted draft is its delegation's alone (rule 23).
        Row(lambda w: f"{_item(w, 'amendment', 'ke_draft')}/positions", in_meeting_only({"government"})),
    ],
    # Empty forms: those through the gate get 422 and nothing is recorded.
    "positions.record_position": [Row(lambda w: f"{_item(w, 'paragraph', 'paragraph')}/positions/record",
                                      in_meeting_only({"secretariat"}, PARTICIPANTS), "POST")],
    "positions.add_statement": [Row(lambda w: f"{_item(w, 'amendment', 'circulated')}/statements",
                                    in_meeting_only({"government", "chair", "secretariat"}, PARTICIPANTS), "POST")],
    "positions.list_polls": [
        Row(lambda w: _polls(w, caucus_of(w, "worker")), POLL_MEMBERS),
        Row(lambda w: _polls(w, caucus_of(w, "employer")), only({"employer"}, HIDDEN)),
        Row(lambda w: _polls(w, caucus_of(w, "government")), only({"government", "chair"}, HIDDEN)),
        Row(lambda w: _polls(w, w.spaces[(SpaceKind.regional, "AFRICA")]), only({"government"}, HIDDEN)),
        Row(lambda w: _polls(w, w.spaces[(SpaceKind.plenary, None)]), NOBODY_SEES),  # no polls in the plenary
        Row(lambda w: _polls(w, w.spaces[(SpaceKind.officers, None)]), NOBODY_SEES),
    ],
    "positions.open_poll": [
        Row(lambda w: f"{_polls(w, caucus_of(w, 'worker'))}/new?kind=paragraph&item={positions_of(w).paragraph}",
            POLL_OFFICERS),
        Row(lambda w: f"{_polls(w, caucus_of(w, 'worker'))}/new", POLL_OFFICERS, "POST"),
    ],
    "positions.show_poll": [Row(lambda w: _poll(w), POLL_MEMBERS)],
    "positions.answer_poll": [Row(lambda w: f"{_poll(w)}/answer", POLL_MEMBERS, "POST")],
    "positions.close_poll": [Row(lambda w: f"{_poll(w)}/close", POLL_OFFICERS),
                             Row(lambda w: f"{_poll(w)}/close", POLL_OFFICERS, "POST")],
})

# --- access rows: votes ---

def votes_of(w: Any) -> Any:
    """A live sitting with its register, an open record vote on paragraph 2 of the open draft, an
    open secret ballot on paragraph 1, and a substitution notice (a deputy for the Employer member)."""
    if not hasattr(w, "votes"):
        from datetime import date, timedelta
        from types import SimpleNamespace

        from forum.db import utcnow
        from forum.drafting.models import Paragraph
        from forum.meetings import attendance
        from forum.meetings.models import Meeting, Membership, MembershipKind, Participant, Sitting, SittingState
        from forum.positions import votes
        from forum.positions.items import item_of

        d = drafting_of(w)
        deputy = make_deputy(w)
        with unit_of_work():
            meeting = db.session.get(Meeting, w.meeting.id)
            sitting = Sitting(meeting_id=meeting.id, title="Sitting", starts_at=utcnow() - timedelta(hours=1),
                              state=SittingState.live)
            db.session.add(sitting)
            db.session.flush()
            secretariat = db.session.merge(w.users["secretariat"])
            attendance.set_attendance(secretariat, sitting, member_states=["KE", "BR"], participant_ids=[
                w.participants["employer"].id, w.participants["worker"].id])
            deputy_p = db.session.get(Participant, deputy)
            deputy_p.memberships.append(Membership(kind=MembershipKind.deputy, effective_from=date(2000, 1, 2)))
            notice = attendance.record_substitution(secretariat, meeting, substitute=deputy_p,
                                                    replaces=db.session.get(Participant, w.participants["employer"].id))
            chair = db.session.merge(w.users["chair"])
            one = db.session.scalars(db.select(Paragraph).where(Paragraph.draft_id == d.draft,
                                                                Paragraph.label == "1")).one()
            record_vote = votes.open_vote(chair, item_of(db.session.get(Paragraph, d.paragraph)), vote_type="record",
                                          sitting=sitting)
            secret_vote = votes.open_vote(chair, item_of(one), vote_type="secret", sitting=sitting)
        w.votes = SimpleNamespace(sitting=sitting.id, vote=record_vote.id, secret=secret_vote.id, notice=notice.id,
                                  item=f"/meetings/{w.meeting.id}/drafts/{d.draft}/items/paragraph/{d.paragraph}")
    return w.votes


def make_deputy(w: Any) -> int:
    from forum.accounts.models import User
    from forum.meetings.models import Capacity, Participant

    with unit_of_work():
        user = User(email="emp.deputy@matrix.test", name="Employer Deputy", password_hash="-", session_generation=1)
        db.session.add(user)
        db.session.flush()
        p = Participant(meeting_id=w.meeting.id, user_id=user.id, group=Group.employer, capacity=Capacity.delegate)
        db.session.add(p)
        db.session.flush()
        return p.id


def _v(w: Any, suffix: str = "", which: str = "vote") -> str:
    return f"/meetings/{w.meeting.id}/votes/{getattr(votes_of(w), which)}{suffix}"


VOTERS = in_meeting_only({"government", "employer", "worker", "chair"}, PARTICIPANTS)

MATRIX.update({
    "votes.list_votes": [Row(lambda w: f"/meetings/{w.meeting.id}/votes", everyone_in_meeting())],
    # Empty forms: presiders get 422 (through the gate) and nothing is opened or declared.
    "votes.open_vote": both(lambda w: f"{votes_of(w).item}/votes/new", presiding()),
    "votes.declare_decision": both(lambda w: f"{votes_of(w).item}/decision", presiding()),
    "votes.show_vote": [Row(lambda w: _v(w), everyone_in_meeting()), Row(lambda w: _v(w, which="secret"),
                                                                         everyone_in_meeting())],
    # Rule 3: voting members (the Chair's State, BR, included); an empty ballot is 422 for them.
    "votes.cast_ballot": [Row(lambda w: _v(w, "/ballot"), VOTERS, "POST"),
                          Row(lambda w: _v(w, "/ballot", "secret"), VOTERS, "POST")],
    # The Chair's POST closes the vote; the secretariat's then finds it closed (a redirect, through the gate).
    "votes.close_vote": both(lambda w: _v(w, "/close"), presiding()),
    "votes.check_receipt": [Row(lambda w: _v(w, "/receipt", "secret"), everyone_in_meeting(), "POST")],
    "votes.show_attendance": [
        Row(lambda w: f"/meetings/{w.meeting.id}/sittings/{votes_of(w).sitting}/attendance", presiding()),
        Row(lambda w: f"/meetings/{w.meeting.id}/sittings/{votes_of(w).sitting}/attendance",
            in_meeting_only({"secretariat"}, PARTICIPANTS), "POST"),
    ],
    "votes.list_substitutions": both(lambda w: f"/meetings/{w.meeting.id}/substitutions", secretariat_only()),
    "votes.revoke_substitution": [Row(lambda w: f"/meetings/{w.meeting.id}/substitutions/{votes_of(w).notice}/revoke",
                                      secretariat_only(), "POST")],
})

# --- access rows: sittings ---
# Live sittings (issue #7): everyone in the meeting follows a sitting and its projector; the Chair,
# or the secretariat on the Chair's behalf, runs the console; the secretariat makes a sitting live.

def sittings_of(w: Any) -> Any:
    """A scheduled sitting, and a sitting live and open on the world's open draft."""
    if not hasattr(w, "sittings"):
        from datetime import datetime
        from types import SimpleNamespace

        from forum.meetings import programme
        from forum.meetings.models import Meeting, Sitting
        from forum.sittings import services as sitting_services

        secretariat = w.users["secretariat"]
        draft_id = drafting_of(w).draft
        with unit_of_work():
            meeting = db.session.get(Meeting, w.meeting.id)
            scheduled = programme.schedule_sitting(secretariat, meeting, title="Scheduled",
                                                   starts_at=datetime(2030, 6, 4, 10, 0))
            live = programme.schedule_sitting(secretariat, meeting, title="Live", starts_at=datetime(2030, 6, 3, 15, 0))
        with unit_of_work():
            live = db.session.get(Sitting, live.id)
            sitting_services.run_command(secretariat, live, "make_live", {"draft_id": draft_id})
            sitting_services.run_command(w.users["chair"], live, "open", {})
        w.sittings = SimpleNamespace(scheduled=scheduled.id, live=live.id)
    return w.sittings


def _sitting(w: Any, tail: str = "") -> str:
    return f"/meetings/{w.meeting.id}/sittings/{sittings_of(w).live}{tail}"


MATRIX.update({
    "sittings.list_sittings": [Row(lambda w: f"/meetings/{w.meeting.id}/sittings", everyone_in_meeting())],
    "sittings.show_sitting": [Row(lambda w: _sitting(w), everyone_in_meeting())],
    "sittings.show_projector": [Row(lambda w: _sitting(w, "/projector"), everyone_in_meeting())],
    "sittings.show_console": [Row(lambda w: _sitting(w, "/console"), presiding())],
    "sittings.make_live": [
        Row(lambda w: f"/meetings/{w.meeting.id}/sittings/{sittings_of(w).scheduled}/make-live", secretariat_only()),
        Row(lambda w: f"/meetings/{w.meeting.id}/sittings/{sittings_of(w).scheduled}/make-live", secretariat_only(),
            "POST"),
    ],
    "sittings.run_command": [
        Row(lambda w: _sitting(w, "/commands/announce"), presiding(), "POST", lambda w: {"text": "Coffee"}),
        # Rule 5: an observer asks for the floor only once invited; the secretariat registers others.
        Row(lambda w: _sitting(w, "/commands/request_floor"),
            in_meeting_only({"government", "employer", "worker", "chair"}, {"observer", "secretariat"}), "POST"),
        Row(lambda w: _sitting(w, "/commands/officers_message"),
            in_meeting_only({"chair", "secretariat"}, {"government", "employer", "worker", "observer"}), "POST",
            lambda w: {"body": "Hello"}),
    ],
})
SOCKET_EVENTS |= {"join", "sitting_command"}
SOCKET_ROOMS["sitting"] = (lambda w: f"sitting:{sittings_of(w).live}", MEMBERS)
SOCKET_ROOMS["sitting officers"] = (lambda w: f"sitting:{sittings_of(w).live}:officers", {"chair", "secretariat"})

# --- access rows: exports ---
# Rule 35: the secretariat exports; participants see the pages the exports are made of, not this.

def _exports(w: Any) -> str:
    return f"{_d(w)}/exports"


MATRIX.update({
    "exports.list_exports": [Row(lambda w: f"/meetings/{w.meeting.id}/exports", secretariat_only())],
    "exports.show_exports": [Row(_exports, secretariat_only())],
    "exports.download": [Row(lambda w: f"{_exports(w)}/final.docx", secretariat_only()),
                         Row(lambda w: f"{_exports(w)}/record.html", secretariat_only()),
                         Row(lambda w: f"{_exports(w)}/status.csv", secretariat_only())],
})

# --- access rows: languages ---
# Issue 14: everyone in the meeting reads the draft side by side in its languages; the secretariat
# imports the translations and translates amendments it can see (a submitted one onwards).

MATRIX.update({
    "languages.side_by_side": [Row(lambda w: f"{_d(w)}/languages", everyone_in_meeting())],
    "languages.import_translation": both(lambda w: f"{_d(w)}/languages/import", secretariat_only()),
    "languages.translate_amendment": [
        *both(lambda w: f"{_amendment(w, 'circulated')}/translate", secretariat_only()),
        Row(lambda w: f"{_amendment(w, 'submitted')}/translate", in_meeting_only({"secretariat"}, {"government"})),
        Row(lambda w: f"{_amendment(w, 'ke_draft')}/translate", in_meeting_only(set(), {"government"})),
    ],
    # The API: whoever sees the amendment reads its language versions; the secretariat sets them (an
    # over-long text: 422, nothing written).
    "api_drafting.get_amendment_languages": [
        api_row(lambda w: f"/amendments/{drafting_of(w).circulated}/languages", everyone_in_meeting()),
        api_row(lambda w: f"/amendments/{drafting_of(w).ke_draft}/languages", only({"government"}, HIDDEN)),
    ],
    "api_drafting.add_amendment_translation": [
        api_row(lambda w: f"/amendments/{drafting_of(w).circulated}/translations/fr", secretariat_only(), "PUT",
                lambda w: {"text": "x" * 10_001}),
        api_row(lambda w: f"/amendments/{drafting_of(w).submitted}/translations/fr",
                in_meeting_only({"secretariat"}, {"government"}), "PUT", lambda w: {"text": "x" * 10_001}),
    ],
})

# --- access rows: proceedings ---
# The report (rule 34, issue #10): the secretariat writes summaries and publishes; everyone in the
# meeting reads the published draft and its files; the speaker alone proposes a correction to their
# own intervention; the secretariat decides it; the Chair, or the secretariat for the Chair, adopts.

def proceedings_of(w: Any) -> Any:
    """A sitting, the Government delegate's intervention in it, the draft report published and
    that delegate's correction awaiting the secretariat."""
    if not hasattr(w, "proceedings"):
        from datetime import datetime, timedelta
        from types import SimpleNamespace

        from forum.db import utcnow
        from forum.meetings import programme
        from forum.meetings.models import Meeting
        from forum.proceedings import services as report_services

        secretariat = w.users["secretariat"]
        with unit_of_work():
            meeting = db.session.get(Meeting, w.meeting.id)
            sitting = programme.schedule_sitting(secretariat, meeting, title="Reported",
                                                 starts_at=datetime(2030, 6, 2, 10, 0))
            intervention = report_services.add_intervention(
                secretariat, sitting, speaker=db.session.merge(w.participants["government"]),
                summary="Kenya supported the text.")
            report_services.publish_report(secretariat, meeting, deadline=utcnow() + timedelta(days=30))
        with unit_of_work():
            correction = report_services.propose_correction(db.session.merge(w.users["government"]),
                                                            db.session.merge(intervention), "Kenya warmly supported.")
        w.proceedings = SimpleNamespace(sitting=sitting.id, intervention=intervention.id, correction=correction.id)
    return w.proceedings


def _report(w: Any, tail: str = "") -> str:
    return f"/meetings/{w.meeting.id}/report{tail}"


MATRIX.update({
    "proceedings.show_report": [Row(lambda w: _report(w), everyone_in_meeting())],
    "proceedings.export_report": [Row(lambda w: (proceedings_of(w), _report(w, "/export.docx"))[1],
                                      everyone_in_meeting())],
    "proceedings.publish_report": [Row(lambda w: _report(w, "/publish"), secretariat_only(), "POST")],
    "proceedings.adopt_report": [Row(lambda w: (proceedings_of(w), _report(w, "/adopt"))[1], presiding())],
    "proceedings.list_corrections": [Row(lambda w: (proceedings_of(w), _report(w, "/corrections"))[1],
                                         everyone_in_meeting())],
    "proceedings.list_interventions": [
        Row(lambda w: f"/meetings/{w.meeting.id}/sittings/{proceedings_of(w).sitting}/interventions",
            secretariat_only())],
    "proceedings.add_intervention": [
        Row(lambda w: f"/meetings/{w.meeting.id}/sittings/{proceedings_of(w).sitting}/interventions/new",
            secretariat_only())],
    "proceedings.edit_intervention": [
        Row(lambda w: f"/meetings/{w.meeting.id}/interventions/{proceedings_of(w).intervention}",
            secretariat_only())],
    # The speaker alone; the report is published, so the others see it but may not (403).
    "proceedings.propose_correction": [
        Row(lambda w: f"/meetings/{w.meeting.id}/interventions/{proceedings_of(w).intervention}/correction",
            in_meeting_only({"government"}, PARTICIPANTS))],
    # A correction is seen by its proposer and by those who run the meeting; the secretariat decides.
    "proceedings.decide_correction": [
        Row(lambda w: f"/meetings/{w.meeting.id}/corrections/{proceedings_of(w).correction}/decision",
            in_meeting_only({"secretariat"}, {"government", "chair"}), "POST")],
    # The same through the API.
    "api_proceedings.list_interventions": [
        api_row(lambda w: f"/sittings/{proceedings_of(w).sitting}/interventions", everyone_in_meeting())],
    "api_proceedings.add_intervention": [
        api_row(lambda w: f"/sittings/{proceedings_of(w).sitting}/interventions", secretariat_only(), "POST")],
    "api_proceedings.propose_correction": [
        api_row(lambda w: f"/interventions/{proceedings_of(w).intervention}/corrections",
                in_meeting_only({"government"}, PARTICIPANTS), "POST")],
    "api_proceedings.decide_correction": [
        api_row(lambda w: f"/corrections/{proceedings_of(w).correction}/decision",
                in_meeting_only({"secretariat"}, {"government", "chair"}), "POST")],
    "api_proceedings.publish_draft_report": [api_row(lambda w: _report_api(w, "/publish"), secretariat_only(),
                                                     "POST")],
    "api_proceedings.adopt_report": [api_row(lambda w: _report_api(w, "/adopt"), presiding(), "POST")],
    "api_proceedings.get_report": [api_row(lambda w: _report_api(w), everyone_in_meeting())],
    "api_proceedings.export_report": [api_row(lambda w: _report_api(w, "/export?format=pdf"), everyone_in_meeting())],
})


def _report_api(w: Any, tail: str = "") -> str:
    proceedings_of(w)
    return f"/meetings/{w.meeting.id}/report{tail}"


# --- access rows: operations ---
# The health check (issue #12): open to anyone, proxies call it without credentials; it names no meeting.

MATRIX.update({
    "health.healthz": [Row(lambda w: "/healthz", {r: OK for r in ROLES})],
})


# --- access rows: api ---

# Documents through the API (forum/api/documents.py): the same readers and sharers as the pages. No
# file is sent, so those let through get 422 and nothing is written.
def api_document_rows(suffix: str, expectations: dict[str, dict[str, str]], method: str = "GET") -> list[Row]:
    return [api_row(lambda w, which=which: f"/documents/{getattr(documents_of(w), which)}{suffix}", expect, method)
            for which, expect in expectations.items()]


MATRIX.update({
    "api_documents.list_documents": [api_row(lambda w: f"/meetings/{w.meeting.id}/documents", everyone_in_meeting())],
    "api_documents.upload_document": [api_row(lambda w: f"/meetings/{w.meeting.id}/documents", SHARERS, "POST")],
    "api_documents.get_document": api_document_rows("", READ),
    "api_documents.download_document_version": api_document_rows("/versions/1/file", READ),
    "api_documents.upload_document_version": api_document_rows(
        "/versions", {"plenary": secretariat_only(), "caucus": WORKERS_ONLY}, "POST"),
    "api_documents.reissue_document": api_document_rows(
        "/reissues", {"plenary": secretariat_only(), "caucus": {**NOBODY, "worker": FORBIDDEN}}, "POST"),
})


# Positions, votes, sittings and exports through the API: the worlds of their modules' rows above.
# Bodies that fail validation make those let through get 422, so nothing is recorded.
def _api_item(kind: str, which: str) -> Callable[[Any], str]:
    return lambda w: f"/items/{kind}/{getattr(drafting_of(w), which)}"


MATRIX.update({
    "api_positions.set_group_position": [
        api_row(lambda w: f"{_api_item('paragraph', 'paragraph')(w)}/positions/worker",
                in_meeting_only({"secretariat"}, PARTICIPANTS), "PUT"),
        # Kenya's unsubmitted amendment: its delegation's alone (rule 23).
        api_row(lambda w: f"{_api_item('amendment', 'ke_draft')(w)}/positions/worker", in_meeting_only({"government"}),
                "PUT"),
    ],
    "api_positions.add_statement": [api_row(lambda w: f"{_api_item('amendment', 'circulated')(w)}/statements",
                                            in_meeting_only({"government", "chair", "secretariat"}, PARTICIPANTS),
                                            "POST")],
    "api_positions.open_poll": [api_row(lambda w: f"/spaces/{caucus_of(w, 'worker').id}/polls", POLL_OFFICERS,
                                        "POST")],
    "api_positions.get_poll": [api_row(lambda w: f"/polls/{positions_of(w).poll}", POLL_MEMBERS)],
    "api_positions.answer_poll": [api_row(lambda w: f"/polls/{positions_of(w).poll}/answer", POLL_MEMBERS, "PUT")],
    "api_positions.close_poll": [api_row(lambda w: f"/polls/{positions_of(w).poll}/close", POLL_OFFICERS, "POST")],
    "api_positions.get_tally": [api_row(lambda w: f"/drafts/{drafting_of(w).draft}/tally", everyone_in_meeting())],
    "api_votes.open_vote": [api_row(lambda w: f"{_api_item('paragraph', 'paragraph')(w)}/votes", presiding(), "POST")],
    "api_votes.get_vote": [api_row(lambda w: f"/votes/{votes_of(w).vote}", everyone_in_meeting()),
                           api_row(lambda w: f"/votes/{votes_of(w).secret}", everyone_in_meeting())],
    # Rule 3: voting members (the Chair's State, BR, included); an empty ballot is 422 for them.
    "api_votes.cast_ballot": [api_row(lambda w: f"/votes/{votes_of(w).vote}/ballot", VOTERS, "PUT"),
                              api_row(lambda w: f"/votes/{votes_of(w).secret}/ballot", VOTERS, "PUT")],
    # The Chair closes the vote; the secretariat then finds it closed (409, through the gate).
    "api_votes.close_vote": [api_row(lambda w: f"/votes/{votes_of(w).vote}/close", presiding(), "POST")],
    "api_votes.decide_item": [api_row(lambda w: f"{_api_item('paragraph', 'paragraph')(w)}/decision", presiding(),
                                      "POST")],
    "api_sittings.create_sitting": [api_row(lambda w: f"/meetings/{w.meeting.id}/sittings", secretariat_only(),
                                            "POST")],
    "api_sittings.get_sitting_state": [api_row(lambda w: f"/sittings/{sittings_of(w).live}/state",
                                               everyone_in_meeting())],
    "api_sittings.sitting_command": [
        api_row(lambda w: f"/sittings/{sittings_of(w).live}/commands", presiding(), "POST",
                lambda w: {"command": "announce", "text": "Coffee"}),
        api_row(lambda w: f"/sittings/{sittings_of(w).live}/commands",
                in_meeting_only({"government", "employer", "worker", "chair"}, {"observer", "secretariat"}), "POST",
                lambda w: {"command": "request_floor"}),
    ],
    "api_sittings.set_attendance": [api_row(lambda w: f"/sittings/{sittings_of(w).live}/attendance",
                                            secretariat_only(), "PUT", lambda w: {"member_states": ["x"]})],
    "api_exports.export_draft": [api_row(lambda w: f"/drafts/{drafting_of(w).draft}/export?format=csv",
                                         secretariat_only())],
})


# Drafting through the API (forum/api/drafting.py): the drafting world above, with bearer tokens.
# Gates check the role (403) before the body is read; empty bodies make those let through get 422.
def _api_amendment(which: str, action: str = "") -> Callable[[Any], str]:
    return lambda w: f"/amendments/{getattr(drafting_of(w), which)}{action}"


MATRIX.update({
    "api_drafting.list_drafts": [api_row(lambda w: f"/meetings/{w.meeting.id}/drafts", everyone_in_meeting())],
    "api_drafting.create_draft": [api_row(lambda w: f"/meetings/{w.meeting.id}/drafts", secretariat_only(), "POST")],
    "api_drafting.get_draft": [api_row(lambda w: f"/drafts/{drafting_of(w).draft}", everyone_in_meeting())],
    "api_drafting.open_draft": [api_row(lambda w: f"/drafts/{drafting_of(w).prep}/open", secretariat_only(), "POST")],
    "api_drafting.add_draft_translation": [api_row(lambda w: f"/drafts/{drafting_of(w).draft}/texts/fr",
                                                   secretariat_only(), "PUT")],
    "api_drafting.circulate_amendments": [api_row(lambda w: f"/drafts/{drafting_of(w).draft}/circulate",
                                                  secretariat_only(), "POST")],
    "api_drafting.reorder_amendments": [api_row(lambda w: f"/drafts/{drafting_of(w).draft}/order", presiding(),
                                                "PUT")],
    "api_drafting.submit_amendment": [api_row(lambda w: f"/paragraphs/{drafting_of(w).paragraph}/amendments",
                                              FILERS, "POST")],
    "api_drafting.get_amendment": [
        api_row(_api_amendment("circulated"), everyone_in_meeting()),
        api_row(_api_amendment("employer_draft"), only({"employer"}, HIDDEN)),
        api_row(_api_amendment("ke_draft"), only({"government"}, HIDDEN)),
        api_row(_api_amendment("submitted"), only({"government", "secretariat"}, HIDDEN)),
    ],
    "api_drafting.second_amendment": [api_row(_api_amendment("circulated", "/second"), SECONDERS, "POST")],
    # An over-long note: Kenya gets 422 through the gate and nothing is withdrawn.
    "api_drafting.withdraw_amendment": [api_row(_api_amendment("circulated", "/withdraw"),
                                                in_meeting_only({"government"}, PARTICIPANTS), "POST",
                                                lambda w: {"note": "x" * 2001})],
    "api_drafting.take_up_amendment": [api_row(_api_amendment("withdrawn", "/take-up"),
                                               in_meeting_only({"chair"}, PARTICIPANTS), "POST")],
    "api_drafting.return_amendment": [api_row(_api_amendment("submitted", "/return"),
                                              in_meeting_only({"secretariat"}, {"government"}), "POST")],
    # An over-long explanation: Kenya gets 422 and its draft stays unsubmitted (hidden from the secretariat).
    "api_drafting.resubmit_amendment": [api_row(_api_amendment("ke_draft", "/resubmit"), only({"government"}, HIDDEN),
                                                "POST", lambda w: {"explanation": "x" * 5001})],
    "api_drafting.validate_amendment": [api_row(_api_amendment("submitted", "/validate"),
                                                in_meeting_only({"secretariat"}, {"government"}), "POST")],
    "api_drafting.discuss_amendment": [api_row(_api_amendment("circulated", "/discuss"), presiding(), "POST")],
})


class World:
    """One meeting with one user of every kind."""

    def __init__(self, make_user: Any, make_meeting: Any, make_participant: Any) -> None:
        self.users: dict[str, Any] = {}
        self.users["staff"] = make_user(staff=True)
        self.users["admin"] = make_user(admin=True)
        secretariat = make_user(staff=True)
        self.meeting = make_meeting(secretariat)
        self.users["secretariat"] = secretariat
        self.participants = {
            "government": make_participant(self.meeting, "government", member_state="KE"),
            "employer": make_participant(self.meeting, "employer"),
            "worker": make_participant(self.meeting, "worker"),
            "chair": make_participant(self.meeting, "government", member_state="BR", roles=("chair",)),
            "observer": make_participant(self.meeting, "none", "observer"),
        }
        for role, p in self.participants.items():
            self.users[role] = p.user
        from forum.accounts.models import ApiToken
        from forum.accounts.services import create_token

        with unit_of_work():
            create_token(db.session.merge(self.users["government"]), "display")
        self.token_id = db.session.scalars(db.select(ApiToken.id)).one()
        self.removed = make_participant(self.meeting, "employer")
        from forum.meetings.accreditation import remove_participant

        with unit_of_work():
            remove_participant(db.session.merge(secretariat), db.session.merge(self.removed), "Left the meeting")
        self.spaces: dict[tuple[SpaceKind, Any], Space] = {}
        for s in db.session.scalars(db.select(Space).where(Space.meeting_id == self.meeting.id)):
            key = (s.group.value if isinstance(s.group, Group) else
                   s.member_state or (s.regional_group.code if s.regional_group else None))
            self.spaces[(s.kind, key)] = s


@pytest.fixture
def world(make_user, make_meeting, make_participant) -> World:
    return World(make_user, make_meeting, make_participant)


def outcome(response: Any) -> str:
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return HIDDEN
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location and "next=" in location:
        return LOGIN
    if response.status_code == 401:
        return LOGIN
    return OK


def test_every_endpoint_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - MATRIX.keys())
    assert not missing, f"endpoints without a row in the access matrix: {missing}"
    stale = sorted(MATRIX.keys() - endpoints)
    assert not stale, f"rows for endpoints that no longer exist: {stale}"


def test_every_socket_event_is_covered(app):
    handlers = set(socketio.server.handlers.get("/", {}))
    assert handlers == SOCKET_EVENTS, f"socket events not covered by tests/realtime: {handlers ^ SOCKET_EVENTS}"


@pytest.mark.postgres
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access_matrix(app, backend, world, login, endpoint):
    failures = []
    clients: dict[str, Any] = {}

    def client_for(role: str, fresh: bool) -> Any:
        if role == "anonymous":
            return app.test_client()
        if fresh or role not in clients:
            clients[role] = login(world.users[role])
        return clients[role]

    for index, row in enumerate(MATRIX[endpoint]):
        url = row.url(world)
        for role in ROLES:
            if row.api:
                got = outcome(api_request(app, world, row, role))
                if got != row.expect[role]:
                    failures.append(f"row {index} {row.method} {url} as {role}: expected {row.expect[role]}, got {got}")
                continue
            client = client_for(role, fresh=row.method != "GET")
            method = client.post if row.method == "POST" else client.get
            got = outcome(method(url, data=row.data(world)))
            if got != row.expect[role]:
                failures.append(f"row {index} {row.method} {url} as {role}: expected {row.expect[role]}, got {got}")
    assert not failures, "\n".join(failures)


def api_request(app: Any, w: Any, row: Row, role: str, token: bool = True) -> Any:
    headers = {"Authorization": f"Bearer {api_token(w, role)}"} if token and role != "anonymous" else {}
    data = row.data(w)
    body = (data if isinstance(data, str) else json.dumps(data)) if row.method != "GET" else None
    return app.test_client().open(row.url(w), method=row.method, headers=headers, data=body,
                                  content_type=row.content_type if body is not None else None)


def test_the_api_refuses_session_cookies(app, world, login):
    """A signed-in browser session opens no API operation: bearer tokens only (no CSRF to forge)."""
    client = login(world.users["secretariat"])
    failures = []
    for endpoint, rows in MATRIX.items():
        for row in rows:
            if row.api:
                response = client.open(row.url(world), method=row.method)
                if response.status_code != 401:
                    failures.append(f"{endpoint}: {row.method} {row.url(world)} answered {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.postgres
@pytest.mark.parametrize("room_kind", sorted(SOCKET_ROOMS))
def test_socket_room_matrix(app, backend, world, login, socket_client, room_kind):
    """subscribe and snapshot obey the same rules as the pages, for every kind of user."""
    make_room, allowed = SOCKET_ROOMS[room_kind]
    room = make_room(world)
    failures = []
    for role in ROLES:
        if role == "anonymous":
            assert not socket_client().is_connected(), "anonymous socket accepted"
            continue
        sock = socket_client(login(world.users[role]))
        for event in ("subscribe", "snapshot"):
            ack = sock.emit(event, {"room": room}, callback=True)
            if ack["ok"] != (role in allowed):
                failures.append(f"{event} {room} ({room_kind}) as {role}: ok={ack['ok']}")
            if not ack["ok"] and ack["error"]["code"] != "not_found":
                failures.append(f"{event} {room} as {role}: error {ack['error']['code']}")
    assert not failures, "\n".join(failures)
