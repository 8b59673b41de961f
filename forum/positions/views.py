"""Pages of positions: the status board of a draft, an item's positions and statements with their
history and forms, and the internal polls of a caucus or regional room.

Views are adapters: they load what the URL names (404 for what the user may not see, a poll
included), check the gate (403), call one service in a unit of work and render or redirect. The
panel shown on the drafting pages of a paragraph or an amendment is `positions_panel(obj)`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from forum import permissions
from forum.drafting.amendments import represented_states
from forum.drafting.forms import ConfirmForm
from forum.drafting.models import Amendment, Draft, Paragraph
from forum.extensions import db
from forum.meetings.models import Capacity, Participant, Space
from forum.meetings.services import state_name
from forum.meetings.views import load_meeting
from forum.positions import board as board_queries
from forum.positions import polls as poll_services
from forum.positions import positions as position_services
from forum.positions import queries
from forum.positions.forms import AnswerForm, PollForm, PositionForm, StatementForm
from forum.positions.items import ItemRef, item_of
from forum.positions.labels import HELPERS, holder_label
from forum.positions.models import Poll
from forum.views_common import attempt, failure_status, gate

bp = Blueprint("positions", __name__)
ITEM_PATH = "/meetings/<int:meeting_id>/drafts/<int:draft_id>/items/<any(paragraph, amendment):kind>/<int:item_id>"
POLL_PATH = "/meetings/<int:meeting_id>/spaces/<int:space_id>/polls"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return HELPERS


# --- loading and running -----------------------------------------------------------------------------

def _load_draft(meeting_id: int, draft_id: int) -> Draft:
    meeting = load_meeting(meeting_id)
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.meeting_id != meeting.id:
        abort(404)
    return draft


def _load_item(draft: Draft, kind: str, item_id: int) -> ItemRef:
    """An item of the draft; an amendment the user may not see is answered as if it did not exist."""
    obj = db.session.get(Paragraph if kind == "paragraph" else Amendment, item_id)
    if obj is None or obj.draft_id != draft.id:
        abort(404)
    if isinstance(obj, Amendment) and not permissions.can_view_amendment(current_user, obj):
        abort(404)
    return ItemRef(kind, obj.id, draft, paragraph=obj if kind == "paragraph" else None,  # type: ignore[arg-type]
                   amendment=obj if kind == "amendment" else None)  # type: ignore[arg-type]


def _load_space(meeting_id: int, space_id: int) -> Space:
    """A caucus or regional room the user belongs to; any other space (or none) is 404 (rule 9)."""
    load_meeting(meeting_id)
    space = db.session.get(Space, space_id)
    if space is None or space.meeting_id != meeting_id or not permissions.can_view_polls(current_user, space):
        abort(404)
    return space


def _load_poll(space: Space, poll_id: int) -> Poll:
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.space_id != space.id:
        abort(404)
    return poll










def item_url(item: ItemRef, endpoint: str = "positions.show_item", **kwargs: Any) -> str:
    return url_for(endpoint, meeting_id=item.meeting_id, draft_id=item.draft.id, kind=item.kind, item_id=item.id,
                   **kwargs)


def item_page_url(item: ItemRef) -> str:
    """The drafting page of the item (where its panel is shown)."""
    if item.kind == "paragraph":
        return url_for("drafting.show_paragraph", meeting_id=item.meeting_id, draft_id=item.draft.id,
                       paragraph_id=item.id)
    return url_for("drafting.show_amendment", meeting_id=item.meeting_id, draft_id=item.draft.id,
                   amendment_id=item.id)


# --- forms as the user may use them -------------------------------------------------------------------

def position_form(item: ItemRef, **kwargs: Any) -> PositionForm | None:
    """The record-a-position form with the groups this user records for, or None."""
    if not permissions.can_record_position(current_user, item):
        return None
    p = permissions.participation(current_user, item.meeting_id)
    form = PositionForm(prefix="position", **kwargs)
    if p is not None and p.capacity is Capacity.secretariat:
        holders = [("employer", holder_label("employer")), ("worker", holder_label("worker"))]
        holders += [(g.code, g.name) for g in queries.regional_groups()]
        form.stated_by.choices = [("", _("Not named"))] + [
            (str(x.id), f"{x.user.name} ({', '.join(sorted(permissions.position_holders(x)))})")
            for x in queries.group_speakers(item.meeting_id)]
    else:
        del form.stated_by
        names = {g.code: g.name for g in queries.regional_groups()}
        holders = [(h, holder_label(h, names.get(h))) for h in sorted(permissions.position_holders(p),
                                                                       key=queries.holder_order)]
    form.group.choices = holders
    return form


def statement_form(item: ItemRef, **kwargs: Any) -> StatementForm | None:
    if not permissions.can_add_statement(current_user, item):
        return None
    p = permissions.participation(current_user, item.meeting_id)
    form = StatementForm(prefix="statement", **kwargs)
    groups = queries.regional_groups()
    if p is not None and p.capacity is Capacity.secretariat:
        states = sorted(represented_states(item.meeting_id), key=state_name)
        codes = [g.code for g in groups]
    else:
        scope = permissions.statement_scope(p)
        states = sorted(scope, key=state_name)
        codes = sorted({c for values in scope.values() for c in values if c})
    form.member_state.choices = [(s, state_name(s)) for s in states]
    names = {g.code: g.name for g in groups}
    form.regional_group.choices = [("", _("In its own name"))] + [(c, names.get(c, c)) for c in codes]
    return form


def _panel_context(item: ItemRef, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    forms = forms or {}
    return {
        "item": item, "draft": item.draft, "meeting": item.draft.meeting,
        "positions": queries.positions_for_item(item), "statements": queries.statements_for_item(item),
        "position_form": forms["position"] if "position" in forms else position_form(item, formdata=None),
        "statement_form": forms["statement"] if "statement" in forms else statement_form(item, formdata=None),
        "poll_spaces": poll_services.spaces_for_polls(current_user, item.meeting_id),
        "item_url": item_url(item), **HELPERS,
    }


@bp.app_template_global()
def positions_panel(obj: Paragraph | Amendment) -> Markup:
    """The positions and statements on a paragraph or amendment, with the forms (drafting pages include it)."""
    item = item_of(obj)
    if not permissions.can_view_positions(current_user, item.draft):
        return Markup("")
    return Markup(render_template("positions/_panel.html", **_panel_context(item), full=False))


# --- the status board ---------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/drafts/<int:draft_id>/board")
@login_required
def show_board(meeting_id: int, draft_id: int):
    """Every paragraph and circulated amendment with the groups' positions, the Government
    statements and the decision; it follows the draft's room and redraws itself."""
    draft = _load_draft(meeting_id, draft_id)
    gate(permissions.can_view_board(current_user, draft))
    amendments = board_queries.circulated_amendments(draft)  # once, for the rows and their texts
    rows = board_queries.status_board(current_user, draft, amendments)
    from forum.languages.views import reader_language

    language = reader_language(draft)
    # A board repeats a handful of states and methods on hundreds of rows: each label is translated
    # once for this request (the reader's locale is fixed within it), not once per row (B10).
    return render_template("positions/board.html", draft=draft, meeting=draft.meeting, rows=rows,
                           language=language, texts=board_queries.texts_in(draft, rows, language, amendments),
                           outcome_label=cache(HELPERS["outcome_label"]), method_label=cache(HELPERS["method_label"]))


