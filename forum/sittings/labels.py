"""Words for the sittings' codes, in the reader's language: the pages render them, and the
scripts receive the same table as JSON (payloads carry codes, never sentences)."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l

SITTING_STATE = {"scheduled": _l("Scheduled"), "live": _l("In session"), "suspended": _l("Suspended"),
                 "closed": _l("Closed")}
REQUEST_KIND = {"speak": _l("to speak"), "point_of_order": _l("point of order"), "objection": _l("objection"),
                "reply": _l("right of reply")}
CATEGORY = {"spokesperson": _l("Vice-Chairperson / spokesperson"), "regional_group": _l("for a regional group"),
            "government": _l("Government"), "member": _l("member"), "observer": _l("observer")}
GROUP = {"government": _l("Government"), "employer": _l("Employers"), "worker": _l("Workers"), "none": _l("—")}
ITEM_STATE = {"pending": _l("pending"), "under_discussion": _l("under discussion"), "adopted": _l("adopted"),
              "adopted_as_amended": _l("adopted as amended"), "deleted": _l("deleted"), "deferred": _l("deferred"),
              "bracketed": _l("bracketed"), "circulated": _l("circulated"), "rejected": _l("rejected"),
              "adopted_as_sub_amended": _l("adopted as sub-amended"), "withdrawn": _l("withdrawn"),
              "fell": _l("fell"), "not_seconded": _l("not seconded"), "not_moved": _l("not moved"),
              "merged": _l("merged"), "reservation": _l("adopted with a reservation recorded"),
              "reopened": _l("reopened"), "referred": _l("referred to a drafting group")}
STANCE = {"support": _l("support"), "oppose": _l("oppose"), "reserve": _l("reserve"), "none": _l("no position")}
UI = {
    "paragraph": _l("Paragraph"), "amendment": _l("Amendment"), "no_item": _l("No item is before the sitting."),
    "nobody": _l("Nobody has the floor."), "empty_list": _l("Nobody is waiting for the floor."),
    "your_place": _l("Your place in the list: %(n)s"), "not_on_list": _l("You are not on the list."),
    "you_speak": _l("You have the floor."), "remaining": _l("remaining"), "over": _l("over time"),
    "objections_called": _l("The Chair asks: is there any objection?"), "vote_open": _l("A vote is open"),
    "ballots": _l("Ballots cast: %(n)s"), "vote_closed": _l("Vote closed"), "oral": _l("Oral amendment being typed"),
    "now_item": _l("Now before the sitting: %(label)s"), "now_speaking": _l("Now speaking: %(name)s"),
    "state_now": _l("The sitting is now: %(state)s"), "for_chair": _l("for the Chair"),
    "withdraw": _l("Withdraw"), "grant": _l("Give the floor"), "remove": _l("Remove"), "up": _l("Move up"),
    "down": _l("Move down"), "limit": _l("Time limit (seconds)"), "set": _l("Set"), "decision": _l("Decision"),
    "for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain"), "connected": _l("Connected now"),
    "offline": _l("Connection lost: reconnecting…"), "no_vote": _l("No vote is open."),
    "you": _l("(you)"), "online": _l("Live"), "seconds": _l("s"),
    "original_only": _l("Not yet available in %(language)s; shown in %(original)s."),
}


def _strings(table: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in table.items()}


def for_js() -> dict[str, Any]:
    return {"state": _strings(SITTING_STATE), "kind": _strings(REQUEST_KIND), "category": _strings(CATEGORY),
            "group": _strings(GROUP), "stance": _strings(STANCE), "item_state": _strings(ITEM_STATE),
            "ui": _strings(UI), "language": _languages()}


def _languages() -> dict[str, str]:
    """The names of the texts' languages, for the marker where only the original exists (issue 14)."""
    from forum.drafting.labels import LANGUAGE

    return _strings(LANGUAGE)


def _get(table: dict[str, Any], code: str | None) -> str:
    return str(table.get(code or "", code or ""))


HELPERS = {
    "sitting_state_label": lambda code: _get(SITTING_STATE, code),
    "request_kind_label": lambda code: _get(REQUEST_KIND, code),
    "category_label": lambda code: _get(CATEGORY, code),
    "group_code_label": lambda code: _get(GROUP, code),
    "item_state_label": lambda code: _get(ITEM_STATE, code),
    "stance_label": lambda code: _get(STANCE, code),
    "sitting_labels_json": lambda: json.dumps(for_js()).replace("</", "<\\/"),
}
