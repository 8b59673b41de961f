"""Pages of discussions: thread lists, threads, replies, edits, moderation, search, live fragments.

Every id comes from the URL and is checked against its container: the space must belong to the
meeting, the thread to the space, the post to the thread; anything else answers 404, as does a
space the user is not a member of, so that ids reveal nothing (rule 9).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from forum import permissions
from forum.db import unit_of_work
from forum.discussions import markdown, queries, search, services
from forum.discussions.forms import ConfirmForm, EditPostForm, HidePostForm, ReplyForm, ThreadForm, ToggleForm
from forum.discussions.models import DISPLAY_DEPTH, Post, Thread
from forum.errors import DomainError, InvalidState
from forum.extensions import db
from forum.meetings.models import Meeting, Space
from forum.templating import meeting_link
from forum.views_common import Page, apply_errors, paginate

bp = Blueprint("discussions", __name__)

SPACE = "/meetings/<int:meeting_id>/spaces/<int:space_id>"
THREAD = SPACE + "/threads/<int:thread_id>"
POST = THREAD + "/posts/<int:post_id>"
SPACE_PAGE_THREADS = 10  # threads shown on the space's own page; the rest on the list page
SEARCH_PAGE = 20


# --- loading, with the containment checks ----------------------------------------------------------

def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not permissions.can_view_meeting(current_user, meeting):
        abort(404)
    g.meeting = meeting
    return meeting


def _space(meeting_id: int, space_id: int) -> Space:
    meeting = _meeting(meeting_id)
    space = db.session.get(Space, space_id)
    if space is None or space.meeting_id != meeting.id or not permissions.can_view_space(current_user, space):
        abort(404)
    return space


def _thread(meeting_id: int, space_id: int, thread_id: int) -> Thread:
    """The thread, read with its space in one statement (B8), then checked like _space() does."""
    meeting = _meeting(meeting_id)
    thread = queries.thread_in_space(thread_id, space_id)
    if thread is None or thread.space.meeting_id != meeting.id \
            or not permissions.can_view_space(current_user, thread.space):
        abort(404)
    return thread


def _post(meeting_id: int, space_id: int, thread_id: int, post_id: int) -> tuple[Thread, Post]:
    thread = _thread(meeting_id, space_id, thread_id)
    post = queries.post_with_author(post_id)
    if post is None or post.thread_id != thread.id:
        abort(404)
    return thread, post


def _ids(thread: Thread) -> dict[str, int]:
    return {"meeting_id": thread.meeting_id, "space_id": thread.space_id, "thread_id": thread.id}


def thread_url(thread: Thread, **kwargs: Any) -> str:
    return url_for("discussions.show_thread", **_ids(thread), **kwargs)


def post_url(thread: Thread, post_id: int) -> str:
    """Where a post is, whatever page it is on (resolved by go_to_post)."""
    return url_for("discussions.go_to_post", **_ids(thread), post_id=post_id)


# --- errors ----------------------------------------------------------------------------------------

def _apply(form: FlaskForm, exc: DomainError) -> None:
    exc.fields = {name: [_(m) for m in messages] for name, messages in exc.fields.items()}
    exc.message = _(exc.message)
    apply_errors(form, exc)


def _attempt(form: FlaskForm, action: Callable[[], Any]) -> Any:
    """One service call in its own transaction: its result, or None with the form's errors.

    Refusals (403), unknown objects (404) and state conflicts (409, e.g. a locked thread) become
    error pages; invalid input goes back to the form.
    """
    try:
        with unit_of_work():
            return action()
    except DomainError as exc:
        if exc.status in (403, 404, 409):
            raise
        _apply(form, exc)
        return None


# A form with the longest post (every character percent-encoded UTF-8) fits well within this; a much
# larger request is refused before it is parsed, rather than echoed back into a form.
MAX_FORM_BYTES = 256 * 1024


@bp.before_request
def _refuse_oversized_forms() -> None:
    if request.method == "POST" and (request.content_length or 0) > MAX_FORM_BYTES:
        raise RequestEntityTooLarge()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    """A post far over the limit never reaches the form: say so in words that fit."""
    message = _("A post may have at most %(n)s characters; this one was much longer. Nothing was saved.",
                n=f"{services.MAX_BODY:,}")
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"error": {"code": "too_large", "message": message}}), 413
    return render_template("errors/error.html", status=413, title=_("The text is too long"), message=message), 413


def _status(form: FlaskForm) -> int:
    return 422 if form.errors or form.form_errors else 200


# --- thread lists ----------------------------------------------------------------------------------

@bp.app_template_filter("post_html")
def post_html(stored: str) -> Markup:
    """A post's stored HTML, sanitised again on the way out (defence in depth)."""
    return Markup(markdown.sanitise(stored or ""))