# --- an item's positions and statements ----------------------------------------------------------------

@bp.route(f"{ITEM_PATH}/positions")
@login_required
def show_item(meeting_id: int, draft_id: int, kind: str, item_id: int):
    """An item's current positions and statements, every change of position, and the forms."""
    draft = _load_draft(meeting_id, draft_id)
    item = _load_item(draft, kind, item_id)
    gate(permissions.can_view_positions(current_user, draft))
    return _item_page(item)


def _item_page(item: ItemRef, forms: dict[str, Any] | None = None, status: int = 200):
    return render_template("positions/item.html", history=queries.history_for_item(item),
                           item_page=item_page_url(item), **_panel_context(item, forms), full=True), status


@bp.route(f"{ITEM_PATH}/positions/record", methods=["POST"])
@login_required
def record_position(meeting_id: int, draft_id: int, kind: str, item_id: int):
    draft = _load_draft(meeting_id, draft_id)
    item = _load_item(draft, kind, item_id)
    form = position_form(item)
    gate(form is not None)
    assert form is not None
    if not form.validate():
        return _item_page(item, {"position": form}, 422)
    speaker = None
    if "stated_by" in form and form.stated_by.data:
        speaker = db.session.get(Participant, int(form.stated_by.data)) if form.stated_by.data.isdigit() else None
        if speaker is None or speaker.meeting_id != item.meeting_id:
            form.stated_by.errors = [_("Choose the group's spokesperson, secretary or coordinator.")]
            return _item_page(item, {"position": form}, 422)
    ok, result = attempt(lambda: position_services.record_position(
        current_user, item, group=form.group.data, stance=form.stance.data, statement=form.statement.data or "",
        stated_by=speaker, sitting=_noting_in(item)), form)
    if not ok:
        return _item_page(item, {"position": form}, failure_status(form, result))
    flash(_("Position recorded: %(group)s — %(stance)s.", group=holder_label(
        result.holder, result.regional_group.name if result.regional_group else None),
        stance=HELPERS["stance_label"](result.stance.value)), "success")
    return redirect(_back(item))


