"""Translated labels and icons for positions, statements, polls and decisions (icons always with words)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.drafting import labels as drafting_labels
from forum.meetings.services import state_name

STANCE = {"support": _l("Support"), "oppose": _l("Oppose"), "reserve": _l("Reservation"), "none": _l("No position")}
# Shapes that differ without colour; always followed by the word (aria-hidden on the icon).
STANCE_ICON = {"support": "✔", "oppose": "✖", "reserve": "◐", "none": "○"}
CHOICE = {"support": _l("Support"), "oppose": _l("Oppose"), "abstain": _l("Abstain")}
CHOICE_ICON = {"support": "✔", "oppose": "✖", "abstain": "○"}
METHOD = {"consensus": _l("by consensus"), "vote": _l("by vote"), "reservation": _l("with a reservation recorded"),
          "vote:record": _l("by record vote"), "vote:show_of_hands": _l("by show of hands"),
          "vote:secret": _l("by secret ballot")}


def stance_label(code: str | None) -> str:
    return str(STANCE.get(code or "none", code or ""))


def stance_icon(code: str | None) -> str:
    return STANCE_ICON.get(code or "none", "")


def choice_label(code: str) -> str:
    return str(CHOICE.get(code, code))


def choice_icon(code: str) -> str:
    return CHOICE_ICON.get(code, "")


def holder_label(holder: str, regional_name: str | None = None) -> str:
    if holder == "employer":
        return _("Employers' group")
    if holder == "worker":
        return _("Workers' group")
    return regional_name or holder


def method_label(method: str | None) -> str:
    if not method:
        return _("method not recorded")
    return str(METHOD.get(method, METHOD.get(method.split(":")[0], method)))


def outcome_label(kind: str, outcome: str | None) -> str:
    if not outcome:
        return ""
    if kind == "paragraph":
        try:
            return drafting_labels.paragraph_state_label(outcome)
        except ValueError:
            return outcome.replace("_", " ")
    try:
        return drafting_labels.amendment_state_label(outcome)
    except ValueError:
        return outcome.replace("_", " ")


def government_label(member_state: str, regional_name: str | None = None) -> str:
    """"Government of Kenya, on behalf of the Africa group" (rule 28)."""
    if regional_name:
        return _("Government of %(state)s, on behalf of %(group)s", state=state_name(member_state),
                 group=regional_name)
    return _("Government of %(state)s", state=state_name(member_state))


HELPERS: dict[str, Any] = {
    **drafting_labels.HELPERS, "stance_label": stance_label, "stance_icon": stance_icon, "choice_label": choice_label,
    "choice_icon": choice_icon, "holder_label": holder_label, "method_label": method_label,
    "outcome_label": outcome_label, "government_label": government_label, "state_name": state_name,
}
