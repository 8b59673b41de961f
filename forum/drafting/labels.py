"""Drafting's codes in the reader's language: states, kinds, movers, flags, history entries."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.drafting.models import AmendmentKind, AmendmentState, DraftState, MoverKind, ParagraphState
from forum.meetings.services import state_name

LANGUAGE = {"en": _l("English"), "fr": _l("French"), "es": _l("Spanish")}
DRAFT_STATE = {DraftState.preparation: _l("in preparation"), DraftState.negotiation: _l("open for amendments")}
PARAGRAPH_STATE = {
    ParagraphState.pending: _l("pending"), ParagraphState.under_discussion: _l("under discussion"),
    ParagraphState.adopted: _l("adopted"), ParagraphState.adopted_as_amended: _l("adopted as amended"),
    ParagraphState.deleted: _l("deleted"), ParagraphState.deferred: _l("deferred"),
    ParagraphState.bracketed: _l("bracketed"),
}
AMENDMENT_STATE = {
    AmendmentState.draft: _l("draft (not submitted)"), AmendmentState.submitted: _l("submitted"),
    AmendmentState.returned: _l("returned for clarification"), AmendmentState.validated: _l("validated"),
    AmendmentState.circulated: _l("circulated"), AmendmentState.under_discussion: _l("under discussion"),
    AmendmentState.adopted: _l("adopted"), AmendmentState.adopted_as_sub_amended: _l("adopted as sub-amended"),
    AmendmentState.rejected: _l("rejected"), AmendmentState.withdrawn: _l("withdrawn"),
    AmendmentState.fell: _l("fell"), AmendmentState.not_seconded: _l("not seconded"),
    AmendmentState.not_moved: _l("not moved"), AmendmentState.merged: _l("merged"),
}
KIND = {AmendmentKind.modify: _l("change the words"), AmendmentKind.delete: _l("delete the paragraph"),
        AmendmentKind.insert_after: _l("insert a new paragraph after it")}
FLAG = {
    "words_changed": _l("an adopted amendment changed the words it targets"),
    "change_already_made": _l("an adopted amendment made the same change"),
    "paragraph_deleted": _l("the paragraph was deleted"),
    "paragraph_settled": _l("the paragraph was decided"),
    "other_language_changed": _l("the text changed in another language"),
    "parent_withdrawn": _l("the amendment it amends was withdrawn"),
}
ACTION = {
    "create": _l("drafted"), "edit": _l("edited"), "submit": _l("submitted"), "return": _l("returned for "
                                                                                             "clarification"),
    "validate": _l("validated"), "circulate": _l("circulated"), "second": _l("seconded"),
    "second_from_floor": _l("seconded from the floor"), "withdraw": _l("withdrawn"), "take_up": _l("taken up"),
    "discuss": _l("taken up for discussion"), "decide": _l("outcome declared"), "flag": _l("flagged for the Chair"),
    "rebase": _l("re-based by the Chair"), "rebase_automatic": _l("carried over onto the amended text"),
    "sub_amended": _l("text changed by an adopted sub-amendment"), "oral": _l("moved orally, recorded"),
    "decide_paragraph": _l("decided"), "reopen": _l("reopened"), "refer": _l("referred to a drafting group"),
    "insert": _l("inserted by an adopted amendment"), "delete_by_amendment": _l("deleted by an adopted amendment"),
}


def _get(table: dict[Any, Any], value: Any) -> str:
    return str(table.get(value, getattr(value, "value", value) or ""))


def language_label(code: str) -> str:
    return _get(LANGUAGE, code)


def draft_state_label(value: DraftState) -> str:
    return _get(DRAFT_STATE, value)


def paragraph_state_label(value: ParagraphState | str) -> str:
    if isinstance(value, str):
        value = ParagraphState(value)
    return _get(PARAGRAPH_STATE, value)


def amendment_state_label(value: AmendmentState | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = AmendmentState(value)
    return _get(AMENDMENT_STATE, value)


def kind_label(value: AmendmentKind) -> str:
    return _get(KIND, value)


def flag_label(code: str) -> str:
    return _get(FLAG, code)


def action_label(code: str) -> str:
    return _get(ACTION, code)


def paragraph_label(paragraph: Any) -> str:
    if paragraph.label == "preamble":
        return _("Preamble")
    return _("Paragraph %(label)s", label=paragraph.label)


def mover_label(amendment: Any) -> str:
    """"Kenya", "Germany, Italy", "Africa group (not supported by Senegal)", "Employers' group"…"""
    kind = amendment.mover_kind
    states = [state_name(s) for s in amendment.mover.states]
    if kind is MoverKind.state:
        return states[0] if states else ""
    if kind is MoverKind.co_sponsored:
        return ", ".join(states)
    if kind is MoverKind.regional_group:
        name = amendment.regional_group.name if amendment.regional_group else _("a regional group")
        label = _("On behalf of: %(group)s", group=name)
        if amendment.non_supporting:
            label += " — " + _("not supported by %(states)s",
                               states=", ".join(state_name(s) for s in amendment.non_supporting))
        return label
    if kind is MoverKind.employer_group:
        return _("Employers' group")
    if kind is MoverKind.worker_group:
        return _("Workers' group")
    if kind is MoverKind.joint:
        return _("Employers' and Workers' groups (jointly)")
    if kind is MoverKind.drafting_group:
        group = amendment.drafting_group
        return _("Drafting group: %(name)s", name=group.name if group else "")
    return ""


def number_label(draft: Any, amendment: Any) -> str:
    if amendment.number is None:
        return _("unnumbered draft")
    return f"{draft.amendment_prefix}.{amendment.number}"


def describe_returned(data: dict[str, Any]) -> str:
    """The notification a mover gets when the secretariat returns an amendment."""
    return _("Amendment %(number)s to %(symbol)s was returned for clarification: %(message)s",
             number=data.get("amendment", ""), symbol=data.get("symbol", ""), message=data.get("message", ""))


HELPERS = {
    "language_label": language_label, "draft_state_label": draft_state_label,
    "paragraph_state_label": paragraph_state_label, "amendment_state_label": amendment_state_label,
    "kind_label": kind_label, "flag_label": flag_label, "action_label": action_label,
    "paragraph_label": paragraph_label, "mover_label": mover_label, "number_label": number_label,
}