@bp.route(f"{ITEM_PATH}/statements", methods=["POST"])
@login_required
def add_statement(meeting_id: int, draft_id: int, kind: str, item_id: int):
    draft = _load_draft(meeting_id, draft_id)
    item = _load_item(draft, kind, item_id)
    form = statement_form(item)
    gate(form is not None)
    assert form is not None
    if not form.validate():
        return _item_page(item, {"statement": form}, 422)
    ok, result = attempt(lambda: position_services.add_statement(
        current_user, item, member_state=form.member_state.data, stance=form.stance.data,
        regional_group=form.regional_group.data or None, text=form.text.data or "", sitting=_noting_in(item)), form)
    if not ok:
        return _item_page(item, {"statement": form}, failure_status(form, result))
    flash(_("Statement recorded: %(who)s — %(stance)s.", who=HELPERS["government_label"](
        result.member_state, result.regional_group.name if result.regional_group else None),
        stance=HELPERS["stance_label"](result.stance.value)), "success")
    return redirect(_back(item))


def _noting_in(item: ItemRef) -> Any:
    """The secretariat takes note in the sitting in progress (its live view hears of it); what a
    group or a State records itself belongs to no sitting."""
    if not permissions.is_secretariat(current_user, item.meeting_id):  # type: ignore[arg-type]
        return None
    return queries.live_sitting(item.meeting_id)


def _back(item: ItemRef) -> str:
    """Back to where the form was: the drafting page of the item, or this module's item page."""
    target = request.form.get("next", "")
    return item_page_url(item) if target == "item" else item_url(item)


# --- internal polls -----------------------------------------------------------------------------------

@bp.route(POLL_PATH)
@login_required
def list_polls(meeting_id: int, space_id: int):
    space = _load_space(meeting_id, space_id)
    polls = list(db.session.scalars(queries.polls_of_space(space.id)))
    results = queries.results_of_polls([p.id for p in polls])
    items = {p.id: _poll_item(p) for p in polls}
    return render_template("positions/polls.html", space=space, meeting=space.meeting, polls=polls, results=results,
                           items=items, can_open=permissions.can_open_poll(current_user, space))


def _poll_item(poll: Poll) -> ItemRef | None:
    obj = db.session.get(Amendment, poll.amendment_id) if poll.amendment_id else \
        db.session.get(Paragraph, poll.paragraph_id)
    return item_of(obj) if obj is not None else None