@bp.app_template_global("space_discussions")
def space_discussions(space: Space) -> SimpleNamespace:
    """For the space's own page: its latest threads, the reader's unread counts, and the rights."""
    threads = list(db.session.scalars(queries.threads_of_space(space.id).limit(SPACE_PAGE_THREADS)))
    return SimpleNamespace(
        threads=threads,
        total=queries.thread_count(space.id) if len(threads) == SPACE_PAGE_THREADS else len(threads),
        unread=queries.unread_counts(current_user.id, [t.id for t in threads]),
        can_start=permissions.can_start_thread(current_user, space),
    )


@bp.route(SPACE + "/threads")
@login_required
def list_threads(meeting_id: int, space_id: int):
    space = _space(meeting_id, space_id)
    page = paginate(queries.threads_of_space(space.id))
    if page.page > page.pages:  # not "no discussion yet": there is no such page
        abort(404)
    return render_template("discussions/threads.html", meeting=g.meeting, space=space, page=page,
                           unread_by_thread=queries.unread_counts(current_user.id, [t.id for t in page.items]),
                           can_start=permissions.can_start_thread(current_user, space))


@bp.route(SPACE + "/threads/unread")
@login_required
def unread_counts(meeting_id: int, space_id: int):
    """The reader's unread posts per thread of the space, for the live thread list."""
    space = _space(meeting_id, space_id)
    counts = queries.unread_counts_in_space(current_user.id, space.id)
    return jsonify({"space_id": space.id, "version": space.version,
                    "threads": {str(thread_id): n for thread_id, n in counts.items()}})


@bp.route(SPACE + "/threads/new", methods=["GET", "POST"])
@login_required
def start_thread(meeting_id: int, space_id: int):
    space = _space(meeting_id, space_id)
    if not permissions.can_start_thread(current_user, space):
        abort(403)
    form = ThreadForm()
    if request.method == "GET":
        form.paragraph_id.data = request.args.get("paragraph", type=int)
        form.amendment_id.data = request.args.get("amendment", type=int)
    _offer_documents(form, SimpleNamespace(meeting_id=space.meeting_id, space_id=space.id))
    if form.validate_on_submit():
        thread = _attempt(form, lambda: services.start_thread_with_attachments(
            current_user, space, title=form.title.data, body=form.body.data, document_ids=form.attachments.data or [],
            paragraph_id=form.paragraph_id.data, amendment_id=form.amendment_id.data))
        if thread is not None:
            flash(_("The discussion has started."), "success")
            return redirect(thread_url(thread))
    return render_template("discussions/new_thread.html", meeting=g.meeting, space=space, form=form,
                           subject=_subject_of(form.paragraph_id.data, form.amendment_id.data)), _status(form)


def _offer_documents(form: ThreadForm | ReplyForm, place: Any) -> None:
    """The documents the author may attach where they write (`place`: a thread, or its would-be
    meeting_id and space_id): those of the space and of the plenary, not withdrawn."""
    from forum.documents.queries import attachable_documents

    form.attachments.choices = [(d.id, f"{d.symbol} — {d.title}" if d.symbol else d.title)
                                for d in attachable_documents(current_user, place)]


def _subject_of(paragraph_id: int | None, amendment_id: int | None) -> dict[str, Any] | None:
    """What a thread is about, as the reader may see it: a label and a link, or None (no subject,
    one of another meeting, or one the reader may not see)."""
    from forum.drafting.labels import number_label, paragraph_label
    from forum.drafting.models import Amendment, Paragraph

    if paragraph_id is not None:
        paragraph = db.session.get(Paragraph, paragraph_id)
        if paragraph is None or paragraph.draft.meeting_id != g.meeting.id \
                or not permissions.can_view_draft(current_user, paragraph.draft):
            return None
        return {"label": _("About: %(subject)s", subject=paragraph_label(paragraph)),
                "url": url_for("drafting.show_paragraph", meeting_id=g.meeting.id, draft_id=paragraph.draft_id,
                               paragraph_id=paragraph.id)}
    if amendment_id is not None:
        amendment = db.session.get(Amendment, amendment_id)
        if amendment is None or amendment.draft.meeting_id != g.meeting.id \
                or not permissions.can_view_amendment(current_user, amendment):
            return None
        return {"label": _("About: amendment %(number)s", number=number_label(amendment.draft, amendment)),
                "url": url_for("drafting.show_amendment", meeting_id=g.meeting.id, draft_id=amendment.draft_id,
                               amendment_id=amendment.id)}
    return None


# --- a thread --------------------------------------------------------------------------------------

def _per_page() -> int:
    return int(current_app.config["PAGE_SIZE"])


def _page_of(post: Post) -> int:
    return queries.position_of(post) // _per_page() + 1


def _post_context(thread: Thread, posts: list[Post], read_before: int) -> dict[str, Any]:
    """What the post template needs besides the posts: names of parents off the page, the rights."""
    on_page = {p.id: p for p in posts}
    missing = {p.parent_id for p in posts if p.parent_id and p.parent_id not in on_page}
    names = {p.id: (p.author.name if p.author else "") for p in posts}
    names.update(queries.post_authors(missing))
    return {
        "meeting": g.meeting, "thread": thread, "space": thread.space, "on_page": on_page, "parent_names": names,
        "read_before": read_before, "display_depth": DISPLAY_DEPTH,
        "can_reply": permissions.can_reply_to_thread(current_user, thread),
        "post_url": lambda post_id: post_url(thread, post_id),
    }