@bp.route(f"{POLL_PATH}/new", methods=["GET", "POST"])
@login_required
def open_poll(meeting_id: int, space_id: int):
    space = _load_space(meeting_id, space_id)
    gate(permissions.can_open_poll(current_user, space))
    form = PollForm(formdata=request.form if request.method == "POST" else None,
                    kind=request.args.get("kind", ""), item=request.args.get("item", ""))
    item = _poll_form_item(space, form.kind.data, form.item.data)
    if request.method == "POST" and form.validate():
        ok, result = attempt(lambda: poll_services.open_poll(current_user, space, item, question=form.question.data
                                                              or "", minutes=form.minutes.data), form)
        if ok:
            flash(_("The poll is open to the members of %(space)s.", space=space.name), "success")
            return redirect(url_for("positions.show_poll", meeting_id=meeting_id, space_id=space.id,
                                    poll_id=result.id))
        status = failure_status(form, result)
    else:
        status = 422 if form.errors else 200
    return render_template("positions/poll_form.html", space=space, meeting=space.meeting, form=form,
                           item=item), status


def _poll_form_item(space: Space, kind: Any, ident: Any) -> ItemRef:
    """The item named by the form (from the item page's link): one of this meeting's, visible to the user."""
    if kind not in ("paragraph", "amendment") or not str(ident).isdigit():
        abort(404)
    obj = db.session.get(Paragraph if kind == "paragraph" else Amendment, int(ident))
    if obj is None:
        abort(404)
    item = item_of(obj)
    if item.meeting_id != space.meeting_id or (
            item.amendment is not None and not permissions.can_view_amendment(current_user, item.amendment)):
        abort(404)
    return item


@bp.route(f"{POLL_PATH}/<int:poll_id>")
@login_required
def show_poll(meeting_id: int, space_id: int, poll_id: int):
    space = _load_space(meeting_id, space_id)
    poll = _load_poll(space, poll_id)
    return _poll_page(space, poll)


def _poll_page(space: Space, poll: Poll, form: AnswerForm | None = None, status: int = 200):
    p = permissions.participation(current_user, space.meeting_id)
    mine = queries.answer_of(poll.id, p.id) if p is not None else None
    item = _poll_item(poll)
    if form is None and permissions.can_answer_poll(current_user, poll):
        form = AnswerForm(formdata=None, choice=mine.choice.value if mine else None)
    return render_template(
        "positions/poll.html", space=space, meeting=space.meeting, poll=poll, item=item, form=form, mine=mine,
        results=queries.poll_results(poll.id), is_open=poll.is_open(),
        can_close=permissions.can_close_poll(current_user, poll),
        can_publish=item is not None and not poll.is_open() and permissions.can_record_position(current_user, item),
        publish_url=item_url(item) + "#record-position" if item is not None else None), status


@bp.route(f"{POLL_PATH}/<int:poll_id>/answer", methods=["POST"])
@login_required
def answer_poll(meeting_id: int, space_id: int, poll_id: int):
    space = _load_space(meeting_id, space_id)
    poll = _load_poll(space, poll_id)
    gate(permissions.can_write_space(current_user, space))
    form = AnswerForm()
    if not form.validate():
        return _poll_page(space, poll, form, 422)
    ok, result = attempt(lambda: poll_services.answer_poll(current_user, poll, form.choice.data), form)
    if not ok:
        return _poll_page(space, poll, form, failure_status(form, result))
    flash(_("Your answer is recorded: %(choice)s.", choice=HELPERS["choice_label"](result.choice.value)), "success")
    return redirect(url_for("positions.show_poll", meeting_id=meeting_id, space_id=space.id, poll_id=poll.id))


@bp.route(f"{POLL_PATH}/<int:poll_id>/close", methods=["GET", "POST"])
@login_required
def close_poll(meeting_id: int, space_id: int, poll_id: int):
    space = _load_space(meeting_id, space_id)
    poll = _load_poll(space, poll_id)
    gate(permissions.can_open_poll(current_user, space))
    back = url_for("positions.show_poll", meeting_id=meeting_id, space_id=space.id, poll_id=poll.id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        ok, _result = attempt(lambda: poll_services.close_poll(current_user, poll))
        if ok:
            flash(_("The poll is closed."), "success")
        return redirect(back)
    return render_template("meetings/confirm.html", meeting=space.meeting, title=_("Close the poll"),
                           question=_("Close the poll now? Members can no longer answer or change their answer."),
                           details=[], action=request.path, cancel=back, button=_("Close the poll"), form=form)