@bp.route(THREAD)
@login_required
def show_thread(meeting_id: int, space_id: int, thread_id: int):
    """A page of the thread in tree order. Opened without a page, it goes to the first unread post."""
    thread = _thread(meeting_id, space_id, thread_id)
    per_page = _per_page()
    read_before = queries.last_read_number(current_user.id, thread.id)
    page_number = request.args.get("page", type=int)
    if page_number is None:
        # Posts are numbered up to post_count: a reader who has read that far has nothing unread.
        first = (queries.first_unread_post(thread.id, current_user.id, read_before)
                 if 0 < read_before < thread.post_count else None)
        if first is not None:
            return redirect(thread_url(thread, page=_page_of(first), _anchor=f"post-{first.id}"))
        page_number = 1
    pages = max(1, -(-thread.post_count // per_page))
    if page_number < 1 or page_number > pages:
        abort(404)
    posts = queries.posts_page(thread.id, page_number, per_page)
    page = Page(posts, page_number, per_page, thread.post_count)
    html = render_template(
        "discussions/thread.html", page=page, posts=posts, reply_form=ReplyForm(formdata=None),
        is_moderator=permissions.can_moderate_space(current_user, thread.space),
        subject=_subject_of(thread.paragraph_id, thread.amendment_id),
        **_post_context(thread, posts, read_before),
    )
    _mark_read(thread, max((p.number for p in posts), default=0), read_before)
    return html


def _mark_read(thread: Thread, up_to: int, read_before: int) -> None:
    """After the page is drawn (the commit expires what it loaded): the reader has seen up to `up_to`."""
    if up_to > read_before:
        with unit_of_work():
            services.mark_read(current_user, thread, up_to)


@bp.route(POST)
@login_required
def go_to_post(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    """A post's lasting address: the page it is on, at its anchor."""
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    return redirect(thread_url(thread, page=_page_of(post), _anchor=f"post-{post.id}"))


@bp.route(POST + "/fragment")
@login_required
def show_post_fragment(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    """One post rendered for the live thread page (JSON with its HTML); seeing it marks it read."""
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    context = _post_context(thread, [post], post.number)
    context["on_page"] = {}  # on a live page the parent may or may not be shown: link to it
    data = {"post_id": post.id, "number": post.number, "sort_key": post.sort_key, "page": _page_of(post),
            "depth": post.display_depth, "html": render_template("discussions/_post.html", p=post, **context)}
    _mark_read(thread, post.number, queries.last_read_number(current_user.id, thread.id))
    return jsonify(data)


@bp.route(THREAD + "/reply", methods=["GET", "POST"])
@login_required
def reply_to_thread(meeting_id: int, space_id: int, thread_id: int):
    """Reply to the thread, or to a post of it (`?to=<post id>`, with `&quote=1` to quote it)."""
    thread = _thread(meeting_id, space_id, thread_id)
    if not permissions.can_write_space(current_user, thread.space):
        abort(403)
    if not permissions.can_reply_to_thread(current_user, thread):
        raise InvalidState("This discussion is locked: it takes no more replies.")
    form = ReplyForm()
    parent_id = form.parent_id.data if request.method == "POST" else request.args.get("to", type=int)
    parent = _parent_in(thread, parent_id) if parent_id is not None else None
    if request.method == "GET" and parent is None and parent_id is not None:
        abort(404)
    if request.method == "GET" and parent is not None:
        form.parent_id.data = parent.id
        if request.args.get("quote") == "1" and parent.removed_at is None:
            form.body.data = markdown.quote(parent.body_source, parent.author.name if parent.author else "")
    _offer_documents(form, thread)
    if form.validate_on_submit():
        post = _attempt(form, lambda: services.reply_with_attachments(
            current_user, thread, body=form.body.data, parent_id=form.parent_id.data,
            document_ids=form.attachments.data or []))
        if post is not None:
            return redirect(post_url(thread, post.id))
    return render_template("discussions/reply.html", meeting=g.meeting, thread=thread, space=thread.space,
                           parent=parent, form=form), _status(form)


def _parent_in(thread: Thread, post_id: int) -> Post | None:
    """The post replied to, with its author, if it belongs to this thread."""
    post = queries.post_with_author(post_id)
    return post if post is not None and post.thread_id == thread.id else None


@bp.route(POST + "/edit", methods=["GET", "POST"])
@login_required
def edit_post(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    if post.author_id != current_user.id or not permissions.can_write_space(current_user, thread.space):
        abort(403)
    if not permissions.can_edit_post(current_user, post):
        raise InvalidState("This post can no longer be changed: it was removed, or the discussion is locked.")
    form = EditPostForm(data={"body": post.body_source} if request.method == "GET" else None)
    if form.validate_on_submit():
        edited = _attempt(form, lambda: services.edit_post(current_user, post, body=form.body.data))
        if edited is not None:
            flash(_("Your post was saved; the earlier version is kept in its history."), "success")
            return redirect(post_url(thread, post_id))
    return render_template("discussions/edit_post.html", meeting=g.meeting, thread=thread, space=thread.space,
                           post=post, form=form), _status(form)


@bp.route(POST + "/delete", methods=["GET", "POST"])
@login_required
def delete_post(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    if post.author_id != current_user.id or not permissions.can_write_space(current_user, thread.space):
        abort(403)
    if not permissions.can_delete_post(current_user, post):
        raise InvalidState("This post can no longer be changed: it was removed, or the discussion is locked.")
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.delete_post(current_user, post)
        flash(_("Your post was deleted. It shows as “deleted by author”."), "success")
        return redirect(post_url(thread, post_id))
    return render_template("discussions/delete_post.html", meeting=g.meeting, thread=thread, space=thread.space,
                           post=post, form=form)


@bp.route(POST + "/history")
@login_required
def show_post_history(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    if not permissions.can_view_post_history(current_user, post):
        abort(403)
    revisions = db.session.execute(queries.revisions_of(post.id)).all()
    return render_template("discussions/history.html", meeting=g.meeting, thread=thread, space=thread.space,
                           post=post, revisions=revisions)


# --- moderation ------------------------------------------------------------------------------------

@bp.route(POST + "/hide", methods=["GET", "POST"])
@login_required
def hide_post(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    if not permissions.can_moderate_space(current_user, thread.space):
        abort(403)
    if post.removed_at is not None:
        raise InvalidState("This post is already removed.")
    form = HidePostForm()
    if form.validate_on_submit():
        hidden = _attempt(form, lambda: services.hide_post(current_user, post, reason=form.reason.data))
        if hidden is not None:
            flash(_("The post is hidden; readers see your reason in its place."), "success")
            return redirect(post_url(thread, post_id))
    return render_template("discussions/hide_post.html", meeting=g.meeting, thread=thread, space=thread.space,
                           post=post, form=form), _status(form)


@bp.route(POST + "/unhide", methods=["POST"])
@login_required
def unhide_post(meeting_id: int, space_id: int, thread_id: int, post_id: int):
    thread, post = _post(meeting_id, space_id, thread_id, post_id)
    if not permissions.can_moderate_space(current_user, thread.space):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.unhide_post(current_user, post)
    flash(_("The post is shown again."), "success")
    return redirect(post_url(thread, post_id))


def _toggle(meeting_id: int, space_id: int, thread_id: int, allowed: Callable[[Any, Thread], bool],
            change: Callable[[Any, Thread, bool], bool], messages: tuple[str, str]):
    thread = _thread(meeting_id, space_id, thread_id)
    if not allowed(current_user, thread):
        abort(403)
    form = ToggleForm()
    if not form.validate_on_submit() or form.value.data not in ("0", "1"):
        abort(400)
    on = form.value.data == "1"
    with unit_of_work():
        change(current_user, thread, on)
    flash(messages[0] if on else messages[1], "success")
    return redirect(thread_url(thread, page=1))


@bp.route(THREAD + "/pin", methods=["POST"])
@login_required
def pin_thread(meeting_id: int, space_id: int, thread_id: int):
    return _toggle(meeting_id, space_id, thread_id, permissions.can_pin_thread, services.set_pinned,
                   (_("The discussion is pinned to the top of the list."), _("The discussion is no longer pinned.")))


@bp.route(THREAD + "/lock", methods=["POST"])
@login_required
def lock_thread(meeting_id: int, space_id: int, thread_id: int):
    return _toggle(meeting_id, space_id, thread_id, permissions.can_lock_thread, services.set_locked,
                   (_("The discussion is locked: no more replies."), _("The discussion is open for replies again.")))


# --- search ----------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/search")
@login_required
def search_posts(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not permissions.can_search_discussions(current_user, meeting):
        abort(403)
    q = (request.args.get("q") or "").strip()[:search.MAX_QUERY]
    page_number = request.args.get("page", 1, type=int) or 1
    if page_number < 1:
        abort(404)
    hits, total = search.search_posts(meeting.id, permissions.visible_space_ids(current_user, meeting), q,
                                      page=page_number, per_page=SEARCH_PAGE)
    page = Page(hits, page_number, SEARCH_PAGE, total)
    return render_template("discussions/search.html", meeting=meeting, q=q, page=page,
                           searched=bool(search.terms(q)))


meeting_link("discussions.search_posts", _l("Search discussions"), permissions.can_search_discussions)

from forum.discussions import events as _events  # noqa: E402,F401  (the thread room's snapshots)
